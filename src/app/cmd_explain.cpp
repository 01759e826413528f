// `because explain`: a language model writes explanations for every instance of a corpus,
// N ranks claiming chunks, into RUN/shards/explain/ (merge with `because merge`).
#include "app/command.h"
#include "store/shard.h"
#include "util/error.h"
#include "mpi/torch/explain_driver.h"

namespace because::app {
namespace {

int run_explain(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{
      "because explain --job FILE --run DIR [--corpus.path=FILE] [--model.path=DIR] [options]",
      "Writes explanations for every instance of the corpus with the [explain] backend (torch: a\n"
      "model directory; openai: an OpenAI-compatible server; import: a CSV/JSONL file) and prompt\n"
      "template. Ranks claim chunks of rows dynamically; each rank writes its own shard and ledger\n"
      "under RUN/shards/explain/. SIGUSR1/SIGTERM stop every rank after its current chunk (exit 75);\n"
      "running the same command again resumes. The output is the same for any number of ranks.",
      {"", "corpus", "model", "explain", "store"},
      0};
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return 0;
  if (cfg.general.run_dir.empty()) throw ConfigError("because explain needs a run directory (--run DIR)");
  write_run_config(ctx, opts, cfg.general.run_dir);
  set_torch_threads(ctx, cfg.general.threads);
  mpi::StageInfo info{ctx.command_line, opts.hash(), opts.to_json().dump()};
  const store::ProvenanceRow row = provenance_row(ctx, opts, "explain");
  const int rc = mpi::run_explain(ctx.comm, cfg, info);
  // Into the store with the set's rows at the next merge.
  if (rc == 0 && ctx.comm.root()) store::append_set_provenance(cfg.general.run_dir, store::explain_set(cfg.explain.name), row);
  return rc;
}

}  // namespace

BECAUSE_COMMAND("explain", "write explanations for a corpus with a language model (N ranks, resumable)", run_explain);

}  // namespace because::app
