// The `openai` backend: an OpenAI-compatible HTTP server (vLLM, TGI, llama.cpp, Ollama) through
// /completions or /chat/completions, many requests in flight with curl multi, retries with
// exponential backoff and jitter on timeouts, 429 (Retry-After honoured), 5xx, malformed replies
// and dropped connections; an item-level error after the last retry. Label scores from logprobs.
#pragma once

#include <functional>
#include <string>

#include "generate/backend.h"

namespace because::generate {

struct OpenAIOptions {
  std::string url = "http://127.0.0.1:8000/v1";  ///< base URL; /completions or /chat/completions is appended
  std::string model;                 ///< model name sent in requests
  std::string api = "chat";          ///< chat or completions
  std::string api_key_env = "OPENAI_API_KEY";  ///< environment variable with the key ("" : none)
  std::string api_key_file;          ///< file with the key (wins over the variable)
  int in_flight = 16;                ///< concurrent requests
  int retries = 5;                   ///< retries after the first try
  double timeout_s = 120;            ///< per-request timeout
  double backoff_s = 1.0;            ///< first retry delay, doubled per retry
  double backoff_max_s = 60;         ///< longest delay
  int top_logprobs = 20;             ///< top logprobs asked for when scoring choices
};

class OpenAIBackend : public Backend {
 public:
  /// Reads the API key (file, then environment variable); a missing key is allowed (local servers).
  explicit OpenAIBackend(const OpenAIOptions& options);
  ~OpenAIBackend() override;
  std::string name() const override { return "openai"; }
  nlohmann::json provenance() const override;
  std::vector<GenResult> generate(const std::vector<GenRequest>& requests, const SamplingParams& params) override;
  std::vector<ScoreResult> score_choices(const std::vector<ScoreRequest>& requests,
                                         const std::vector<std::string>& choices) override;
  bool has_chat_template() const override { return options_.api == "chat"; }

  /// One HTTP exchange's outcome, for the retry policy.
  struct Reply {
    long status = 0;            ///< HTTP status (0: transport failure)
    int curl_code = 0;          ///< CURLcode
    std::string body;
    double retry_after_s = -1;  ///< Retry-After header (seconds), -1 when absent
  };

 private:
  /// Posts every body to `path` with `in_flight` concurrency and retries; `parse` turns a 200
  /// reply into the result or throws std::runtime_error for a malformed reply (retried).
  /// Returns per body "" on success or the final error.
  std::vector<std::string> post_all(const std::string& path, const std::vector<std::string>& bodies,
                                    const std::function<void(size_t, const std::string&)>& parse);
  OpenAIOptions options_;
  std::string key_;  ///< never logged, never stored
};

}  // namespace because::generate
