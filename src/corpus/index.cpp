// Row-offset index: sequential build, cache file, and the pieces of the parallel build.
//
// Parallel build of CSV: a byte range may start inside a quoted field, where a newline is data,
// not a record end. Quote parity alone is not enough (a stray quote inside an unquoted field is
// literal text), so each range is scanned speculatively from every state of the CSV state
// machine; the state at a range's end for the true start state is the true start state of the
// next range, so the ranges are chained in order (cheap: 5 numbers per range). The machine
// usually synchronises within a record, after which the speculative scans coincide.
#include "corpus/index.h"

#include <sys/stat.h>

#include <cstring>
#include <fstream>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace because::corpus {

std::string index_key(const File& file, const Dialect& d, uint64_t data_begin, int64_t chunk_rows) {
  struct stat st {};
  int64_t mtime_ns = 0;
  if (::stat(file.path().c_str(), &st) == 0) mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  hash::Hasher h;
  h.update_framed("because-row-index/1");
  h.update_framed(file.path());
  h.update_pod(file.size());
  h.update_pod(mtime_ns);
  h.update_pod(static_cast<int>(d.kind));
  h.update_pod(d.delimiter);
  h.update_pod(data_begin);
  h.update_pod(chunk_rows);
  return h.hex();
}

RowIndex build_index(const File& file, const Dialect& d, uint64_t data_begin, int64_t data_line, int64_t chunk_rows) {
  RowIndex idx;
  idx.data_begin = data_begin;
  idx.data_line = data_line;
  idx.data_end = file.size();
  idx.chunk_rows = chunk_rows;
  int64_t k = 0;
  const RangeScan r = scan_range(file, d, data_begin, file.size(), CsvState::kRecordStart, data_line,
                                 [&](uint64_t off, int64_t line) {
                                   if (k++ % chunk_rows == 0) {
                                     idx.chunk_offset.push_back(off);
                                     idx.chunk_line.push_back(line);
                                   }
                                 });
  idx.n_rows = r.n_records;
  return idx;
}

namespace {
constexpr char kMagic[8] = {'B', 'C', 'I', 'D', 'X', '0', '0', '1'};
}

void save_index(const std::string& path, const std::string& key, const RowIndex& idx) {
  std::string s(kMagic, 8);
  auto put = [&](const void* p, size_t n) { s.append(static_cast<const char*>(p), n); };
  const uint64_t klen = key.size();
  put(&klen, 8);
  s += key;
  put(&idx.data_begin, 8);
  put(&idx.data_line, 8);
  put(&idx.data_end, 8);
  put(&idx.n_rows, 8);
  put(&idx.chunk_rows, 8);
  const uint64_t n = idx.chunk_offset.size();
  put(&n, 8);
  put(idx.chunk_offset.data(), 8 * n);
  put(idx.chunk_line.data(), 8 * n);
  const uint64_t check = hash::xxh64(s);
  put(&check, 8);
  files::write_atomic(path, s);
}

bool load_index(const std::string& path, const std::string& key, RowIndex& idx) {
  if (!files::exists(path)) return false;
  std::string s;
  try {
    s = files::read_text(path);
  } catch (const InputError&) {
    return false;
  }
  if (s.size() < 8 + 8 + 8 || std::memcmp(s.data(), kMagic, 8) != 0) return false;
  uint64_t check;
  std::memcpy(&check, s.data() + s.size() - 8, 8);
  if (hash::xxh64(std::string_view(s.data(), s.size() - 8)) != check) return false;
  size_t at = 8;
  auto get = [&](void* p, size_t n) {
    if (at + n > s.size() - 8) return false;
    std::memcpy(p, s.data() + at, n);
    at += n;
    return true;
  };
  uint64_t klen = 0;
  if (!get(&klen, 8) || klen > 1024 || at + klen > s.size()) return false;
  if (s.compare(at, klen, key) != 0) return false;
  at += klen;
  RowIndex r;
  uint64_t n = 0;
  if (!get(&r.data_begin, 8) || !get(&r.data_line, 8) || !get(&r.data_end, 8) || !get(&r.n_rows, 8) ||
      !get(&r.chunk_rows, 8) || !get(&n, 8))
    return false;
  if (n > (s.size() / 16)) return false;
  r.chunk_offset.resize(n);
  r.chunk_line.resize(n);
  if (!get(r.chunk_offset.data(), 8 * n) || !get(r.chunk_line.data(), 8 * n)) return false;
  idx = std::move(r);
  return true;
}

std::vector<std::pair<uint64_t, uint64_t>> split_ranges(uint64_t begin, uint64_t size, int n) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  const uint64_t len = size > begin ? size - begin : 0;
  for (int i = 0; i < n; ++i)
    out.emplace_back(begin + len * uint64_t(i) / uint64_t(n), begin + len * uint64_t(i + 1) / uint64_t(n));
  return out;
}

SpeculativeScan scan_speculative(const File& file, const Dialect& d, uint64_t begin, uint64_t end) {
  SpeculativeScan s;
  if (d.kind == RecordKind::kLines) {
    // A line range either starts at a line start or inside a line; the second case is the
    // first with the first (partial) line not counted. One pass gives both.
    bool first = true;
    uint64_t first_start = 0;
    int64_t k = 0;
    const RangeScan r = scan_range(file, d, begin, end, CsvState::kRecordStart, 0, [&](uint64_t off, int64_t line) {
      if (first) first_start = off;
      first = false;
      if (k++ % SpeculativeScan::kSampleStride == 0) s.samples.emplace_back(off, line);
    });
    s.by_state[int(CsvState::kRecordStart)] = r;
    RangeScan inside = r;
    if (r.n_records > 0 && first_start == begin) {
      --inside.n_records;
      s.inside_shift = 1;
    }
    s.by_state[int(CsvState::kUnquoted)] = inside;
    for (int k : {int(CsvState::kFieldStart), int(CsvState::kQuoted), int(CsvState::kQuoteInQuoted)})
      s.by_state[k] = inside;
    return s;
  }
  for (int k = 0; k < kNumCsvStates; ++k) s.by_state[k] = scan_range(file, d, begin, end, CsvState(k), 0, nullptr);
  return s;
}

std::vector<RangeStart> resolve_ranges(const Dialect& d, const std::vector<SpeculativeScan>& scans) {
  std::vector<RangeStart> out(scans.size());
  RangeStart cur;
  for (size_t i = 0; i < scans.size(); ++i) {
    out[i] = cur;
    const RangeScan& r = scans[i].by_state[int(cur.state)];
    cur.rows_before += r.n_records;
    cur.newlines_before += r.n_newlines;
    cur.state = r.end_state;
    if (d.kind == RecordKind::kLines && cur.state != CsvState::kRecordStart) cur.state = CsvState::kUnquoted;
  }
  return out;
}

std::vector<std::pair<uint64_t, int64_t>> chunk_starts(const File& file, const Dialect& d, uint64_t begin, uint64_t end,
                                                       const RangeStart& start, int64_t line0, int64_t chunk_rows,
                                                       const SpeculativeScan* scanned) {
  std::vector<std::pair<uint64_t, int64_t>> out;
  if (scanned && d.kind == RecordKind::kLines) {
    // Records of this range in the kRecordStart scan's numbering: the "inside" start drops the
    // first (partial) line when that scan counted it.
    const bool inside = start.state != CsvState::kRecordStart;
    const int64_t shift = inside ? scanned->inside_shift : 0;
    const int64_t n = scanned->by_state[int(inside ? CsvState::kUnquoted : CsvState::kRecordStart)].n_records;
    const int64_t stride = SpeculativeScan::kSampleStride;
    const int64_t base_line = line0 + start.newlines_before;
    for (int64_t j = (chunk_rows - start.rows_before % chunk_rows) % chunk_rows; j < n; j += chunk_rows) {
      const int64_t r = j + shift;  // index in the kRecordStart scan
      const auto& [off, line] = scanned->samples.at(static_cast<size_t>(r / stride));
      const auto at = r % stride == 0 ? std::make_pair(off, line) : skip_line_records(file, off, line, r % stride, end);
      out.emplace_back(at.first, base_line + at.second);
    }
    return out;
  }
  int64_t k = start.rows_before;
  scan_range(file, d, begin, end, start.state, line0 + start.newlines_before, [&](uint64_t off, int64_t line) {
    if (k++ % chunk_rows == 0) out.emplace_back(off, line);
  });
  return out;
}

}  // namespace because::corpus
