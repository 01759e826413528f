// MPI environment and communicator RAII, checked MPI calls, and the small collectives the stages
// share. This folder is the only place that includes <mpi.h>.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace because::mpi {

/// Throws because::Error naming the call, file and line when an MPI call fails.
void check(int rc, const char* call, const char* file, int line);
#define BECAUSE_MPI_CHECK(call) ::because::mpi::check((call), #call, __FILE__, __LINE__)

/// MPI_Init_thread / MPI_Finalize. Errors return codes (MPI_ERRORS_RETURN) so they become
/// exceptions. One per process, owned by main.
class Environment {
 public:
  Environment(int* argc, char*** argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  /// "Open MPI v4.1.4, ..." (MPI_Get_library_version, first line).
  static std::string library_version();
};

/// Owns an MPI_Comm_dup of a communicator.
class Comm {
 public:
  /// Duplicates MPI_COMM_WORLD.
  static Comm world();
  explicit Comm(MPI_Comm parent);
  ~Comm();
  Comm(Comm&& o) noexcept;
  Comm& operator=(Comm&&) = delete;
  Comm(const Comm&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  MPI_Comm get() const { return comm_; }

  void barrier() const;
  /// Ends every rank of the job with `code` (never returns).
  [[noreturn]] void abort(int code) const;

  int64_t sum(int64_t v) const;
  double sum(double v) const;
  int64_t max(int64_t v) const;
  double max(double v) const;
  int64_t min(int64_t v) const;
  bool any(bool v) const;
  bool all(bool v) const;
  /// Exclusive prefix sum (rank 0 gets 0).
  int64_t exscan(int64_t v) const;
  std::vector<int64_t> allgather(int64_t v) const;
  /// Element-wise sums in place.
  void sum_inplace(std::vector<int64_t>& v) const;
  void sum_inplace(std::vector<double>& v) const;
  /// Broadcasts a string from `root`.
  void bcast(std::string& s, int root = 0) const;
  /// Gathers strings on every rank (variable lengths).
  std::vector<std::string> allgather(const std::string& s) const;
  /// Host name of every rank (allgather of MPI_Get_processor_name).
  std::vector<std::string> hosts() const;
  /// Collective. Ranks on this rank's host (itself included).
  int ranks_on_my_host() const;

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

/// True on every rank once any rank saw a stop signal (collective: call on all ranks together).
bool any_stop_requested(const Comm& comm);

}  // namespace because::mpi
