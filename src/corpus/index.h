// The row-offset index of one corpus file: where every chunk of `chunk_rows` consecutive rows
// starts (byte offset and line). Memory is one entry per chunk, not per row, so it stays small
// for any corpus (2 M rows at 256 per chunk: 7813 entries, 125 KB); a chunk is read by seeking
// to its start and scanning forward.
//
// Built sequentially here; `mpi/corpus_index.h` builds it in parallel from byte ranges with
// scan_speculative + chunk_starts and caches it as a file.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "corpus/records.h"

namespace because::corpus {

struct RowIndex {
  uint64_t data_begin = 0;  ///< byte offset of the first data row (after BOM and header)
  int64_t data_line = 1;    ///< its 1-based line
  uint64_t data_end = 0;    ///< file size when indexed
  int64_t n_rows = 0;       ///< data records (bad ones included)
  int64_t chunk_rows = 256;
  std::vector<uint64_t> chunk_offset;  ///< byte offset of each chunk's first row
  std::vector<int64_t> chunk_line;     ///< 1-based line of each chunk's first row
  int64_t n_chunks() const { return static_cast<int64_t>(chunk_offset.size()); }
};

/// Cache key of an index: file path, size and modification time, layout and chunk size.
std::string index_key(const File& file, const Dialect& d, uint64_t data_begin, int64_t chunk_rows);

/// Sequential build (one pass over the data).
RowIndex build_index(const File& file, const Dialect& d, uint64_t data_begin, int64_t data_line, int64_t chunk_rows);

/// Writes the index atomically with its key; `load_index` returns false when the file is
/// missing, unreadable or was made for another key (a stale cache is rebuilt, never trusted).
void save_index(const std::string& path, const std::string& key, const RowIndex& idx);
bool load_index(const std::string& path, const std::string& key, RowIndex& idx);

// ---- pieces of the parallel build -------------------------------------------------------------

/// A byte range scanned once for each possible start state (CSV: the range may start inside a
/// quoted field; lines: inside a line or at its start). by_state[s] is the result when the range
/// starts in state s. Line files only fill kRecordStart and kUnquoted.
struct SpeculativeScan {
  std::array<RangeScan, kNumCsvStates> by_state{};
  /// Line files: (offset, line relative to `begin`) of every kSampleStride-th record start as
  /// the kRecordStart scan counts them, so chunk_starts needs no second pass over the range
  /// (it walks at most kSampleStride - 1 records from a sample).
  std::vector<std::pair<uint64_t, int64_t>> samples;
  int64_t inside_shift = 0;  ///< records the kRecordStart scan counts before the "inside" scan's first
  static constexpr int64_t kSampleStride = 64;
};
SpeculativeScan scan_speculative(const File& file, const Dialect& d, uint64_t begin, uint64_t end);

/// Resolves the true start state of every range from the per-range speculative scans (range 0
/// starts in kRecordStart); returns (state, rows before, newlines before) per range.
struct RangeStart {
  CsvState state = CsvState::kRecordStart;
  int64_t rows_before = 0;
  int64_t newlines_before = 0;
};
std::vector<RangeStart> resolve_ranges(const Dialect& d, const std::vector<SpeculativeScan>& scans);

/// Chunk starts (offset, line) inside [begin, end) given the range's resolved start. With the
/// range's own scan (`scanned`, line files), the starts come from its samples instead of a
/// second pass over the range.
std::vector<std::pair<uint64_t, int64_t>> chunk_starts(const File& file, const Dialect& d, uint64_t begin, uint64_t end,
                                                       const RangeStart& start, int64_t line0, int64_t chunk_rows,
                                                       const SpeculativeScan* scanned = nullptr);

/// Byte ranges [data_begin, size) split into `n` near-equal parts.
std::vector<std::pair<uint64_t, uint64_t>> split_ranges(uint64_t data_begin, uint64_t size, int n);

}  // namespace because::corpus
