// Classifier inputs: instance fields and explanations turned into token ids with segment ids,
// `[CLS] A [SEP] B [SEP] E [SEP]` (format sep) or `[CLS] A B [SEP] E [SEP]` (format pair), with
// truncation to a maximum length; and padded batches as tensors.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "text/tokenizer.h"
#include "train/dataset.h"

namespace because::train {

struct InputSettings {
  std::string format = "sep";            ///< sep or pair
  std::string select = "first";          ///< first, all, per_label
  std::string truncation = "longest_first";  ///< longest_first, only_first, only_second
  int max_length = 128;                  ///< tokens, specials included
};

struct EncodedInput {
  std::vector<int32_t> ids;
  std::vector<int32_t> types;
};

/// The explanation text an instance contributes ("" when it has none).
std::string explanation_text(const std::vector<ExplanationText>& expl, const std::string& select,
                             const std::vector<std::string>& labels);

/// Encodes one example. `cls`/`sep` are the tokenizer's [CLS]/[SEP] (or <s>/</s>).
EncodedInput encode_input(const text::Tokenizer& tok, const std::string& a, const std::string& b,
                          const std::string& expl, const InputSettings& s);

/// Pads to the longest: input_ids, attention_mask, token_type_ids [B, T] int64.
struct PaddedBatch {
  torch::Tensor ids, mask, types;
  int64_t n_tokens = 0;  ///< real tokens
};
PaddedBatch pad_batch(const std::vector<EncodedInput>& rows, int32_t pad_id);

/// [CLS]-like and [SEP]-like ids of a tokenizer (cls/sep, else bos/eos); throws ModelError.
std::pair<int32_t, int32_t> cls_sep_ids(const text::Tokenizer& tok);
/// Padding id (pad, else eos, else 0).
int32_t pad_id(const text::Tokenizer& tok);

}  // namespace because::train
