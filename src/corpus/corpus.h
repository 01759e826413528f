// The public API of the corpus layer: a corpus file (or e-SNLI per-field directory) opened with
// its dataset adapter and row-offset index, read chunk by chunk into Instances.
//
// Rows are numbered 0..n_rows()-1 in file order (blank lines are not rows; a header is not a
// row). Chunk c holds rows [c*chunk_rows, min((c+1)*chunk_rows, n_rows)). Every row of a chunk is
// returned exactly once: adapted in ChunkRead::rows (Instance.row = global row) or, when it
// cannot be adapted, in ChunkRead::bad with the file, line and reason. Nothing is dropped.
//
// Single process: Corpus::open. Several ranks: mpi::open_corpus (mpi/corpus_index.h) builds the
// index in parallel, caches it under RUN/index/, and returns the same Corpus on every rank.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/corpus.h"
#include "corpus/dataset.h"
#include "corpus/index.h"
#include "corpus/instance.h"

namespace because::corpus {

/// A row that could not be adapted.
struct BadRow {
  int64_t row = -1;    ///< global row index
  std::string file;    ///< source file
  int64_t line = 0;    ///< 1-based line of the row's start
  std::string reason;  ///< malformed_json, malformed_csv, wrong_field_count, missing_field,
                       ///< unknown_label, invalid_utf8, empty_text, oversize, unsupported_row
  std::string detail;  ///< human-readable detail (field, value, parser message)
};

/// The rows of one chunk.
struct ChunkRead {
  std::vector<Instance> rows;  ///< adapted rows, in row order
  std::vector<BadRow> bad;     ///< rows that could not be adapted, in row order
};

/// Where the data of one source file starts (after BOM and header), before indexing.
struct SourceLayout {
  std::string path;
  Dialect dialect;
  uint64_t data_begin = 0;
  int64_t data_line = 1;
};

class Corpus {
 public:
  /// Opens `cfg.path` with its adapter (`cfg.dataset`, "auto" detects). Builds the row index
  /// sequentially, or loads it from `index_path` when that file holds an index for the same
  /// file (size, mtime), layout and chunk size; a fresh index is saved there. Empty path: no
  /// cache. Throws ConfigError / InputError naming the file.
  static Corpus open(const config::CorpusConfig& cfg, const std::string& index_path_or_empty);

  /// The data layout of each source file (reads the header). First step of a distributed open.
  static std::vector<SourceLayout> layout(const config::CorpusConfig& cfg);
  /// Opens with indexes built elsewhere (one per source, in layout order).
  static Corpus from_indexes(const config::CorpusConfig& cfg, std::vector<RowIndex> indexes);

  Corpus(Corpus&&) noexcept;
  Corpus& operator=(Corpus&&) noexcept;
  ~Corpus();

  /// Physical rows (bad rows included), after --corpus.limit.
  int64_t n_rows() const { return n_rows_; }
  int64_t chunk_rows() const { return chunk_rows_; }
  int64_t n_chunks() const { return (n_rows_ + chunk_rows_ - 1) / chunk_rows_; }
  /// Rows of chunk `chunk` (0 <= chunk < n_chunks()). Reads only that chunk's bytes. Not
  /// thread-safe (one Corpus per thread); any number of processes may read the same file.
  ChunkRead read_chunk(int64_t chunk) const;
  /// The same into `out`, reusing the strings and vectors of its rows: a loop over chunks with
  /// one ChunkRead allocates almost nothing per row.
  void read_chunk(int64_t chunk, ChunkRead& out) const;

  const LabelSet& labels() const;
  /// Dataset name ("mnli", "sample", ...), as recorded in Instance.dataset.
  std::string dataset() const;
  /// Source files (one, or one per field for e-SNLI directories).
  const std::vector<std::string>& files() const { return paths_; }
  const std::vector<RowIndex>& indexes() const { return indexes_; }

 private:
  Corpus() = default;
  void init(const config::CorpusConfig& cfg, std::unique_ptr<Adapter> adapter, std::vector<RowIndex> idx);
  std::unique_ptr<Adapter> adapter_;
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<File>> files_;
  std::vector<RowIndex> indexes_;
  int64_t n_rows_ = 0;
  int64_t chunk_rows_ = 256;
  uint64_t max_row_bytes_ = 1 << 20;
};

/// One pass over the rows that start in a byte range of a corpus file, without a row index: how
/// N ranks ingest a corpus in a single read of the file (mpi::read_corpus_once), each taking
/// 1/N of the bytes. The range is rounded to line starts (a row belongs to the range where its
/// first byte lies), so ranges split with split_ranges cover every row exactly once.
///
/// The rows' numbers are *local*: Instance.row and BadRow.row count from 0 at the range's first
/// row, and lines (Instance.source_line, BadRow.line) count from 0 at its first byte. The caller
/// adds the rows and newlines of the ranges before it (known once every range has been read).
/// Only for one line-per-row file (JSONL, TSV, `text;label`; not CSV, where a range may start
/// inside a quoted field, nor e-SNLI's per-field files) and no --corpus.limit: see supported().
class RangeReader {
 public:
  static bool supported(const config::CorpusConfig& cfg, const std::vector<SourceLayout>& layout);
  /// The first line start at or after `pos` (`pos` itself when it starts a line); file size if none.
  static uint64_t line_start_at_or_after(const File& file, uint64_t data_begin, uint64_t pos);

  RangeReader(const config::CorpusConfig& cfg, uint64_t begin, uint64_t end);
  ~RangeReader();
  RangeReader(const RangeReader&) = delete;
  RangeReader& operator=(const RangeReader&) = delete;

  /// Up to `max_rows` next rows into `out` (reusing its strings); false when the range is done.
  bool next(int64_t max_rows, ChunkRead& out);
  /// Rows read so far (bad ones included).
  int64_t rows() const { return n_rows_; }
  /// Newlines in the range; complete once next() has returned false.
  int64_t newlines() const;
  /// The range after rounding to line starts.
  uint64_t begin() const { return begin_; }
  uint64_t end() const { return end_; }
  /// (offset, local line) of every SpeculativeScan::kSampleStride-th row, for building the row
  /// index of the range afterwards with chunk_starts (no second pass over the range).
  const std::vector<std::pair<uint64_t, int64_t>>& samples() const { return samples_; }
  const LabelSet& labels() const;
  std::string dataset() const;
  const File& file() const { return *file_; }

 private:
  std::unique_ptr<Adapter> adapter_;
  std::vector<std::string> paths_;
  std::unique_ptr<File> file_;
  std::unique_ptr<RecordReader> reader_;
  uint64_t begin_ = 0, end_ = 0;
  uint64_t max_row_bytes_ = 0;
  int64_t n_rows_ = 0;
  RowProblem problem_;
  std::vector<std::pair<uint64_t, int64_t>> samples_;
};

/// Builds an adapter and applies the header of its first source (used by open and layout).
std::unique_ptr<Adapter> open_adapter(const config::CorpusConfig& cfg, std::vector<SourceLayout>* layout);

}  // namespace because::corpus
