// Distributed corpus opening: with 1, 2 and 3 ranks the parallel index equals the sequential one,
// the set of (global row, uid) read is identical and complete, byte-range boundaries inside quoted
// CSV fields are handled, and the quarantine gathers every bad row from every rank.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "mpi/corpus_index.h"
#include "util/error.h"
#include "util/files.h"

namespace because {
namespace {

// A directory every rank agrees on (rank 0 chooses, broadcast).
std::string shared_dir(const mpi::Comm& comm, const std::string& tag) {
  std::string d;
  if (comm.root()) {
    d = (std::filesystem::temp_directory_path() / ("because-mpi-corpus-" + std::to_string(::getpid()) + "-" + tag)).string();
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
  }
  comm.bcast(d);
  return d;
}

std::string write_on_root(const mpi::Comm& comm, const std::string& path, const std::string& content) {
  if (comm.root()) std::ofstream(path, std::ios::binary) << content;
  comm.barrier();
  return path;
}

// (row, uid) of every row this rank reads when ranks take chunks in turn, gathered on all ranks.
std::set<std::string> read_distributed(const mpi::Comm& comm, const corpus::Corpus& c, int64_t* n_bad = nullptr) {
  std::string mine;
  int64_t bad = 0;
  for (int64_t k = comm.rank(); k < c.n_chunks(); k += comm.size()) {
    const auto r = c.read_chunk(k);
    for (const auto& x : r.rows) mine += std::to_string(x.row) + "\t" + x.uid + "\n";
    for (const auto& b : r.bad) mine += std::to_string(b.row) + "\t<bad " + b.reason + ">\n";
    bad += static_cast<int64_t>(r.bad.size());
  }
  if (n_bad) *n_bad = comm.sum(bad);
  std::set<std::string> all;
  for (const auto& s : comm.allgather(mine)) {
    size_t a = 0;
    for (size_t b; (b = s.find('\n', a)) != std::string::npos; a = b + 1) all.insert(s.substr(a, b - a));
  }
  return all;
}

std::set<std::string> read_sequential(const corpus::Corpus& c) {
  std::set<std::string> all;
  for (int64_t k = 0; k < c.n_chunks(); ++k) {
    const auto r = c.read_chunk(k);
    for (const auto& x : r.rows) all.insert(std::to_string(x.row) + "\t" + x.uid);
    for (const auto& b : r.bad) all.insert(std::to_string(b.row) + "\t<bad " + b.reason + ">");
  }
  return all;
}

TEST(MpiCorpus, SampleCorpusSameRowsAnyRankCount) {
  const auto comm = mpi::Comm::world();
  config::CorpusConfig cfg;
  cfg.path = std::string(std::getenv("BECAUSE_SOURCE_DIR")) + "/data/sample/sample.jsonl";
  cfg.chunk_rows = 7;
  const std::string run = shared_dir(comm, "sample");
  const auto c = mpi::open_corpus(comm, cfg, run);
  const auto seq = corpus::Corpus::open(cfg, "");
  EXPECT_EQ(c.n_rows(), seq.n_rows());
  EXPECT_EQ(c.indexes()[0].chunk_offset, seq.indexes()[0].chunk_offset);
  const auto got = read_distributed(comm, c);
  EXPECT_EQ(got, read_sequential(seq));
  EXPECT_EQ(static_cast<int64_t>(got.size()), seq.n_rows());
  // The cached index is found and reused on a second open.
  const auto again = mpi::open_corpus(comm, cfg, run);
  EXPECT_EQ(again.indexes()[0].chunk_line, seq.indexes()[0].chunk_line);
  if (comm.root()) {
    EXPECT_FALSE(std::filesystem::is_empty(run + "/index"));
  }
}

TEST(MpiCorpus, RangeBoundaryInsideQuotedCsvField) {
  const auto comm = mpi::Comm::world();
  const std::string dir = shared_dir(comm, "csv");
  // A long quoted field full of newlines and commas in the middle of the file: with 2 or 3 ranks
  // the byte-range cuts fall inside it.
  std::string csv = "uid,premise,hypothesis,label\r\n";
  for (int i = 0; i < 40; ++i) csv += "u" + std::to_string(i) + ",short premise " + std::to_string(i) + ",h,neutral\r\n";
  std::string field;
  for (int i = 0; i < 400; ++i) field += "line " + std::to_string(i) + ", with \"\"quotes\"\" and commas\n";
  csv += "big,\"" + field + "\",h,entailment\r\n";
  for (int i = 40; i < 80; ++i) csv += "u" + std::to_string(i) + ",\"quoted\nnewline " + std::to_string(i) + "\",h,contradiction\n";
  const auto path = write_on_root(comm, dir + "/nasty.csv", csv);
  config::CorpusConfig cfg;
  cfg.path = path;
  cfg.dataset = "generic";
  cfg.text_a = "premise";
  cfg.text_b = "hypothesis";
  cfg.label = "label";
  cfg.uid = "uid";
  cfg.chunk_rows = 5;
  const auto c = mpi::open_corpus(comm, cfg, "");
  const auto seq = corpus::Corpus::open(cfg, "");
  EXPECT_EQ(c.n_rows(), 81);
  EXPECT_EQ(c.indexes()[0].chunk_offset, seq.indexes()[0].chunk_offset);
  EXPECT_EQ(c.indexes()[0].chunk_line, seq.indexes()[0].chunk_line);
  int64_t bad = 0;
  const auto got = read_distributed(comm, c, &bad);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(got.size(), 81u);
  EXPECT_EQ(got, read_sequential(seq));
  EXPECT_EQ(got.count("40\tbig"), 1u);
}

TEST(MpiCorpus, QuarantineCollectsEveryBadRowOnce) {
  const auto comm = mpi::Comm::world();
  const std::string run = shared_dir(comm, "quarantine");
  std::string s;
  int expect_bad = 0;
  for (int i = 0; i < 100; ++i) {
    if (i % 9 == 4) {
      s += "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"bogus\"}\n";
      ++expect_bad;
    } else if (i % 13 == 6) {
      s += "{not json\n";
      ++expect_bad;
    } else {
      s += "{\"premise\": \"p" + std::to_string(i) + "\", \"hypothesis\": \"h\", \"label\": \"neutral\"}\n";
    }
  }
  config::CorpusConfig cfg;
  cfg.path = write_on_root(comm, run + "/train.jsonl", s);
  cfg.dataset = "mnli";
  cfg.chunk_rows = 8;
  const auto c = mpi::open_corpus(comm, cfg, run);
  mpi::Quarantine q(comm, run, false);
  for (int64_t k = comm.rank(); k < c.n_chunks(); k += comm.size()) q.add(c.read_chunk(k).bad);
  auto counts = q.finish();
  EXPECT_EQ(counts["unknown_label"] + counts["malformed_json"], expect_bad);
  if (comm.root()) {
    std::ifstream in(run + "/quarantine.jsonl");
    std::string line;
    int n = 0;
    int64_t last = -1;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      EXPECT_GT(j["row"].get<int64_t>(), last);
      last = j["row"].get<int64_t>();
      EXPECT_EQ(j["line"].get<int64_t>(), last + 1);
      ++n;
    }
    EXPECT_EQ(n, expect_bad);
  }
  // Strict mode: the first bad row is an error.
  mpi::Quarantine strict(comm, "", true);
  bool threw = false;
  for (int64_t k = 0; k < c.n_chunks(); ++k) {
    try {
      strict.add(c.read_chunk(k).bad);
    } catch (const InputError&) {
      threw = true;
      break;
    }
  }
  EXPECT_TRUE(threw);
  strict.finish();
}

}  // namespace
}  // namespace because
