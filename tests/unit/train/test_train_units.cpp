// Pieces of the training layer checked against hand-worked values: learning-rate schedules,
// prompt rendering, label parsing, classifier input layout and truncation, checkpoints.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <filesystem>

#include "text/trainer.h"
#include "train/checkpoint.h"
#include "train/decoder_tasks.h"
#include "train/inputs.h"
#include "train/optim.h"
#include "train/schedule.h"
#include "util/error.h"
#include "util/files.h"

namespace because::train {
namespace {

TEST(Schedule, WarmupThenLinearOrCosine) {
  // 2 warm-up steps of 10: (s+1)/(w+1), then decay over the remaining 8 steps.
  EXPECT_DOUBLE_EQ(lr_factor("linear", 0, 2, 10), 1.0 / 3);
  EXPECT_DOUBLE_EQ(lr_factor("linear", 1, 2, 10), 2.0 / 3);
  EXPECT_DOUBLE_EQ(lr_factor("linear", 2, 2, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor("linear", 6, 2, 10), 0.5);
  EXPECT_DOUBLE_EQ(lr_factor("linear", 10, 2, 10), 0.0);
  EXPECT_NEAR(lr_factor("cosine", 6, 2, 10), 0.5, 1e-12);
  EXPECT_NEAR(lr_factor("cosine", 4, 2, 10), 0.5 * (1 + std::cos(M_PI * 0.25)), 1e-12);
  EXPECT_DOUBLE_EQ(lr_factor("constant", 9, 2, 10), 1.0);
  EXPECT_THROW(lr_factor("step", 0, 0, 1), ConfigError);
  EXPECT_EQ(warmup_steps(0.1, 200), 20);
  EXPECT_EQ(warmup_steps(30, 200), 30);
}

TEST(LossScaler, HalvesOnOverflowAndGrowsAfterCleanSteps) {
  LossScaler off(false);
  off.update(true);
  EXPECT_EQ(off.scale(), 1.0);  // disabled: always 1
  LossScaler s(true, 1024.0, 3);
  s.update(true);
  EXPECT_EQ(s.scale(), 512.0);
  s.update(false);
  s.update(false);
  EXPECT_EQ(s.scale(), 512.0);
  s.update(true);  // an overflow restarts the count
  s.update(false);
  s.update(false);
  EXPECT_EQ(s.scale(), 256.0);
  s.update(false);
  EXPECT_EQ(s.scale(), 512.0);
  EXPECT_EQ(s.clean_steps(), 0);
  for (int i = 0; i < 40; ++i) s.update(true);
  EXPECT_EQ(s.scale(), 1.0);  // never below 1
  s.restore(4096.0, 2);
  EXPECT_EQ(s.scale(), 4096.0);
  s.update(false);
  EXPECT_EQ(s.scale(), 8192.0);
}

TEST(GradNorm, ClipsAndReportsOverflow) {
  auto a = torch::zeros({2}, torch::requires_grad());
  auto b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});
  NamedTensors p{{"a", a}, {"b", b}};
  EXPECT_DOUBLE_EQ(grad_sq_norm(p), 25.0);
  EXPECT_DOUBLE_EQ(clip_factor(5.0, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(clip_factor(5.0, 10.0), 1.0);
  EXPECT_NEAR(clip_factor(5.0, 1.0), 0.2, 1e-6);
  EXPECT_NEAR(clip_grad_norm(p, 1.0), 5.0, 1e-12);
  EXPECT_NEAR(std::sqrt(grad_sq_norm(p)), 1.0, 1e-6);
  b.mutable_grad() = torch::tensor({std::numeric_limits<float>::infinity()});
  EXPECT_FALSE(std::isfinite(grad_sq_norm(p)));
}

TEST(Reasoning, ParsesTheLastLabel) {
  const std::vector<std::string> labels = {"sadness", "joy", "love", "anger", "fear", "surprise"};
  EXPECT_EQ(parse_label("Reasoning: the writer is happy.\nLabel: joy", labels), 1);
  EXPECT_EQ(parse_label("Label: Fear and more", labels), 4);
  EXPECT_EQ(parse_label("Label: sad", labels), -1);
  EXPECT_EQ(parse_label("no label here", labels), -1);
}

class Inputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (std::filesystem::temp_directory_path() / ("because-inputs-" + std::to_string(::getpid()))).string();
    text::BpeTrainOptions o;
    o.vocab_size = 300;
    text::train_bpe_tokenizer({"the cat sat on the mat", "a dog ran in the park", "because the cat is an animal"}, o, dir_);
    tok_ = text::Tokenizer::load(dir_).release();
  }
  static void TearDownTestSuite() {
    delete tok_;
    files::remove_tree(dir_);
  }
  static std::string dir_;
  static text::Tokenizer* tok_;
};
std::string Inputs::dir_;
text::Tokenizer* Inputs::tok_ = nullptr;

TEST_F(Inputs, SegmentsAndSeparators) {
  const auto [cls, sep] = cls_sep_ids(*tok_);
  InputSettings s;
  const auto a = tok_->encode("the cat", false), b = tok_->encode("a dog", false), e = tok_->encode("an animal", false);
  auto enc = encode_input(*tok_, "the cat", "a dog", "an animal", s);
  std::vector<int32_t> want{cls};
  want.insert(want.end(), a.begin(), a.end());
  want.push_back(sep);
  want.insert(want.end(), b.begin(), b.end());
  want.push_back(sep);
  want.insert(want.end(), e.begin(), e.end());
  want.push_back(sep);
  EXPECT_EQ(enc.ids, want);
  EXPECT_EQ(enc.types[0], 0);
  EXPECT_EQ(enc.types[a.size() + 1], 0);      // first [SEP]
  EXPECT_EQ(enc.types[a.size() + 2], 1);      // B starts segment 1
  s.format = "pair";
  auto pair = encode_input(*tok_, "the cat", "a dog", "an animal", s);
  EXPECT_EQ(pair.ids.size(), want.size() - 1);  // A and B share a segment: one [SEP] fewer
  EXPECT_EQ(pair.types[1 + a.size() + b.size()], 0);
  EXPECT_EQ(pair.types.back(), 1);
}

TEST_F(Inputs, TruncationKeepsTheBudget) {
  InputSettings s;
  s.max_length = 10;
  const std::string longer = "the cat sat on the mat because the cat is an animal in the park";
  auto enc = encode_input(*tok_, longer, "a dog", "an animal", s);
  EXPECT_EQ(enc.ids.size(), 10u);
  s.truncation = "only_second";
  auto enc2 = encode_input(*tok_, "the cat", "a dog ran in the park", longer, s);
  EXPECT_EQ(enc2.ids.size(), 10u);
  const auto a = tok_->encode("the cat", false);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), enc2.ids.begin() + 1));  // A untouched
}

TEST(Explanations, Selection) {
  const std::vector<std::string> labels = {"entailment", "neutral", "contradiction"};
  std::vector<ExplanationText> ex = {{"second", 2}, {"zeroth", 0}, {"more", 0}};
  EXPECT_EQ(explanation_text(ex, "first", labels), "second");
  EXPECT_EQ(explanation_text(ex, "all", labels), "second zeroth more");
  EXPECT_EQ(explanation_text(ex, "per_label", labels), "entailment: zeroth contradiction: second");
  EXPECT_EQ(explanation_text({}, "first", labels), "");
}

TEST(Checkpoint, SavesAndRestoresModelOptimizerAndPosition) {
  const std::string dir = (std::filesystem::temp_directory_path() / ("because-ckpt-" + std::to_string(::getpid()))).string();
  torch::manual_seed(0);
  auto w = torch::randn({3, 4}).requires_grad_();
  auto b = torch::zeros({4}).requires_grad_();
  NamedTensors params{{"w", w}, {"b", b}};
  auto opt = make_adamw(params, AdamWSettings{});
  (w.sum() + b.sum()).backward();
  opt->step();
  LoopState st;
  st.step = 7;
  st.epoch = 1;
  st.batch = 2;
  st.fingerprint = "x";
  save_checkpoint(dir, params, *opt, st);
  EXPECT_TRUE(files::exists(dir + "/step-000000007/model.pt"));
  auto w2 = torch::zeros({3, 4}).requires_grad_();
  auto b2 = torch::ones({4}).requires_grad_();
  NamedTensors p2{{"w", w2}, {"b", b2}};
  auto opt2 = make_adamw(p2, AdamWSettings{});
  auto loaded = load_checkpoint(dir, p2, *opt2);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->step, 7);
  EXPECT_EQ(loaded->batch, 2);
  EXPECT_TRUE(torch::equal(w, w2));
  // Same optimizer state: one more identical step gives identical weights.
  for (auto* o : {opt.get(), opt2.get()}) o->zero_grad();
  (w.sum() + b.sum()).backward();
  (w2.sum() + b2.sum()).backward();
  opt->step();
  opt2->step();
  EXPECT_TRUE(torch::equal(w, w2));
  auto bad = torch::zeros({2, 2});
  EXPECT_THROW(load_tensors(dir + "/step-000000007/model.pt", {{"w", bad}}), ModelError);
  files::remove_tree(dir);
}

}  // namespace
}  // namespace because::train
