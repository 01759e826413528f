// One-sided atomic chunk counter.
#include "mpi/chunk_scheduler.h"

#include <exception>

namespace because::mpi {

ChunkScheduler::ChunkScheduler(const Comm& comm, std::vector<int64_t> todo) : comm_(comm), todo_(std::move(todo)) {
  const MPI_Aint bytes = comm.root() ? static_cast<MPI_Aint>(sizeof(int64_t)) : 0;
  BECAUSE_MPI_CHECK(MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, comm.get(), &counter_, &win_));
  if (comm.root()) {
    BECAUSE_MPI_CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_));
    *counter_ = 0;
    BECAUSE_MPI_CHECK(MPI_Win_unlock(0, win_));
  }
  comm.barrier();
}

ChunkScheduler::~ChunkScheduler() {
  // MPI_Win_free is collective: while one rank unwinds an exception the others may never get
  // here, so the window is left to MPI_Abort / MPI_Finalize instead of hanging.
  if (win_ != MPI_WIN_NULL && std::uncaught_exceptions() == 0) MPI_Win_free(&win_);
}

void ChunkScheduler::close() {
  if (win_ != MPI_WIN_NULL) BECAUSE_MPI_CHECK(MPI_Win_free(&win_));
}

int64_t ChunkScheduler::next() {
  const int64_t one = 1;
  int64_t index = 0;
  BECAUSE_MPI_CHECK(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win_));
  BECAUSE_MPI_CHECK(MPI_Fetch_and_op(&one, &index, MPI_INT64_T, 0, 0, MPI_SUM, win_));
  BECAUSE_MPI_CHECK(MPI_Win_unlock(0, win_));
  if (index < 0 || index >= static_cast<int64_t>(todo_.size())) return -1;
  ++claimed_;
  return todo_[static_cast<size_t>(index)];
}

}  // namespace because::mpi
