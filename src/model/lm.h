// A causal language model ready to use: a decoder loaded from a Hugging Face directory with its
// tokenizer, batched generation with a KV cache (left padding, per-sequence seeds), next-token
// log-probabilities and per-token scores. Torch stays inside (pimpl): include freely.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/sampling.h"
#include "text/tokenizer.h"

namespace because::model {

enum class FinishReason : uint8_t { kStop = 0, kLength = 1 };  ///< values as in the store's `finish`

struct GenerationResult {
  std::vector<int32_t> ids;   ///< generated ids (EOS / the token completing a stop string included)
  std::string text;           ///< decoded generated text, cut before a stop string, EOS excluded
  double logprob = 0.0;       ///< sum of log p(token) under the unmodified model distribution
  int32_t n_tokens = 0;       ///< ids.size()
  FinishReason finish = FinishReason::kLength;
};

struct LoadOptions {
  std::string dtype = "float32";  ///< float32, bfloat16, float16
  std::string device = "cpu";     ///< cpu, cuda, cuda:N
  int32_t threads = 0;            ///< intra-op threads (0: leave libtorch's setting)
};

class LanguageModel {
 public:
  /// Loads DIR (config.json, safetensors, tokenizer). Throws InputError/ModelError/ConfigError.
  static LanguageModel load(const std::string& dir, const LoadOptions& options = {});
  ~LanguageModel();
  LanguageModel(LanguageModel&&) noexcept;
  LanguageModel& operator=(LanguageModel&&) noexcept;

  [[nodiscard]] const text::Tokenizer& tokenizer() const;
  [[nodiscard]] int64_t vocab_size() const;
  [[nodiscard]] int64_t max_positions() const;  ///< max_position_embeddings

  /// Generates for a batch of prompts (token ids, BOS included as wanted) decoded together;
  /// `seeds[i]` seeds sequence i (size must equal prompts.size()). Each result is what the
  /// prompt gives alone with the same seed.
  std::vector<GenerationResult> generate_ids(const std::vector<std::vector<int32_t>>& prompts,
                                             const SamplingParams& params, const std::vector<uint64_t>& seeds);
  /// Same for texts, encoded with add_special=true (BOS added where the tokenizer adds it).
  std::vector<GenerationResult> generate(const std::vector<std::string>& prompts, const SamplingParams& params,
                                         const std::vector<uint64_t>& seeds);

  /// log-softmax over the vocabulary of the token following each prompt: [n_prompts][vocab].
  std::vector<std::vector<float>> next_token_logprobs(const std::vector<std::vector<int32_t>>& prompts);
  /// log p(ids[t] | ids[<t]) for t = 1..n-1 of each sequence: [n][len - 1].
  std::vector<std::vector<float>> score(const std::vector<std::vector<int32_t>>& sequences);

  /// Torch internals (the Decoder module, device, dtype): defined in model/lm_impl.h.
  struct Impl;
  [[nodiscard]] Impl& impl() { return *impl_; }

 private:
  LanguageModel();
  std::unique_ptr<Impl> impl_;
};

}  // namespace because::model
