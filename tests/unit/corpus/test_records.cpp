// Record scanning, CSV/TSV splitting, UTF-8 checks and the row index, including nasty inputs.
#include <gtest/gtest.h>

#include "corpus/index.h"
#include "corpus/records.h"
#include "test_util.h"

namespace because::corpus {
namespace {

std::vector<std::pair<std::string, int64_t>> records(const std::string& path, Dialect d, uint64_t max_bytes = 1 << 20) {
  File f(path);
  RecordReader rr(f, d, static_cast<uint64_t>(bom_length(f)), f.size(), 1, max_bytes);
  RawRecord r;
  std::vector<std::pair<std::string, int64_t>> out;
  while (rr.next(r)) out.emplace_back(r.oversize ? "<oversize>" : std::string(r.bytes), r.line);
  return out;
}

TEST(Records, LinesSkipBlankAndCrlfAndTruncatedLastLine) {
  const auto p = test::temp_file("a.jsonl", "{\"a\":1}\r\n\r\n\n{\"a\":2}\n{\"a\":3");
  const auto r = records(p, {RecordKind::kLines, '\t'});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], std::make_pair(std::string("{\"a\":1}"), int64_t(1)));
  EXPECT_EQ(r[1], std::make_pair(std::string("{\"a\":2}"), int64_t(4)));
  EXPECT_EQ(r[2], std::make_pair(std::string("{\"a\":3"), int64_t(5)));  // truncated: kept as written
}

TEST(Records, CsvEmbeddedNewlinesQuotesCrlfBom) {
  const std::string csv = "\xEF\xBB\xBF" "a,b\r\n\"x\r\ny\",\"say \"\"hi\"\"\"\r\nplain,\"multi\nline\nfield\"\r\nlast,row";
  const auto p = test::temp_file("a.csv", csv);
  const auto r = records(p, {RecordKind::kCsv, ','});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].first, "a,b");
  EXPECT_EQ(r[1].second, 2);
  EXPECT_EQ(r[2].second, 4);
  EXPECT_EQ(r[3].second, 7);
  std::vector<std::string> f;
  split_csv(r[1].first, ',', f);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0], "x\r\ny");
  EXPECT_EQ(f[1], "say \"hi\"");
  split_csv(r[2].first, ',', f);
  EXPECT_EQ(f[1], "multi\nline\nfield");
  EXPECT_THROW(split_csv("\"open,field", ',', f), InputError);
}

TEST(Records, TenMegabyteRowOversizeAndKept) {
  std::string big = "{\"premise\":\"" + std::string(10 << 20, 'x') + "\",\"hypothesis\":\"h\",\"label\":\"neutral\"}";
  const auto p = test::temp_file("big.jsonl", "{\"a\":1}\n" + big + "\n{\"a\":2}\n");
  auto r = records(p, {RecordKind::kLines, '\t'}, 1 << 20);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].first, "<oversize>");
  EXPECT_EQ(r[2], std::make_pair(std::string("{\"a\":2}"), int64_t(3)));
  r = records(p, {RecordKind::kLines, '\t'}, 64 << 20);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].first.size(), big.size());
}

TEST(Records, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80 plain ascii text"));
  EXPECT_FALSE(valid_utf8("bad \xC3"));
  EXPECT_FALSE(valid_utf8("overlong \xC0\xAF"));
  EXPECT_FALSE(valid_utf8("surrogate \xED\xA0\x80"));
  EXPECT_FALSE(valid_utf8("latin1 \xE9t\xE9"));
}

TEST(Index, ChunksMatchSequentialReadAndRangesAgree) {
  std::string csv = "h1,h2\n";
  for (int i = 0; i < 1000; ++i)
    csv += (i % 7 == 0 ? "\"row " + std::to_string(i) + "\nwith newline, and \"\"quote\"\"\"" : "row" + std::to_string(i)) +
           ",x" + (i % 3 ? "\r\n" : "\n");
  const auto p = test::temp_file("idx.csv", csv);
  File f(p);
  const Dialect d{RecordKind::kCsv, ','};
  const uint64_t begin = 6;
  const RowIndex seq = build_index(f, d, begin, 2, 16);
  EXPECT_EQ(seq.n_rows, 1000);
  EXPECT_EQ(seq.n_chunks(), 63);
  // Speculative ranges at every split count, including cuts inside quoted fields.
  for (int n : {1, 2, 3, 7, 50}) {
    const auto ranges = split_ranges(begin, f.size(), n);
    std::vector<SpeculativeScan> scans;
    for (auto [b, e] : ranges) scans.push_back(scan_speculative(f, d, b, e));
    const auto starts = resolve_ranges(d, scans);
    std::vector<uint64_t> offs;
    std::vector<int64_t> lines;
    for (size_t i = 0; i < ranges.size(); ++i)
      for (auto [o, l] : chunk_starts(f, d, ranges[i].first, ranges[i].second, starts[i], 2, 16)) {
        offs.push_back(o);
        lines.push_back(l);
      }
    EXPECT_EQ(offs, seq.chunk_offset) << n << " ranges";
    EXPECT_EQ(lines, seq.chunk_line) << n << " ranges";
  }
}

TEST(Index, LineRangesFromSamplesMatchSequential) {
  // Blank lines, CRLF, "\r\n" blank lines, a lone '\r' starting a record and lines of varied
  // length, so that range cuts land at line starts, inside lines and on blank lines.
  std::string jl;
  for (int i = 0; i < 3000; ++i) {
    if (i % 11 == 0) jl += "\n";
    if (i % 13 == 0) jl += "\r\n";
    jl += (i % 17 == 0 ? "\r{\"i\":" : "{\"i\":") + std::to_string(i) + std::string(static_cast<size_t>(i % 23), 'x') + "}";
    jl += i % 3 ? "\r\n" : "\n";
  }
  const auto p = test::temp_file("idx.jsonl", jl);
  File f(p);
  const Dialect d{RecordKind::kLines, '\t'};
  for (int64_t chunk_rows : {1, 16, 64, 100, 256}) {
    const RowIndex seq = build_index(f, d, 0, 1, chunk_rows);
    ASSERT_EQ(seq.n_rows, 3000);
    for (int n : {1, 2, 3, 7, 50, 997}) {
      const auto ranges = split_ranges(0, f.size(), n);
      std::vector<SpeculativeScan> scans;
      for (auto [b, e] : ranges) scans.push_back(scan_speculative(f, d, b, e));
      const auto starts = resolve_ranges(d, scans);
      std::vector<uint64_t> offs, offs2;
      std::vector<int64_t> lines, lines2;
      for (size_t i = 0; i < ranges.size(); ++i) {
        for (auto [o, l] : chunk_starts(f, d, ranges[i].first, ranges[i].second, starts[i], 1, chunk_rows, &scans[i])) {
          offs.push_back(o);
          lines.push_back(l);
        }
        for (auto [o, l] : chunk_starts(f, d, ranges[i].first, ranges[i].second, starts[i], 1, chunk_rows)) {
          offs2.push_back(o);
          lines2.push_back(l);
        }
      }
      EXPECT_EQ(offs, seq.chunk_offset) << n << " ranges, chunk " << chunk_rows;
      EXPECT_EQ(lines, seq.chunk_line) << n << " ranges, chunk " << chunk_rows;
      EXPECT_EQ(offs2, seq.chunk_offset) << n << " ranges, chunk " << chunk_rows << " (rescan)";
      EXPECT_EQ(lines2, seq.chunk_line) << n << " ranges, chunk " << chunk_rows << " (rescan)";
    }
  }
}

// A JSONL corpus read in one pass per byte range (no index), for every split into ranges: with
// each range's rows renumbered by the rows and newlines of the ranges before it, the rows, bad
// rows, lines and uids equal a sequential read by chunks from the index; the index built from the
// ranges' samples equals the sequential one.
TEST(RangeReader, SplitsMatchChunkReading) {
  std::string jl = "\xEF\xBB\xBF";  // BOM
  for (int i = 0; i < 700; ++i) {
    if (i % 11 == 0) jl += "\n";
    if (i % 13 == 0) jl += "\r\n";
    if (i % 29 == 5) jl += "{\"uid\": \"b" + std::to_string(i) + "\", \"premise\": \"p\"";  // malformed
    else if (i % 31 == 7) jl += "{\"uid\": \"u" + std::to_string(i) + "\", \"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"maybe\"}";
    else if (i % 37 == 3) jl += "{\"uid\": \"o" + std::to_string(i) + "\", \"premise\": \"" + std::string(300, 'x') + "\", \"hypothesis\": \"h\", \"label\": \"neutral\"}";
    else
      jl += "{\"uid\": \"u" + std::to_string(i) + "\", \"premise\": \"premise " + std::string(static_cast<size_t>(i % 23), 'y') +
            "\", \"hypothesis\": \"h\", \"label\": \"entailment\", \"explanations\": [\"because " + std::to_string(i) + "\"]}";
    jl += i % 3 ? "\r\n" : "\n";
  }
  jl += "{\"uid\": \"last\", \"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"contradiction\"}";  // no final newline
  const auto p = test::temp_file("ranges.jsonl", jl);
  for (int64_t chunk_rows : {1, 7, 64, 256}) {
    auto cfg = test::cfg_for(p, "sample", chunk_rows);
    cfg.max_row_bytes = 200;
    const auto seq = Corpus::open(cfg, "");
    ASSERT_EQ(seq.n_rows(), 701);
    const auto want = test::read_all(seq);
    const auto layout = Corpus::layout(cfg);
    ASSERT_TRUE(RangeReader::supported(cfg, layout));
    File f(p);
    for (int n : {1, 2, 3, 7, 50, 997}) {
      ChunkRead got;
      std::vector<uint64_t> offs;
      std::vector<int64_t> lines;
      int64_t rows_before = 0, newlines_before = 0;
      for (auto [b, e] : split_ranges(layout[0].data_begin, f.size(), n)) {
        RangeReader rr(cfg, b, e);
        ChunkRead c;
        int64_t batch_rows = 0;
        while (rr.next(chunk_rows, c)) {
          batch_rows += static_cast<int64_t>(c.rows.size() + c.bad.size());
          EXPECT_LE(static_cast<int64_t>(c.rows.size() + c.bad.size()), chunk_rows);
          for (auto x : c.rows) {
            x.row += rows_before;
            x.source_line += layout[0].data_line + newlines_before;
            got.rows.push_back(x);
          }
          for (auto x : c.bad) {
            x.row += rows_before;
            x.line += layout[0].data_line + newlines_before;
            got.bad.push_back(x);
          }
        }
        EXPECT_EQ(batch_rows, rr.rows());
        SpeculativeScan sc;
        sc.by_state[int(CsvState::kRecordStart)].n_records = rr.rows();
        sc.samples = rr.samples();
        RangeStart start;
        start.rows_before = rows_before;
        start.newlines_before = newlines_before;
        for (auto [o, l] : chunk_starts(f, layout[0].dialect, rr.begin(), rr.end(), start, layout[0].data_line,
                                        chunk_rows, &sc)) {
          offs.push_back(o);
          lines.push_back(l);
        }
        rows_before += rr.rows();
        newlines_before += rr.newlines();
      }
      const std::string at = std::to_string(n) + " ranges, chunk " + std::to_string(chunk_rows);
      ASSERT_EQ(got.rows.size(), want.rows.size()) << at;
      for (size_t i = 0; i < want.rows.size(); ++i) {
        EXPECT_EQ(got.rows[i].row, want.rows[i].row) << at;
        EXPECT_EQ(got.rows[i].uid, want.rows[i].uid) << at;
        EXPECT_EQ(got.rows[i].source_line, want.rows[i].source_line) << at << " uid " << want.rows[i].uid;
        EXPECT_EQ(got.rows[i].text_a, want.rows[i].text_a) << at;
        EXPECT_EQ(got.rows[i].human_explanations.size(), want.rows[i].human_explanations.size()) << at;
      }
      ASSERT_EQ(got.bad.size(), want.bad.size()) << at;
      for (size_t i = 0; i < want.bad.size(); ++i) {
        EXPECT_EQ(got.bad[i].row, want.bad[i].row) << at;
        EXPECT_EQ(got.bad[i].line, want.bad[i].line) << at;
        EXPECT_EQ(got.bad[i].reason, want.bad[i].reason) << at;
      }
      EXPECT_EQ(offs, seq.indexes()[0].chunk_offset) << at;
      EXPECT_EQ(lines, seq.indexes()[0].chunk_line) << at;
    }
  }
}

TEST(RangeReader, OnlyForOneLineFile) {
  const auto csv = test::temp_file("r.csv", "uid,premise,hypothesis,label\nu,p,h,neutral\n");
  auto cfg = test::cfg_for(csv, "generic");
  cfg.text_a = "premise";
  cfg.text_b = "hypothesis";
  cfg.label = "label";
  EXPECT_FALSE(RangeReader::supported(cfg, Corpus::layout(cfg)));
  EXPECT_THROW(RangeReader(cfg, 0, 10), ConfigError);
  const auto jl = test::temp_file("r.jsonl", "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"neutral\"}\n");
  auto lim = test::cfg_for(jl, "mnli");
  EXPECT_TRUE(RangeReader::supported(lim, Corpus::layout(lim)));
  lim.limit = 1;
  EXPECT_FALSE(RangeReader::supported(lim, Corpus::layout(lim)));
}

TEST(Index, SaveLoadAndStaleKey) {
  const auto p = test::temp_file("i.jsonl", "{}\n{}\n{}\n");
  File f(p);
  const Dialect d{RecordKind::kLines, '\t'};
  const RowIndex idx = build_index(f, d, 0, 1, 2);
  const auto path = test::temp_file("i.idx", "");
  const std::string key = index_key(f, d, 0, 2);
  save_index(path, key, idx);
  RowIndex back;
  ASSERT_TRUE(load_index(path, key, back));
  EXPECT_EQ(back.n_rows, 3);
  EXPECT_EQ(back.chunk_offset, idx.chunk_offset);
  EXPECT_FALSE(load_index(path, index_key(f, d, 0, 3), back));
}

}  // namespace
}  // namespace because::corpus
