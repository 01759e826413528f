// Registration of the [model] options.
#include "config/model.h"

namespace because::config {

void add_options(Options& o, ModelConfig& c) {
  o.add("model.path", &c.path, "model directory in Hugging Face layout (config.json, model.safetensors, tokenizer)");
  o.add("model.dtype", &c.dtype, "compute dtype: float32, bfloat16, float16");
  o.add("model.device", &c.device, "device: cpu, cuda, cuda:N");
}

}  // namespace because::config
