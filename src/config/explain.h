// Options of the [explain] section of a job file (--explain.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct ExplainConfig {
  std::string backend = "torch";  ///< backend: torch, openai, import
  std::string mode = "label-guided";  ///< label-free (one request per label), label-guided (gold or annotator labels), free
  std::string prompt = "jobs/prompts/one_sentence.txt";  ///< prompt template file
  int samples = 1;  ///< samples per request (k)
  int max_new_tokens = 48;  ///< maximum generated tokens per explanation
  double temperature = 0.0;  ///< sampling temperature (0: greedy)
  double top_p = 1.0;  ///< nucleus sampling threshold
  int top_k = 0;  ///< top-k sampling (0: off)
  int batch_size = 16;  ///< sequences decoded together
};

void add_options(Options& o, ExplainConfig& c);

}  // namespace because::config
