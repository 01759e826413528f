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
  std::map<std::string, int64_t> counts_;
};

/// Collective: sums per-key counts over ranks (every rank gets the result).
std::map<std::string, int64_t> sum_counts(const Comm& comm, const std::map<std::string, int64_t>& local);

/// Collective: rows whose uid hash repeats an earlier row's, given this rank's (uid hash, row)
/// pairs. Returns on every rank the number of repeated rows and up to `max_examples` groups of
/// rows sharing a uid ("12,340").
struct Duplicates {
  int64_t n_repeated = 0;
  std::vector<std::string> examples;
};
Duplicates find_duplicate_uids(const Comm& comm, std::vector<std::pair<uint64_t, int64_t>> local, int max_examples = 10);

}  // namespace because::mpi
