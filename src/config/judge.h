// Options of the [judge] section of a job file (--judge.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct JudgeConfig {
  std::string name = "mjd";  ///< name of the judgment set in the store (/judgments/NAME)
  std::string backend = "torch";  ///< torch or openai (openai settings: explain.api_*)
  std::string prompt = "jobs/prompts/judge_mc.txt";  ///< multiple-choice prompt template
  std::string normalize = "softmax";  ///< softmax (with temperature) or normalize (scores / sum)
  double temperature = 1.0;  ///< softmax temperature
  bool with_explanations = true;  ///< include the explanations as comments
  std::string comments = "store";  ///< where comments come from: store (/explanations of RUN/store.h5) or human (the corpus' explanations)
  std::string comment_source;  ///< comments=store: only explanations of this source (empty: every model source)
  int comment_orders = 1;  ///< orders of the comments averaged per option order (1: as given)
  int max_comments = 0;  ///< comments shown at most (0: all)
  std::string chat = "auto";  ///< chat template: auto, yes, no
  int batch_size = 24;  ///< prompts scored together
};

void add_options(Options& o, JudgeConfig& c);

}  // namespace because::config
