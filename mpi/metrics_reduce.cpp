// Keyed sums, gathers and the row-blocked distance correlation.
#include "mpi/metrics_reduce.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "metrics/distribution.h"
#include "util/log.h"

namespace because::mpi {

std::map<std::string, metrics::Packed> sum_keyed(const Comm& comm, const std::map<std::string, metrics::Packed>& local,
                                                 const std::function<metrics::Packed(const std::string&)>& empty) {
  // Union of keys: each rank sends its keys as one '\n'-joined string (keys hold no newline).
  std::string mine;
  for (const auto& [k, v] : local) mine += k + "\n";
  std::set<std::string> keys;
  for (const auto& s : comm.allgather(mine)) {
    size_t pos = 0;
    while (pos < s.size()) {
      const size_t nl = s.find('\n', pos);
      keys.insert(s.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }
  std::vector<int64_t> ints;
  std::vector<double> reals;
  std::vector<std::pair<size_t, size_t>> sizes;
  for (const auto& k : keys) {
    const auto it = local.find(k);
    const metrics::Packed p = it != local.end() ? it->second : empty(k);
    ints.insert(ints.end(), p.ints.begin(), p.ints.end());
    reals.insert(reals.end(), p.reals.begin(), p.reals.end());
    sizes.emplace_back(p.ints.size(), p.reals.size());
  }
  comm.sum_inplace(ints);
  comm.sum_inplace(reals);
  std::map<std::string, metrics::Packed> out;
  size_t io = 0, ro = 0, idx = 0;
  for (const auto& k : keys) {
    metrics::Packed p;
    p.ints.assign(ints.begin() + io, ints.begin() + io + sizes[idx].first);
    p.reals.assign(reals.begin() + ro, reals.begin() + ro + sizes[idx].second);
    io += sizes[idx].first;
    ro += sizes[idx].second;
    ++idx;
    out.emplace(k, std::move(p));
  }
  return out;
}

std::vector<uint64_t> gather_to_root(const Comm& comm, const std::vector<uint64_t>& local) {
  const int n = comm.size();
  const int mine = static_cast<int>(local.size());
  std::vector<int> counts(comm.root() ? n : 0), displs(comm.root() ? n : 0);
  BECAUSE_MPI_CHECK(MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm.get()));
  std::vector<uint64_t> all;
  if (comm.root()) {
    int64_t total = 0;
    for (int r = 0; r < n; ++r) {
      displs[r] = static_cast<int>(total);
      total += counts[r];
    }
    all.resize(static_cast<size_t>(total));
  }
  BECAUSE_MPI_CHECK(MPI_Gatherv(local.data(), mine, MPI_UINT64_T, all.data(), counts.data(), displs.data(),
                                MPI_UINT64_T, 0, comm.get()));
  return all;
}

std::vector<double> allgather_doubles(const Comm& comm, const std::vector<double>& local) {
  const int n = comm.size();
  const int mine = static_cast<int>(local.size());
  std::vector<int> counts(n), displs(n);
  BECAUSE_MPI_CHECK(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.get()));
  int64_t total = 0;
  for (int r = 0; r < n; ++r) {
    displs[r] = static_cast<int>(total);
    total += counts[r];
  }
  std::vector<double> all(static_cast<size_t>(total));
  BECAUSE_MPI_CHECK(MPI_Allgatherv(local.data(), mine, MPI_DOUBLE, all.data(), counts.data(), displs.data(),
                                   MPI_DOUBLE, comm.get()));
  return all;
}

double distance_correlation(const Comm& comm, const std::vector<double>& x_local, int dx,
                            const std::vector<double>& y_local, int dy) {
  metrics::DistanceCorrelation dc(allgather_doubles(comm, x_local), dx, allgather_doubles(comm, y_local), dy);
  const int64_t n = dc.n();
  const int64_t begin = n * comm.rank() / comm.size(), end = n * (comm.rank() + 1) / comm.size();
  // Each row is filled by exactly one rank and zero elsewhere, so the sum is exact.
  std::vector<double> rows(static_cast<size_t>(n) * metrics::DistanceCorrelation::kPerRow, 0.0);
  // In blocks of about 2^24 pairs, so that a large group (n^2 pairs: minutes for a million
  // items) reports its progress with an ETA from rank 0, whose share is as large as any.
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  double last_report = 0;
  const int64_t step = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(n, 1));
  for (int64_t b = begin; b < end; b += step) {
    const int64_t e = std::min(end, b + step);
    dc.rows(b, e, rows.data() + b * metrics::DistanceCorrelation::kPerRow);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (comm.root() && s - last_report >= 10 && e < end) {
      const double done = static_cast<double>(e - begin) / static_cast<double>(end - begin);
      log::info("distance correlation of ", n, " items: ", static_cast<int>(100 * done), "% after ",
                static_cast<int64_t>(s), " s, about ", static_cast<int64_t>(s / done - s), " s left");
      last_report = s;
    }
  }
  comm.sum_inplace(rows);
  return dc.finish(rows);
}

}  // namespace because::mpi
