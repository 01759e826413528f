// Every real corpus under $BECAUSE_SHARED/data parses with the row counts and label
// distributions counted independently with Python's json/csv modules (skipped when absent).
#include <gtest/gtest.h>

#include "corpus/dataset.h"
#include "corpus/stats.h"
#include "test_util.h"

namespace because::corpus {
namespace {

std::string shared(const std::string& rel) {
  const char* s = std::getenv("BECAUSE_SHARED");
  if (!s) return "";
  const std::string p = std::string(s) + "/data/" + rel;
  return std::filesystem::exists(p) ? p : "";
}

struct Expect {
  const char* rel;
  const char* dataset;     // expected detected dataset
  int64_t rows;
  std::vector<int64_t> per_label;  // per label, then no-gold
};

class RealFile : public ::testing::TestWithParam<Expect> {};

TEST_P(RealFile, RowsAndLabels) {
  const Expect& e = GetParam();
  const std::string p = shared(e.rel);
  if (p.empty()) GTEST_SKIP() << "BECAUSE_SHARED data absent: " << e.rel;
  EXPECT_EQ(detect_dataset(p), e.dataset);
  const auto c = Corpus::open(test::cfg_for(p, "auto", 100), "");
  EXPECT_EQ(c.dataset(), e.dataset);
  EXPECT_EQ(c.n_rows(), e.rows);
  const auto all = test::read_all(c);
  for (const auto& b : all.bad) ADD_FAILURE() << b.file << ":" << b.line << " " << b.reason << " " << b.detail;
  CorpusStats st(c.labels().size());
  st.add(all);
  EXPECT_EQ(st.rows, e.rows);
  EXPECT_EQ(st.per_label, e.per_label);
}

// Counts from /usr/bin/python3 (json.loads per line, csv.DictReader, str.rsplit(';')).
INSTANTIATE_TEST_SUITE_P(
    Shared, RealFile,
    ::testing::Values(
        Expect{"mnli/dev_matched.jsonl", "mnli", 9815, {3479, 3123, 3213, 0}},
        Expect{"mnli/dev_mismatched_1000_ptb.tsv", "mnli", 1000, {346, 319, 335, 0}},
        Expect{"snli/dev.jsonl", "snli", 9842, {3329, 3235, 3278, 0}},
        Expect{"snli/snli_1.0_dev_partial.jsonl", "snli", 1289, {433, 421, 419, 16}},
        Expect{"anli/ANLI_analysis_r1_dev.csv", "anli", 1000, {334, 333, 333, 0}},
        Expect{"anli/ANLI_analysis_r2_dev.csv", "anli", 1000, {334, 333, 333, 0}},
        Expect{"anli/ANLI_analysis_r3_dev.csv", "anli", 1198, {402, 400, 396, 0}},
        Expect{"chaosnli/chaosNLI_snli.jsonl", "chaosnli", 1514, {421, 813, 280, 0}},
        Expect{"chaosnli/chaosNLI_mnli_m.jsonl", "chaosnli", 1599, {741, 583, 275, 0}},
        Expect{"esnli/dev", "esnli", 9842, {3329, 3235, 3278, 0}},
        Expect{"esnli/train_sample_original_format.csv", "esnli", 90, {30, 30, 30, 0}},
        Expect{"mjd/NLI_explanations.json", "mjd", 341, {108, 152, 81, 0}},
        // nli-disagreement: gold only where gold_label is one letter ("nc" etc.: no gold).
        Expect{"nli-disagreement/dev.jsonl", "nli-disagreement", 816, {167, 167, 167, 315}},
        Expect{"nli-disagreement/train.jsonl", "nli-disagreement", 2710, {555, 555, 555, 1045}},
        Expect{"nli-disagreement/test.jsonl", "nli-disagreement", 1956, {395, 395, 395, 771}},
        Expect{"nli-disagreement/taxonomy_round1_release.jsonl", "nli-disagreement", 400, {116, 186, 98, 0}},
        Expect{"nli-disagreement/taxonomy_round2_release.jsonl", "nli-disagreement", 110, {32, 48, 30, 0}},
        Expect{"healthfc/Datensatz.csv", "healthfc", 750, {202, 423, 125, 0}},
        // varierr: gold = the unique most frequent label of label_count_round_2 (else round 1);
        // livenli: of the five MNLI labels (a list literal, or one label written plainly).
        Expect{"varierr/varierr.json", "varierr", 500, {117, 243, 77, 63}},
        Expect{"livenli/livenli.csv", "livenli", 1405, {302, 303, 200, 600}},
        Expect{"emotion/train.txt", "emotion", 16000, {4666, 5362, 1304, 2159, 1937, 572, 0}},
        Expect{"emotion/val.txt", "emotion", 2000, {550, 704, 178, 275, 212, 81, 0}},
        Expect{"emotion/test.txt", "emotion", 2000, {581, 695, 159, 275, 224, 66, 0}},
        // Every one of the first study's 16 explanation files.
        Expect{"helpful-nle/explanations_gemma2_esnli_balanced_final_FS3.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_gemma2_esnli_balanced_final_ZS2.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_gemma2_HFC_final_FS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_gemma2_HFC_final_ZS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_gpt4o_esnli_balanced_final_FS3.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_gpt4o_esnli_balanced_final_ZS2.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_gpt4o_HFC_final_FS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_gpt4o_HFC_final_ZS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_llama3_esnli_balanced_final_FS3.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_llama3_esnli_balanced_final_ZS2.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_llama3_HFC_final_FS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_llama3_HFC_final_ZS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_mixtral_esnli_balanced_final_FS3.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_mixtral_esnli_balanced_final_ZS2.csv", "helpful-nle", 840, {280, 280, 280, 0}},
        Expect{"helpful-nle/explanations_mixtral_HFC_final_FS2.csv", "helpful-nle", 750, {202, 423, 125, 0}},
        Expect{"helpful-nle/explanations_mixtral_HFC_final_ZS2.csv", "helpful-nle", 750, {202, 423, 125, 0}}));

TEST(RealFiles, MultiLabelAndExplanationLayouts) {
  // nli-disagreement: gold only for single-label items (python: 501 of 816 have one letter).
  std::string p = shared("nli-disagreement/dev.jsonl");
  if (p.empty()) GTEST_SKIP() << "BECAUSE_SHARED data absent";
  auto all = test::read_all(Corpus::open(test::cfg_for(p), ""));
  EXPECT_TRUE(all.bad.empty());
  ASSERT_EQ(all.rows.size(), 816u);
  int64_t single = 0;
  for (const auto& r : all.rows) single += r.gold >= 0;
  EXPECT_EQ(single, 501);
  // mjd: 1364 expert comments in all.
  all = test::read_all(Corpus::open(test::cfg_for(shared("mjd/NLI_explanations.json")), ""));
  int64_t comments = 0;
  for (const auto& r : all.rows) comments += static_cast<int64_t>(r.human_explanations.size());
  EXPECT_EQ(comments, 1364);
  // VariErr and LiveNLI: every row reads.
  all = test::read_all(Corpus::open(test::cfg_for(shared("varierr/varierr.json")), ""));
  EXPECT_TRUE(all.bad.empty());
  EXPECT_EQ(all.rows.size(), 500u);
  all = test::read_all(Corpus::open(test::cfg_for(shared("livenli/livenli.csv")), ""));
  for (const auto& b : all.bad) ADD_FAILURE() << b.line << " " << b.reason << " " << b.detail;
  EXPECT_EQ(all.rows.size(), 1405u);
  // ChaosNLI alphaNLI is another task: every row is reported, none adapted.
  all = test::read_all(Corpus::open(test::cfg_for(shared("chaosnli/chaosNLI_alphanli.jsonl")), ""));
  EXPECT_EQ(all.rows.size(), 0u);
  ASSERT_EQ(all.bad.size(), 1532u);
  EXPECT_EQ(all.bad[0].reason, "unsupported_row");
  // helpful-nle LLM explanations join the instances by uid.
  p = shared("helpful-nle/explanations_gpt4o_esnli_balanced_final_ZS2.csv");
  const auto inst = test::read_all(Corpus::open(test::cfg_for(p), ""));
  std::vector<std::pair<int64_t, std::string>> bad;
  const auto llm = read_helpful_nle_explanations(p, &bad);
  EXPECT_TRUE(bad.empty());
  ASSERT_EQ(llm.size(), 840u);
  EXPECT_EQ(llm[0].model, "gpt4o");
  EXPECT_EQ(llm[0].condition, "ZS2");
  EXPECT_EQ(llm[5].uid, inst.rows[5].uid);
  EXPECT_EQ(llm[5].label, inst.rows[5].gold);
}

}  // namespace
}  // namespace because::corpus
