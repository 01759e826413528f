// safetensors round trip and error messages; config.json parsing and refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/hf_config.h"
#include "model/safetensors.h"
#include "model/weights.h"
#include "util/error.h"

using namespace because::model;
namespace fs = std::filesystem;

namespace {
std::string tmp(const std::string& name) {
  return (fs::temp_directory_path() / ("because_model_" + std::to_string(::getpid()) + "_" + name)).string();
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const because::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Safetensors, RoundTripDtypes) {
  const auto path = tmp("rt.safetensors");
  auto a = torch::randn({3, 5});
  auto b = torch::randn({7}).to(torch::kBFloat16);
  auto c = torch::randn({2, 2, 2}).to(torch::kFloat16);
  save_tensors(path, {{"a", a}, {"b.weight", b}, {"c", c}});
  SafetensorsFile f(path);
  EXPECT_EQ(f.names(), (std::vector<std::string>{"a", "b.weight", "c"}));
  EXPECT_EQ(f.get("b.weight").dtype, DType::kBF16);
  EXPECT_TRUE(torch::equal(to_tensor(f.get("a")), a));
  EXPECT_TRUE(torch::equal(to_tensor(f.get("b.weight")), b));
  EXPECT_TRUE(torch::equal(to_tensor(f.get("c")), c));
  // The header is 8-byte aligned and the file starts with its little-endian length.
  std::ifstream in(path, std::ios::binary);
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  fs::remove(path);
}

TEST(Safetensors, ClearErrors) {
  const auto path = tmp("bad.safetensors");
  save_tensors(path, {{"w", torch::ones({4, 4})}});
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 10);
  EXPECT_NE(error_of([&] { SafetensorsFile f(path); }).find("truncated"), std::string::npos);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    uint64_t n = 5;
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << "{nope";
  }
  EXPECT_NE(error_of([&] { SafetensorsFile f(path); }).find("bad safetensors header"), std::string::npos);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "abc";
  }
  EXPECT_NE(error_of([&] { SafetensorsFile f(path); }).find("truncated"), std::string::npos);
  save_tensors(path, {{"w", torch::ones({4, 4})}});
  SafetensorsFile f(path);
  EXPECT_NE(error_of([&] { (void)f.get("missing"); }).find("'missing' not found"), std::string::npos);
  fs::remove(path);
}

TEST(Safetensors, ShardedIndexAndShapeMismatch) {
  const auto dir = tmp("sharded");
  fs::create_directories(dir);
  DecoderConfig c;
  c.vocab_size = 32; c.hidden_size = 16; c.intermediate_size = 24; c.n_layers = 2; c.n_heads = 4; c.n_kv_heads = 2;
  c.head_dim = 4; c.max_position_embeddings = 64; c.tie_word_embeddings = false;
  Decoder model(c);
  std::vector<std::pair<std::string, torch::Tensor>> s1, s2;
  nlohmann::json map;
  int i = 0;
  for (const auto& p : model->named_parameters()) {
    auto& shard = (i++ % 2) ? s2 : s1;
    shard.emplace_back(p.key(), p.value());
    map[p.key()] = (&shard == &s1) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  save_tensors(dir + "/model-00001-of-00002.safetensors", s1);
  save_tensors(dir + "/model-00002-of-00002.safetensors", s2);
  std::ofstream(dir + "/model.safetensors.index.json") << nlohmann::json{{"metadata", {}}, {"weight_map", map}}.dump();
  std::ofstream(dir + "/config.json") << to_json(c).dump();
  auto loaded = load_decoder(dir);
  auto ids = torch::randint(0, 32, {2, 5});
  EXPECT_TRUE(torch::equal(loaded->forward(ids), model->forward(ids)));
  // A config that disagrees with the weights names the tensor and both shapes.
  auto bad = c;
  bad.intermediate_size = 20;
  std::ofstream(dir + "/config.json", std::ios::trunc) << to_json(bad).dump();
  const auto msg = error_of([&] { load_decoder(dir); });
  EXPECT_NE(msg.find("model.layers.0.mlp.gate_proj.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[24, 16]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[20, 16]"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(HfConfig, ParseAndRefuse) {
  const nlohmann::json llama3 = nlohmann::json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "hidden_size": 4096,
    "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    "rope_theta": 500000.0, "rms_norm_eps": 1e-5, "max_position_embeddings": 131072, "eos_token_id": [128001, 128008, 128009],
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"}})");
  auto c = parse_decoder_config(llama3, "x");
  EXPECT_EQ(c.n_kv_heads, 8);
  EXPECT_EQ(c.head_dim, 128);
  EXPECT_EQ(c.rope_scaling.type, "llama3");
  EXPECT_EQ(c.eos_token_ids.size(), 3u);
  EXPECT_EQ(count_parameters(c), 8030261248);  // Llama 3.1 8B, as published
  auto gemma = llama3;
  gemma["architectures"] = {"GemmaForCausalLM"};
  gemma["model_type"] = "gemma";
  EXPECT_NE(error_of([&] { parse_decoder_config(gemma, "cfg"); }).find("unsupported"), std::string::npos);
  auto yarn = llama3;
  yarn["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  EXPECT_NE(error_of([&] { parse_decoder_config(yarn, "cfg"); }).find("yarn"), std::string::npos);
  auto act = llama3;
  act["hidden_act"] = "gelu";
  EXPECT_THROW(parse_decoder_config(act, "cfg"), because::ModelError);
  const nlohmann::json bert = nlohmann::json::parse(R"({"architectures": ["BertForSequenceClassification"],
    "model_type": "bert", "vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "id2label": {"0": "entailment", "1": "neutral", "2": "contradiction"}})");
  auto e = parse_encoder_config(bert, "b");
  EXPECT_EQ(e.num_labels, 3);
  EXPECT_EQ(e.id2label[2], "contradiction");
  EXPECT_EQ(detect_model_kind(bert, "b"), ModelKind::kEncoder);
}
