// Parsing and writing Hugging Face config.json for the supported decoders and encoders.
#include "model/hf_config.h"

#include <set>

#include "util/error.h"
#include "util/files.h"

namespace because::model {
namespace {

const std::set<std::string> kDecoderArchs = {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"};
const std::set<std::string> kDecoderTypes = {"llama", "mistral", "qwen2"};
const std::set<std::string> kEncoderArchs = {"BertModel", "BertForSequenceClassification", "BertForPreTraining",
                                             "BertForMaskedLM", "RobertaModel", "RobertaForSequenceClassification",
                                             "RobertaForMaskedLM"};
const std::set<std::string> kEncoderTypes = {"bert", "roberta"};

template <class T>
T get_or(const nlohmann::json& j, const char* key, T def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  return j[key].get<T>();
}

std::string architecture_of(const nlohmann::json& j) {
  if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty())
    return j["architectures"][0].get<std::string>();
  return "";
}

[[noreturn]] void unsupported(const std::string& where, const std::string& what) {
  throw ModelError(where + ": unsupported model configuration: " + what);
}

}  // namespace

nlohmann::json read_config_json(const std::string& dir) {
  const std::string path = dir + "/config.json";
  const std::string text = files::read_text(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ModelError("bad JSON in " + path + ": " + e.what());
  }
}

ModelKind detect_model_kind(const nlohmann::json& j, const std::string& where) {
  const std::string arch = architecture_of(j);
  const std::string type = get_or<std::string>(j, "model_type", "");
  if (kDecoderArchs.count(arch) || (arch.empty() && kDecoderTypes.count(type))) return ModelKind::kDecoder;
  if (kEncoderArchs.count(arch) || (arch.empty() && kEncoderTypes.count(type))) return ModelKind::kEncoder;
  unsupported(where, "architecture '" + arch + "', model_type '" + type +
                         "' (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, BertModel, "
                         "BertForSequenceClassification, RobertaModel, RobertaForSequenceClassification)");
}

DecoderConfig parse_decoder_config(const nlohmann::json& j, const std::string& where) {
  try {
    if (detect_model_kind(j, where) != ModelKind::kDecoder) unsupported(where, "not a decoder");
    DecoderConfig c;
    c.model_type = get_or<std::string>(j, "model_type", "llama");
    if (!kDecoderTypes.count(c.model_type)) unsupported(where, "model_type '" + c.model_type + "'");
    c.architecture = architecture_of(j);
    if (c.architecture.empty()) c.architecture = c.model_type == "qwen2" ? "Qwen2ForCausalLM"
                                                  : c.model_type == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM";
    c.vocab_size = j.at("vocab_size").get<int64_t>();
    c.hidden_size = j.at("hidden_size").get<int64_t>();
    c.intermediate_size = j.at("intermediate_size").get<int64_t>();
    c.n_layers = j.at("num_hidden_layers").get<int64_t>();
    c.n_heads = j.at("num_attention_heads").get<int64_t>();
    c.n_kv_heads = get_or<int64_t>(j, "num_key_value_heads", c.n_heads);
    c.head_dim = get_or<int64_t>(j, "head_dim", c.hidden_size / c.n_heads);
    c.max_position_embeddings = get_or<int64_t>(j, "max_position_embeddings", 2048);
    c.rms_norm_eps = get_or<double>(j, "rms_norm_eps", 1e-6);
    c.rope_theta = get_or<double>(j, "rope_theta", 10000.0);
    c.tie_word_embeddings = get_or<bool>(j, "tie_word_embeddings", false);
    c.torch_dtype = get_or<std::string>(j, "torch_dtype", "float32");
    if (c.n_heads <= 0 || c.n_kv_heads <= 0 || c.n_heads % c.n_kv_heads != 0)
      unsupported(where, "num_attention_heads " + std::to_string(c.n_heads) + " is not a multiple of num_key_value_heads " +
                             std::to_string(c.n_kv_heads));
    if (c.head_dim % 2 != 0) unsupported(where, "odd head_dim " + std::to_string(c.head_dim));
    const std::string act = get_or<std::string>(j, "hidden_act", "silu");
    if (act != "silu" && act != "swish") unsupported(where, "hidden_act '" + act + "' (only silu)");
    if (c.model_type == "qwen2") {
      c.attention_bias = true;  // Qwen2 has q/k/v biases and no o_proj bias
      c.o_proj_bias = false;
      if (get_or<bool>(j, "use_sliding_window", false))
        unsupported(where, "use_sliding_window=true");
    } else {
      c.attention_bias = get_or<bool>(j, "attention_bias", false);
      c.o_proj_bias = c.attention_bias;
    }
    if (j.contains("sliding_window") && !j["sliding_window"].is_null() &&
        (c.model_type != "qwen2" || get_or<bool>(j, "use_sliding_window", false))) {
      const auto w = j["sliding_window"].get<int64_t>();
      if (w < c.max_position_embeddings) c.sliding_window = w;  // longer sequences are refused at run time
    }
    c.mlp_bias = get_or<bool>(j, "mlp_bias", false);
    if (get_or<double>(j, "attention_dropout", 0.0) != 0.0) unsupported(where, "attention_dropout != 0");
    if (get_or<int64_t>(j, "pretraining_tp", 1) != 1) unsupported(where, "pretraining_tp != 1");
    c.bos_token_id = get_or<int64_t>(j, "bos_token_id", 1);
    c.eos_token_ids.clear();
    if (j.contains("eos_token_id") && j["eos_token_id"].is_array())
      c.eos_token_ids = j["eos_token_id"].get<std::vector<int64_t>>();
    else if (j.contains("eos_token_id") && j["eos_token_id"].is_number())
      c.eos_token_ids.push_back(j["eos_token_id"].get<int64_t>());
    c.pad_token_id = get_or<int64_t>(j, "pad_token_id", -1);
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null()) {
      const auto& r = j["rope_scaling"];
      std::string type = r.contains("rope_type") ? r["rope_type"].get<std::string>()
                                                 : get_or<std::string>(r, "type", "default");
      if (type == "default") {
        c.rope_scaling.type = "none";
      } else if (type == "linear") {
        c.rope_scaling.type = "linear";
        c.rope_scaling.factor = r.at("factor").get<double>();
      } else if (type == "llama3") {
        c.rope_scaling.type = "llama3";
        c.rope_scaling.factor = r.at("factor").get<double>();
        c.rope_scaling.low_freq_factor = r.at("low_freq_factor").get<double>();
        c.rope_scaling.high_freq_factor = r.at("high_freq_factor").get<double>();
        c.rope_scaling.original_max_position_embeddings = r.at("original_max_position_embeddings").get<int64_t>();
      } else {
        unsupported(where, "rope_scaling type '" + type + "' (supported: default, linear, llama3)");
      }
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(where + ": malformed config.json: " + e.what());
  }
}

EncoderConfig parse_encoder_config(const nlohmann::json& j, const std::string& where) {
  try {
    if (detect_model_kind(j, where) != ModelKind::kEncoder) unsupported(where, "not an encoder");
    EncoderConfig c;
    c.model_type = get_or<std::string>(j, "model_type", "bert");
    if (!kEncoderTypes.count(c.model_type)) unsupported(where, "model_type '" + c.model_type + "'");
    c.architecture = architecture_of(j);
    if (c.architecture.empty()) c.architecture = c.is_roberta() ? "RobertaModel" : "BertModel";
    c.vocab_size = j.at("vocab_size").get<int64_t>();
    c.hidden_size = j.at("hidden_size").get<int64_t>();
    c.n_layers = j.at("num_hidden_layers").get<int64_t>();
    c.n_heads = j.at("num_attention_heads").get<int64_t>();
    c.intermediate_size = j.at("intermediate_size").get<int64_t>();
    c.hidden_act = get_or<std::string>(j, "hidden_act", "gelu");
    if (c.hidden_act != "gelu" && c.hidden_act != "gelu_new" && c.hidden_act != "relu")
      unsupported(where, "hidden_act '" + c.hidden_act + "' (supported: gelu, gelu_new, relu)");
    c.max_position_embeddings = get_or<int64_t>(j, "max_position_embeddings", 512);
    c.type_vocab_size = get_or<int64_t>(j, "type_vocab_size", 2);
    c.layer_norm_eps = get_or<double>(j, "layer_norm_eps", 1e-12);
    c.pad_token_id = get_or<int64_t>(j, "pad_token_id", c.is_roberta() ? 1 : 0);
    c.hidden_dropout_prob = get_or<double>(j, "hidden_dropout_prob", 0.1);
    c.attention_probs_dropout_prob = get_or<double>(j, "attention_probs_dropout_prob", 0.1);
    const std::string pos = get_or<std::string>(j, "position_embedding_type", "absolute");
    if (pos != "absolute") unsupported(where, "position_embedding_type '" + pos + "' (only absolute)");
    if (c.hidden_size % c.n_heads != 0) unsupported(where, "hidden_size not a multiple of num_attention_heads");
    if (j.contains("id2label") && j["id2label"].is_object()) {
      const auto& m = j["id2label"];
      c.id2label.resize(m.size());
      for (auto it = m.begin(); it != m.end(); ++it) {
        const auto k = std::stoul(it.key());
        if (k >= c.id2label.size()) unsupported(where, "id2label keys are not 0..n-1");
        c.id2label[k] = it->get<std::string>();
      }
    }
    const bool classifier = c.architecture.find("ForSequenceClassification") != std::string::npos;
    if (classifier) c.num_labels = j.contains("num_labels") ? j["num_labels"].get<int64_t>()
                                                            : static_cast<int64_t>(c.id2label.empty() ? 2 : c.id2label.size());
    c.problem_type = get_or<std::string>(j, "problem_type", "");
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(where + ": malformed config.json: " + e.what());
  } catch (const std::invalid_argument&) {
    throw ModelError(where + ": malformed config.json: id2label keys must be integers");
  }
}

nlohmann::json to_json(const DecoderConfig& c) {
  nlohmann::json j;
  j["architectures"] = {c.architecture};
  j["model_type"] = c.model_type;
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.n_layers;
  j["num_attention_heads"] = c.n_heads;
  j["num_key_value_heads"] = c.n_kv_heads;
  j["head_dim"] = c.head_dim;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["rope_theta"] = c.rope_theta;
  j["hidden_act"] = "silu";
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  if (c.model_type != "qwen2") j["attention_bias"] = c.attention_bias;
  if (c.model_type == "llama") j["mlp_bias"] = c.mlp_bias;
  if (c.model_type == "qwen2") j["use_sliding_window"] = false;
  if (c.model_type == "mistral") j["sliding_window"] = nullptr;
  j["attention_dropout"] = 0.0;
  j["initializer_range"] = 0.02;
  j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_ids.size() == 1) j["eos_token_id"] = c.eos_token_ids[0];
  else j["eos_token_id"] = c.eos_token_ids;
  if (c.pad_token_id >= 0) j["pad_token_id"] = c.pad_token_id;
  if (c.rope_scaling.type == "none") {
    j["rope_scaling"] = nullptr;
  } else if (c.rope_scaling.type == "linear") {
    j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", c.rope_scaling.factor}};
  } else {
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", c.rope_scaling.factor},
                         {"low_freq_factor", c.rope_scaling.low_freq_factor},
                         {"high_freq_factor", c.rope_scaling.high_freq_factor},
                         {"original_max_position_embeddings", c.rope_scaling.original_max_position_embeddings}};
  }
  j["torch_dtype"] = c.torch_dtype;
  j["use_cache"] = true;
  return j;
}

nlohmann::json to_json(const EncoderConfig& c) {
  nlohmann::json j;
  j["architectures"] = {c.architecture};
  j["model_type"] = c.model_type;
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.n_layers;
  j["num_attention_heads"] = c.n_heads;
  j["intermediate_size"] = c.intermediate_size;
  j["hidden_act"] = c.hidden_act;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["type_vocab_size"] = c.type_vocab_size;
  j["layer_norm_eps"] = c.layer_norm_eps;
  j["pad_token_id"] = c.pad_token_id;
  j["hidden_dropout_prob"] = c.hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = c.attention_probs_dropout_prob;
  j["position_embedding_type"] = "absolute";
  j["initializer_range"] = 0.02;
  if (c.num_labels > 0) {
    j["num_labels"] = c.num_labels;
    nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
    for (int64_t i = 0; i < c.num_labels; ++i) {
      const std::string name = i < static_cast<int64_t>(c.id2label.size()) ? c.id2label[i] : "LABEL_" + std::to_string(i);
      id2label[std::to_string(i)] = name;
      label2id[name] = i;
    }
    j["id2label"] = id2label;
    j["label2id"] = label2id;
    if (!c.problem_type.empty()) j["problem_type"] = c.problem_type;
  }
  return j;
}

int64_t count_parameters(const DecoderConfig& c) {
  const int64_t h = c.hidden_size, q = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;
  int64_t per_layer = h * q + 2 * h * kv + q * h + 3 * h * c.intermediate_size + 2 * h;
  if (c.attention_bias) per_layer += q + 2 * kv;
  if (c.o_proj_bias) per_layer += h;
  int64_t n = c.vocab_size * h + c.n_layers * per_layer + h;
  if (!c.tie_word_embeddings) n += c.vocab_size * h;
  return n;
}

}  // namespace because::model
