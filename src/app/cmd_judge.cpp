// `because judge`: label distributions from a model's first-token scores of the option letters in
// a multiple-choice prompt, averaged over option orders (the second study's MJD).
#include "app/command.h"
#include "store/shard.h"
#include "util/error.h"
#include "mpi/torch/judge_driver.h"

namespace because::app {
namespace {

int run_judge(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{
      "because judge --job FILE --run DIR [--judge.name=NAME] [--model.path=DIR] [options]",
      "Reads the instances of RUN/store.h5 with their explanations (or, without a store, the corpus with\n"
      "its human explanations), asks the [judge] multiple-choice prompt in every order of the options\n"
      "(and --judge.comment_orders orders of the comments), reads the first-token scores of the option\n"
      "letters, normalises (softmax with temperature, or normalize) and averages. Results go to shard\n"
      "set judge-NAME; `because merge` adds them to the store as /judgments/NAME. For the baseline\n"
      "without explanations: --judge.with_explanations=false --judge.prompt=jobs/prompts/judge_mc_baseline.txt.",
      {"", "corpus", "model", "judge", "explain", "store"},
      0};
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return 0;
  if (cfg.general.run_dir.empty()) throw ConfigError("because judge needs a run directory (--run DIR)");
  set_torch_threads(ctx, cfg.general.threads);
  mpi::StageInfo info{ctx.command_line, opts.hash(), opts.to_json().dump()};
  const store::ProvenanceRow row = provenance_row(ctx, opts, "judge");
  const int rc = mpi::run_judge(ctx.comm, cfg, info);
  // Into the store with the set's rows at the next merge.
  if (rc == 0 && ctx.comm.root()) store::append_set_provenance(cfg.general.run_dir, "judge-" + cfg.judge.name, row);
  return rc;
}

}  // namespace

BECAUSE_COMMAND("judge", "label distributions from multiple-choice first-token scores (N ranks, resumable)", run_judge);

}  // namespace because::app
