// Registration of the [model] options.
#include "config/model.h"

namespace because::config {

void add_options(Options& o, ModelConfig& c) {
  o.add("model.path", &c.path, "model directory in Hugging Face layout (config.json, model.safetensors, tokenizer)");
  o.add("model.dtype", &c.dtype, "compute dtype: float32, bfloat16, float16");
  o.add("model.device", &c.device, "device of the torch backend: cpu, cuda (explain and judge: each rank takes GPU local rank % GPUs of the node) or cuda:N");
}

}  // namespace because::config
