// The distributed explain stage.
#include "mpi/torch/explain_driver.h"
#include "mpi/torch/device.h"

#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "corpus/corpus.h"
#include "generate/backends.h"
#include "generate/requests.h"
#include "mpi/chunk_scheduler.h"
#include "mpi/corpus_index.h"
#include "mpi/progress.h"
#include "mpi/shard_set.h"
#include "store/lock.h"
#include "store/shard.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/signals.h"

namespace because::mpi {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string reason_of(const std::string& error) { return error.substr(0, error.find(':')); }

}  // namespace

int run_explain(const Comm& comm, const config::Config& cfg, const StageInfo& info) {
  const auto t_start = Clock::now();
  const auto& ec = cfg.explain;
  const std::string& run = cfg.general.run_dir;
  if (run.empty()) throw ConfigError("--run: explain needs a run directory");
  if (cfg.corpus.path.empty()) throw ConfigError("--corpus.path: explain needs a corpus");
  store::WriteOptions::for_shards(cfg.store).validate();  // before the model loads
  const auto mode = generate::parse_mode(ec.mode);
  const auto guide = generate::parse_guide(ec.guide);
  const auto split = generate::parse_split(ec.split);
  const auto params = generate::sampling_params(ec);
  const auto tmpl = generate::PromptTemplate::load(ec.prompt);
  if (tmpl.kind() != "explain") throw ConfigError("--explain.prompt: " + ec.prompt + " is a " + tmpl.kind() + " template");
  if (!ec.name.empty() && (ec.name == store::kHumanSource || ec.name.find_first_of("/\\ \t") != std::string::npos))
    throw ConfigError("--explain.name: '" + ec.name + "' is not a usable set name (no '/', spaces, or 'human')");
  // The shard set and the source recorded with every explanation.
  const std::string set = store::explain_set(ec.name);
  const std::string source = ec.name.empty() ? tmpl.name() : ec.name;

  std::unique_ptr<store::RunLock> lock;
  if (comm.root()) lock = std::make_unique<store::RunLock>(run, "explain");

  // Every rank opens the corpus (index built in parallel, cached under RUN/index/).
  const auto corpus = open_corpus(comm, cfg.corpus, run);
  Quarantine quarantine(comm, run, cfg.general.strict);
  const auto& labels = corpus.labels();
  // model.device per rank: "cuda" spreads the ranks of a node over its GPUs.
  const config::Config model_cfg = with_rank_model_device(comm, cfg, ec.backend);
  auto backend = generate::make_backend(ec.backend, model_cfg, ec.batch_size);
  const bool chat = generate::resolve_chat(ec.chat, tmpl.chat(), *backend);

  // Chunks already done in any ledger (rank 0 checks the config hash, then tells everyone).
  const auto done = prepare_shard_set(comm, run, set, info.config_hash, cfg.general.restart);
  std::vector<int64_t> todo;
  int64_t todo_rows = 0;
  for (int64_t c = 0; c < corpus.n_chunks(); ++c)
    if (!done.count(c)) {
      todo.push_back(c);
      todo_rows += std::min(corpus.chunk_rows(), corpus.n_rows() - c * corpus.chunk_rows());
    }
  log::info0("explain: ", corpus.n_rows(), " rows in ", corpus.n_chunks(), " chunks, ", done.size(),
             " already done; backend ", backend->name(), device_note(ec.backend, model_cfg), ", template ",
             tmpl.name(), " (", tmpl.hash(), "), chat ", chat ? "yes" : "no", ", ", comm.size(), " rank(s)");

  if (comm.root()) {
    nlohmann::json prov = backend->provenance();
    prov["template"] = {{"name", tmpl.name()}, {"path", ec.prompt}, {"hash", tmpl.hash()}, {"chat", chat}};
    prov["sampling"] = params.to_json();
    prov["mode"] = ec.mode;
    prov["guide"] = ec.guide;
    prov["samples"] = ec.samples;
    prov["split"] = ec.split;
    prov["seed"] = {{"run_seed", cfg.general.seed}, {"rule", "hash::seed_of(run_seed, uid, label, sample)"}};
    prov["source"] = source;
    prov["set"] = set;
    prov["config_hash"] = info.config_hash;
    prov["command_line"] = info.command_line;
    files::write_atomic(store::set_record_path(run, set), prov.dump(2) + "\n");
  }

  store::ShardOptions so;
  so.run_dir = run;
  so.set = set;
  so.rank = comm.rank();
  so.config_hash = info.config_hash;
  so.label_set = labels.name;
  so.labels = labels.labels;
  so.write = store::WriteOptions::for_shards(cfg.store);
  store::ShardWriter writer(so);

  GlobalProgress progress(comm, {"instances", "explanations", "tokens", "errors"}, static_cast<uint64_t>(todo_rows),
                          cfg.general.progress_interval);
  ChunkScheduler scheduler(comm, todo);

  generate::RequestOptions ropt;
  ropt.mode = mode;
  ropt.guide = guide;
  ropt.samples = ec.samples;
  ropt.run_seed = cfg.general.seed;
  ropt.chat = chat;

  double t_generate = 0, t_read = 0, t_write = 0;
  int64_t n_chunks = 0, n_items = 0, n_expl = 0, n_tokens = 0, n_prompt_tokens = 0, n_bad_rows = 0;
  std::map<std::string, int64_t> errors;
  bool interrupted = false;
  const size_t group = static_cast<size_t>(std::max(1, ec.batch_size)) * 4;

  while (!interrupted) {
    if (signals::stop_requested()) {
      interrupted = true;
      break;
    }
    const int64_t chunk = scheduler.next();
    if (chunk < 0) break;
    auto t0 = Clock::now();
    auto rd = corpus.read_chunk(chunk);
    t_read += seconds_since(t0);
    for (const auto& b : rd.bad) {
      ++n_bad_rows;
      ++errors["bad_row." + b.reason];
    }
    quarantine.add(rd.bad);
    auto requests = generate::build_requests(rd.rows, tmpl, labels, ropt);
    // Ask the backend in fixed groups of requests (batching depends on the chunk alone), checking
    // for a stop request between groups: a stopped chunk is abandoned and redone on resume.
    std::vector<size_t> asked;
    std::vector<generate::GenRequest> gens;
    for (size_t i = 0; i < requests.size(); ++i)
      if (requests[i].error.empty()) {
        asked.push_back(i);
        gens.push_back(requests[i].gen);
      }
    std::vector<generate::GenResult> results;
    results.reserve(gens.size());
    t0 = Clock::now();
    for (size_t g = 0; g < gens.size(); g += group) {
      if (signals::stop_requested()) {
        interrupted = true;
        break;
      }
      std::vector<generate::GenRequest> slice(gens.begin() + static_cast<std::ptrdiff_t>(g),
                                              gens.begin() + static_cast<std::ptrdiff_t>(std::min(gens.size(), g + group)));
      auto part = backend->generate(slice, params);
      for (auto& r : part) results.push_back(std::move(r));
    }
    t_generate += seconds_since(t0);
    if (interrupted) break;

    store::ShardChunk sc;
    sc.id = chunk;
    std::vector<int64_t> delta = {static_cast<int64_t>(rd.rows.size()) + static_cast<int64_t>(rd.bad.size()), 0, 0, 0};
    std::map<std::pair<size_t, int>, int> next_sample;  // (item, label) -> next sample index (split=all)
    size_t ai = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      const auto& rq = requests[i];
      store::Explanation base;
      base.instance = rd.rows[rq.item].row;
      base.label = rq.label;
      base.sample = rq.sample;
      base.source = source;
      if (!rq.error.empty()) {
        base.finish = store::Finish::kError;
        base.error = rq.error;
        ++errors[reason_of(rq.error)];
        ++delta[3];
        sc.explanations.push_back(base);
        continue;
      }
      const auto& res = results[ai++];
      n_prompt_tokens += res.n_prompt_tokens;
      n_tokens += res.n_tokens;
      delta[2] += res.n_tokens;
      if (res.finish == generate::Finish::kError) {
        base.finish = store::Finish::kError;
        base.error = res.error;
        ++errors[reason_of(res.error)];
        ++delta[3];
        sc.explanations.push_back(base);
        continue;
      }
      base.n_tokens = static_cast<uint32_t>(res.n_tokens);
      if (backend->name() != "import") base.logprob = static_cast<float>(res.logprob);
      base.finish = res.finish == generate::Finish::kLength ? store::Finish::kLength : store::Finish::kStop;
      auto texts = generate::postprocess(res.text, split);
      if (texts.empty()) {
        base.finish = store::Finish::kError;
        base.error = "empty_output: the backend returned no text";
        ++errors["empty_output"];
        ++delta[3];
        sc.explanations.push_back(base);
        continue;
      }
      for (auto& t : texts) {
        store::Explanation e = base;
        if (split == generate::Split::kAll) e.sample = next_sample[{rq.item, rq.label}]++;
        e.text = std::move(t);
        sc.explanations.push_back(std::move(e));
        ++delta[1];
      }
    }
    n_items += static_cast<int64_t>(rd.rows.size());
    n_expl += delta[1];
    sc.instances = std::move(rd.rows);
    t0 = Clock::now();
    writer.append(std::move(sc));
    t_write += seconds_since(t0);
    ++n_chunks;
    progress.add(delta);
  }
  auto t0 = Clock::now();
  writer.commit();
  t_write += seconds_since(t0);
  const auto totals = progress.finish();
  const auto bad_rows = quarantine.finish();
  scheduler.close();

  nlohmann::json stats = {{"rank", comm.rank()},
                          {"chunks", n_chunks},
                          {"instances", n_items},
                          {"explanations", n_expl},
                          {"bad_rows", n_bad_rows},
                          {"generated_tokens", n_tokens},
                          {"prompt_tokens", n_prompt_tokens},
                          {"seconds_total", seconds_since(t_start)},
                          {"seconds_generate", t_generate},
                          {"seconds_read", t_read},
                          {"seconds_write", t_write},
                          {"errors", errors},
                          {"backend", backend->stats().counts},
                          {"interrupted", interrupted},
                          {"peak_rss_bytes", proc::peak_rss_bytes()}};
  files::make_dirs(run + "/stats");
  files::write_atomic(run + "/stats/" + set + "-rank-" + std::to_string(comm.rank()) + ".json", stats.dump(2) + "\n");

  const bool any_interrupted = comm.any(interrupted);
  const int64_t total_errors = totals.size() > 3 ? totals[3] : 0;
  if (any_interrupted) {
    throw Interrupted("explain: stopped by a signal with work left; committed chunks are kept. Run the same "
                      "command again to resume.");
  }
  const int64_t n_bad_total = total_count(bad_rows);
  log::info0("explain: done; ", totals.size() > 1 ? totals[1] : 0, " explanations, ", total_errors,
             " item errors, ", n_bad_total, " bad rows (", run, "/quarantine.jsonl); merge with `because merge --run ",
             run, "`");
  if (cfg.general.strict && total_errors > 0)
    throw Error("explain: " + std::to_string(total_errors) + " items failed and --strict is set (see " + run +
                "/stats/" + set + "-rank-*.json)");
  return 0;
}

}  // namespace because::mpi
