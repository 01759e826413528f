// Adapters on small hand-made files: labels, bad-row reasons, quarantine completeness, sample corpus.
#include <gtest/gtest.h>

#include <set>

#include "corpus/dataset.h"
#include "corpus/stats.h"
#include "corpus/synth.h"
#include "test_util.h"
#include "util/error.h"

namespace because::corpus {
namespace {

std::map<std::string, int> reasons(const ChunkRead& r) {
  std::map<std::string, int> m;
  for (const auto& b : r.bad) ++m[b.reason];
  return m;
}

TEST(Adapters, MnliJsonlBadRowsAreQuarantinedWithLines) {
  const std::string s =
      "{\"premise\": \"caf\\u00e9 \\ud83d\\ude00 ok\", \"hypothesis\": \"h\", \"label\": \"entailment\"}\n"
      "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"maybe\"}\n"
      "{\"premise\": \"p\", \"hypothesis\": \"h\"\n"
      "{\"premise\": \"p\", \"label\": \"neutral\"}\n"
      "{\"premise\": \"  \", \"hypothesis\": \"h\", \"label\": \"neutral\"}\n"
      "{\"premise\": \"\xE9t\xE9\", \"hypothesis\": \"h\", \"label\": \"neutral\"}\n"
      "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": 2}\n"
      "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"contradiction\"}";  // no final newline
  const auto p = test::temp_file("dev_matched.jsonl", s);
  const auto c = Corpus::open(test::cfg_for(p, "mnli", 3), "");
  EXPECT_EQ(c.n_rows(), 8);
  EXPECT_EQ(c.n_chunks(), 3);
  const auto all = test::read_all(c);
  ASSERT_EQ(all.rows.size(), 3u);
  EXPECT_EQ(all.rows[0].text_a, "caf\xC3\xA9 \xF0\x9F\x98\x80 ok");
  EXPECT_EQ(all.rows[0].gold, 0);
  EXPECT_EQ(all.rows[0].split, "dev_matched");
  EXPECT_EQ(all.rows[0].uid, "mnli-dev_matched-0");
  EXPECT_EQ(all.rows[1].gold, 2);
  EXPECT_EQ(all.rows[2].row, 7);
  EXPECT_EQ(all.rows[2].source_line, 8);
  const auto m = reasons(all);
  EXPECT_EQ(m.at("unknown_label"), 1);
  EXPECT_EQ(m.at("malformed_json"), 1);
  EXPECT_EQ(m.at("missing_field"), 1);
  EXPECT_EQ(m.at("empty_text"), 1);
  EXPECT_EQ(m.at("invalid_utf8"), 1);
  std::set<int64_t> rows;
  for (const auto& r : all.rows) rows.insert(r.row);
  for (const auto& b : all.bad) {
    rows.insert(b.row);
    EXPECT_EQ(b.line, b.row + 1);
    EXPECT_EQ(b.file, p);
  }
  EXPECT_EQ(rows.size(), 8u);
}

// The layouts below as published (field order and extra fields included), a few rows each.
ChunkRead read_layout(const std::string& file_name, const std::string& text, const std::string& dataset) {
  return test::read_all(Corpus::open(test::cfg_for(test::temp_file(file_name, text), dataset, 256), ""));
}

TEST(Adapters, AnliJsonlWithReasons) {
  const std::string s =
      "{\"uid\": \"a1\", \"context\": \"The cat sat.\", \"hypothesis\": \"A cat sat.\", \"label\": \"e\", "
      "\"reason\": \"It says so.\"}\n"
      "{\"uid\": \"a2\", \"context\": \"The cat sat.\", \"hypothesis\": \"No cat.\", \"label\": \"c\", \"reason\": \"\"}\n"
      "{\"uid\": \"a3\", \"context\": \"c\", \"hypothesis\": \"h\", \"label\": \"x\"}\n"
      "{\"uid\": \"a4\", \"context\": \"c\", \"hypothesis\": \"h\", \"label\": \"n\", \"model_label\": \"e\", "
      "\"emturk\": true, \"genre\": \"wiki\", \"tag\": \"r1\"}\n";
  const auto all = read_layout("dev.jsonl", s, "anli");
  ASSERT_EQ(all.rows.size(), 3u);
  EXPECT_EQ(all.rows[0].uid, "a1");
  EXPECT_EQ(all.rows[0].gold, 0);
  EXPECT_EQ(all.rows[0].text_a, "The cat sat.");
  ASSERT_EQ(all.rows[0].human_explanations.size(), 1u);  // the writer's reason, for the gold label
  EXPECT_EQ(all.rows[0].human_explanations[0].text, "It says so.");
  EXPECT_EQ(all.rows[0].human_explanations[0].label, 0);
  EXPECT_EQ(all.rows[1].gold, 2);
  EXPECT_TRUE(all.rows[1].human_explanations.empty());  // an empty reason is no explanation
  EXPECT_EQ(all.rows[2].uid, "a4");
  EXPECT_EQ(all.rows[2].gold, 1);
  ASSERT_EQ(all.bad.size(), 1u);
  EXPECT_EQ(all.bad[0].reason, "unknown_label");
  EXPECT_EQ(all.bad[0].line, 3);
}

TEST(Adapters, MultiNli10OriginalLayout) {
  const std::string s =
      "{\"annotator_labels\": [\"neutral\", \"entailment\", \"neutral\"], \"genre\": \"fiction\", \"gold_label\": "
      "\"neutral\", \"pairID\": \"1n\", \"promptID\": \"1\", \"sentence1\": \"A man walks.\", "
      "\"sentence1_binary_parse\": \"( A man )\", \"sentence2\": \"A man walks home.\", \"sentence2_parse\": \"(ROOT)\"}\n"
      "{\"annotator_labels\": [\"neutral\", \"entailment\", \"contradiction\"], \"gold_label\": \"-\", \"pairID\": "
      "\"2x\", \"sentence1\": \"p\", \"sentence2\": \"h\"}\n";
  const auto all = read_layout("multinli_1.0_dev_matched.jsonl", s, "mnli");
  ASSERT_EQ(all.rows.size(), 2u);
  EXPECT_TRUE(all.bad.empty());
  EXPECT_EQ(all.rows[0].uid, "1n");
  EXPECT_EQ(all.rows[0].gold, 1);
  EXPECT_EQ(all.rows[0].text_b, "A man walks home.");
  EXPECT_EQ(all.rows[0].label_counts, (std::vector<uint16_t>{1, 2, 0}));  // entailment, neutral, contradiction
  EXPECT_EQ(all.rows[1].gold, -1);  // "-": no gold label, the row is kept
  EXPECT_EQ(all.rows[1].label_counts, (std::vector<uint16_t>{1, 1, 1}));
}

TEST(Adapters, GlueMnliTsvWithHeader) {
  const std::string s =
      "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
      "sentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label\n"
      "0\t31193\t31193n\tgovernment\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tConceptually cream skimming has two basic "
      "dimensions.\tProduct and geography are what make cream skimming work.\tneutral\tneutral\n"
      "1\t101457\t101457e\ttelephone\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tyou know during the season\tYou lose the "
      "things.\tentailment\tentailment\n"
      "2\t1\t1x\tfiction\ta\tb\ta\tb\tp\th\tneutral\tmaybe\n";
  const auto all = read_layout("dev_matched.tsv", s, "mnli");
  ASSERT_EQ(all.rows.size(), 2u);
  EXPECT_EQ(all.rows[0].uid, "31193n");
  EXPECT_EQ(all.rows[0].gold, 1);
  EXPECT_EQ(all.rows[0].text_a, "Conceptually cream skimming has two basic dimensions.");
  EXPECT_EQ(all.rows[0].split, "dev_matched");
  EXPECT_EQ(all.rows[1].gold, 0);
  EXPECT_EQ(all.rows[1].source_line, 3);  // the header is line 1
  ASSERT_EQ(all.bad.size(), 1u);
  EXPECT_EQ(all.bad[0].reason, "unknown_label");
  EXPECT_EQ(all.bad[0].line, 4);
  EXPECT_TRUE(all.rows[0].label_counts.empty());  // a lone label1 (train files) is no distribution
}

TEST(Adapters, MnliTsvAnnotatorLabelsAndPlainLabelColumn) {
  // GLUE's dev layout: label1..label5 become the label counts.
  auto all = read_layout("dev_mismatched.tsv",
                         "pairID\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n"
                         "7n\tp\th\tneutral\tentailment\tneutral\tneutral\tcontradiction\tneutral\n"
                         "8e\tp\th\tentailment\t\t\t\t\tentailment\n"
                         "9x\tp\th\tneutral\tsideways\tneutral\tneutral\tneutral\tneutral\n",
                         "mnli");
  ASSERT_EQ(all.rows.size(), 2u);
  EXPECT_EQ(all.rows[0].label_counts, (std::vector<uint16_t>{1, 3, 1}));
  EXPECT_EQ(all.rows[1].label_counts, (std::vector<uint16_t>{1, 0, 0}));  // empty cells: no vote
  ASSERT_EQ(all.bad.size(), 1u);
  EXPECT_EQ(all.bad[0].detail, "label2: 'sideways'");
  // Exports that call the gold column "label".
  all = read_layout("train.tsv", "sentence1\tsentence2\tlabel\np\th\tcontradiction\np\th\tmaybe\n", "mnli");
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(all.rows[0].gold, 2);
  ASSERT_EQ(all.bad.size(), 1u);
  EXPECT_EQ(all.bad[0].detail, "label: 'maybe'");
}

TEST(Adapters, OversizeRowGoesToQuarantine) {
  const std::string big = "{\"premise\":\"" + std::string(10 << 20, 'y') + "\",\"hypothesis\":\"h\",\"label\":\"neutral\"}\n";
  const auto p = test::temp_file("big.jsonl", big + "{\"premise\":\"p\",\"hypothesis\":\"h\",\"label\":\"neutral\"}\n");
  auto cfg = test::cfg_for(p, "mnli");
  auto all = test::read_all(Corpus::open(cfg, ""));
  ASSERT_EQ(all.bad.size(), 1u);
  EXPECT_EQ(all.bad[0].reason, "oversize");
  EXPECT_EQ(all.rows.size(), 1u);
  cfg.max_row_bytes = 32 << 20;
  all = test::read_all(Corpus::open(cfg, ""));
  ASSERT_EQ(all.rows.size(), 2u);
  EXPECT_EQ(all.rows[0].text_a.size(), size_t(10 << 20));
}

TEST(Adapters, GenericCsvWithCustomLabelsAndEmbeddedNewlines) {
  const auto p = test::temp_file("gen.csv",
                                 "id,claim,evidence,verdict,why\r\n"
                                 "a1,\"first\nclaim\",ev,yes,\"because, \"\"so\"\"\"\r\n"
                                 "a2,second,ev2,no,\r\n"
                                 "a3,third,ev3,perhaps,x\r\n"
                                 "a4,fourth,ev4\r\n");
  auto cfg = test::cfg_for(p, "generic");
  cfg.text_a = "claim";
  cfg.text_b = "evidence";
  cfg.label = "verdict";
  cfg.uid = "id";
  cfg.explanation = "why";
  cfg.labels.items = {"yes", "no"};
  const auto c = Corpus::open(cfg, "");
  EXPECT_EQ(c.labels().size(), 2);
  const auto all = test::read_all(c);
  ASSERT_EQ(all.rows.size(), 2u);
  EXPECT_EQ(all.rows[0].text_a, "first\nclaim");
  EXPECT_EQ(all.rows[0].human_explanations.at(0).text, "because, \"so\"");
  EXPECT_EQ(all.rows[1].gold, 1);
  const auto m = reasons(all);
  EXPECT_EQ(m.at("unknown_label"), 1);
  EXPECT_EQ(m.at("wrong_field_count"), 1);
  EXPECT_EQ(all.bad[0].line, 5);
  auto bad = cfg;
  bad.text_a = "nope";
  EXPECT_THROW(Corpus::open(bad, ""), InputError);
}

TEST(Adapters, DetectionAndUnknownDataset) {
  EXPECT_EQ(detect_dataset(test::temp_file("x.jsonl", "{\"uid\":\"1\",\"premise\":\"p\",\"hypothesis\":\"h\",\"label\":\"e\",\"explanations\":[]}\n")), "sample");
  EXPECT_EQ(detect_dataset(test::temp_file("y.tsv", "neutral\tp\th\n")), "mnli");
  EXPECT_EQ(detect_dataset(test::temp_file("z.txt", "text;label_name\ni feel fine;joy\n")), "emotion");
  EXPECT_EQ(detect_dataset(test::temp_file("w.csv", "a,b\n1,2\n")), "");
  auto cfg = test::cfg_for(test::temp_file("w2.csv", "a,b\n1,2\n"), "auto");
  EXPECT_THROW(Corpus::open(cfg, ""), InputError);
  cfg.dataset = "nonsense";
  EXPECT_THROW(Corpus::open(cfg, ""), ConfigError);
  EXPECT_EQ(parse_label(nli_labels(), "Contradiction"), 2);
  EXPECT_EQ(parse_label(nli_labels(), "n"), 1);
  EXPECT_EQ(parse_label(nli_labels(), "7"), -1);
  EXPECT_EQ(parse_label(healthfc_labels(), "NEI"), 1);
}

TEST(Adapters, SampleCorpusIsCompleteAndBalanced) {
  const char* src = std::getenv("BECAUSE_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  const auto c = Corpus::open(test::cfg_for(std::string(src) + "/data/sample/sample.jsonl"), "");
  EXPECT_EQ(c.dataset(), "sample");
  const auto all = test::read_all(c);
  EXPECT_TRUE(all.bad.empty());
  ASSERT_GE(all.rows.size(), 200u);
  CorpusStats st;
  st.add(all);
  EXPECT_EQ(st.per_label[0], st.per_label[1]);
  EXPECT_EQ(st.per_label[1], st.per_label[2]);
  EXPECT_EQ(st.per_label[3], 0);
  EXPECT_EQ(st.with_explanations, st.good);
  EXPECT_EQ(st.per_split.size(), 3u);
  std::set<std::string> uids;
  for (const auto& r : all.rows) uids.insert(r.uid);
  EXPECT_EQ(uids.size(), all.rows.size());
}

TEST(Adapters, SampleRowsFieldByField) {
  const auto p = test::temp_file("fields.jsonl",
      "{\"uid\":\"a\",\"premise\":\"P\",\"hypothesis\":\"H\",\"label\":\"neutral\",\"explanations\":[\"x\",\"\",\"y\"],\"split\":\"dev\"}\n"
      "{\"split\":\"test\",\"explanations\":\"only one\",\"label\":2,\"hypothesis\":\"H\",\"premise\":\"P\",\"uid\":17}\n"
      "{\"uid\":\"dup\",\"uid\":\"second\",\"premise\":\"P\",\"hypothesis\":\"H\",\"label\":\"entailment\",\"annotator_labels\":[\"entailment\",\"neutral\",\"entailment\"]}\n"
      "{\"uid\":\"c\",\"premise\":null,\"hypothesis\":\"H\",\"label\":\"neutral\"}\n"
      "{\"uid\":\"d\",\"premise\":\"P\",\"hypothesis\":\"H\"}\n"
      "{\"premise\":\"P\",\"hypothesis\":\"H\",\"label\":\"neutral\"}\n"
      "{\"uid\":\"e\",\"premise\":\"P\",\"hypothesis\":\"H\",\"label\":\"maybe\"}\n"
      "{\"uid\":\"f\",\"premise\":\"P\",\"hypothesis\":\"H\",\"label\":\"neutral\",\"annotator_labels\":[\"neutral\",\"what\"]}\n");
  const auto all = test::read_all(Corpus::open(test::cfg_for(p, "sample"), ""));
  ASSERT_EQ(all.rows.size(), 3u);
  EXPECT_EQ(all.rows[0].uid, "a");
  EXPECT_EQ(all.rows[0].gold, 1);
  EXPECT_EQ(all.rows[0].split, "dev");
  ASSERT_EQ(all.rows[0].human_explanations.size(), 2u);
  EXPECT_EQ(all.rows[0].human_explanations[1].text, "y");
  EXPECT_EQ(all.rows[0].human_explanations[1].label, 1);
  EXPECT_EQ(all.rows[1].uid, "17");
  EXPECT_EQ(all.rows[1].gold, 2);
  EXPECT_EQ(all.rows[1].split, "test");
  ASSERT_EQ(all.rows[1].human_explanations.size(), 1u);
  EXPECT_EQ(all.rows[1].human_explanations[0].text, "only one");
  EXPECT_EQ(all.rows[2].uid, "dup");  // the first of duplicate keys
  EXPECT_EQ(all.rows[2].split, "train");
  EXPECT_EQ(all.rows[2].label_counts, (std::vector<uint16_t>{2, 1, 0}));
  ASSERT_EQ(all.bad.size(), 5u);
  EXPECT_EQ(all.bad[0].reason, "missing_field");
  EXPECT_NE(all.bad[0].detail.find("premise"), std::string::npos);
  EXPECT_EQ(all.bad[1].reason, "missing_field");
  EXPECT_NE(all.bad[1].detail.find("label"), std::string::npos);
  EXPECT_EQ(all.bad[2].reason, "missing_field");
  EXPECT_NE(all.bad[2].detail.find("uid"), std::string::npos);
  EXPECT_EQ(all.bad[3].reason, "unknown_label");
  EXPECT_EQ(all.bad[4].reason, "unknown_label");
  EXPECT_EQ(all.bad[4].line, 8);
}

TEST(Synth, WritesReadableCorpusWithAllLabels) {
  const auto p = test::temp_file("synth.jsonl", "");
  const auto res = write_synthetic(p, 3000, 7);
  EXPECT_EQ(res.rows, 3000);
  const auto all = test::read_all(Corpus::open(test::cfg_for(p), ""));
  EXPECT_TRUE(all.bad.empty());
  ASSERT_EQ(all.rows.size(), 3000u);
  CorpusStats st;
  st.add(all);
  for (int l = 0; l < 3; ++l) EXPECT_GT(st.per_label[l], 800);
  EXPECT_GT(st.with_explanations, 500);
  EXPECT_LT(st.with_explanations, 1000);
  EXPECT_GT(st.len_a.percentile(0.99), 2 * st.len_a.percentile(0.5));
}

}  // namespace
}  // namespace because::corpus
