// Token sampling from one sequence's logits: greedy, temperature, top-k, top-p, repetition
// penalty, with an explicit per-sequence random generator (no torch; plain float vectors), so
// a sequence's tokens never depend on which other sequences share its batch.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace because::model {

struct SamplingParams {
  int32_t max_new_tokens = 64;     ///< generated tokens at most (finish "length" when reached)
  double temperature = 0.0;        ///< 0: greedy (argmax); > 0: sample from softmax(logits / T)
  int32_t top_k = 0;               ///< keep the k most likely tokens (0: off)
  double top_p = 1.0;              ///< keep the smallest set with probability >= top_p (1: off)
  double repetition_penalty = 1.0; ///< HF/CTRL penalty on tokens already in prompt or output (1: off)
  std::vector<std::string> stop;   ///< stop strings: generation ends when the text contains one
  bool stop_at_eos = true;         ///< end at the tokenizer's stop ids (EOS, <|eot_id|>, <|im_end|>)
};

/// Per-sequence generator: seeded from (run seed, uid, sample) by the caller.
class SequenceRng {
 public:
  explicit SequenceRng(uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, 1).
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_;
};

/// Picks the next token from `logits` (modified in place: penalty, temperature, filtering).
/// `history` holds prompt and generated ids for the repetition penalty. Greedy ties go to the
/// lowest id.
int32_t sample_token(std::vector<float>& logits, const SamplingParams& params, const std::vector<int32_t>& history,
                     SequenceRng& rng);

/// Mixes a 64-bit seed from parts (splitmix64 chain): e.g. derive_seed({run_seed, hash(uid), k}).
uint64_t derive_seed(const std::vector<uint64_t>& parts);

}  // namespace because::model
