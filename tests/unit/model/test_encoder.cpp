// Tiny random BERT and RoBERTa encoders: transformers' parameter names, padding masks,
// save-then-load, a fresh classification head on a bare encoder.
#include <gtest/gtest.h>

#include <filesystem>

#include "model/encoder.h"
#include "model/weights.h"

using namespace because::model;
namespace fs = std::filesystem;

namespace {
EncoderConfig tiny(const std::string& type, int64_t labels) {
  EncoderConfig c;
  c.model_type = type;
  c.architecture = type == "roberta" ? (labels ? "RobertaForSequenceClassification" : "RobertaModel")
                                     : (labels ? "BertForSequenceClassification" : "BertModel");
  c.vocab_size = 60;
  c.hidden_size = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.intermediate_size = 64;
  c.max_position_embeddings = 40;
  c.pad_token_id = type == "roberta" ? 1 : 0;
  c.type_vocab_size = type == "roberta" ? 1 : 2;
  c.layer_norm_eps = type == "roberta" ? 1e-5 : 1e-12;
  c.num_labels = labels;
  return c;
}
}  // namespace

TEST(Encoder, NamesMasksSaveLoad) {
  for (const std::string type : {"bert", "roberta"}) {
    torch::manual_seed(11);
    Encoder m(tiny(type, 3));
    m->eval();
    const auto names = m->named_parameters();
    const std::string p = type + ".";
    EXPECT_TRUE(names.contains(p + "embeddings.word_embeddings.weight"));
    EXPECT_TRUE(names.contains(p + "embeddings.LayerNorm.bias"));
    EXPECT_TRUE(names.contains(p + "encoder.layer.1.attention.self.query.weight"));
    EXPECT_TRUE(names.contains(p + "encoder.layer.0.attention.output.LayerNorm.weight"));
    EXPECT_TRUE(names.contains(p + "encoder.layer.0.intermediate.dense.weight"));
    EXPECT_TRUE(names.contains(p + "encoder.layer.0.output.dense.bias"));
    if (type == "bert") {
      EXPECT_TRUE(names.contains("bert.pooler.dense.weight"));
      EXPECT_TRUE(names.contains("classifier.weight"));
    } else {
      EXPECT_FALSE(names.contains("roberta.pooler.dense.weight"));
      EXPECT_TRUE(names.contains("classifier.dense.weight"));
      EXPECT_TRUE(names.contains("classifier.out_proj.weight"));
    }
    torch::NoGradGuard ng;
    const int64_t pad = type == "roberta" ? 1 : 0;
    auto a = torch::randint(3, 60, {1, 7}), b = torch::randint(3, 60, {1, 4});
    auto batch = torch::full({2, 7}, pad, torch::kInt64);
    auto mask = torch::zeros({2, 7}, torch::kInt64);
    batch[0] = a[0];
    mask[0].fill_(1);
    batch[1].narrow(0, 0, 4).copy_(b[0]);  // right padding, as encoders use
    mask[1].narrow(0, 0, 4).fill_(1);
    auto out = m->forward(batch, mask);
    EXPECT_TRUE(torch::allclose(out[0], m->forward(a)[0], 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(out[1], m->forward(b)[0], 1e-5, 1e-5));
    const auto dir = (fs::temp_directory_path() / ("because_enc_" + std::to_string(::getpid()) + type)).string();
    save_encoder(m, dir);
    auto back = load_encoder(dir);
    EXPECT_TRUE(torch::equal(back->forward(batch, mask), out));
    fs::remove_all(dir);
  }
}

TEST(Encoder, FreshHeadOnBareModel) {
  torch::manual_seed(5);
  Encoder bare(tiny("bert", 0));
  bare->eval();
  const auto dir = (fs::temp_directory_path() / ("because_enc_bare_" + std::to_string(::getpid()))).string();
  save_encoder(bare, dir);
  auto cls = load_encoder(dir, 3);
  EXPECT_EQ(cls->config().num_labels, 3);
  auto ids = torch::randint(2, 60, {2, 6});
  torch::NoGradGuard ng;
  EXPECT_TRUE(torch::equal(cls->hidden_states(ids), bare->hidden_states(ids)));
  EXPECT_EQ(cls->forward(ids).sizes(), (std::vector<int64_t>{2, 3}));
  fs::remove_all(dir);
}
