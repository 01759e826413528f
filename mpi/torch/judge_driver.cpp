// The distributed judge stage.
#include "mpi/torch/judge_driver.h"
#include "mpi/torch/device.h"

#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>

#include "corpus/corpus.h"
#include "generate/backends.h"
#include "generate/judge.h"
#include "mpi/chunk_scheduler.h"
#include "mpi/corpus_index.h"
#include "mpi/progress.h"
#include "mpi/shard_set.h"
#include "store/lock.h"
#include "store/reader.h"
#include "store/shard.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/signals.h"

namespace because::mpi {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int factorial(int n) { return n <= 1 ? 1 : n * factorial(n - 1); }

// One unit of judge input: instances (with their row ids) and their comments.
struct Item {
  corpus::Instance inst;
  int64_t id = -1;  // store row (from a store) or corpus row (from a corpus)
  std::vector<std::string> comments;
};

}  // namespace

int run_judge(const Comm& comm, const config::Config& cfg, const StageInfo& info) {
  const auto t_start = Clock::now();
  const auto& jc = cfg.judge;
  const std::string& run = cfg.general.run_dir;
  if (run.empty()) throw ConfigError("--run: judge needs a run directory");
  if (jc.comments != "store" && jc.comments != "human")
    throw ConfigError("--judge.comments: expected store or human, got '" + jc.comments + "'");
  if (jc.comment_orders < 1) throw ConfigError("--judge.comment_orders must be >= 1");
  store::WriteOptions::for_shards(cfg.store).validate();  // before the model loads
  if (jc.name.empty() || jc.name.find('/') != std::string::npos) throw ConfigError("--judge.name: a plain name, e.g. mjd");
  const auto tmpl = generate::PromptTemplate::load(jc.prompt);
  if (tmpl.kind() != "judge") throw ConfigError("--judge.prompt: " + jc.prompt + " is not a judge template ([meta] kind: judge)");
  std::unique_ptr<store::RunLock> lock;
  if (comm.root()) lock = std::make_unique<store::RunLock>(run, "judge");

  const std::string store_path = run + "/store.h5";
  const bool from_store = files::exists(store_path);
  if (!from_store && jc.comments == "store" && jc.with_explanations)
    throw ConfigError("judge: " + store_path + " does not exist; run explain and merge first, or use --judge.comments=human "
                      "to judge the corpus with its human explanations");
  std::unique_ptr<store::StoreReader> reader;
  std::unique_ptr<corpus::Corpus> corpus;
  corpus::LabelSet labels;
  int64_t n_rows = 0, chunk_rows = std::max<int64_t>(1, cfg.corpus.chunk_rows);
  if (from_store) {
    reader = std::make_unique<store::StoreReader>(store_path);
    labels.name = reader->info().label_set;
    labels.labels = reader->info().labels;
    n_rows = reader->n_instances();
  } else {
    if (cfg.corpus.path.empty()) throw ConfigError("--corpus.path: judge without a store reads the corpus");
    corpus = std::make_unique<corpus::Corpus>(open_corpus(comm, cfg.corpus, run));
    labels = corpus->labels();
    n_rows = corpus->n_rows();
    chunk_rows = corpus->chunk_rows();
  }
  const int L = labels.size();
  if (L < 2 || L > 6) throw ConfigError("judge: label set '" + labels.name + "' has " + std::to_string(L) + " labels; 2 to 6 are supported");
  const int64_t n_chunks = (n_rows + chunk_rows - 1) / chunk_rows;

  // model.device per rank: "cuda" spreads the ranks of a node over its GPUs.
  const config::Config model_cfg = with_rank_model_device(comm, cfg, jc.backend);
  auto backend = generate::make_backend(jc.backend, model_cfg, jc.batch_size);
  generate::JudgeOptions jo;
  jo.normalize = jc.normalize;
  jo.temperature = jc.temperature;
  jo.with_explanations = jc.with_explanations;
  jo.comment_orders = jc.with_explanations ? jc.comment_orders : 1;
  jo.run_seed = cfg.general.seed;
  jo.chat = generate::resolve_chat(jc.chat, tmpl.chat(), *backend);
  jo.scores_are_logprobs = true;  // torch: next-token log-softmax; openai: logprobs
  generate::normalize_scores(std::vector<double>(static_cast<size_t>(L), 0.0), jo.normalize, jo.temperature, true);
  const int n_perms = factorial(L) * jo.comment_orders;
  const auto letters = generate::option_letters(L);
  std::vector<int> option_labels(static_cast<size_t>(L));
  std::iota(option_labels.begin(), option_labels.end(), 0);

  nlohmann::json method = {{"prompt", tmpl.name()},
                           {"prompt_hash", tmpl.hash()},
                           {"normalize", jo.normalize},
                           {"temperature", jo.temperature},
                           {"with_explanations", jo.with_explanations},
                           {"comments", jc.comments},
                           {"comment_orders", jo.comment_orders},
                           {"max_comments", jc.max_comments},
                           {"comment_source", jc.comment_source},
                           {"option_orders", factorial(L)},
                           {"scores", "first-token log-probabilities of the option letters"},
                           {"letters", letters},
                           {"chat", jo.chat},
                           {"backend", backend->provenance()},
                           {"run_seed", cfg.general.seed}};
  const std::string set = "judge-" + jc.name;
  const std::set<int64_t> done = prepare_shard_set(comm, run, set, info.config_hash, cfg.general.restart);
  if (comm.root()) files::write_atomic(store::set_record_path(run, set), method.dump(2) + "\n");
  std::vector<int64_t> todo;
  int64_t todo_rows = 0;
  for (int64_t c = 0; c < n_chunks; ++c)
    if (!done.count(c)) {
      todo.push_back(c);
      todo_rows += std::min(chunk_rows, n_rows - c * chunk_rows);
    }
  log::info0("judge ", jc.name, ": ", n_rows, " instances in ", n_chunks, " chunks (", done.size(),
             " done), ", n_perms, " prompts per instance, backend ", backend->name(),
             device_note(jc.backend, model_cfg), ", from ", from_store ? store_path : cfg.corpus.path);

  store::ShardOptions so;
  so.run_dir = run;
  so.set = set;
  so.rank = comm.rank();
  so.config_hash = info.config_hash;
  so.label_set = labels.name;
  so.labels = labels.labels;
  so.judgments_name = jc.name;
  so.judgments_method = method.dump();
  so.n_perms = n_perms;
  so.write = store::WriteOptions::for_shards(cfg.store);
  store::ShardWriter writer(so);
  // Bad rows of a corpus: RUN/quarantine.jsonl (from a store there are none).
  Quarantine quarantine(comm, from_store ? "" : run, cfg.general.strict);
  GlobalProgress progress(comm, {"instances", "prompts", "errors"}, static_cast<uint64_t>(todo_rows),
                          cfg.general.progress_interval);
  ChunkScheduler scheduler(comm, todo);

  double t_score = 0, t_read = 0, t_write = 0;
  int64_t n_done_chunks = 0, n_items = 0, n_prompts = 0, n_scored = 0;
  std::map<std::string, int64_t> errors;
  bool interrupted = false;
  while (!interrupted) {
    if (signals::stop_requested()) {
      interrupted = true;
      break;
    }
    const int64_t chunk = scheduler.next();
    if (chunk < 0) break;
    auto t0 = Clock::now();
    std::vector<Item> items;
    std::vector<corpus::Instance> chunk_instances;
    const int64_t begin = chunk * chunk_rows, end = std::min(n_rows, begin + chunk_rows);
    if (from_store) {
      auto batch = reader->read_batch(begin, end);
      for (size_t i = 0; i < batch.instances.size(); ++i) {
        Item it;
        it.inst = batch.instances[i];
        it.id = begin + static_cast<int64_t>(i);
        items.push_back(std::move(it));
      }
      for (const auto& e : batch.explanations) {
        const bool human = e.source == store::kHumanSource;
        if ((jc.comments == "human") != human || e.finish == store::Finish::kError || e.text.empty()) continue;
        if (!human && !jc.comment_source.empty() && e.source != jc.comment_source) continue;
        auto& it = items[static_cast<size_t>(e.instance - begin)];
        if (jc.max_comments <= 0 || static_cast<int>(it.comments.size()) < jc.max_comments) it.comments.push_back(e.text);
      }
    } else {
      auto rd = corpus->read_chunk(chunk);
      for (const auto& b : rd.bad) ++errors["bad_row." + b.reason];
      quarantine.add(rd.bad);
      for (const auto& inst : rd.rows) {
        Item it;
        it.inst = inst;
        it.id = inst.row;
        for (const auto& h : inst.human_explanations)
          if (jc.max_comments <= 0 || static_cast<int>(it.comments.size()) < jc.max_comments) it.comments.push_back(h.text);
        items.push_back(std::move(it));
      }
      chunk_instances = std::move(rd.rows);
    }
    t_read += seconds_since(t0);

    // Build every prompt of the chunk; identical prompts (repeated comment orders) are scored once.
    std::vector<std::vector<generate::JudgePrompt>> prompts(items.size());
    std::vector<generate::ScoreRequest> unique;
    std::unordered_map<std::string, size_t> index_of;
    std::vector<std::vector<size_t>> slot(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      prompts[i] = generate::build_judge_prompts(items[i].inst, items[i].comments, tmpl, labels, option_labels, jo);
      for (const auto& p : prompts[i]) {
        const std::string key = p.request.system + '\x1e' + p.request.prompt;
        auto [pos, fresh] = index_of.emplace(key, unique.size());
        if (fresh) unique.push_back(p.request);
        slot[i].push_back(pos->second);
      }
    }
    n_prompts += static_cast<int64_t>(unique.size());
    t0 = Clock::now();
    std::vector<generate::ScoreResult> scores;
    const size_t group = static_cast<size_t>(std::max(1, jc.batch_size)) * 4;
    for (size_t g = 0; g < unique.size(); g += group) {
      if (signals::stop_requested()) {
        interrupted = true;
        break;
      }
      std::vector<generate::ScoreRequest> slice(unique.begin() + static_cast<std::ptrdiff_t>(g),
                                                unique.begin() + static_cast<std::ptrdiff_t>(std::min(unique.size(), g + group)));
      for (auto& s : backend->score_choices(slice, letters)) scores.push_back(std::move(s));
    }
    t_score += seconds_since(t0);
    if (interrupted) break;
    n_scored += static_cast<int64_t>(unique.size());

    store::ShardChunk sc;
    sc.id = chunk;
    int64_t n_err = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      std::vector<generate::ScoreResult> mine;
      for (size_t s : slot[i]) mine.push_back(scores[s]);
      const auto j = generate::aggregate_judgment(prompts[i], mine, L, jo);
      store::Judgment out;
      out.instance = items[i].id;
      for (double p : j.probs) out.probs.push_back(static_cast<float>(p));
      for (const auto& r : j.raw)
        for (double x : r) out.scores.push_back(static_cast<float>(x));
      out.scores.resize(static_cast<size_t>(n_perms * L), std::nanf(""));
      if (!j.error.empty()) {
        ++errors[j.error.substr(0, j.error.find(':'))];
        ++n_err;
      }
      sc.judgments.push_back(std::move(out));
    }
    if (!from_store) sc.instances = std::move(chunk_instances);
    n_items += static_cast<int64_t>(items.size());
    t0 = Clock::now();
    writer.append(std::move(sc));
    t_write += seconds_since(t0);
    ++n_done_chunks;
    progress.add({static_cast<int64_t>(items.size()), static_cast<int64_t>(unique.size()), n_err});
  }
  auto t0 = Clock::now();
  writer.commit();
  t_write += seconds_since(t0);
  const auto totals = progress.finish();
  const auto bad_rows = quarantine.finish();
  scheduler.close();
  nlohmann::json stats = {{"rank", comm.rank()},          {"chunks", n_done_chunks},
                          {"instances", n_items},         {"prompts", n_prompts},
                          {"prompts_scored", n_scored},   {"seconds_total", seconds_since(t_start)},
                          {"seconds_score", t_score},     {"seconds_read", t_read},
                          {"seconds_write", t_write},     {"errors", errors},
                          {"backend", backend->stats().counts}, {"interrupted", interrupted}};
  files::make_dirs(run + "/stats");
  files::write_atomic(run + "/stats/judge-" + jc.name + "-rank-" + std::to_string(comm.rank()) + ".json",
                      stats.dump(2) + "\n");
  if (comm.any(interrupted))
    throw Interrupted("judge: stopped by a signal with work left; run the same command again to resume.");
  const int64_t total_errors = totals.size() > 2 ? totals[2] : 0;
  const int64_t n_bad = total_count(bad_rows);
  log::info0("judge ", jc.name, ": done; ", total_errors, " item errors, ", n_bad, " bad rows",
             n_bad ? " (" + run + "/quarantine.jsonl)" : std::string(), "; merge with `because merge --run ", run, "`");
  if (cfg.general.strict && total_errors > 0)
    throw Error("judge: " + std::to_string(total_errors) + " items failed and --strict is set");
  return 0;
}

}  // namespace because::mpi
