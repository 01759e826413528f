// Preparing a shard set from every rank: rank 0 checks the ledgers (config hash, --restart) and
// all ranks learn the result together, including a refusal, so no rank waits for one that failed.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "mpi/comm.h"

namespace because::mpi {

/// Collective. Runs store::prepare_shard_set on rank 0 and broadcasts the completed chunk ids;
/// when rank 0 refuses (ConfigError: the configuration changed) or fails (other errors), every
/// rank throws the same error (ConfigError stays a ConfigError, so the job exits 2 everywhere).
std::set<int64_t> prepare_shard_set(const Comm& comm, const std::string& run_dir, const std::string& set,
                                    const std::string& config_hash, bool restart);

}  // namespace because::mpi
