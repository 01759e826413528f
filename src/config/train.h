// Options of the [train] section of a job file (--train.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct TrainConfig {
  std::string name = "classifier";  ///< model name: RUN/models/NAME and /predictions/NAME
  std::string task = "classify";  ///< classify, explainer, reasoning
  int epochs = 3;  ///< passes over the training data
  int64_t batch_size = 32;  ///< global batch size (all ranks together)
  double lr = 5e-5;  ///< peak learning rate
  int max_length = 128;  ///< maximum input tokens (longer inputs are truncated)
};

void add_options(Options& o, TrainConfig& c);

}  // namespace because::config
