// MPI side of the store merge: MPI-IO file access and collective transfers for parallel HDF5.
#include "mpi/store_merge.h"

#include "store/h5.h"

namespace because::mpi {

std::vector<int64_t> StoreMergeComm::allgather(const std::vector<int64_t>& v) const {
  std::vector<int64_t> out(v.size() * static_cast<size_t>(comm_.size()));
  BECAUSE_MPI_CHECK(MPI_Allgather(v.data(), static_cast<int>(v.size()), MPI_INT64_T, out.data(),
                                  static_cast<int>(v.size()), MPI_INT64_T, comm_.get()));
  return out;
}

void StoreMergeComm::make_access(store::h5::Access& a) const {
  a.rank = comm_.rank();
  a.size = comm_.size();
  a.fapl = store::h5::Handle(BECAUSE_H5(H5Pcreate(H5P_FILE_ACCESS)));
  BECAUSE_H5(H5Pset_fapl_mpio(a.fapl.get(), comm_.get(), MPI_INFO_NULL));
  a.dxpl = store::h5::Handle(BECAUSE_H5(H5Pcreate(H5P_DATASET_XFER)));
  BECAUSE_H5(H5Pset_dxpl_mpio(a.dxpl.get(), H5FD_MPIO_COLLECTIVE));
}

store::MergeResult merge_store(const Comm& comm, const store::MergeOptions& o) {
  StoreMergeComm mc(comm);
  return store::merge_shards(mc, o);
}

}  // namespace because::mpi
