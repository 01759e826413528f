// `because reduce --run DIR`: every metric the run's store allows, reduced over MPI ranks, into
// RUN/metrics.json and /metrics/reduce in the store (keys: docs/metrics.md).
#include <iostream>

#include "app/command.h"
#include "mpi/reduce_store.h"
#include "store/update.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

namespace because::app {
namespace {

int run_reduce(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{"because reduce --run DIR [--reduce.KEY=VALUE ...]",
                    "Reads RUN/store.h5 on every rank (each takes a block of instances) and computes every metric\n"
                    "its contents allow, grouped by dataset and split: NLG of model explanations against the human\n"
                    "explanations of the same instance (BLEU, chrF, ROUGE, METEOR), diversity (distinct-1/2,\n"
                    "self-BLEU, length) per explanation source and mode (guided / label-free), judgment and\n"
                    "prediction distributions against human label counts (KL, JSD, TVD, distance correlation,\n"
                    "entropy correlation) and their argmax against gold and the human majority (accuracy, F1).\n"
                    "Writes RUN/metrics.json and /metrics/reduce in the store; prints the tables.",
                    {"", "reduce"}, 0};
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  const std::string run = cfg.general.run_dir;
  if (run.empty()) throw ConfigError("reduce: --run DIR is required");
  const std::string store_path = cfg.reduce.store.empty() ? run + "/store.h5" : cfg.reduce.store;
  if (!files::exists(store_path))
    throw ConfigError("reduce: no store at " + store_path + " (run `because merge --run " + run + "` first)");
  const std::string out_path = cfg.reduce.output.empty() ? run + "/metrics.json" : cfg.reduce.output;
  cfg.reduce.threads = cfg.general.threads;
  const store::ProvenanceRow row = provenance_row(ctx, opts, "reduce");
  const auto metrics = mpi::reduce_store(ctx.comm, store_path, cfg.reduce, cfg.general.progress_interval);
  ctx.comm.barrier();  // every rank has closed the store before rank 0 writes into it
  if (ctx.comm.root()) {
    const std::string text = metrics.dump(2) + "\n";
    files::write_atomic(out_path, text);
    store::write_metrics(store_path, "reduce", metrics.dump());
    store::append_provenance(store_path, row);
    std::cout << mpi::format_reduce(metrics) << "\nwrote " << out_path << " and /metrics/reduce in " << store_path
              << "\n";
  }
  return 0;
}

}  // namespace

BECAUSE_COMMAND("reduce", "metrics of a run's store, reduced over MPI ranks, into RUN/metrics.json", run_reduce);

}  // namespace because::app
