// `because store import`: explanations from CSV / JSONL into a store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/check.h"
#include "store/export.h"
#include "store/h5.h"
#include "store/reader.h"
#include "store/update.h"
#include "store_test_util.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace because;
using namespace because::store;

namespace {

class StoreImport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path().string() + "/because_import_" + std::to_string(::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    info_.label_set = "nli";
    info_.labels = synth::nli();
    // Instances: a0 and b0 in dataset A, a0 (again) and c1 in dataset B; one human explanation.
    const char* uids[] = {"a0", "b0", "a0", "c1"};
    for (int i = 0; i < 4; ++i) {
      corpus::Instance in;
      in.row = i;
      in.uid = uids[i];
      in.dataset = i < 2 ? "A" : "B";
      in.split = "test";
      in.text_a = "premise " + std::to_string(i);
      in.text_b = "hypothesis " + std::to_string(i);
      in.gold = i % 3;
      instances_.push_back(in);
    }
    Explanation h;
    h.instance = 1;
    h.label = 0;
    h.source = "human";
    h.text = "a human explanation";
    create_store(path(), info_, instances_, {h});
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path() const { return dir_ + "/store.h5"; }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  static ImportOptions options(Format f) {
    ImportOptions o;
    o.format = f;
    o.source = "imported";
    o.provenance.command = "store import";
    o.provenance.command_line = "because store import";
    return o;
  }
  // The message of the InputError that importing `text` throws ("" if none).
  std::string import_error(const std::string& name, const std::string& text, Format f) {
    const std::string before = digest_store(path());
    try {
      import_explanations(path(), write(name, text), options(f));
    } catch (const InputError& e) {
      EXPECT_EQ(digest_store(path()), before) << "a failed import changed the store";
      EXPECT_FALSE(fs::exists(path() + ".import.tmp"));
      return e.what();
    }
    return "";
  }

  std::string dir_;
  StoreInfo info_;
  std::vector<corpus::Instance> instances_;
};

TEST_F(StoreImport, JsonlRowsMatchedByUidAndDataset) {
  const std::string in = write("x.jsonl",
                               "{\"uid\":\"b0\",\"explanation\":\"first\",\"label\":\"neutral\"}\n"
                               "\n"
                               "{\"uid\":\"a0\",\"dataset\":\"B\",\"text\":\"second ✓\",\"label\":2,\"source\":\"gpt\"}\n"
                               "{\"uid\":\"b0\",\"explanation\":\"third\",\"label\":null,\"n_tokens\":7,"
                               "\"logprob\":-1.5,\"finish\":\"length\"}\n"
                               "{\"uid\":\"b0\",\"explanation\":\"fourth\",\"label\":\"Neutral\"}\n");
  EXPECT_EQ(import_explanations(path(), in, options(Format::kJsonl)), 4);
  StoreReader r(path());
  const auto e = r.read_explanations();
  ASSERT_EQ(e.size(), 5u);
  // Sorted by instance, the store's human explanation before the imported ones of its instance.
  EXPECT_EQ(e[0].instance, 1);
  EXPECT_EQ(e[0].source, "human");
  EXPECT_EQ(e[1].text, "first");
  EXPECT_EQ(e[1].label, 1);
  EXPECT_EQ(e[1].source, "imported");
  EXPECT_EQ(e[1].sample, 0);
  EXPECT_EQ(e[2].text, "third");
  EXPECT_EQ(e[2].label, -1);
  EXPECT_EQ(e[2].n_tokens, 7u);
  EXPECT_EQ(e[2].logprob, -1.5f);
  EXPECT_EQ(e[2].finish, Finish::kLength);
  EXPECT_EQ(e[3].text, "fourth");
  EXPECT_EQ(e[3].label, 1);
  EXPECT_EQ(e[3].sample, 1);  // the second of (b0, neutral, imported)
  EXPECT_EQ(e[4].instance, 2);
  EXPECT_EQ(e[4].text, "second ✓");
  EXPECT_EQ(e[4].label, 2);
  EXPECT_EQ(e[4].source, "gpt");
  EXPECT_TRUE(std::isnan(e[4].logprob));
  // Everything else as it was, and the import recorded.
  ASSERT_EQ(r.n_instances(), 4);
  EXPECT_EQ(r.read_instances()[3].uid, "c1");
  const auto prov = r.read_provenance();
  ASSERT_EQ(prov.size(), 1u);
  EXPECT_EQ(prov[0].command, "store import");
  const auto rep = verify_store(path());
  for (const auto& f : rep.faults) ADD_FAILURE() << f.where << ": " << f.what;
}

TEST_F(StoreImport, CsvWithQuotedNewlinesAndBom) {
  const std::string in = write("x.csv",
                               "\xEF\xBB\xBFuid,dataset,explanation,label,other\r\n"
                               "c1,B,\"two\nlines, with \"\"quotes\"\"\",contradiction,x\r\n"
                               "a0,A,plain,,y\r\n");
  EXPECT_EQ(import_explanations(path(), in, options(Format::kCsv)), 2);
  const auto e = StoreReader(path()).read_explanations();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].instance, 0);
  EXPECT_EQ(e[0].text, "plain");
  EXPECT_EQ(e[0].label, -1);
  EXPECT_EQ(e[2].instance, 3);
  EXPECT_EQ(e[2].text, "two\nlines, with \"quotes\"");
  EXPECT_EQ(e[2].label, 2);
}

TEST_F(StoreImport, BadRowsNameFileAndLineAndLeaveTheStore) {
  struct Case {
    const char* file;
    const char* text;
    const char* message;  // a part of the error
  };
  const Case cases[] = {
      {"u.jsonl", "{\"uid\":\"b0\",\"explanation\":\"ok\"}\n{\"uid\":\"zz\",\"explanation\":\"x\"}\n",
       "u.jsonl:2: uid 'zz' is not an instance"},
      {"d.jsonl", "{\"uid\":\"a0\",\"explanation\":\"x\"}\n",
       "d.jsonl:1: uid 'a0' is on several instances (rows 0, ...); give the dataset field"},
      {"l.jsonl", "{\"uid\":\"b0\",\"explanation\":\"x\",\"label\":\"maybe\"}\n",
       "l.jsonl:1: label 'maybe' is not one of the store's labels"},
      {"i.jsonl", "{\"uid\":\"b0\",\"explanation\":\"x\",\"label\":3}\n", "i.jsonl:1: field 'label'"},
      {"j.jsonl", "{\"uid\":\"b0\",\"explanation\":\"x\"}\n{\"uid\":\"b0\",\n", "j.jsonl:2: malformed JSON"},
      {"t.jsonl", "{\"uid\":\"b0\",\"label\":1}\n", "t.jsonl:1: no explanation"},
      {"s.jsonl", "{\"uid\":\"b0\",\"explanation\":\"x\",\"sample\":-1}\n", "s.jsonl:1: field 'sample'"},
      {"f.jsonl", "{\"uid\":\"b0\",\"explanation\":\"x\",\"finish\":\"done\"}\n", "f.jsonl:1: "},
      {"o.jsonl", "{\"uid\":\"b0\",\"explanation\":[\"x\"]}\n", "o.jsonl:1: field 'explanation' must be a string"},
      {"h.csv", "id,text\nb0,x\n", "h.csv:1: the header has no column 'uid'"},
      {"n.csv", "uid,text\nb0,x\nb0,y,z\n", "n.csv:3: 3 fields where the header has 2"},
      {"q.csv", "uid,text\nb0,\"x\ny\"\nb0,\"unclosed\n", "q.csv:4: unterminated"},  // from line 4 on
      {"b.csv", "uid,text\nb0,ok\nb0,\xff\xfe\n", "b.csv:3: invalid UTF-8"},
  };
  for (const Case& c : cases) {
    const std::string m = import_error(c.file, c.text, parse_format(c.file));
    EXPECT_NE(m.find(c.message), std::string::npos) << c.file << ": " << m;
  }
}

TEST_F(StoreImport, ExportImportsBackUnchanged) {
  // A store with model explanations of every kind; its export imported into a store with the
  // same instances and no explanations gives the same digest.
  std::vector<Explanation> ex;
  for (int i = 0; i < 40; ++i) {
    Explanation e;
    e.instance = i % 4;
    e.label = i % 4 - 1;
    e.sample = i / 4 % 3;
    e.source = i % 5 == 0 ? "human" : i % 2 ? "gpt" : "llama";
    e.text = i % 7 == 0 ? "" : "explanation \"" + std::to_string(i) + "\", ✓\nline";
    e.n_tokens = static_cast<uint32_t>(i);
    e.logprob = i % 3 ? -0.1f * static_cast<float>(i) : NAN;
    e.finish = i % 6 == 0 ? Finish::kError : i % 6 == 1 ? Finish::kLength : Finish::kStop;
    e.error = e.finish == Finish::kError ? "timeout" : "";
    ex.push_back(e);
  }
  const std::string full = dir_ + "/full.h5";
  create_store(full, info_, instances_, ex);
  for (const Format f : {Format::kJsonl, Format::kCsv}) {
    std::ostringstream os;
    EXPECT_EQ(export_store(full, os, f), 40);
    const std::string empty = dir_ + "/empty.h5";
    create_store(empty, info_, instances_, {});
    EXPECT_EQ(import_explanations(empty, write(f == Format::kCsv ? "e.csv" : "e.jsonl", os.str()), options(f)), 40);
    // The digest leaves provenance out: the import's row does not count.
    EXPECT_EQ(digest_store(empty), digest_store(full)) << (f == Format::kCsv ? "csv" : "jsonl");
  }
}

TEST_F(StoreImport, KeepsOtherTablesAndRootAttributes) {
  JudgmentSet j;
  j.name = "mjd";
  j.n_labels = 3;
  j.n_perms = 1;
  j.instance = {0, 2};
  j.probs = {0.2f, 0.3f, 0.5f, 1, 0, 0};
  j.scores = {1, 2, 3, 4, 5, 6};
  write_judgments(path(), j);
  write_metrics(path(), "reduce", "{\"acc\":1}");
  const std::string created = StoreReader(path()).info().created;
  EXPECT_EQ(import_explanations(path(), write("k.jsonl", "{\"uid\":\"c1\",\"explanation\":\"x\"}\n"),
                                options(Format::kJsonl)),
            1);
  StoreReader r(path());
  EXPECT_EQ(r.info().created, created);
  EXPECT_EQ(r.info().labels, info_.labels);
  EXPECT_EQ(r.read_judgments("mjd").probs, j.probs);
  EXPECT_EQ(r.read_metrics("reduce"), "{\"acc\":1}");
  EXPECT_EQ(r.n_explanations(), 2);
  EXPECT_TRUE(verify_store(path()).ok());
}

}  // namespace
