// Merging shard sets into RUN/store.h5, written once for any number of processes: the collective
// steps go through MergeComm (mpi/store_merge.cpp implements it over MPI with MPI-IO property
// lists; SerialMergeComm is the one-process version). Rows are written in global chunk order:
// every rank merges a contiguous range of chunks and writes its rows at offsets from a prefix
// sum, with collective parallel-HDF5 writes, into RUN/store.h5.tmp, renamed when complete.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/schema.h"

namespace because::store {

namespace h5 {
struct Access;
}

/// The collective operations a merge needs (all are collective over the merging processes).
class MergeComm {
 public:
  virtual ~MergeComm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void barrier() const = 0;
  /// Every rank's vector (all equally long), concatenated in rank order.
  virtual std::vector<int64_t> allgather(const std::vector<int64_t>& v) const = 0;
  virtual std::vector<std::string> allgather(const std::string& s) const = 0;
  /// Property lists to open a file together (parallel: MPI-IO + collective transfers).
  virtual void make_access(h5::Access& a) const = 0;
};

class SerialMergeComm : public MergeComm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void barrier() const override {}
  std::vector<int64_t> allgather(const std::vector<int64_t>& v) const override { return v; }
  std::vector<std::string> allgather(const std::string& s) const override { return {s}; }
  void make_access(h5::Access& a) const override;
};

struct MergeOptions {
  std::string run_dir;
  /// Shard sets to merge. Empty: every set under RUN/shards. Exactly one set may carry
  /// instances (the base set); it is merged into a new store. Sets without instances (e.g.
  /// judgments written by `because judge` from the merged store) are added to the existing
  /// store (their instance columns are store rows).
  std::vector<std::string> sets;
  std::string output;                 ///< default RUN/store.h5
  WriteOptions write;
  int64_t batch_rows = 1 << 16;       ///< instances read per round and rank (bounds memory)
  StoreInfo info;                     ///< label set, version, config for a new store
  ProvenanceRow provenance;           ///< appended by rank 0 when complete (command empty: none)
};

struct MergeResult {
  std::string output;
  int64_t n_chunks = 0;
  int64_t n_instances = 0;
  int64_t n_explanations = 0;
  std::map<std::string, int64_t> n_judgments;  ///< per judgment set
  int64_t bytes_read = 0;       ///< logical bytes merged (sum over ranks)
  int64_t file_bytes = 0;       ///< size of the store after the merge
};

/// Collective over `comm`. Throws StoreError (every rank) when the shards are inconsistent
/// (missing chunks are not an error: a merge of a partial run holds what is done, and logs
/// how many chunks it took).
MergeResult merge_shards(const MergeComm& comm, const MergeOptions& o);

}  // namespace because::store
