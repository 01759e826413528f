// Distributed corpus opening and the bad-row quarantine.
//
// open_corpus: every rank scans 1/N of the file's bytes once per possible start state (a range
// may begin inside a quoted CSV field), the per-range results are allgathered and chained in
// order, each rank then lists the chunk starts in its range and these are allgathered into the
// full row index. With a run directory the index is cached as RUN/index/<key>.idx (key: file
// path, size, mtime, layout, chunk size); a later open loads it instead of scanning.
//
// Quarantine: each rank appends its bad rows to RUN/quarantine/rank-<r>.jsonl as it goes (no
// communication per row); finish() (collective) merges them on rank 0 into RUN/quarantine.jsonl,
// one JSON object per bad row {row, file, line, reason, detail}, sorted by row and with repeated
// rows (from resumed runs) written once, and returns the global count per reason on every rank.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/corpus.h"
#include "corpus/corpus.h"
#include "mpi/comm.h"

namespace because::mpi {

/// Collective. Opens the corpus on every rank with an index built in parallel (or loaded from
/// RUN/index/ when `run_dir` is not empty and a matching index is there).
corpus::Corpus open_corpus(const Comm& comm, const config::CorpusConfig& cfg, const std::string& run_dir);

/// Collective builder of one file's index (exposed for tests and benchmarks).
corpus::RowIndex build_index_parallel(const Comm& comm, const corpus::SourceLayout& layout, int64_t chunk_rows);

/// How read_corpus_once numbered the rows it handed to its callback on this rank.
struct CorpusPass {
  bool one_pass = false;  ///< true: one read of the file, rows numbered locally (add the bases)
  int64_t row_base = 0;   ///< add to Instance.row / BadRow.row of this rank's rows
  int64_t line_base = 0;  ///< add to Instance.source_line / BadRow.line of this rank's rows
  int64_t n_rows = 0;     ///< rows of the whole corpus (bad ones included)
  int64_t n_chunks = 0;   ///< chunks of chunk_rows rows
};

/// Collective. Reads every row of the corpus exactly once over the ranks and calls `fn` with
/// batches of at most chunk_rows consecutive rows of this rank (one ChunkRead, reused) and
/// whether their numbers are local (see below).
///
/// A one-file line corpus (JSONL, TSV) without --corpus.limit and without `strict` is read in a
/// single pass with no index pass before it: rank r reads the rows that start in its 1/N of
/// the bytes (corpus::RangeReader), so the file is read once in all. The rank cannot know how
/// many rows come before its range until every rank is done, so the rows given to `fn` are
/// numbered from 0 within the rank; add `row_base` and `line_base` of the result to them. With a
/// `run_dir` the pass also leaves the row index in RUN/index/ for later stages (from row samples,
/// without another pass). Other corpora (CSV, per-field files, a limit, `strict`, where an error
/// must name the row's true line at once) are read chunk by chunk from the parallel index, ranks
/// taking chunks in turn; then rows are numbered globally and the bases are 0.
CorpusPass read_corpus_once(const Comm& comm, const config::CorpusConfig& cfg, const std::string& run_dir, bool strict,
                            const std::function<void(corpus::ChunkRead&, bool local)>& fn);

class Quarantine {
 public:
  /// Collective. `run_dir` empty: bad rows are only counted (and logged at debug level).
  /// `strict`: add() throws InputError on the first bad row (general.strict / --strict).
  Quarantine(const Comm& comm, const std::string& run_dir, bool strict);
  ~Quarantine();
  Quarantine(const Quarantine&) = delete;
  Quarantine& operator=(const Quarantine&) = delete;

  /// Records bad rows of this rank (not collective).
  void add(const std::vector<corpus::BadRow>& bad);
  /// Records bad rows numbered locally (read_corpus_once's one pass): counted now, kept aside in
  /// RUN/quarantine/rank-<r>.local until renumber() adds the rank's bases to rows and lines.
  void add_local(const std::vector<corpus::BadRow>& bad);
  /// Moves the rows given to add_local into the quarantine with `row_base` and `line_base` added.
  void renumber(int64_t row_base, int64_t line_base);
  /// This rank's counts per reason so far.
  const std::map<std::string, int64_t>& local_counts() const { return counts_; }
  /// Collective: merges the rank files into RUN/quarantine.jsonl and returns global counts.
  std::map<std::string, int64_t> finish();

  /// One bad row as a JSON line (no trailing newline).
  static std::string to_json_line(const corpus::BadRow& b);

 private:
  const Comm& comm_;
  std::string run_dir_;
  bool strict_;
  std::FILE* out_ = nullptr;
  std::FILE* local_ = nullptr;  // rows given to add_local, until renumber()
  std::string local_path_;
  std::map<std::string, int64_t> counts_;
};

/// Collective: sums per-key counts over ranks (every rank gets the result).
std::map<std::string, int64_t> sum_counts(const Comm& comm, const std::map<std::string, int64_t>& local);
/// The sum of the counts of every key (e.g. all bad rows of Quarantine::finish's per-reason counts).
int64_t total_count(const std::map<std::string, int64_t>& counts);

/// Collective: rows whose uid hash repeats an earlier row's, given this rank's (uid hash, row)
/// pairs. Returns on every rank the number of repeated rows and up to `max_examples` groups of
/// rows sharing a uid ("12,340").
struct Duplicates {
  int64_t n_repeated = 0;
  std::vector<std::string> examples;
};
Duplicates find_duplicate_uids(const Comm& comm, std::vector<std::pair<uint64_t, int64_t>> local, int max_examples = 10);

}  // namespace because::mpi
