// Options shared by every command (top-level keys of a job file).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct GeneralConfig {
  std::string run_dir;            ///< run directory (RUN/): shards, store, models, logs
  std::string log_level = "info"; ///< debug, info, warn, error, off
  uint64_t seed = 1234;           ///< run seed; per-item seeds derive from it
  int threads = 0;                ///< CPU threads per rank (0: cores / ranks on this node, within the rank's binding)
  bool strict = false;            ///< turn item-level problems (bad rows, failed items) into errors
  double progress_interval = 10;  ///< seconds between progress lines when not on a terminal
  bool restart = false;           ///< discard work of an earlier run with a different config
};

void add_options(Options& o, GeneralConfig& c);

}  // namespace because::config
