// Hugging Face `config.json` of the supported architectures: Llama-shaped decoders
// (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, ...) and BERT-family encoders
// (BertModel, BertForSequenceClassification, RobertaModel, RobertaForSequenceClassification).
// Anything the code cannot run exactly is a ModelError, never a silent misload.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace because::model {

enum class ModelKind { kDecoder, kEncoder };

/// rope_scaling of config.json. type "none", "linear" or "llama3".
struct RopeScaling {
  std::string type = "none";
  double factor = 1.0;
  double low_freq_factor = 1.0;                  ///< llama3
  double high_freq_factor = 4.0;                 ///< llama3
  int64_t original_max_position_embeddings = 8192;  ///< llama3
};

struct DecoderConfig {
  std::string model_type = "llama";              ///< llama, mistral, qwen2
  std::string architecture = "LlamaForCausalLM";
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t n_layers = 32;                         ///< num_hidden_layers
  int64_t n_heads = 32;                          ///< num_attention_heads
  int64_t n_kv_heads = 32;                       ///< num_key_value_heads (GQA when < n_heads)
  int64_t head_dim = 128;                        ///< hidden_size / n_heads unless given
  int64_t max_position_embeddings = 4096;
  int64_t sliding_window = 0;                    ///< Mistral attention window (0: none); longer sequences are refused
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  bool attention_bias = false;                   ///< q/k/v(/o) biases; Qwen2 has q/k/v biases
  bool o_proj_bias = false;                      ///< o_proj bias (Llama attention_bias=true)
  bool mlp_bias = false;
  int64_t bos_token_id = 1;
  std::vector<int64_t> eos_token_ids = {2};
  int64_t pad_token_id = -1;
  std::string torch_dtype = "float32";           ///< dtype the weights were saved in
};

struct EncoderConfig {
  std::string model_type = "bert";               ///< bert or roberta
  std::string architecture = "BertModel";        ///< BertModel, BertForSequenceClassification, Roberta...
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t n_layers = 12;
  int64_t n_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";               ///< gelu (erf) or gelu_new (tanh) or relu
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;                      ///< RoBERTa positions start at pad_token_id + 1
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t num_labels = 0;                        ///< > 0: sequence classification head
  std::vector<std::string> id2label;             ///< label names (num_labels entries when given)
  std::string problem_type = "";                 ///< single_label_classification, multi_label_classification, ""
  [[nodiscard]] bool is_roberta() const { return model_type == "roberta"; }
};

/// Decoder or encoder, from "architectures" / "model_type". Throws ModelError for anything else.
ModelKind detect_model_kind(const nlohmann::json& config, const std::string& where);
DecoderConfig parse_decoder_config(const nlohmann::json& config, const std::string& where);
EncoderConfig parse_encoder_config(const nlohmann::json& config, const std::string& where);
/// Reads DIR/config.json (InputError if unreadable, ModelError if malformed).
nlohmann::json read_config_json(const std::string& dir);

/// config.json as transformers writes it (loads back with AutoConfig / AutoModel).
nlohmann::json to_json(const DecoderConfig& c);
nlohmann::json to_json(const EncoderConfig& c);

/// Parameter count of a decoder (embeddings and head included; tied head counted once).
int64_t count_parameters(const DecoderConfig& c);

}  // namespace because::model
