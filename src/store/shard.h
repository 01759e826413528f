// Crash-safe shard writers. Each rank appends finished work chunks of one shard set to its own
// directory RUN/shards/SET/rank-R/: chunks are buffered, then written together as one HDF5
// segment file (temporary name, H5Fflush + close + fsync, rename), and only then recorded in
// the rank's ledger (append-only, one checksummed line per chunk, fsync). After kill -9 at any
// moment a chunk counts as done exactly when a ledger line lists it; its segment is complete.
// The durable half of a commit that append() starts (fsync, rename, ledger) runs on a background
// thread while the next chunks are buffered and written; commit() and the destructor wait for it.
// See docs/store.md "Shards and ledgers" for why segments instead of one growing file.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "corpus/instance.h"
#include "store/schema.h"

namespace because::store {

/// One finished work chunk (the unit of scheduling, resume and merge order).
struct ShardChunk {
  int64_t id = -1;                            ///< corpus chunk index (global order of the merge)
  std::vector<corpus::Instance> instances;    ///< rows of the chunk in corpus order (may be empty)
  std::vector<Explanation> explanations;      ///< model explanations; human ones are added from instances
  std::vector<Judgment> judgments;            ///< optional (ShardOptions::judgments_name must be set)
};

struct ShardOptions {
  std::string run_dir;                 ///< RUN/
  std::string set = "explain";         ///< shard set name: RUN/shards/SET/
  int rank = 0;                        ///< owner of RUN/shards/SET/rank-R/
  std::string config_hash;             ///< written into the ledger; resume refuses another one
  std::string label_set;               ///< label set name (e.g. "nli")
  std::vector<std::string> labels;     ///< label names (L)
  std::string judgments_name;          ///< set when chunks carry judgments: /judgments/NAME
  std::string judgments_method = "{}";///< JSON attributes of the judgment method
  int n_perms = 1;                     ///< permutations (rows of raw scores) per judgment
  WriteOptions write;
  int64_t commit_rows = 65536;         ///< commit a segment once this many rows (all tables) are buffered
  double commit_seconds = 60;          ///< ... or this long after the oldest uncommitted chunk
};

/// Appends finished chunks of one rank. Not thread-safe; one per rank and set.
class ShardWriter {
 public:
  /// Opens RUN/shards/SET/rank-R/ (creating it), reads the ledger (ignoring a torn last line and
  /// truncating it), deletes segment files the ledger does not list, and checks the config hash
  /// (StoreError if the ledger was written under another one; see prepare_shard_set).
  explicit ShardWriter(ShardOptions o);
  /// Commits buffered chunks (best effort: errors are logged, never thrown).
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  /// Buffers a finished chunk; commits when commit_rows / commit_seconds is reached. Such a
  /// commit writes the segment and leaves its fsync, rename and ledger lines to a background
  /// thread (one at a time: the next commit waits for it); its chunks are in committed() once
  /// that is done, and an error there is thrown by the next append() or commit().
  /// Human explanations of the instances are added (source "human", before model ones of the
  /// same instance); explanations are ordered by instance (stable). Throws StoreError when an
  /// explanation refers to no instance of the chunk or the chunk id is already committed.
  void append(ShardChunk chunk);
  /// Writes every buffered chunk as one segment and records them in the ledger; returns when every
  /// chunk appended so far is durable (also those of a commit still in the background).
  void commit();
  /// Chunk ids recorded in this rank's ledger (including earlier runs). A background commit's
  /// chunks join when it completes (seen by the next append() or commit()).
  const std::set<int64_t>& committed() const { return committed_; }
  int64_t n_pending() const { return static_cast<int64_t>(pending_.size()); }
  const std::string& dir() const { return dir_; }

 private:
  ShardOptions o_;
  std::string dir_;
  std::set<int64_t> committed_;
  std::vector<ShardChunk> pending_;
  int64_t pending_rows_ = 0;
  double pending_since_ = 0;
  int64_t next_segment_ = 0;
  // The background half of the last commit (publish()), its chunks, and what it threw.
  std::thread publisher_;
  std::vector<int64_t> publishing_;
  std::exception_ptr publish_error_;
  std::atomic<bool> publish_failed_{false};  // publish_error_ is set (read before joining)

  // A segment written to its temporary name, for the background thread to publish: its file
  // names and ledger lines, and the chunks and columns it was written from (freed there too).
  struct WrittenSegment {
    std::string tmp, final_path, lines;
    std::vector<int64_t> ids;  // its chunks
    std::vector<ShardChunk> chunks;
    std::vector<Table> tables;
  };
  // Writes the pending chunks as a segment and hands it to the background (publish_async).
  void start_commit();
  // Writes the pending chunks to a temporary segment, moving them out of pending_.
  WrittenSegment write_segment();
  // Starts publishing a written segment on the background thread (after wait_published()): fsync,
  // rename, ledger lines; then frees its chunks and columns.
  void publish_async(WrittenSegment seg);
  // Waits for the background publication; its chunks join committed_, its error is rethrown.
  void wait_published();
};

/// One ledger line: a committed chunk and where it lives.
struct LedgerEntry {
  int64_t chunk = -1;
  std::string segment;        ///< file name inside the rank directory
  int64_t index = 0;          ///< position of the chunk in the segment's /chunks table
  int64_t n_instances = 0;
  int64_t n_explanations = 0;
  int64_t n_judgments = 0;
  std::string config_hash;
};
/// Reads a ledger; complete, checksummed lines only (a torn or corrupt tail is ignored).
/// `valid_bytes` (optional) receives the length of the valid prefix.
std::vector<LedgerEntry> read_ledger(const std::string& path, int64_t* valid_bytes = nullptr);

/// A committed chunk of a shard set, located.
struct CommittedChunk {
  LedgerEntry entry;
  std::string segment_path;   ///< full path of the segment file
  int rank = -1;              ///< rank directory it came from
};
/// Every committed chunk of a set from ALL rank ledgers, sorted by chunk id; a chunk listed
/// twice is kept once (the first rank directory, a warning is logged).
std::vector<CommittedChunk> list_committed(const std::string& run_dir, const std::string& set);
/// Chunk ids that are done (all ranks' ledgers; any earlier rank count).
std::set<int64_t> completed_chunks(const std::string& run_dir, const std::string& set);
/// Shard set of `because explain`: "explain", or "explain-NAME" for --explain.name=NAME. Explain
/// sets of one run merge into one store (merge.h).
inline std::string explain_set(const std::string& name) { return name.empty() ? "explain" : "explain-" + name; }
inline bool is_explain_set(const std::string& set) { return set == "explain" || set.rfind("explain-", 0) == 0; }
/// Shard sets present under RUN/shards/ (sorted).
std::vector<std::string> list_shard_sets(const std::string& run_dir);
std::string shard_set_dir(const std::string& run_dir, const std::string& set);
/// RUN/SET.json: what the stage that writes set SET used (explain: backend, model, template,
/// mode; judge: its method), written by the stage's rank 0; merge reads the explain sets'.
std::string set_record_path(const std::string& run_dir, const std::string& set);

/// The provenance of the stage runs that wrote a shard set: RUN/shards/SET/provenance.jsonl, one
/// JSON object per run (the fields of ProvenanceRow), appended durably by the stage's rank 0 when
/// the run ends; `because merge` copies them into the store's /provenance before its own row.
void append_set_provenance(const std::string& run_dir, const std::string& set, const ProvenanceRow& row);
/// The rows of that file in order (none when it is absent); throws StoreError naming file and
/// line for a row that does not parse.
std::vector<ProvenanceRow> read_set_provenance(const std::string& run_dir, const std::string& set);

/// Call on ONE process (rank 0) before ShardWriters open: if a ledger of the set was written
/// under another config hash, throws ConfigError ("config changed ...; pass --restart") unless
/// `restart`, in which case the set's directory is removed. Returns completed_chunks().
std::set<int64_t> prepare_shard_set(const std::string& run_dir, const std::string& set,
                                    const std::string& config_hash, bool restart);

}  // namespace because::store
