// `because merge`: parallel-HDF5 merge of the shard sets of a run into RUN/store.h5.

#include "app/command.h"
#include "because_version.h"
#include "mpi/store_merge.h"
#include "store/lock.h"
#include "util/error.h"
#include "util/log.h"
#include "util/proc.h"

namespace because::app {
namespace {

int run_merge(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  config::List sets;
  opts.add("sets", &sets, "shard sets to merge (default: all under RUN/shards)").not_hashed("sets");
  const Usage usage{"because merge --run DIR [--sets a,b] [--store.compression=deflate ...]",
                    "Merges the committed chunks of the shard sets of a run (RUN/shards/SET/rank-*/) into\n"
                    "RUN/store.h5 with collective parallel-HDF5 writes from every rank, in global chunk order,\n"
                    "through RUN/store.h5.tmp renamed when complete. The set holding instances makes a new\n"
                    "store; sets without instances (judgments) are added to the existing one.",
                    {"", "store"}, 0};
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return 0;
  if (cfg.general.run_dir.empty()) throw ConfigError("merge: --run DIR is required");
  std::unique_ptr<store::RunLock> lock;
  if (ctx.comm.root()) lock = std::make_unique<store::RunLock>(cfg.general.run_dir, "merge");
  ctx.comm.barrier();
  store::MergeOptions o;
  o.run_dir = cfg.general.run_dir;
  o.sets = sets.items;
  o.write = store::WriteOptions::from(cfg.store);
  o.batch_rows = cfg.store.merge_batch_rows;
  o.info.because_version = BECAUSE_VERSION;
  o.info.config_json = opts.to_json().dump();
  o.info.config_hash = opts.hash();
  o.provenance = provenance_row(ctx, opts, "merge");
  const auto res = mpi::merge_store(ctx.comm, o);
  const int64_t peak = ctx.comm.max(proc::peak_rss_bytes());
  log::info0("merge: ", res.output, ": ", res.n_chunks, " chunks, ", res.n_instances, " instances, ",
             res.n_explanations, " explanations, ", res.file_bytes, " bytes; peak RSS of a rank ", peak >> 20, " MiB");
  return 0;
}

}  // namespace

BECAUSE_COMMAND("merge", "merge the shard sets of a run into RUN/store.h5 (parallel HDF5)", run_merge);

}  // namespace because::app
