// Options of the [reduce] section of a job file (--reduce.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct ReduceConfig {
  std::string output = "";  ///< metrics JSON (default RUN/metrics.json)
};

void add_options(Options& o, ReduceConfig& c);

}  // namespace because::config
