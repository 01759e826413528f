// Global progress across ranks without collectives: every rank adds its counts into rank 0's
// memory window with MPI_Accumulate (passive target); rank 0 reads them and prints the bar.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mpi/comm.h"
#include "util/progress.h"

namespace because::mpi {

class GlobalProgress {
 public:
  /// Collective. `counters` names the counts (the first is the progress unit, e.g. "instances");
  /// `total` is the expected final value of the first counter (0: unknown).
  GlobalProgress(const Comm& comm, std::vector<std::string> counters, uint64_t total, double interval_s);
  ~GlobalProgress();
  GlobalProgress(const GlobalProgress&) = delete;
  GlobalProgress& operator=(const GlobalProgress&) = delete;

  /// Adds `deltas` (one per counter) to the global counts; rank 0 then maybe prints. Not collective.
  void add(const std::vector<int64_t>& deltas);
  /// Current global counts as seen by rank 0 (local view elsewhere).
  std::vector<int64_t> totals() const;
  /// Collective: prints the final line on rank 0 and returns the global counts on all ranks.
  std::vector<int64_t> finish();

 private:
  void show(bool final);
  const Comm& comm_;
  std::vector<std::string> names_;
  std::vector<int64_t> local_;
  int64_t* base_ = nullptr;
  MPI_Win win_ = MPI_WIN_NULL;
  Progress progress_;
};

}  // namespace because::mpi
