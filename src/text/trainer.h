// Training a new byte-level BPE tokenizer (GPT-2 style) for a model trained from scratch; writes
// a `tokenizer.json` (+ tokenizer_config.json) that both `because` and `transformers` load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace because::text {

struct BpeTrainOptions {
  int32_t vocab_size = 8000;   ///< final vocabulary size, 256 byte tokens and specials included
  int32_t min_frequency = 2;   ///< a pair seen fewer times than this is never merged
  /// Special tokens, given ids 0.. in this order. The first three are used as bos, eos, pad
  /// in tokenizer_config.json when present under those names.
  std::vector<std::string> special_tokens = {"<s>", "</s>", "<pad>", "<unk>"};
  bool add_bos = true;         ///< post-processor prepends the first special token
  bool lowercase = false;      ///< lower-case ASCII before training and encoding
};

/// Trains on `texts` (pre-tokenised with GPT-2's regex) and writes OUT_DIR/tokenizer.json and
/// OUT_DIR/tokenizer_config.json (creating OUT_DIR). Deterministic for the same input.
void train_bpe_tokenizer(const std::vector<std::string>& texts, const BpeTrainOptions& options,
                         const std::string& out_dir);

}  // namespace because::text
