// The distributed driver of `because reduce`: every metric the store's contents allow, grouped
// by dataset, split and explanation source / judgment set / prediction set, reduced over ranks.
// The keys of the JSON it returns are documented in docs/metrics.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/reduce.h"
#include "mpi/comm.h"

namespace because::mpi {

/// Collective. Reads `store_path` (every rank opens it read-only and takes a contiguous block of
/// instances), computes the metric states, reduces them and returns the metrics JSON on rank 0
/// (null on the other ranks). The store is closed on return. With `progress_interval_s` > 0,
/// rank 0 shows the instances scored by all ranks, with rate and ETA (a line every that many
/// seconds when stderr is not a terminal); 0: no progress lines.
nlohmann::json reduce_store(const Comm& comm, const std::string& store_path, const config::ReduceConfig& cfg,
                            double progress_interval_s = 0);

/// Readable tables of the metrics JSON.
std::string format_reduce(const nlohmann::json& metrics);

}  // namespace because::mpi
