// Loading and saving models as Hugging Face directories: config.json + model.safetensors
// (or sharded) + tokenizer files, with transformers' parameter names.
#pragma once

#include <torch/torch.h>

#include <string>

#include "model/decoder.h"
#include "model/encoder.h"
#include "model/safetensors.h"

namespace because::model {

/// "float32", "bfloat16", "float16" (also "f32", "bf16", "fp16", "half"); throws ConfigError.
torch::ScalarType parse_torch_dtype(const std::string& name);
/// A borrowed safetensors tensor as a torch tensor (copied; F32/F16/BF16/F64/I64/I32 ...).
torch::Tensor to_tensor(const TensorView& view);

/// Copies every parameter and buffer of `module` from `weights` by name (prefix stripped/added
/// as the architecture requires: "bert.x" also matches "x", TF-style LayerNorm.gamma/beta match
/// weight/bias). Throws ModelError naming a missing tensor, or a mis-shaped one with both
/// shapes. Parameters whose names start with one of `optional_prefixes` keep their values when
/// absent (a fresh classification head). Returns the number of tensors copied.
int64_t load_state(torch::nn::Module& module, const SafetensorsSet& weights, const std::string& where,
                   const std::vector<std::string>& optional_prefixes = {});

/// Loads DIR (config.json + safetensors) as a decoder, converted to `dtype` on `device`.
Decoder load_decoder(const std::string& dir, torch::ScalarType dtype = torch::kFloat32,
                     torch::Device device = torch::kCPU);
/// Loads DIR as an encoder (BertModel, RobertaModel, *ForSequenceClassification, or a
/// checkpoint with extra heads such as BertForPreTraining's "cls.*", which are ignored).
/// `num_labels` > 0 overrides config.json's and creates a fresh (random) head when absent.
Encoder load_encoder(const std::string& dir, int64_t num_labels = 0, torch::ScalarType dtype = torch::kFloat32,
                     torch::Device device = torch::kCPU);

/// Writes DIR/config.json and DIR/model.safetensors (float32 unless `dtype` says otherwise;
/// tied weights stored once as transformers does). Creates DIR. Atomic per file.
void save_decoder(Decoder& model, const std::string& dir, torch::ScalarType dtype = torch::kFloat32);
void save_encoder(Encoder& model, const std::string& dir, torch::ScalarType dtype = torch::kFloat32);
/// Copies tokenizer files (tokenizer.json, tokenizer_config.json, special_tokens_map.json,
/// tokenizer.model, vocab.txt, merges.txt, vocab.json) that exist in `from_dir` into `to_dir`.
void copy_tokenizer_files(const std::string& from_dir, const std::string& to_dir);

/// Named tensors to a safetensors file (contiguous CPU copies in their own dtype).
void save_tensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors);

}  // namespace because::model
