// The BERT-family encoder as libtorch modules (BertModel, RobertaModel and their
// ForSequenceClassification heads): word/position/token-type embeddings, post-LN layers,
// pooler, classification head, attention masks for padded batches. Parameter names equal
// transformers' ("bert.encoder.layer.0.attention.self.query.weight", "classifier.weight").
#pragma once

#include <torch/torch.h>

#include "model/hf_config.h"

namespace because::model {

/// BertModel / RobertaModel (no prefix). Submodules: embeddings, encoder, pooler (optional).
class EncoderBackboneImpl : public torch::nn::Module {
 public:
  EncoderBackboneImpl(const EncoderConfig& c, bool with_pooler);
  /// `input_ids` [B, T] int64; `attention_mask` [B, T] (1 real, 0 pad; undefined = all real);
  /// `token_type_ids` [B, T] (undefined = zeros). Returns the last hidden states [B, T, H].
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                        const torch::Tensor& token_type_ids = {});
  /// tanh(dense(h[:, 0])) [B, H]; throws ModelError without a pooler.
  torch::Tensor pool(const torch::Tensor& hidden);
  [[nodiscard]] bool has_pooler() const { return !pooler_dense.is_empty(); }
  [[nodiscard]] const EncoderConfig& config() const { return config_; }

  std::shared_ptr<torch::nn::Module> embeddings, encoder, pooler;
  torch::nn::Linear pooler_dense{nullptr};

 private:
  EncoderConfig config_;
  std::vector<std::shared_ptr<torch::nn::Module>> layers_;
};
TORCH_MODULE(EncoderBackbone);

/// An encoder with an optional sequence-classification head, named as transformers names it:
/// BERT: "bert.*" + "classifier.{weight,bias}" (on the pooled output);
/// RoBERTa: "roberta.*" (no pooler) + "classifier.dense.*", "classifier.out_proj.*" (on <s>).
/// With num_labels == 0 it is BertModel/RobertaModel and saves without prefix.
class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const EncoderConfig& c);
  /// Logits [B, num_labels] (dropout active only in train mode).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                        const torch::Tensor& token_type_ids = {});
  /// Last hidden states [B, T, H].
  torch::Tensor hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                              const torch::Tensor& token_type_ids = {});
  [[nodiscard]] const EncoderConfig& config() const { return config_; }
  /// "bert" or "roberta" (prefix of backbone parameters in a ForSequenceClassification file).
  [[nodiscard]] std::string prefix() const { return config_.is_roberta() ? "roberta" : "bert"; }

  EncoderBackbone backbone{nullptr};
  torch::nn::Linear classifier{nullptr};      ///< BERT head
  torch::nn::Linear head_dense{nullptr};      ///< RoBERTa head: classifier.dense
  torch::nn::Linear head_out_proj{nullptr};   ///< RoBERTa head: classifier.out_proj

 private:
  EncoderConfig config_;
};
TORCH_MODULE(Encoder);

}  // namespace because::model
