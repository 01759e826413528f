// Loading/saving Hugging Face model directories: safetensors <-> module parameters by name.
#include "model/weights.h"

#include <sys/stat.h>

#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

namespace because::model {
namespace {

std::string shape_text(at::IntArrayRef s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

torch::ScalarType to_scalar(DType d) {
  switch (d) {
    case DType::kF32: return torch::kFloat32;
    case DType::kF16: return torch::kFloat16;
    case DType::kBF16: return torch::kBFloat16;
    case DType::kF64: return torch::kFloat64;
    case DType::kI64: return torch::kInt64;
    case DType::kI32: return torch::kInt32;
    case DType::kI8: return torch::kInt8;
    case DType::kU8: return torch::kUInt8;
    case DType::kBool: return torch::kBool;
  }
  return torch::kFloat32;
}

DType from_scalar(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return DType::kF32;
    case torch::kFloat16: return DType::kF16;
    case torch::kBFloat16: return DType::kBF16;
    case torch::kFloat64: return DType::kF64;
    case torch::kInt64: return DType::kI64;
    case torch::kInt32: return DType::kI32;
    case torch::kInt8: return DType::kI8;
    case torch::kUInt8: return DType::kU8;
    case torch::kBool: return DType::kBool;
    default: throw ModelError(std::string("cannot save tensors of type ") + c10::toString(t));
  }
}

std::string dtype_json_name(torch::ScalarType t) {
  return t == torch::kBFloat16 ? "bfloat16" : t == torch::kFloat16 ? "float16" : "float32";
}

bool ends_with(const std::string& s, const std::string& x) {
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

}  // namespace

torch::ScalarType parse_torch_dtype(const std::string& n) {
  if (n == "float32" || n == "f32" || n == "fp32" || n == "float") return torch::kFloat32;
  if (n == "bfloat16" || n == "bf16") return torch::kBFloat16;
  if (n == "float16" || n == "f16" || n == "fp16" || n == "half") return torch::kFloat16;
  throw ConfigError("unknown dtype '" + n + "' (float32, bfloat16, float16)");
}

torch::Tensor to_tensor(const TensorView& v) {
  auto t = torch::from_blob(const_cast<void*>(v.data), v.shape, torch::TensorOptions().dtype(to_scalar(v.dtype)));
  return t.clone();
}

int64_t load_state(torch::nn::Module& module, const SafetensorsSet& w, const std::string& where,
                   const std::vector<std::string>& optional_prefixes) {
  torch::NoGradGuard no_grad;
  int64_t n = 0;
  auto candidates = [](const std::string& name) {
    std::vector<std::string> c{name};
    for (const char* p : {"bert.", "roberta."})
      if (name.rfind(p, 0) == 0) c.push_back(name.substr(std::string(p).size()));
    const size_t k = c.size();
    for (size_t i = 0; i < k; ++i) {
      if (c[i].find("LayerNorm.weight") != std::string::npos && ends_with(c[i], ".weight"))
        c.push_back(c[i].substr(0, c[i].size() - 6) + "gamma");
      if (c[i].find("LayerNorm.bias") != std::string::npos && ends_with(c[i], ".bias"))
        c.push_back(c[i].substr(0, c[i].size() - 4) + "beta");
    }
    return c;
  };
  auto copy_one = [&](const std::string& name, torch::Tensor& dst) {
    for (const auto& cand : candidates(name)) {
      if (!w.contains(cand)) continue;
      const auto& v = w.get(cand);
      if (at::IntArrayRef(v.shape) != dst.sizes())
        throw ModelError(where + ": tensor '" + cand + "' has shape " + shape_text(v.shape) + " but the model expects " +
                         shape_text(dst.sizes()) + " (does config.json match the weights?)");
      dst.copy_(to_tensor(v));
      ++n;
      return;
    }
    for (const auto& p : optional_prefixes)
      if (name.rfind(p, 0) == 0) {
        log::info("model: ", name, " not in ", where, ": initialised randomly");
        return;
      }
    throw ModelError(where + ": tensor '" + name + "' (shape " + shape_text(dst.sizes()) + ") is missing from the weights");
  };
  for (auto& p : module.named_parameters()) copy_one(p.key(), p.value());
  return n;
}

Decoder load_decoder(const std::string& dir, torch::ScalarType dtype, torch::Device device) {
  const auto cfg = parse_decoder_config(read_config_json(dir), dir + "/config.json");
  SafetensorsSet weights(dir);
  Decoder model(cfg);
  load_state(*model, weights, dir);
  model->to(device, dtype);
  model->eval();
  return model;
}

Encoder load_encoder(const std::string& dir, int64_t num_labels, torch::ScalarType dtype, torch::Device device) {
  auto cfg = parse_encoder_config(read_config_json(dir), dir + "/config.json");
  std::vector<std::string> optional;
  if (num_labels > 0 && num_labels != cfg.num_labels) {
    if (cfg.num_labels > 0)
      throw ModelError(dir + ": the classifier has " + std::to_string(cfg.num_labels) + " labels, " +
                       std::to_string(num_labels) + " requested");
    cfg.num_labels = num_labels;
    cfg.architecture = cfg.is_roberta() ? "RobertaForSequenceClassification" : "BertForSequenceClassification";
    cfg.id2label.clear();
    optional.push_back("classifier.");
    if (!cfg.is_roberta()) optional.push_back("bert.pooler.");
  }
  SafetensorsSet weights(dir);
  Encoder model(cfg);
  load_state(*model, weights, dir, optional);
  model->to(device, dtype);
  model->eval();
  return model;
}

void save_tensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  std::vector<torch::Tensor> keep;
  std::vector<TensorView> views;
  for (const auto& [name, t] : tensors) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    keep.push_back(c);
    TensorView v;
    v.name = name;
    v.dtype = from_scalar(c.scalar_type());
    v.shape = c.sizes().vec();
    v.data = c.data_ptr();
    v.n_bytes = c.numel() * c.element_size();
    views.push_back(v);
  }
  write_safetensors(path, views);
}

void save_decoder(Decoder& model, const std::string& dir, torch::ScalarType dtype) {
  files::make_dirs(dir);
  auto cfg = model->config();
  cfg.torch_dtype = dtype_json_name(dtype);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : model->named_parameters()) named.emplace_back(p.key(), p.value().to(dtype));
  save_tensors(dir + "/model.safetensors", named);
  files::write_atomic(dir + "/config.json", to_json(cfg).dump(2) + "\n");
}

void save_encoder(Encoder& model, const std::string& dir, torch::ScalarType dtype) {
  files::make_dirs(dir);
  const auto& cfg = model->config();
  std::vector<std::pair<std::string, torch::Tensor>> named;
  const std::string prefix = model->prefix() + ".";
  for (const auto& p : model->named_parameters()) {
    std::string name = p.key();
    if (cfg.num_labels <= 0 && name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());  // BertModel: no prefix
    named.emplace_back(name, p.value().to(dtype));
  }
  save_tensors(dir + "/model.safetensors", named);
  auto j = to_json(cfg);
  j["torch_dtype"] = dtype_json_name(dtype);
  files::write_atomic(dir + "/config.json", j.dump(2) + "\n");
}

void copy_tokenizer_files(const std::string& from, const std::string& to) {
  files::make_dirs(to);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
                        "vocab.txt", "merges.txt", "vocab.json", "generation_config.json"})
    if (files::exists(from + "/" + f)) files::write_atomic(to + "/" + f, files::read_text(from + "/" + f));
}

}  // namespace because::model
