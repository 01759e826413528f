// Dynamic chunk claiming: ranks take the next chunk from a shared counter in rank 0's memory
// with MPI_Fetch_and_op (passive target), so a slow rank never holds the others back.
#pragma once

#include <cstdint>
#include <vector>

#include "mpi/comm.h"

namespace because::mpi {

class ChunkScheduler {
 public:
  /// Collective. `todo` lists the chunk ids to hand out, identical on every rank (e.g. all
  /// chunks minus those any ledger already holds), in the order they are handed out.
  ChunkScheduler(const Comm& comm, std::vector<int64_t> todo);
  ~ChunkScheduler();
  ChunkScheduler(const ChunkScheduler&) = delete;
  ChunkScheduler& operator=(const ChunkScheduler&) = delete;

  /// The next unclaimed chunk id, or -1 when every chunk is claimed. Not collective.
  [[nodiscard]] int64_t next();
  /// Chunks claimed by this rank so far.
  [[nodiscard]] int64_t n_claimed() const { return claimed_; }
  [[nodiscard]] size_t n_todo() const { return todo_.size(); }
  /// Collective: frees the window (the destructor does too, except while an exception unwinds).
  void close();

 private:
  const Comm& comm_;
  std::vector<int64_t> todo_;
  int64_t* counter_ = nullptr;
  MPI_Win win_ = MPI_WIN_NULL;
  int64_t claimed_ = 0;
};

}  // namespace because::mpi
