// `because train --job FILE --run DIR`: data-parallel fine-tuning (classifier, explainer,
// reasoning classifier) of the [train] section, or of each [train:NAME] listed in train.phases.
#include <iostream>

#include "app/command.h"
#include "mpi/torch/train_driver.h"
#include "store/update.h"
#include "util/error.h"
#include "util/files.h"

namespace because::app {
namespace {

int run_train(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{
      "because train --job FILE --run DIR [--profile train:NAME] [options]",
      "Fine-tunes a model on the run's store (or a corpus) over all ranks (data parallel): an encoder\n"
      "classifier (task = classify), an explainer that writes explanations (task = explainer), or the\n"
      "reasoning classifier (task = reasoning). Writes RUN/models/NAME (Hugging Face layout), predictions\n"
      "of the evaluation splits to /predictions/NAME in the store and RUN/logs/train-NAME.jsonl.\n"
      "Checkpoints go to RUN/train/NAME/; on SIGUSR1/SIGTERM every rank checkpoints and exits with\n"
      "status 75; the same command resumes. With train.phases = a, b the job file's [train:a] and\n"
      "[train:b] sections run one after the other from the same weights.",
      {"", "train", "corpus"},
      0};
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return 0;
  const std::string run = cfg.general.run_dir;
  if (run.empty()) throw ConfigError("because train needs a run directory (--run DIR)");
  set_torch_threads(ctx, cfg.general.threads);

  std::vector<config::Config> phases;
  if (cfg.train.phases.items.empty()) {
    phases.push_back(cfg);
  } else {
    if (parsed->job_file.empty()) throw ConfigError("train.phases needs a job file with [train:NAME] sections (--job FILE)");
    for (const auto& p : cfg.train.phases.items) {
      config::Config pc;
      config::Options po;
      config::add_all_options(po, pc);
      auto phase_args = args;
      phase_args.insert(phase_args.end(), {"--profile", "train:" + p});
      config::parse_command_line(phase_args, po, 0);
      pc.train.name = cfg.train.name;  // one model, one output name
      phases.push_back(pc);
    }
  }
  if (ctx.comm.root()) {
    files::make_dirs(run + "/train/" + cfg.train.name);
    files::write_atomic(run + "/train/" + cfg.train.name + "/config.ini",
                        "# resolved by: " + ctx.command_line + "\n# config hash " + opts.hash() + "\n" + opts.to_ini());
  }
  const store::ProvenanceRow row = provenance_row(ctx, opts, "train");
  auto r = mpi::run_train_stage(ctx.comm, phases, run, opts.hash());
  if (ctx.comm.root() && !r.predictions_store.empty()) store::append_provenance(r.predictions_store, row);
  if (ctx.comm.root() && !r.skipped) std::cout << r.model_dir << "\n";
  return 0;
}

}  // namespace

BECAUSE_COMMAND("train", "data-parallel fine-tuning of classifiers, explainers and reasoning classifiers", run_train);

}  // namespace because::app
