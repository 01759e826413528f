// MPI RAII and collectives.
#include "mpi/comm.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <utility>

#include "util/error.h"
#include "util/signals.h"

namespace because::mpi {

void check(int rc, const char* call, const char* file, int line) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw Error(std::string("MPI call failed: ") + call + " at " + file + ":" + std::to_string(line) + ": " +
              std::string(msg, len));
}

Environment::Environment(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    BECAUSE_MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

std::string Environment::library_version() {
  char buf[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(buf, &len);
  std::string s(buf, len);
  const auto nl = s.find_first_of("\n,");
  return nl == std::string::npos ? s : s.substr(0, nl);
}

Comm Comm::world() { return Comm(MPI_COMM_WORLD); }

Comm::Comm(MPI_Comm parent) {
  BECAUSE_MPI_CHECK(MPI_Comm_dup(parent, &comm_));
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

Comm::~Comm() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

Comm::Comm(Comm&& o) noexcept : comm_(std::exchange(o.comm_, MPI_COMM_NULL)), rank_(o.rank_), size_(o.size_) {}

void Comm::barrier() const { BECAUSE_MPI_CHECK(MPI_Barrier(comm_)); }

void Comm::abort(int code) const {
  MPI_Abort(comm_ == MPI_COMM_NULL ? MPI_COMM_WORLD : comm_, code);
  std::_Exit(code);
}

namespace {
template <class T>
T reduce_one(MPI_Comm c, T v, MPI_Datatype t, MPI_Op op) {
  T out{};
  BECAUSE_MPI_CHECK(MPI_Allreduce(&v, &out, 1, t, op, c));
  return out;
}
}  // namespace

int64_t Comm::sum(int64_t v) const { return reduce_one(comm_, v, MPI_INT64_T, MPI_SUM); }
double Comm::sum(double v) const { return reduce_one(comm_, v, MPI_DOUBLE, MPI_SUM); }
int64_t Comm::max(int64_t v) const { return reduce_one(comm_, v, MPI_INT64_T, MPI_MAX); }
double Comm::max(double v) const { return reduce_one(comm_, v, MPI_DOUBLE, MPI_MAX); }
int64_t Comm::min(int64_t v) const { return reduce_one(comm_, v, MPI_INT64_T, MPI_MIN); }
bool Comm::any(bool v) const { return reduce_one<int>(comm_, v ? 1 : 0, MPI_INT, MPI_LOR) != 0; }
bool Comm::all(bool v) const { return reduce_one<int>(comm_, v ? 1 : 0, MPI_INT, MPI_LAND) != 0; }

int64_t Comm::exscan(int64_t v) const {
  int64_t out = 0;
  BECAUSE_MPI_CHECK(MPI_Exscan(&v, &out, 1, MPI_INT64_T, MPI_SUM, comm_));
  return rank_ == 0 ? 0 : out;
}

std::vector<int64_t> Comm::allgather(int64_t v) const {
  std::vector<int64_t> out(size_);
  BECAUSE_MPI_CHECK(MPI_Allgather(&v, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, comm_));
  return out;
}

void Comm::sum_inplace(std::vector<int64_t>& v) const {
  if (!v.empty())
    BECAUSE_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_INT64_T, MPI_SUM, comm_));
}
void Comm::sum_inplace(std::vector<double>& v) const {
  if (!v.empty())
    BECAUSE_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_SUM, comm_));
}

void Comm::bcast(std::string& s, int root) const {
  int64_t n = static_cast<int64_t>(s.size());
  BECAUSE_MPI_CHECK(MPI_Bcast(&n, 1, MPI_INT64_T, root, comm_));
  s.resize(static_cast<size_t>(n));
  if (n > 0) BECAUSE_MPI_CHECK(MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, root, comm_));
}

std::vector<std::string> Comm::allgather(const std::string& s) const {
  const int n = static_cast<int>(s.size());
  std::vector<int> lens(size_), displs(size_);
  BECAUSE_MPI_CHECK(MPI_Allgather(&n, 1, MPI_INT, lens.data(), 1, MPI_INT, comm_));
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    displs[r] = total;
    total += lens[r];
  }
  std::string all(static_cast<size_t>(total), '\0');
  BECAUSE_MPI_CHECK(MPI_Allgatherv(s.data(), n, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, comm_));
  std::vector<std::string> out(size_);
  for (int r = 0; r < size_; ++r) out[r] = all.substr(displs[r], lens[r]);
  return out;
}

std::vector<std::string> Comm::hosts() const {
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  return allgather(std::string(name, len));
}

int Comm::ranks_on_my_host() const {
  const auto all = hosts();
  return static_cast<int>(std::count(all.begin(), all.end(), all[static_cast<size_t>(rank())]));
}

bool any_stop_requested(const Comm& comm) {
  const bool any = comm.any(signals::stop_requested());
  if (any && !signals::stop_requested()) signals::request_stop(SIGUSR1);
  return any;
}

}  // namespace because::mpi
