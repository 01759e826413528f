// The import backend: CSV (quoted fields with newlines) and JSONL, matched by uid or by text.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "corpus/adapters.h"
#include "generate/import_backend.h"
#include "util/error.h"

using namespace because;
using namespace because::generate;

namespace {
std::string write_tmp(const std::string& name, const std::string& text) {
  const std::string p = ::testing::TempDir() + name;
  std::ofstream(p) << text;
  return p;
}
corpus::Instance inst(const std::string& uid, const std::string& a, const std::string& b) {
  corpus::Instance i;
  i.uid = uid;
  i.text_a = a;
  i.text_b = b;
  return i;
}
}  // namespace

TEST(Import, ParseCsv) {
  auto rows = parse_csv("a,b,c\n1,\"x, \"\"y\"\"\nz\",3\r\n\n4,,6");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], "x, \"y\"\nz");
  EXPECT_EQ(rows[2][1], "");
  EXPECT_THROW(parse_csv("a,\"b"), InputError);
}

TEST(Import, CsvByTextWithLabels) {
  const auto p = write_tmp("imp.csv",
                           "premise,hypothesis,label,explanation,human_explanation\n"
                           "A  man sleeps.,A person rests.,0,\"Sleeping is,\nresting.\",h\n"
                           "A man sleeps.,A person rests.,2,Other label.,h\n");
  ImportOptions o;
  o.path = p;
  o.match = "text";
  ImportBackend b(o);
  EXPECT_EQ(b.n_rows(), 2u);
  auto i1 = inst("u", "a man SLEEPS.", "A person rests.");
  auto i2 = inst("v", "Nothing", "here");
  std::vector<GenRequest> rq(4);
  rq[0].instance = &i1;
  rq[0].label = 0;
  rq[1].instance = &i1;
  rq[1].label = 2;
  rq[2].instance = &i1;
  rq[2].label = 1;
  rq[3].instance = &i2;
  rq[3].label = 0;
  auto r = b.generate(rq, {});
  EXPECT_EQ(r[0].text, "Sleeping is,\nresting.");
  EXPECT_EQ(r[1].text, "Other label.");
  EXPECT_EQ(r[2].finish, Finish::kError);
  EXPECT_EQ(r[3].error.rfind("not_in_import", 0), 0u);
}

TEST(Import, JsonlByUidSamples) {
  const auto p = write_tmp("imp.jsonl", "{\"uid\": \"u1\", \"explanation\": \"one\"}\n{\"uid\": \"u1\", \"explanation\": \"two\"}\n");
  ImportOptions o;
  o.path = p;
  ImportBackend b(o);
  auto i1 = inst("u1", "a", "b");
  std::vector<GenRequest> rq(3);
  for (int s = 0; s < 3; ++s) {
    rq[s].instance = &i1;
    rq[s].sample = s;
  }
  auto r = b.generate(rq, {});
  EXPECT_EQ(r[0].text, "one");
  EXPECT_EQ(r[1].text, "two");
  EXPECT_EQ(r[2].finish, Finish::kError);
  EXPECT_THROW(b.score_choices({}, {"A"}), BackendError);
}

TEST(Import, FirstStudyReleasedFile) {
  const char* shared = std::getenv("BECAUSE_SHARED");
  if (!shared) GTEST_SKIP() << "BECAUSE_SHARED not set";
  const std::string p = std::string(shared) + "/data/helpful-nle/explanations_gpt4o_esnli_balanced_final_ZS2.csv";
  std::ifstream probe(p);
  if (!probe) GTEST_SKIP() << p << " absent";
  ImportOptions o;
  o.path = p;
  o.match = "text";
  ImportBackend b(o);
  EXPECT_EQ(b.n_rows(), 840u);
  auto i1 = inst("x", "Person in green gear does trick in midair with motorcycle.",
                 "Person in gear does trick in midair with motorcycle.");
  GenRequest rq;
  rq.instance = &i1;
  rq.label = 0;
  auto r = b.generate({rq}, {});
  EXPECT_EQ(r[0].text.rfind("The premise specifies that the person is wearing green gear", 0), 0u);
}

TEST(Import, HelpfulNleHealthFcByAdapterUid) {
  // HealthFC rows of the first study: the adapter joins the evidence list into text_b, so a text
  // match cannot find them; import_match = helpful-nle matches by the adapter's uid.
  const std::string claim = "Do masks help?", evidence = "['Masks slow spread.', 'Fit matters.']";
  const auto p = write_tmp("explanations_m_HFC_final_ZS2.csv",
                           "en_claim,en_filtered_sentences,label,explanation,human_explanation\n" + claim + ",\"" +
                               evidence + "\",0,They do.,Studies show it.\n");
  auto i = inst(corpus::detail::helpful_nle_uid(true, claim, evidence), claim, "Masks slow spread. Fit matters.");
  std::vector<GenRequest> rq(1);
  rq[0].instance = &i;
  rq[0].label = 0;
  ImportOptions o;
  o.path = p;
  o.match = "helpful-nle";
  EXPECT_EQ(ImportBackend(o).generate(rq, {})[0].text, "They do.");
  o.match = "text";
  EXPECT_EQ(ImportBackend(o).generate(rq, {})[0].finish, Finish::kError);
  o.match = "other";
  EXPECT_THROW(ImportBackend{o}, ConfigError);
}
