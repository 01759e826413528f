// `because corpus synth` (synthetic NLI-like JSONL) and `because corpus stats` (rows, labels,
// splits, bad rows per reason, text lengths; counts reduced over ranks under mpirun).
#include <iostream>

#include "app/command.h"
#include "corpus/stats.h"
#include "corpus/synth.h"
#include "mpi/corpus_index.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/log.h"

namespace because::app {
namespace {

int run_synth(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  int64_t rows = 0;
  std::string out;
  opts.add("rows", &rows, "number of rows to write").add("out", &out, "output JSONL file");
  const Usage usage{"because corpus synth --rows N --out FILE [--seed S]",
                    "Writes a synthetic NLI-like corpus (sample layout: uid, premise, hypothesis, label,\n"
                    "explanations, split) with MNLI-like lengths, for scale tests. Deterministic for a seed.",
                    {""}, 0};
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (out.empty()) throw ConfigError("corpus synth: --out FILE is required");
  if (rows <= 0) throw ConfigError("corpus synth: --rows must be positive");
  if (ctx.comm.root()) {
    const auto r = corpus::write_synthetic(out, rows, cfg.general.seed);
    log::info("corpus synth: wrote ", r.rows, " rows (", r.bytes, " bytes) to ", out);
  }
  ctx.comm.barrier();
  return 0;
}

int run_stats(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  std::string dataset, path;
  bool json = false;
  opts.add("dataset", &dataset, "same as --corpus.dataset").add("path", &path, "same as --corpus.path");
  opts.add_flag("json", &json, "print JSON");
  const Usage usage{"because corpus stats --dataset NAME --path FILE [--json] [--run DIR]",
                    "Reads a whole corpus and prints rows, rows per label and split, bad rows per reason,\n"
                    "duplicate uids and text length percentiles. Under mpirun the ranks share the work: a\n"
                    "JSONL/TSV file is read once, each rank taking 1/N of its bytes; CSV, per-field corpora,\n"
                    "--corpus.limit and --strict read by chunks from the row index, ranks taking chunks in turn.\n"
                    "With --run DIR the row index is cached in DIR/index and bad rows go to DIR/quarantine.jsonl.",
                    {"", "corpus"}, 0};
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (!dataset.empty()) cfg.corpus.dataset = dataset;
  if (!path.empty()) cfg.corpus.path = path;
  const auto& comm = ctx.comm;
  const auto adapter = corpus::open_adapter(cfg.corpus, nullptr);  // labels and name; checks the options
  mpi::Quarantine quarantine(comm, cfg.general.run_dir, cfg.general.strict);
  corpus::CorpusStats st(adapter->labels().size());
  std::vector<std::pair<uint64_t, int64_t>> uids;
  // One read of the file where the format allows; rows are then numbered per rank until the
  // pass ends, and bad rows and uid rows are renumbered after it.
  const auto pass = mpi::read_corpus_once(comm, cfg.corpus, cfg.general.run_dir, cfg.general.strict,
                                          [&](corpus::ChunkRead& chunk, bool local) {
                                            st.add(chunk);
                                            if (local) quarantine.add_local(chunk.bad);
                                            else quarantine.add(chunk.bad);
                                            for (const auto& r : chunk.rows) uids.emplace_back(hash::xxh64(r.uid), r.row);
                                          });
  quarantine.renumber(pass.row_base, pass.line_base);
  for (auto& u : uids) u.second += pass.row_base;
  const auto reasons = quarantine.finish();
  const auto dups = mpi::find_duplicate_uids(comm, std::move(uids));
  // Reduce.
  st.rows = comm.sum(st.rows);
  st.good = comm.sum(st.good);
  st.with_explanations = comm.sum(st.with_explanations);
  comm.sum_inplace(st.per_label);
  comm.sum_inplace(st.len_a.bins);
  comm.sum_inplace(st.len_b.bins);
  st.len_a.max = comm.max(st.len_a.max);
  st.len_b.max = comm.max(st.len_b.max);
  st.per_split = mpi::sum_counts(comm, st.per_split);
  st.bad_per_reason = reasons;
  if (comm.root()) {
    if (json) {
      auto j = st.to_json(adapter->labels(), adapter->name(), cfg.corpus.path);
      j["ranks"] = comm.size();
      j["chunks"] = pass.n_chunks;
      j["one_pass"] = pass.one_pass;
      j["duplicate_uid_rows"] = dups.n_repeated;
      j["duplicate_uid_examples"] = dups.examples;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << st.to_text(adapter->labels(), adapter->name(), cfg.corpus.path);
      std::cout << "  duplicate uids: " << dups.n_repeated << " repeated rows";
      for (const auto& e : dups.examples) std::cout << " [rows " << e << "]";
      std::cout << "\n  ranks " << comm.size() << ", chunks " << pass.n_chunks << " of " << cfg.corpus.chunk_rows
                << " rows, " << (pass.one_pass ? "one pass over the file" : "read by chunks from the row index") << "\n";
    }
  }
  return 0;
}

}  // namespace

BECAUSE_COMMAND("corpus synth", "write a synthetic NLI-like JSONL corpus for scale tests", run_synth);
BECAUSE_COMMAND("corpus stats", "rows, labels, splits, bad rows and text lengths of a corpus", run_stats);

}  // namespace because::app
