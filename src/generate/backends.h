// Creating the configured backend (torch, openai, import) from the job's configuration.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "generate/backend.h"

namespace because::generate {

/// Builds backend `name` ("torch", "openai", "import") from `cfg` ([model], [explain] api_* and
/// import_* options, batch size `batch_size`). Throws ConfigError for an unknown name or bad options.
std::unique_ptr<Backend> make_backend(const std::string& name, const config::Config& cfg, int batch_size);

/// Sampling parameters of [explain].
SamplingParams sampling_params(const config::ExplainConfig& c);

/// Resolves a chat setting: "yes"/"no" win; "auto" takes the template's, and its "auto" means
/// "when the backend has a chat template".
bool resolve_chat(const std::string& option, const std::string& template_chat, const Backend& backend);

}  // namespace because::generate
