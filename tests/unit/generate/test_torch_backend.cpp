// The torch backend with the real stories260K model (skipped without BECAUSE_SHARED): batched
// generation equals one-by-one generation, seeds matter when sampling, over-long prompts are
// item errors, option letters resolve to single tokens and score.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "generate/torch_backend.h"
#include "util/error.h"

using namespace because;
using namespace because::generate;

namespace {
std::string model_dir() {
  const char* shared = std::getenv("BECAUSE_SHARED");
  if (!shared) return "";
  const std::string d = std::string(shared) + "/models/stories260K";
  return std::ifstream(d + "/config.json") ? d : "";
}
}  // namespace

TEST(TorchBackend, Stories260K) {
  const auto dir = model_dir();
  if (dir.empty()) GTEST_SKIP() << "stories260K not found under BECAUSE_SHARED";
  TorchOptions o;
  o.model_path = dir;
  o.batch_size = 3;
  TorchBackend b(o);
  EXPECT_EQ(b.provenance()["model_hash"].get<std::string>().size(), 32u);
  std::vector<GenRequest> rq;
  for (const char* p : {"Once upon a time", "Lily saw a big", "The dog", "Tom and his mom went to the park. They"}) {
    GenRequest g;
    g.prompt = p;
    g.seed = 11;
    rq.push_back(g);
  }
  SamplingParams sp;
  sp.max_new_tokens = 12;
  const auto batched = b.generate(rq, sp);
  ASSERT_EQ(batched.size(), rq.size());
  for (size_t i = 0; i < rq.size(); ++i) {
    const auto alone = b.generate({rq[i]}, sp);
    EXPECT_EQ(alone[0].text, batched[i].text) << i;
    EXPECT_GT(batched[i].n_tokens, 0);
    EXPECT_LT(batched[i].logprob, 0.0);
  }
  EXPECT_EQ(batched[0].text.rfind(", there was", 0), 0u) << batched[0].text;
  // Sampling: different seeds give different continuations (with overwhelming probability).
  sp.temperature = 1.0;
  auto r2 = rq;
  r2[0].seed = 1;
  r2[1] = r2[0];
  r2[1].seed = 2;
  r2.resize(2);
  const auto s = b.generate(r2, sp);
  EXPECT_NE(s[0].text, s[1].text);
  // Over-long prompt: an item error, not an exception.
  GenRequest longp;
  for (int i = 0; i < 400; ++i) longp.prompt += "the cat sat on the mat ";
  const auto e = b.generate({longp, rq[0]}, sp);
  EXPECT_EQ(e[0].finish, Finish::kError);
  EXPECT_EQ(e[0].error.rfind("prompt_too_long", 0), 0u);
  EXPECT_NE(e[1].finish, Finish::kError);
  // Option letters.
  ScoreRequest sr;
  sr.prompt = "Question: which one? A. cat B. dog C. bird. Answer:";
  const auto sc = b.score_choices({sr}, {"A", "B", "C"});
  ASSERT_TRUE(sc[0].error.empty());
  ASSERT_EQ(sc[0].scores.size(), 3u);
  for (double x : sc[0].scores) EXPECT_TRUE(std::isfinite(x) && x < 0);
  EXPECT_NE(b.choice_token("A"), b.choice_token("B"));

  // Prompts sharing a long prefix (the option orders of one item) are scored with the prefix
  // computed once; the scores equal scoring each prompt alone.
  std::vector<ScoreRequest> perms;
  for (const char* tail : {"A. cat B. dog C. bird", "A. dog B. bird C. cat", "A. bird B. cat C. dog, so"}) {
    ScoreRequest r;
    r.prompt = std::string("Once upon a time, there was a little girl named Lily. She saw ") + tail + ". Answer:";
    perms.push_back(r);
  }
  const auto shared = b.score_choices(perms, {"A", "B", "C"});
  EXPECT_GE(b.stats().counts.at("score_shared_runs"), 1);
  for (size_t i = 0; i < perms.size(); ++i) {
    const auto alone = b.score_choices({perms[i]}, {"A", "B", "C"});
    for (size_t c = 0; c < 3; ++c) EXPECT_NEAR(shared[i].scores[c], alone[0].scores[c], 1e-4) << i << " " << c;
  }
}
