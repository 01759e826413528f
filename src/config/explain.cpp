// Registration of the [explain] options.
#include "config/explain.h"

namespace because::config {

void add_options(Options& o, ExplainConfig& c) {
  o.add("explain.backend", &c.backend, "backend: torch, openai, import");
  o.add("explain.mode", &c.mode, "label-free (one request per label), label-guided (gold or annotator labels), free");
  o.add("explain.prompt", &c.prompt, "prompt template file");
  o.add("explain.samples", &c.samples, "samples per request (k)");
  o.add("explain.max_new_tokens", &c.max_new_tokens, "maximum generated tokens per explanation");
  o.add("explain.temperature", &c.temperature, "sampling temperature (0: greedy)");
  o.add("explain.top_p", &c.top_p, "nucleus sampling threshold");
  o.add("explain.top_k", &c.top_k, "top-k sampling (0: off)");
  o.add("explain.batch_size", &c.batch_size, "sequences decoded together");
}

}  // namespace because::config
