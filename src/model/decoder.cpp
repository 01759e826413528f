// Llama-family decoder: RMSNorm, rotate-half RoPE, grouped-query attention with a KV cache for
// left-padded batches, SwiGLU MLP; numerics follow transformers' eager implementation.
#include "model/decoder.h"

#include <cmath>

#include "util/error.h"

namespace because::model {
namespace F = torch::nn::functional;

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto h = x.to(torch::kFloat32);
  h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * h.to(x.scalar_type());
}

torch::Tensor rope_inv_freq(const DecoderConfig& c) {
  const int64_t dim = c.head_dim;
  auto inv = 1.0 / torch::pow(torch::tensor(c.rope_theta, torch::kFloat64).to(torch::kFloat32),
                              torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / static_cast<double>(dim));
  inv = inv.to(torch::kFloat32);
  const auto& r = c.rope_scaling;
  if (r.type == "linear") {
    inv = inv / r.factor;
  } else if (r.type == "llama3") {
    const double old_len = static_cast<double>(r.original_max_position_embeddings);
    const double low_wavelen = old_len / r.low_freq_factor;
    const double high_wavelen = old_len / r.high_freq_factor;
    auto wavelen = 2.0 * M_PI / inv;
    auto scaled = torch::where(wavelen > low_wavelen, inv / r.factor, inv);
    auto smooth = (old_len / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
    auto smoothed = (1 - smooth) * scaled / r.factor + smooth * scaled;
    auto is_medium = (wavelen >= high_wavelen).logical_and(wavelen <= low_wavelen);
    inv = torch::where(is_medium, smoothed, scaled);
  }
  return inv;
}

namespace {

torch::Tensor rotate_half(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

torch::nn::Linear make_linear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const DecoderConfig& c)
      : n_heads(c.n_heads), n_kv(c.n_kv_heads), head_dim(c.head_dim) {
    q_proj = register_module("q_proj", make_linear(c.hidden_size, c.n_heads * c.head_dim, c.attention_bias));
    k_proj = register_module("k_proj", make_linear(c.hidden_size, c.n_kv_heads * c.head_dim, c.attention_bias));
    v_proj = register_module("v_proj", make_linear(c.hidden_size, c.n_kv_heads * c.head_dim, c.attention_bias));
    o_proj = register_module("o_proj", make_linear(c.n_heads * c.head_dim, c.hidden_size, c.o_proj_bias));
  }

  /// x [B,T,H]; cos/sin [B,T,hd]; mask [B,1,1,T,Tk] additive; cache slot (k,v) may be undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, torch::Tensor* cache_k, torch::Tensor* cache_v, int64_t past) {
    const int64_t B = x.size(0), T = x.size(1), g = n_heads / n_kv;
    auto q = q_proj(x).view({B, T, n_heads, head_dim}).transpose(1, 2);
    auto k = k_proj(x).view({B, T, n_kv, head_dim}).transpose(1, 2);
    auto v = v_proj(x).view({B, T, n_kv, head_dim}).transpose(1, 2);
    auto c = cos.unsqueeze(1), s = sin.unsqueeze(1);
    q = q * c + rotate_half(q) * s;
    k = k * c + rotate_half(k) * s;
    if (cache_k) {
      cache_k->narrow(2, past, T).copy_(k);
      cache_v->narrow(2, past, T).copy_(v);
      k = cache_k->narrow(2, 0, past + T);
      v = cache_v->narrow(2, 0, past + T);
    }
    const int64_t Tk = k.size(2);
    auto qg = q.reshape({B, n_kv, g * T, head_dim});
    auto scores = torch::matmul(qg, k.transpose(2, 3)) * (1.0 / std::sqrt(static_cast<double>(head_dim)));
    scores = scores.view({B, n_kv, g, T, Tk}) + mask;
    auto probs = torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
    auto out = torch::matmul(probs.view({B, n_kv, g * T, Tk}), v);  // [B, n_kv, g*T, hd]
    out = out.view({B, n_heads, T, head_dim}).transpose(1, 2).reshape({B, T, n_heads * head_dim});
    return o_proj(out);
  }

  int64_t n_heads, n_kv, head_dim;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const DecoderConfig& c) {
    gate_proj = register_module("gate_proj", make_linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
    up_proj = register_module("up_proj", make_linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
    down_proj = register_module("down_proj", make_linear(c.intermediate_size, c.hidden_size, c.mlp_bias));
  }
  torch::Tensor forward(const torch::Tensor& x) { return down_proj(F::silu(gate_proj(x)) * up_proj(x)); }
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

}  // namespace

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const DecoderConfig& c) {
    self_attn = register_module("self_attn", Attention(c));
    mlp = register_module("mlp", Mlp(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
    post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  }
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};

LlamaBackboneImpl::LlamaBackboneImpl(const DecoderConfig& c) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.n_layers; ++i) layers->push_back(std::make_shared<DecoderLayerImpl>(c));
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

DecoderImpl::DecoderImpl(const DecoderConfig& c) : config_(c) {
  model = register_module("model", LlamaBackbone(c));
  if (!c.tie_word_embeddings) lm_head = register_module("lm_head", make_linear(c.hidden_size, c.vocab_size, false));
  inv_freq_ = rope_inv_freq(c);
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    const auto& name = p.key();
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) p.value().zero_();
    else if (name.find("norm") != std::string::npos) p.value().fill_(1.0);
    else p.value().normal_(0.0, 0.02);
  }
}

torch::Tensor DecoderImpl::run_(const torch::Tensor& input_ids, const torch::Tensor& positions,
                                const torch::Tensor& key_allowed, KVCache* cache, bool last_only, bool head) {
  auto x = model->embed_tokens(input_ids);
  const auto dtype = x.scalar_type();
  auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq_.to(x.device()).view({1, 1, -1});
  auto emb = torch::cat({freqs, freqs}, -1);
  auto cos = emb.cos().to(dtype), sin = emb.sin().to(dtype);
  const double lowest = dtype == torch::kFloat32 ? static_cast<double>(std::numeric_limits<float>::lowest())
                        : dtype == torch::kBFloat16 ? -3.3895e38 : -65504.0;
  // [B,1,1,T,Tk] additive: 0 where allowed, the dtype's lowest value elsewhere (no NaN for pad rows).
  auto mask = torch::zeros(key_allowed.sizes(), x.options()).masked_fill(key_allowed.logical_not(), lowest)
                  .unsqueeze(1).unsqueeze(1);
  const int64_t past = cache ? cache->length : 0;
  for (size_t i = 0; i < model->layers->size(); ++i) {
    auto layer = model->layers[i]->as<DecoderLayerImpl>();
    auto h = layer->input_layernorm(x);
    h = layer->self_attn(h, cos, sin, mask, cache ? &cache->k[i] : nullptr, cache ? &cache->v[i] : nullptr, past);
    x = x + h;
    x = x + layer->mlp(layer->post_attention_layernorm(x));
  }
  if (cache) cache->length += input_ids.size(1);
  if (last_only) x = x.narrow(1, x.size(1) - 1, 1);
  x = model->norm(x);
  if (!head) return x;
  return lm_head ? lm_head(x) : F::linear(x, model->embed_tokens->weight);
}

namespace {
torch::Tensor causal_allowed(const torch::Tensor& key_mask, int64_t past, int64_t T) {
  // key_mask [B, Tk] bool with Tk = past + T; query t sits at column past + t.
  const int64_t Tk = key_mask.size(1);
  auto cols = torch::arange(Tk, key_mask.options().dtype(torch::kInt64));
  auto rows = torch::arange(T, key_mask.options().dtype(torch::kInt64)) + past;
  auto causal = cols.unsqueeze(0) <= rows.unsqueeze(1);  // [T, Tk]
  return causal.unsqueeze(0).logical_and(key_mask.unsqueeze(1));  // [B, T, Tk]
}
}  // namespace

torch::Tensor DecoderImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  auto mask = attention_mask.defined() ? attention_mask.to(torch::kInt64)
                                       : torch::ones_like(input_ids, input_ids.options().dtype(torch::kInt64));
  auto positions = (mask.cumsum(1) - 1).clamp_min(0);
  return run_(input_ids, positions, causal_allowed(mask.to(torch::kBool), 0, input_ids.size(1)), nullptr, false, true);
}

torch::Tensor DecoderImpl::hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  auto mask = attention_mask.defined() ? attention_mask.to(torch::kInt64)
                                       : torch::ones_like(input_ids, input_ids.options().dtype(torch::kInt64));
  auto positions = (mask.cumsum(1) - 1).clamp_min(0);
  return run_(input_ids, positions, causal_allowed(mask.to(torch::kBool), 0, input_ids.size(1)), nullptr, false, false);
}

KVCache DecoderImpl::new_cache(int64_t batch, int64_t capacity) const {
  KVCache c;
  const auto& w = model->embed_tokens->weight;
  auto opts = w.options().requires_grad(false);
  for (int64_t i = 0; i < config_.n_layers; ++i) {
    c.k.push_back(torch::zeros({batch, config_.n_kv_heads, capacity, config_.head_dim}, opts));
    c.v.push_back(torch::zeros({batch, config_.n_kv_heads, capacity, config_.head_dim}, opts));
  }
  c.mask = torch::zeros({batch, capacity}, opts.dtype(torch::kBool));
  c.next_pos = torch::zeros({batch}, opts.dtype(torch::kInt64));
  c.capacity = capacity;
  return c;
}

torch::Tensor DecoderImpl::forward_cached(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                          KVCache& cache, bool last_only) {
  const int64_t T = input_ids.size(1);
  if (cache.length + T > cache.capacity)
    throw ModelError("KV cache full: " + std::to_string(cache.length + T) + " tokens for a capacity of " +
                     std::to_string(cache.capacity));
  auto mask = attention_mask.defined() ? attention_mask.to(torch::kInt64)
                                       : torch::ones_like(input_ids, input_ids.options().dtype(torch::kInt64));
  auto positions = cache.next_pos.unsqueeze(1) + (mask.cumsum(1) - 1).clamp_min(0);
  cache.next_pos += mask.sum(1);
  cache.mask.narrow(1, cache.length, T).copy_(mask.to(torch::kBool));
  auto key_mask = cache.mask.narrow(1, 0, cache.length + T);
  return run_(input_ids, positions, causal_allowed(key_mask, cache.length, T), &cache, last_only, true);
}

}  // namespace because::model
