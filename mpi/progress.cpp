// One-sided progress aggregation.
#include "mpi/progress.h"

#include <algorithm>
#include <exception>

namespace because::mpi {

GlobalProgress::GlobalProgress(const Comm& comm, std::vector<std::string> counters, uint64_t total,
                               double interval_s)
    : comm_(comm), names_(std::move(counters)), local_(names_.size(), 0),
      progress_(names_.empty() ? "items" : names_[0], total, interval_s) {
  const MPI_Aint bytes = comm.root() ? static_cast<MPI_Aint>(names_.size() * sizeof(int64_t)) : 0;
  BECAUSE_MPI_CHECK(MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, comm.get(), &base_, &win_));
  if (comm.root()) std::fill(base_, base_ + names_.size(), 0);
  comm.barrier();
}

GlobalProgress::~GlobalProgress() {
  // MPI_Win_free is collective: while an exception unwinds one rank, the others may never get
  // here, so leave the window to MPI_Abort (run_guarded) instead of hanging in the free.
  if (win_ != MPI_WIN_NULL && std::uncaught_exceptions() == 0) MPI_Win_free(&win_);
}

void GlobalProgress::add(const std::vector<int64_t>& deltas) {
  for (size_t i = 0; i < deltas.size() && i < local_.size(); ++i) local_[i] += deltas[i];
  if (comm_.root()) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_);
    for (size_t i = 0; i < deltas.size() && i < names_.size(); ++i) base_[i] += deltas[i];
    MPI_Win_unlock(0, win_);
    show(false);
  } else {
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win_);
    MPI_Accumulate(deltas.data(), static_cast<int>(std::min(deltas.size(), names_.size())), MPI_INT64_T, 0, 0,
                   static_cast<int>(std::min(deltas.size(), names_.size())), MPI_INT64_T, MPI_SUM, win_);
    MPI_Win_unlock(0, win_);
  }
}

std::vector<int64_t> GlobalProgress::totals() const {
  if (!comm_.root()) return local_;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win_);
  std::vector<int64_t> out(base_, base_ + names_.size());
  MPI_Win_unlock(0, win_);
  return out;
}

void GlobalProgress::show(bool final) {
  const auto t = totals();
  std::string extra;
  for (size_t i = 1; i < names_.size(); ++i) extra += (i > 1 ? ", " : "") + std::to_string(t[i]) + " " + names_[i];
  if (final) {
    progress_.finish(static_cast<uint64_t>(t.empty() ? 0 : t[0]), extra);
  } else {
    progress_.update(static_cast<uint64_t>(t.empty() ? 0 : t[0]), extra);
  }
}

std::vector<int64_t> GlobalProgress::finish() {
  std::vector<int64_t> all = local_;
  comm_.sum_inplace(all);
  if (comm_.root()) show(true);
  return all;
}

}  // namespace because::mpi
