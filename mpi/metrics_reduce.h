// Reduction of metric states over ranks: keyed packed states summed element-wise, n-gram hash
// sets gathered for union, and the exact distance correlation with its O(n^2) pairs split into
// row blocks across ranks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "metrics/packed.h"
#include "mpi/comm.h"

namespace because::mpi {

/// Collective. Every rank passes its local states by key; every rank gets the union of keys
/// (sorted) with the element-wise sums. `empty` gives the packed zero state of a key (the layout
/// a rank uses when it never saw that key). Integer parts are exact; real parts are summed by MPI.
std::map<std::string, metrics::Packed> sum_keyed(const Comm& comm, const std::map<std::string, metrics::Packed>& local,
                                                 const std::function<metrics::Packed(const std::string&)>& empty);

/// Collective. Concatenation of every rank's values in rank order, on rank 0 (empty elsewhere).
std::vector<uint64_t> gather_to_root(const Comm& comm, const std::vector<uint64_t>& local);

/// Collective. Concatenation of every rank's values in rank order, on every rank.
std::vector<double> allgather_doubles(const Comm& comm, const std::vector<double>& local);

/// Collective. Exact distance correlation of paired samples whose rows are spread over ranks
/// in rank order (x_local: rows of dx values, y_local: rows of dy values). Each rank computes a
/// block of rows against all rows; the result is bit-identical for any number of ranks.
double distance_correlation(const Comm& comm, const std::vector<double>& x_local, int dx,
                            const std::vector<double>& y_local, int dy);

}  // namespace because::mpi
