// Options of the [judge] section of a job file (--judge.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct JudgeConfig {
  std::string name = "mjd";  ///< name of the judgment set in the store (/judgments/NAME)
  std::string prompt = "jobs/prompts/judge_mc.txt";  ///< multiple-choice prompt template
  std::string normalize = "softmax";  ///< softmax (with temperature) or normalize (scores / sum)
  double temperature = 1.0;  ///< softmax temperature
  bool with_explanations = true;  ///< include the explanations as comments
};

void add_options(Options& o, JudgeConfig& c);

}  // namespace because::config
