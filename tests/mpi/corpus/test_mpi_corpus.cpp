// Distributed corpus opening: with 1, 2 and 3 ranks the parallel index equals the sequential one,
// the set of (global row, uid) read is identical and complete, byte-range boundaries inside quoted
// CSV fields are handled, and the quarantine gathers every bad row from every rank.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
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

// read_corpus_once: one pass over the file (each rank its bytes), rows renumbered with the
// pass's bases, gives the same rows and bad rows as chunk reading; the quarantine holds the bad
// rows with their true rows and lines; the index it leaves equals the sequential one. A CSV
// corpus and strict mode go by chunks, with global numbers.
TEST(MpiCorpus, ReadOnceMatchesChunkReading) {
  const auto comm = mpi::Comm::world();
  const std::string run = shared_dir(comm, "once");
  std::string s = "\n";
  for (int i = 0; i < 300; ++i) {
    if (i % 9 == 4) s += "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"bogus\"}\r\n";
    else if (i % 13 == 6) s += "{not json\n\n";
    else s += "{\"pairID\": \"id" + std::to_string(i) + "\", \"premise\": \"p" + std::to_string(i) + "\", \"hypothesis\": \"h\", \"label\": \"neutral\"}\n";
  }
  config::CorpusConfig cfg;
  cfg.path = write_on_root(comm, run + "/train.jsonl", s);
  cfg.dataset = "mnli";
  cfg.chunk_rows = 8;
  const auto seq = corpus::Corpus::open(cfg, "");
  const auto want = read_sequential(seq);
  int64_t seq_bad = 0;
  std::map<int64_t, int64_t> bad_lines;  // row -> line, sequential
  for (int64_t k = 0; k < seq.n_chunks(); ++k)
    for (const auto& b : seq.read_chunk(k).bad) {
      bad_lines[b.row] = b.line;
      ++seq_bad;
    }
  for (bool strict : {false, true}) {
    mpi::Quarantine q(comm, strict ? "" : run, false);
    std::string mine;
    std::vector<std::string> good_lines;
    const auto pass = mpi::read_corpus_once(comm, cfg, strict ? "" : run, strict, [&](corpus::ChunkRead& c, bool local) {
      EXPECT_EQ(local, !strict);
      for (const auto& x : c.rows) good_lines.push_back(x.uid + "\t" + std::to_string(x.row) + "\t" + std::to_string(x.source_line));
      for (const auto& b : c.bad) mine += std::to_string(b.row) + "\t<bad " + b.reason + ">\n";
      if (local) q.add_local(c.bad);
      else q.add(c.bad);
      for (const auto& x : c.rows) mine += std::to_string(x.row) + "\t" + x.uid + "\n";
    });
    EXPECT_EQ(pass.one_pass, !strict);
    EXPECT_EQ(pass.n_rows, seq.n_rows());
    EXPECT_EQ(pass.n_chunks, seq.n_chunks());
    if (strict) {
      EXPECT_EQ(pass.row_base, 0);
    }
    q.renumber(pass.row_base, pass.line_base);
    const auto counts = q.finish();
    EXPECT_EQ(counts.at("unknown_label") + counts.at("malformed_json"), seq_bad);
    // Renumber this rank's rows and compare the gathered set with the sequential read.
    std::string fixed;
    size_t a = 0;
    for (size_t b; (b = mine.find('\n', a)) != std::string::npos; a = b + 1) {
      const std::string line = mine.substr(a, b - a);
      const size_t tab = line.find('\t');
      fixed += std::to_string(std::stoll(line.substr(0, tab)) + pass.row_base) + line.substr(tab) + "\n";
    }
    std::set<std::string> got;
    for (const auto& g : comm.allgather(fixed)) {
      size_t x = 0;
      for (size_t y; (y = g.find('\n', x)) != std::string::npos; x = y + 1) got.insert(g.substr(x, y - x));
    }
    EXPECT_EQ(got, want) << (strict ? "strict" : "one pass");
    // Lines of good rows: row r's source line is known from the sequential read.
    for (const auto& gl : good_lines) {
      const size_t t1 = gl.find('\t'), t2 = gl.rfind('\t');
      const int64_t row = std::stoll(gl.substr(t1 + 1, t2 - t1 - 1)) + pass.row_base;
      const int64_t line = std::stoll(gl.substr(t2 + 1)) + (pass.one_pass ? pass.line_base : 0);
      const auto r = seq.read_chunk(row / cfg.chunk_rows);
      bool found = false;
      for (const auto& x : r.rows)
        if (x.row == row) {
          EXPECT_EQ(x.source_line, line) << x.uid;
          found = true;
        }
      EXPECT_TRUE(found) << gl;
    }
    if (!strict && comm.root()) {
      std::ifstream in(run + "/quarantine.jsonl");
      std::string line;
      size_t n = 0;
      while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        const int64_t row = j["row"].get<int64_t>();
        ASSERT_EQ(bad_lines.count(row), 1u) << line;
        EXPECT_EQ(j["line"].get<int64_t>(), bad_lines[row]) << line;
        ++n;
      }
      EXPECT_EQ(n, bad_lines.size());
      EXPECT_FALSE(std::filesystem::exists(run + "/quarantine/rank-00000.local"));
    }
  }
  // The one pass left the row index in the run directory: it equals the sequential one.
  const auto layout = corpus::Corpus::layout(cfg);
  const corpus::File f(cfg.path);
  const std::string key = corpus::index_key(f, layout[0].dialect, layout[0].data_begin, cfg.chunk_rows);
  corpus::RowIndex left;
  ASSERT_TRUE(corpus::load_index(run + "/index/" + key.substr(0, 24) + ".idx", key, left));
  EXPECT_EQ(left.chunk_offset, seq.indexes()[0].chunk_offset);
  EXPECT_EQ(left.chunk_line, seq.indexes()[0].chunk_line);
  EXPECT_EQ(left.n_rows, seq.n_rows());
  EXPECT_EQ(left.data_end, f.size());
}

}  // namespace
}  // namespace because
