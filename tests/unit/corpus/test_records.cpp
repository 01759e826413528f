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
