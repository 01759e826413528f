// The real tiny Llama stories260K: greedy text from <s>, batch generation equal to single
// generation, seeded sampling independent of batch mates, scores consistent with logprobs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "model/lm.h"

using namespace because::model;

namespace {
std::string model_dir() {
  const char* s = std::getenv("BECAUSE_SHARED");
  return s ? std::string(s) + "/models/stories260K" : "";
}
#define REQUIRE_MODEL() \
  if (model_dir().empty() || !std::filesystem::exists(model_dir() + "/model.safetensors")) GTEST_SKIP() << "no stories260K";
}  // namespace

TEST(Stories260K, GreedyFromBos) {
  REQUIRE_MODEL();
  auto lm = LanguageModel::load(model_dir());
  SamplingParams p;
  p.max_new_tokens = 40;
  auto r = lm.generate_ids({{1}}, p, {0});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text.rfind("Once upon a time, there was a little girl named Lily.", 0), 0u) << r[0].text;
  EXPECT_EQ(r[0].n_tokens, 40);
  EXPECT_EQ(r[0].finish, FinishReason::kLength);
  EXPECT_LT(r[0].logprob, 0.0);
  // Stop strings cut the text and end generation.
  p.stop = {" named"};
  auto s = lm.generate_ids({{1}}, p, {0});
  EXPECT_EQ(s[0].text, "Once upon a time, there was a little girl");
  EXPECT_EQ(s[0].finish, FinishReason::kStop);
  EXPECT_LT(s[0].n_tokens, 40);
}

TEST(Stories260K, BatchEqualsAlone) {
  REQUIRE_MODEL();
  auto lm = LanguageModel::load(model_dir());
  const std::vector<std::string> prompts = {"Once upon a time", "Tom had a big red ball and", "The sun",
                                            "One day, a little bird flew into the garden. It saw"};
  SamplingParams greedy;
  greedy.max_new_tokens = 24;
  SamplingParams sample = greedy;
  sample.temperature = 0.9;
  sample.top_k = 40;
  sample.top_p = 0.95;
  sample.repetition_penalty = 1.1;
  const std::vector<uint64_t> seeds = {11, 22, 33, 44};
  for (const auto& params : {greedy, sample}) {
    auto batch = lm.generate(prompts, params, seeds);
    for (size_t i = 0; i < prompts.size(); ++i) {
      auto alone = lm.generate({prompts[i]}, params, {seeds[i]});
      EXPECT_EQ(batch[i].ids, alone[0].ids) << prompts[i];
      EXPECT_EQ(batch[i].text, alone[0].text);
      EXPECT_NEAR(batch[i].logprob, alone[0].logprob, 1e-3);
    }
  }
  // Different seeds give different samples (with overwhelming probability on 24 tokens).
  auto a = lm.generate({prompts[0]}, sample, {1}), b = lm.generate({prompts[0]}, sample, {2});
  EXPECT_NE(a[0].ids, b[0].ids);
}

TEST(Stories260K, ScoreMatchesNextTokenLogprobs) {
  REQUIRE_MODEL();
  auto lm = LanguageModel::load(model_dir());
  const auto ids = lm.tokenizer().encode("Once upon a time, there was a cat.");
  auto scores = lm.score({ids, {ids.begin(), ids.begin() + 4}});
  ASSERT_EQ(scores[0].size(), ids.size() - 1);
  ASSERT_EQ(scores[1].size(), 3u);
  for (size_t t = 1; t < ids.size(); ++t) {
    auto lp = lm.next_token_logprobs({{ids.begin(), ids.begin() + t}});
    EXPECT_NEAR(lp[0][ids[t]], scores[0][t - 1], 1e-4);
    double total = 0;
    for (float x : lp[0]) total += std::exp(x);
    EXPECT_NEAR(total, 1.0, 1e-4);
  }
  for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(scores[1][t], scores[0][t], 1e-4);
  // Greedy generation's logprob equals the score of the generated tokens.
  SamplingParams p;
  p.max_new_tokens = 10;
  auto g = lm.generate_ids({ids}, p, {0});
  auto full = ids;
  full.insert(full.end(), g[0].ids.begin(), g[0].ids.end());
  auto sc = lm.score({full});
  double sum = 0;
  for (size_t t = ids.size() - 1; t < full.size() - 1; ++t) sum += sc[0][t];
  EXPECT_NEAR(sum, g[0].logprob, 1e-3);
}
