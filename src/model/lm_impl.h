// Internals of LanguageModel for torch code (the decoder module, device, dtype).
#pragma once

#include "model/decoder.h"
#include "model/lm.h"

namespace because::model {

struct LanguageModel::Impl {
  Decoder model{nullptr};
  std::unique_ptr<text::Tokenizer> tokenizer;
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat32;
  std::vector<int32_t> stop_ids;  ///< tokenizer stop ids plus config.json eos_token_id(s)
  int32_t pad_id = 0;             ///< id written in padded columns (masked, never attended)
};

}  // namespace because::model
