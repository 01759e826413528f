// Registration of the general options.
#include "config/general.h"

namespace because::config {

void add_options(Options& o, GeneralConfig& c) {
  o.add("run", &c.run_dir, "run directory (shards, store, models, logs); resumes if it exists")
      .add("log-level", &c.log_level, "log level: debug, info, warn, error, off")
      .add("seed", &c.seed, "run seed; sampling seeds derive from (seed, uid, label, sample)")
      .add("threads", &c.threads, "CPU threads per rank: libtorch intra-op threads, reduce's scoring threads (0: the node's CPUs / "
           "its ranks, at most the CPUs the rank is bound to)")
      .add_flag("strict", &c.strict, "treat bad rows and failed items as errors")
      .add("progress-interval", &c.progress_interval, "seconds between progress lines when stderr is not a terminal")
      .add_flag("restart", &c.restart, "start over in a run directory made with a different config");
  o.not_hashed("run").not_hashed("log-level").not_hashed("threads").not_hashed("progress-interval")
      .not_hashed("restart");
}

}  // namespace because::config
