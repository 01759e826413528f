// BERT / RoBERTa encoder: embeddings, post-LN transformer layers, pooler and classification
// heads, following transformers' modeling_bert.py / modeling_roberta.py (eager attention).
#include "model/encoder.h"

#include <cmath>

#include "util/error.h"

namespace because::model {
namespace F = torch::nn::functional;
namespace {

torch::nn::LayerNorm make_ln(const EncoderConfig& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}

class EmbeddingsImpl : public torch::nn::Module {
 public:
  explicit EmbeddingsImpl(const EncoderConfig& c) : c_(c) {
    word_embeddings = register_module("word_embeddings", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    position_embeddings = register_module("position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
    token_type_embeddings = register_module("token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
    LayerNorm = register_module("LayerNorm", make_ln(c));
    dropout = register_module("dropout", torch::nn::Dropout(c.hidden_dropout_prob));
  }
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& types) {
    torch::Tensor pos;
    if (c_.is_roberta()) {
      auto m = ids.ne(c_.pad_token_id).to(torch::kInt64);
      pos = m.cumsum(1) * m + c_.pad_token_id;
    } else {
      pos = torch::arange(ids.size(1), ids.options().dtype(torch::kInt64)).unsqueeze(0).expand_as(ids);
    }
    if (pos.max().item<int64_t>() >= c_.max_position_embeddings)
      throw ModelError("sequence of " + std::to_string(ids.size(1)) + " tokens exceeds max_position_embeddings " +
                       std::to_string(c_.max_position_embeddings));
    auto x = word_embeddings(ids) + token_type_embeddings(types) + position_embeddings(pos);
    return dropout(LayerNorm(x));
  }
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  EncoderConfig c_;
};
TORCH_MODULE(Embeddings);

class SelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SelfAttentionImpl(const EncoderConfig& c) : n_heads(c.n_heads), head_dim(c.hidden_size / c.n_heads) {
    query = register_module("query", torch::nn::Linear(c.hidden_size, c.hidden_size));
    key = register_module("key", torch::nn::Linear(c.hidden_size, c.hidden_size));
    value = register_module("value", torch::nn::Linear(c.hidden_size, c.hidden_size));
    dropout = register_module("dropout", torch::nn::Dropout(c.attention_probs_dropout_prob));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) {
    const int64_t B = x.size(0), T = x.size(1);
    auto split = [&](const torch::Tensor& t) { return t.view({B, T, n_heads, head_dim}).transpose(1, 2); };
    auto q = split(query(x)), k = split(key(x)), v = split(value(x));
    auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim)) + mask;
    auto probs = dropout(torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type()));
    return torch::matmul(probs, v).transpose(1, 2).reshape({B, T, n_heads * head_dim});
  }
  int64_t n_heads, head_dim;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(SelfAttention);

/// dense -> dropout -> LayerNorm(x + residual): BertSelfOutput and BertOutput.
class AddNormImpl : public torch::nn::Module {
 public:
  AddNormImpl(const EncoderConfig& c, int64_t in) {
    dense = register_module("dense", torch::nn::Linear(in, c.hidden_size));
    LayerNorm = register_module("LayerNorm", make_ln(c));
    dropout = register_module("dropout", torch::nn::Dropout(c.hidden_dropout_prob));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& residual) {
    return LayerNorm(dropout(dense(h)) + residual);
  }
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(AddNorm);

class AttentionBlockImpl : public torch::nn::Module {
 public:
  explicit AttentionBlockImpl(const EncoderConfig& c) {
    self = register_module("self", SelfAttention(c));
    output = register_module("output", AddNorm(c, c.hidden_size));
  }
  SelfAttention self{nullptr};
  AddNorm output{nullptr};
};
TORCH_MODULE(AttentionBlock);

class DenseImpl : public torch::nn::Module {  // BertIntermediate
 public:
  DenseImpl(const EncoderConfig& c) : act(c.hidden_act) {
    dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = dense(x);
    if (act == "gelu") return F::gelu(h);
    if (act == "gelu_new") return F::gelu(h, F::GELUFuncOptions().approximate("tanh"));
    return torch::relu(h);
  }
  std::string act;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(Dense);

class LayerImpl : public torch::nn::Module {
 public:
  explicit LayerImpl(const EncoderConfig& c) {
    attention = register_module("attention", AttentionBlock(c));
    intermediate = register_module("intermediate", Dense(c));
    output = register_module("output", AddNorm(c, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) {
    auto a = attention->output(attention->self(x, mask), x);
    return output(intermediate(a), a);
  }
  AttentionBlock attention{nullptr};
  Dense intermediate{nullptr};
  AddNorm output{nullptr};
};
TORCH_MODULE(Layer);

class PoolerImpl : public torch::nn::Module {
 public:
  explicit PoolerImpl(const EncoderConfig& c) { dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.hidden_size)); }
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(Pooler);

class RobertaHeadImpl : public torch::nn::Module {
 public:
  explicit RobertaHeadImpl(const EncoderConfig& c) {
    dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.hidden_size));
    out_proj = register_module("out_proj", torch::nn::Linear(c.hidden_size, c.num_labels));
  }
  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(RobertaHead);

void init_weights(torch::nn::Module& m, const EncoderConfig& c) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.named_parameters()) {
    const auto& n = p.key();
    if (n.find("LayerNorm") != std::string::npos) p.value().fill_(n.size() >= 4 && n.substr(n.size() - 4) == "bias" ? 0.0 : 1.0);
    else if (n.size() >= 4 && n.substr(n.size() - 4) == "bias") p.value().zero_();
    else p.value().normal_(0.0, 0.02);
  }
  for (auto& mod : m.modules(/*include_self=*/false))
    if (auto* e = mod->as<torch::nn::EmbeddingImpl>())
      if (e->weight.size(0) == c.vocab_size && c.pad_token_id >= 0 && c.pad_token_id < c.vocab_size)
        e->weight[c.pad_token_id].zero_();
}

}  // namespace

EncoderBackboneImpl::EncoderBackboneImpl(const EncoderConfig& c, bool with_pooler) : config_(c) {
  embeddings = register_module("embeddings", Embeddings(c).ptr());
  auto enc = std::make_shared<torch::nn::Module>();
  auto list = torch::nn::ModuleList();
  for (int64_t i = 0; i < c.n_layers; ++i) {
    auto l = Layer(c);
    list->push_back(l);
    layers_.push_back(l.ptr());
  }
  enc->register_module("layer", list);
  encoder = register_module("encoder", enc);
  if (with_pooler) {
    auto p = Pooler(c);
    pooler_dense = p->dense;
    pooler = register_module("pooler", p.ptr());
  }
}

torch::Tensor EncoderBackboneImpl::forward(const torch::Tensor& ids, const torch::Tensor& attention_mask,
                                           const torch::Tensor& token_type_ids) {
  auto types = token_type_ids.defined() ? token_type_ids.to(torch::kInt64) : torch::zeros_like(ids);
  auto x = std::dynamic_pointer_cast<EmbeddingsImpl>(embeddings)->forward(ids, types);
  auto m = attention_mask.defined() ? attention_mask : torch::ones_like(ids);
  const double lowest = x.scalar_type() == torch::kFloat32 ? static_cast<double>(std::numeric_limits<float>::lowest())
                        : x.scalar_type() == torch::kBFloat16 ? -3.3895e38 : -65504.0;
  auto add = (1.0 - m.to(x.scalar_type())).mul(lowest).view({ids.size(0), 1, 1, ids.size(1)});
  for (auto& l : layers_) x = std::dynamic_pointer_cast<LayerImpl>(l)->forward(x, add);
  return x;
}

torch::Tensor EncoderBackboneImpl::pool(const torch::Tensor& hidden) {
  if (pooler_dense.is_empty()) throw ModelError("this encoder has no pooler");
  return torch::tanh(pooler_dense(hidden.select(1, 0)));
}

EncoderImpl::EncoderImpl(const EncoderConfig& c) : config_(c) {
  const bool roberta_cls = c.is_roberta() && c.num_labels > 0;
  backbone = register_module(prefix(), EncoderBackbone(c, !roberta_cls));
  if (c.num_labels > 0) {
    if (c.is_roberta()) {
      auto h = RobertaHead(c);
      head_dense = h->dense;
      head_out_proj = h->out_proj;
      register_module("classifier", h.ptr());
    } else {
      classifier = register_module("classifier", torch::nn::Linear(c.hidden_size, c.num_labels));
    }
  }
  init_weights(*this, c);
}

torch::Tensor EncoderImpl::hidden_states(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& types) {
  return backbone->forward(ids, mask, types);
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& types) {
  if (config_.num_labels <= 0) throw ModelError("encoder has no classification head (num_labels is 0)");
  auto h = backbone->forward(ids, mask, types);
  const double p = config_.hidden_dropout_prob;
  if (config_.is_roberta()) {
    auto x = F::dropout(h.select(1, 0), F::DropoutFuncOptions().p(p).training(is_training()));
    x = torch::tanh(head_dense(x));
    x = F::dropout(x, F::DropoutFuncOptions().p(p).training(is_training()));
    return head_out_proj(x);
  }
  auto pooled = F::dropout(backbone->pool(h), F::DropoutFuncOptions().p(p).training(is_training()));
  return classifier(pooled);
}

}  // namespace because::model
