// Judge prompts over option orders, normalisation, aggregation, and the property that the
// all-orders average does not depend on the order the options were listed in.
#include <gtest/gtest.h>

#include <cmath>

#include "generate/judge.h"
#include "util/error.h"
#include "util/hash.h"

using namespace because;
using namespace because::generate;

namespace {

const char* kJudge =
    "[meta]\nkind: judge\ncomment_format: \\nComment {{index}}: {{text}}\n[labels]\nentailment: Entailment\n"
    "neutral: Neutral\ncontradiction: Contradiction\n[prompt]\nContext: {{premise}}\nStatement: {{hypothesis}}"
    "{{comments}}\nA. {{option_1}}\nB. {{option_2}}\nC. {{option_3}}\nAnswer:\n";

// Scores that depend on the whole prompt (a hash) and on the word shown at each letter, with a
// bias towards the letter A, as real models have.
std::vector<ScoreResult> fake_scores(const std::vector<JudgePrompt>& prompts) {
  std::vector<ScoreResult> out;
  for (const auto& p : prompts) {
    ScoreResult r;
    const uint64_t h = hash::xxh64(p.request.prompt);
    for (size_t j = 0; j < 3; ++j) {
      const double word = p.order[j] == 0 ? -0.5 : p.order[j] == 1 ? -1.0 : -2.0;
      r.scores.push_back(word + (j == 0 ? 0.7 : 0.0) + static_cast<double>((h >> (8 * j)) & 0xff) / 1000.0);
    }
    out.push_back(r);
  }
  return out;
}

corpus::Instance item() {
  corpus::Instance i;
  i.uid = "x1";
  i.text_a = "A man sleeps.";
  i.text_b = "A person rests.";
  return i;
}

}  // namespace

TEST(Judge, Orders) {
  EXPECT_EQ(all_orders(3).size(), 6u);
  EXPECT_EQ(all_orders(3)[1], (std::vector<int>{0, 2, 1}));
  EXPECT_EQ(option_letters(3), (std::vector<std::string>{"A", "B", "C"}));
}

TEST(Judge, Normalize) {
  auto p = normalize_scores({1.0, 2.0, 3.0}, "softmax", 1.0, false);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(p[0], std::exp(1.0) / z, 1e-12);
  p = normalize_scores({1.0, 2.0, 3.0}, "softmax", 20.0, false);
  EXPECT_NEAR(p[2], std::exp(0.15) / (std::exp(0.05) + std::exp(0.1) + std::exp(0.15)), 1e-12);
  p = normalize_scores({1.0, 2.0, 5.0}, "normalize", 1.0, false);  // raw logits / sum, as the study
  EXPECT_NEAR(p[2], 0.625, 1e-12);
  p = normalize_scores({std::log(0.2), std::log(0.2), std::log(0.4)}, "normalize", 1.0, true);
  EXPECT_NEAR(p[2], 0.5, 1e-12);
  EXPECT_THROW(normalize_scores({1.0}, "bogus", 1.0, true), ConfigError);
}

TEST(Judge, PromptsShowEveryOrderAndComments) {
  auto t = PromptTemplate::parse(kJudge, "j");
  JudgeOptions o;
  o.comment_orders = 3;
  auto ps = build_judge_prompts(item(), {"c-one", "c-two", "c-three"}, t, corpus::nli_labels(), {0, 1, 2}, o);
  ASSERT_EQ(ps.size(), 18u);
  EXPECT_EQ(ps[0].request.prompt,
            "Context: A man sleeps.\nStatement: A person rests.\nComment 1: c-one\nComment 2: c-two\nComment 3: c-three\n"
            "A. Entailment\nB. Neutral\nC. Contradiction\nAnswer:");
  // Comment orders differ within an option order and repeat across option orders.
  EXPECT_NE(ps[0].comment_order, ps[1].comment_order);
  EXPECT_EQ(ps[1].comment_order, ps[4].comment_order);
  o.with_explanations = false;
  ps = build_judge_prompts(item(), {"c-one"}, t, corpus::nli_labels(), {0, 1, 2}, o);
  ASSERT_EQ(ps.size(), 6u);
  EXPECT_EQ(ps[0].request.prompt.find("Comment"), std::string::npos);
}

TEST(Judge, AggregateMapsLettersToLabels) {
  auto t = PromptTemplate::parse(kJudge, "j");
  JudgeOptions o;
  o.with_explanations = false;
  auto ps = build_judge_prompts(item(), {}, t, corpus::nli_labels(), {0, 1, 2}, o);
  // A backend that prefers the word, whatever letter shows it: every order gives the same
  // label distribution, so the average equals it.
  std::vector<ScoreResult> s;
  for (const auto& p : ps) {
    ScoreResult r;
    for (int lab : p.order) r.scores.push_back(lab == 0 ? std::log(0.6) : lab == 1 ? std::log(0.3) : std::log(0.1));
    s.push_back(r);
  }
  auto j = aggregate_judgment(ps, s, 3, o);
  EXPECT_NEAR(j.probs[0], 0.6, 1e-12);
  EXPECT_NEAR(j.probs[1], 0.3, 1e-12);
  EXPECT_NEAR(j.probs[2], 0.1, 1e-12);
  ASSERT_EQ(j.raw.size(), 6u);
  EXPECT_NEAR(j.raw[3][0], std::log(0.6), 1e-12);
  // An item-level failure marks the judgment.
  s[2].error = "http_500: boom";
  j = aggregate_judgment(ps, s, 3, o);
  EXPECT_EQ(j.error, "http_500: boom");
  EXPECT_TRUE(std::isnan(j.probs[0]));
}

// Property: the 6-order average is invariant to the order in which the options are listed.
TEST(Judge, AverageInvariantToInputOptionOrder) {
  auto t = PromptTemplate::parse(kJudge, "j");
  JudgeOptions o;
  o.comment_orders = 2;
  for (const auto& method : {"softmax", "normalize"}) {
    o.normalize = method;
    std::vector<double> ref;
    for (const auto& input : all_orders(3)) {
      auto ps = build_judge_prompts(item(), {"first", "second"}, t, corpus::nli_labels(), input, o);
      const auto j = aggregate_judgment(ps, fake_scores(ps), 3, o);
      ASSERT_TRUE(j.error.empty());
      double sum = 0;
      for (double p : j.probs) sum += p;
      EXPECT_NEAR(sum, 1.0, 1e-12);
      if (ref.empty()) {
        ref = j.probs;
        // The letter-A bias is not the answer: the label order itself matters.
        EXPECT_GT(ref[0], ref[2]);
      } else {
        for (int l = 0; l < 3; ++l) EXPECT_NEAR(j.probs[l], ref[l], 1e-12) << method;
      }
    }
  }
}
