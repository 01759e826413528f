// Requests per mode, seeds, item-level errors, and post-processing of generated text.
#include <gtest/gtest.h>

#include "generate/requests.h"
#include "util/hash.h"

using namespace because;
using namespace because::generate;

namespace {
corpus::Instance inst(const std::string& uid, const std::string& a, const std::string& b, int gold,
                      std::vector<uint16_t> counts = {}) {
  corpus::Instance i;
  i.uid = uid;
  i.text_a = a;
  i.text_b = b;
  i.gold = gold;
  i.label_counts = std::move(counts);
  return i;
}
PromptTemplate tmpl() { return PromptTemplate::parse("[prompt]\n{{premise}} / {{hypothesis}} -> {{label}}\n", "t"); }
}  // namespace

TEST(Requests, Modes) {
  std::vector<corpus::Instance> items = {inst("u1", "A", "B", 2, {1, 0, 2}), inst("u2", "C", "D", 0, {0, 3, 0})};
  const auto& nli = corpus::nli_labels();
  RequestOptions o;
  o.run_seed = 7;
  o.samples = 2;
  o.mode = Mode::kLabelFree;
  auto r = build_requests(items, tmpl(), nli, o);
  ASSERT_EQ(r.size(), 12u);  // 2 items x 3 labels x 2 samples
  EXPECT_EQ(r[0].gen.prompt, "A / B -> entailment");
  EXPECT_EQ(r[5].label, 2);
  EXPECT_EQ(r[5].sample, 1);
  EXPECT_EQ(r[5].gen.seed, hash::seed_of(7, "u1", 2, 1));
  EXPECT_NE(r[4].gen.seed, r[5].gen.seed);

  o.mode = Mode::kLabelGuided;
  r = build_requests(items, tmpl(), nli, o);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].gen.prompt, "A / B -> contradiction");
  EXPECT_EQ(r[2].label, 0);

  o.guide = Guide::kVotes;
  o.samples = 1;
  r = build_requests(items, tmpl(), nli, o);
  ASSERT_EQ(r.size(), 6u);  // 3 votes + 3 votes
  EXPECT_EQ(r[0].label, 0);
  EXPECT_EQ(r[1].label, 2);
  EXPECT_EQ(r[1].sample, 0);  // first contradiction vote
  EXPECT_EQ(r[2].label, 2);
  EXPECT_EQ(r[2].sample, 1);  // second contradiction vote
  EXPECT_EQ(r[5].label, 1);
  EXPECT_EQ(r[5].sample, 2);

  o.mode = Mode::kFree;
  auto free_t = PromptTemplate::parse("[prompt]\n{{premise}}\n", "t");
  r = build_requests(items, free_t, nli, o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].label, -1);
}

TEST(Requests, ItemErrors) {
  std::vector<corpus::Instance> items = {inst("u1", "A", "   ", 0), inst("u2", "A", "B", -1), inst("u3", "A", "B", 1)};
  RequestOptions o;
  auto r = build_requests(items, tmpl(), corpus::nli_labels(), o);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].error.rfind("empty_input", 0), 0u);
  EXPECT_EQ(r[1].error, "no_gold_label");
  EXPECT_TRUE(r[2].error.empty());
  o.guide = Guide::kVotes;
  r = build_requests({items[2]}, tmpl(), corpus::nli_labels(), o);
  EXPECT_EQ(r[0].error, "no_annotator_labels");
}

TEST(Postprocess, WhitespaceAndLists) {
  EXPECT_EQ(clean_whitespace("  a \t b  \n\n  c  \n\n"), "a b\n\nc");
  EXPECT_TRUE(postprocess("  \n \t ", Split::kNone).empty());
  EXPECT_EQ(postprocess(" one\n two ", Split::kNone), std::vector<std::string>{"one two"});
  const std::string list = "Here are explanations:\n1. First one.\n2) Second, much longer one\n   continued.\n- Third";
  EXPECT_EQ(split_list(list), (std::vector<std::string>{"First one.", "Second, much longer one continued.", "Third"}));
  EXPECT_EQ(postprocess(list, Split::kFirst), std::vector<std::string>{"First one."});
  EXPECT_EQ(postprocess(list, Split::kLongest), std::vector<std::string>{"Second, much longer one continued."});
  EXPECT_EQ(postprocess(list, Split::kAll).size(), 3u);
  EXPECT_EQ(split_list("no markers\nsecond line"), (std::vector<std::string>{"no markers", "second line"}));
  EXPECT_EQ(split_list("\xE2\x80\xA2 bullet a\n\xE2\x80\xA2 bullet b"), (std::vector<std::string>{"bullet a", "bullet b"}));
  EXPECT_EQ(split_list("(1) x\n(2) y"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(split_list("2024 was a year"), std::vector<std::string>{"2024 was a year"});
}
