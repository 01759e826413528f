// The `torch` backend: an in-process decoder (model::LanguageModel) generating in batches with a
// KV cache, prompts grouped by similar length, one seed per sequence.
#pragma once

#include <memory>
#include <string>

#include "generate/backend.h"

namespace because::model {
class LanguageModel;
}

namespace because::generate {

struct TorchOptions {
  std::string model_path;      ///< Hugging Face model directory
  std::string dtype = "float32";
  std::string device = "cpu";
  int batch_size = 16;         ///< sequences decoded together
};

class TorchBackend : public Backend {
 public:
  explicit TorchBackend(const TorchOptions& options);
  ~TorchBackend() override;
  std::string name() const override { return "torch"; }
  nlohmann::json provenance() const override;
  std::vector<GenResult> generate(const std::vector<GenRequest>& requests, const SamplingParams& params) override;
  std::vector<ScoreResult> score_choices(const std::vector<ScoreRequest>& requests,
                                         const std::vector<std::string>& choices) override;
  bool has_chat_template() const override;
  /// Token id that stands for `choice` as the first generated token (a single-token encoding of
  /// the text, else the vocabulary entry); throws ConfigError when there is none.
  int32_t choice_token(const std::string& choice) const;

 private:
  /// Next-token log-probabilities of `choice_ids` after each prompt, the first `prefix` tokens
  /// (common to all prompts) computed once and shared through the KV cache.
  std::vector<std::vector<double>> shared_prefix_logprobs(const std::vector<std::vector<int32_t>>& prompts, size_t prefix,
                                                          const std::vector<int32_t>& choice_ids);
  /// Prompts share their prefix when it is at least this long (tokens).
  static constexpr size_t kMinSharedPrefix = 16;
  /// Prompt token ids (chat template applied when asked).
  std::vector<int32_t> encode(const std::string& system, const std::string& prompt, bool chat) const;
  TorchOptions options_;
  std::unique_ptr<model::LanguageModel> lm_;
  std::string model_hash_;
};

/// xxh64 hex over a model directory's config.json and its weights index (the safetensors
/// header or model.safetensors.index.json): identifies the weights without reading them all.
std::string model_dir_hash(const std::string& dir);

}  // namespace because::generate
