// The Llama-family decoder as libtorch modules (Llama 2/3, Mistral, Qwen2, SmolLM): embeddings,
// RMSNorm, RoPE (rotate-half, rope_theta, llama3/linear rope_scaling), grouped-query attention,
// SwiGLU MLP, tied or untied head, and a KV cache for batches of left-padded sequences.
// Parameter names equal transformers' (model.layers.0.self_attn.q_proj.weight, lm_head.weight).
#pragma once

#include <torch/torch.h>

#include "model/hf_config.h"

namespace because::model {

/// Key/value cache for incremental decoding of a batch. Keys and values are preallocated
/// [B, n_kv_heads, capacity, head_dim]; `mask` [B, capacity] (bool) marks real (non-pad)
/// positions written so far; `length` is the number of columns filled.
struct KVCache {
  std::vector<torch::Tensor> k, v;  ///< one per layer
  torch::Tensor mask;               ///< [B, capacity] bool
  torch::Tensor next_pos;           ///< [B] int64: RoPE position of each sequence's next token
  int64_t length = 0;
  int64_t capacity = 0;
};

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

class DecoderLayerImpl;  // attention + MLP block (decoder.cpp)

/// The decoder backbone ("model." in transformers): embed_tokens, layers, norm.
class LlamaBackboneImpl : public torch::nn::Module {
 public:
  explicit LlamaBackboneImpl(const DecoderConfig& c);
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaBackbone);

/// LlamaForCausalLM. Create with random init (std 0.02 as transformers' initializer_range) and
/// load weights with model/weights.h, or load a directory with load_decoder().
class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(const DecoderConfig& c);

  /// Full forward without cache. `input_ids` [B, T] int64; `attention_mask` [B, T] (1 real,
  /// 0 pad; undefined = all real). Positions count real tokens only (left padding works).
  /// Returns logits [B, T, vocab] in the module's dtype.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {});

  /// Empty cache for `batch` sequences of up to `capacity` tokens, on the module's device/dtype.
  KVCache new_cache(int64_t batch, int64_t capacity) const;
  /// Appends `input_ids` [B, T] (with `attention_mask` [B, T], 1 real / 0 pad) to the cache and
  /// returns logits [B, T, vocab] (or only the last column's [B, 1, vocab] when `last_only`).
  /// Prefill of left-padded prompts and one-token decode steps are both this call.
  torch::Tensor forward_cached(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, KVCache& cache,
                               bool last_only = false);
  /// Final hidden states [B, T, hidden] (no head); for heads trained on top of the decoder.
  torch::Tensor hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {});

  [[nodiscard]] const DecoderConfig& config() const { return config_; }

  LlamaBackbone model{nullptr};
  torch::nn::Linear lm_head{nullptr};  ///< null when tied (the head multiplies by embed_tokens.weight)

 private:
  torch::Tensor run_(const torch::Tensor& input_ids, const torch::Tensor& positions, const torch::Tensor& key_mask,
                     KVCache* cache, bool last_only, bool head);
  DecoderConfig config_;
  torch::Tensor inv_freq_;  ///< [head_dim/2] float32 (rope_scaling applied)
};
TORCH_MODULE(Decoder);

/// RoPE inverse frequencies of a config (HF's _compute_default/llama3/linear rope parameters).
torch::Tensor rope_inv_freq(const DecoderConfig& c);

}  // namespace because::model
