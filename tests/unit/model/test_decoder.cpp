// Tiny random decoders: KV-cache decoding equals full recomputation, left-padded batches equal
// single sequences, GQA ratios, tied/untied heads, rope scaling, save-then-load, bf16 vs f32,
// and the samplers on hand-worked probability vectors.
#include <gtest/gtest.h>

#include <filesystem>

#include "model/decoder.h"
#include "model/sampling.h"
#include "model/weights.h"

using namespace because::model;
namespace fs = std::filesystem;

namespace {

DecoderConfig tiny(int64_t n_heads, int64_t n_kv, bool tied, const std::string& rope = "none") {
  DecoderConfig c;
  c.vocab_size = 50;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.n_layers = 2;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv;
  c.head_dim = 32 / n_heads;
  c.max_position_embeddings = 128;
  c.tie_word_embeddings = tied;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = 10000;
  if (rope == "llama3") {
    c.rope_scaling.type = "llama3";
    c.rope_scaling.factor = 8;
    c.rope_scaling.low_freq_factor = 1;
    c.rope_scaling.high_freq_factor = 4;
    c.rope_scaling.original_max_position_embeddings = 16;
  } else if (rope == "linear") {
    c.rope_scaling.type = "linear";
    c.rope_scaling.factor = 2;
  }
  return c;
}

struct Case {
  int64_t heads, kv;
  bool tied;
  const char* rope;
};

class DecoderCases : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(DecoderCases, CacheEqualsFullAndBatchEqualsAlone) {
  const auto p = GetParam();
  torch::manual_seed(7);
  Decoder m(tiny(p.heads, p.kv, p.tied, p.rope));
  m->eval();
  torch::NoGradGuard ng;
  // Names as transformers writes them.
  const auto params = m->named_parameters();
  EXPECT_TRUE(params.contains("model.embed_tokens.weight"));
  EXPECT_TRUE(params.contains("model.layers.1.self_attn.k_proj.weight"));
  EXPECT_TRUE(params.contains("model.layers.0.post_attention_layernorm.weight"));
  EXPECT_TRUE(params.contains("model.norm.weight"));
  EXPECT_EQ(params.contains("lm_head.weight"), !p.tied);
  EXPECT_EQ(params["model.layers.0.self_attn.k_proj.weight"].size(0), p.kv * (32 / p.heads));

  auto ids = torch::randint(0, 50, {1, 12});
  auto full = m->forward(ids);  // [1, 12, V]
  // Incremental: prefill 5, then one token at a time.
  auto cache = m->new_cache(1, 12);
  auto mask = torch::ones({1, 12}, torch::kInt64);
  auto pre = m->forward_cached(ids.narrow(1, 0, 5), mask.narrow(1, 0, 5), cache);
  EXPECT_TRUE(torch::allclose(pre, full.narrow(1, 0, 5), 1e-5, 1e-5));
  for (int64_t t = 5; t < 12; ++t) {
    auto step = m->forward_cached(ids.narrow(1, t, 1), mask.narrow(1, t, 1), cache);
    EXPECT_TRUE(torch::allclose(step, full.narrow(1, t, 1), 1e-5, 1e-5)) << "step " << t;
  }
  // Left-padded batch of different lengths: each row equals the sequence alone.
  auto a = torch::randint(0, 50, {1, 9}), b = torch::randint(0, 50, {1, 4});
  auto batch = torch::zeros({2, 9}, torch::kInt64);
  auto bmask = torch::zeros({2, 9}, torch::kInt64);
  batch[0] = a[0];
  bmask[0].fill_(1);
  batch[1].narrow(0, 5, 4).copy_(b[0]);
  bmask[1].narrow(0, 5, 4).fill_(1);
  auto out = m->forward(batch, bmask);
  EXPECT_TRUE(torch::allclose(out[0], m->forward(a)[0], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(out[1].narrow(0, 5, 4), m->forward(b)[0], 1e-5, 1e-5));
  // And continues correctly through the cache.
  auto bc = m->new_cache(2, 12);
  m->forward_cached(batch, bmask, bc, true);
  auto next = torch::randint(0, 50, {2, 1});
  auto step = m->forward_cached(next, torch::ones({2, 1}, torch::kInt64), bc, true);
  auto alone_b = m->forward(torch::cat({b, next[1].view({1, 1})}, 1));
  EXPECT_TRUE(torch::allclose(step[1][0], alone_b[0][4], 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Tiny, DecoderCases,
                         ::testing::Values(Case{4, 4, false, "none"}, Case{4, 2, true, "none"}, Case{4, 1, false, "llama3"},
                                           Case{8, 2, true, "linear"}));

TEST(Decoder, RopeLlama3Frequencies) {
  // transformers' _compute_llama3_parameters by hand on theta 10000, dim 8 (inv_freq 1, 0.1,
  // 0.01, 0.001), factor 8, low 1, high 4, original length 16: wavelengths 2*pi/inv_freq are
  // 6.28 (between 16/4 and 16/1: smoothed), 62.8, 628, 6283 (above 16: divided by 8).
  auto c = tiny(4, 4, false, "llama3");
  c.head_dim = 8;
  auto inv = rope_inv_freq(c);
  const double base[4] = {1.0, 0.1, 0.01, 0.001};
  const double w0 = 2 * M_PI / base[0];
  const double s0 = (16.0 / w0 - 1.0) / 3.0;
  EXPECT_NEAR(inv[0].item<double>(), (1 - s0) * base[0] / 8 + s0 * base[0], 1e-6);
  for (int i = 1; i < 4; ++i) EXPECT_NEAR(inv[i].item<double>(), base[i] / 8, 1e-7);
}

TEST(Decoder, SaveLoadExactAndBf16Close) {
  torch::manual_seed(3);
  for (bool tied : {true, false}) {
    Decoder m(tiny(4, 2, tied, "llama3"));
    m->eval();
    const auto dir = (fs::temp_directory_path() / ("because_dec_" + std::to_string(::getpid()))).string();
    save_decoder(m, dir);
    auto back = load_decoder(dir);
    torch::NoGradGuard ng;
    auto ids = torch::randint(0, 50, {3, 10});
    EXPECT_TRUE(torch::equal(m->forward(ids), back->forward(ids)));
    auto bf = load_decoder(dir, torch::kBFloat16);
    auto lf = m->forward(ids), lb = bf->forward(ids).to(torch::kFloat32);
    const double err = (lf - lb).abs().max().item<double>(), scale = lf.abs().max().item<double>();
    EXPECT_LT(err, 0.05 * scale + 0.02) << err << " vs scale " << scale;
    EXPECT_GT(lf.argmax(-1).eq(lb.argmax(-1)).to(torch::kFloat32).mean().item<double>(), 0.8);
    fs::remove_all(dir);
  }
}

TEST(Sampling, HandWorked) {
  SamplingParams greedy;
  SequenceRng rng(1);
  std::vector<float> l = {0.1f, 2.0f, 2.0f, -1.0f};
  EXPECT_EQ(sample_token(l, greedy, {}, rng), 1);  // ties go to the lowest id
  // Repetition penalty 2 on token 1 (positive logit halves): 1.0 < 2.0 -> token 2.
  SamplingParams rep;
  rep.repetition_penalty = 2.0;
  l = {0.1f, 2.0f, 2.0f, -1.0f};
  EXPECT_EQ(sample_token(l, rep, {1}, rng), 2);
  // top_k = 1 is greedy whatever the temperature.
  SamplingParams k1;
  k1.temperature = 5.0;
  k1.top_k = 1;
  for (int i = 0; i < 20; ++i) {
    l = {0.0f, 1.0f, 3.0f, 2.9f};
    EXPECT_EQ(sample_token(l, k1, {}, rng), 2);
  }
  // top_p = 0.5 over probabilities {0.6, 0.3, 0.1}: only the first survives.
  SamplingParams tp;
  tp.temperature = 1.0;
  tp.top_p = 0.5;
  for (int i = 0; i < 20; ++i) {
    l = {std::log(0.3f), std::log(0.6f), std::log(0.1f)};
    EXPECT_EQ(sample_token(l, tp, {}, rng), 1);
  }
  // Frequencies follow the distribution {0.6, 0.3, 0.1} at temperature 1.
  SamplingParams t1;
  t1.temperature = 1.0;
  std::vector<int> counts(3);
  SequenceRng r2(42);
  for (int i = 0; i < 20000; ++i) {
    l = {std::log(0.6f), std::log(0.3f), std::log(0.1f)};
    counts[sample_token(l, t1, {}, r2)]++;
  }
  EXPECT_NEAR(counts[0] / 20000.0, 0.6, 0.015);
  EXPECT_NEAR(counts[2] / 20000.0, 0.1, 0.01);
  // Same seed, same draws.
  SequenceRng x(9), y(9);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(x.uniform(), y.uniform());
  EXPECT_NE(derive_seed({1, 2, 3}), derive_seed({1, 2, 4}));
}
