// Options of the [model] section of a job file (--model.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct ModelConfig {
  std::string path = "";  ///< model directory in Hugging Face layout (config.json, model.safetensors, tokenizer)
  std::string dtype = "float32";  ///< compute dtype: float32, bfloat16, float16
  std::string device = "cpu";  ///< device: cpu, cuda, cuda:N
};

void add_options(Options& o, ModelConfig& c);

}  // namespace because::config
