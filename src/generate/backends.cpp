// Backend factory.
#include "generate/backends.h"

#include "generate/import_backend.h"
#include "generate/openai_backend.h"
#include "generate/torch_backend.h"
#include "util/error.h"

namespace because::generate {

std::unique_ptr<Backend> make_backend(const std::string& name, const config::Config& cfg, int batch_size) {
  if (name == "torch") {
    TorchOptions o;
    o.model_path = cfg.model.path;
    o.dtype = cfg.model.dtype;
    o.device = cfg.model.device;
    o.batch_size = batch_size;
    return std::make_unique<TorchBackend>(o);
  }
  if (name == "openai") {
    const auto& e = cfg.explain;
    OpenAIOptions o;
    o.url = e.api_url;
    o.model = e.api_model;
    o.api = e.api;
    o.api_key_env = e.api_key_env;
    o.api_key_file = e.api_key_file;
    o.in_flight = e.api_in_flight;
    o.retries = e.api_retries;
    o.timeout_s = e.api_timeout;
    o.backoff_s = e.api_backoff;
    o.backoff_max_s = e.api_backoff_max;
    o.top_logprobs = e.api_top_logprobs;
    return std::make_unique<OpenAIBackend>(o);
  }
  if (name == "import") {
    ImportOptions o;
    o.path = cfg.explain.import_path;
    o.match = cfg.explain.import_match;
    o.text_column = cfg.explain.import_text_column;
    return std::make_unique<ImportBackend>(o);
  }
  throw ConfigError("--explain.backend: expected torch, openai or import, got '" + name + "'");
}

SamplingParams sampling_params(const config::ExplainConfig& c) {
  if (c.max_new_tokens < 1) throw ConfigError("--explain.max_new_tokens must be >= 1");
  if (c.temperature < 0) throw ConfigError("--explain.temperature must be >= 0");
  if (!(c.top_p > 0 && c.top_p <= 1)) throw ConfigError("--explain.top_p must be in (0, 1]");
  if (c.samples < 1) throw ConfigError("--explain.samples must be >= 1");
  SamplingParams p;
  p.max_new_tokens = c.max_new_tokens;
  p.temperature = c.temperature;
  p.top_p = c.top_p;
  p.top_k = c.top_k;
  return p;
}

bool resolve_chat(const std::string& option, const std::string& template_chat, const Backend& backend) {
  if (option != "auto" && option != "yes" && option != "no")
    throw ConfigError("chat: expected auto, yes or no, got '" + option + "'");
  const std::string v = option != "auto" ? option : template_chat;
  if (v == "yes") return true;
  if (v == "no") return false;
  return backend.has_chat_template();
}

}  // namespace because::generate
