// Parallel merge of shard sets into RUN/store.h5 over MPI: MPI-IO file access and collective
// transfers for store::merge_shards (src/store/merge.h), which holds the merge itself.
#pragma once

#include "mpi/comm.h"
#include "store/merge.h"

namespace because::mpi {

/// store::MergeComm over an MPI communicator (HDF5 files opened with H5Pset_fapl_mpio on a
/// duplicate of comm, transfers H5FD_MPIO_COLLECTIVE).
class StoreMergeComm : public store::MergeComm {
 public:
  explicit StoreMergeComm(const Comm& comm) : comm_(comm) {}
  int rank() const override { return comm_.rank(); }
  int size() const override { return comm_.size(); }
  void barrier() const override { comm_.barrier(); }
  std::vector<int64_t> allgather(const std::vector<int64_t>& v) const override;
  std::vector<std::string> allgather(const std::string& s) const override { return comm_.allgather(s); }
  void make_access(store::h5::Access& a) const override;

 private:
  const Comm& comm_;
};

/// Collective: merges with all ranks of `comm` (see store::merge_shards).
store::MergeResult merge_store(const Comm& comm, const store::MergeOptions& o);

}  // namespace because::mpi
