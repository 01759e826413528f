// The distributed `because explain` stage: ranks claim corpus chunks dynamically, a backend
// writes explanations for every instance of a chunk, and each rank appends finished chunks to
// its own shard + ledger. Stop signals end every rank cleanly (Interrupted: exit 75, resumable).
#pragma once

#include <string>

#include "config/config.h"
#include "mpi/comm.h"

namespace because::mpi {

/// What the command passes down besides the configuration.
struct StageInfo {
  std::string command_line;  ///< for provenance
  std::string config_hash;   ///< resume refuses another one
  std::string config_json;   ///< resolved configuration
};

/// Collective over `comm`. Writes RUN/shards/explain/rank-R/ (segments + ledger),
/// RUN/stats/SET-rank-R.json and (rank 0) RUN/SET.json (SET: explain or explain-NAME) (provenance: backend, model and
/// its hash, template name and hash, sampling parameters, seed rule). Returns 0 when every
/// chunk is done; throws because::Interrupted when a stop signal ended the run early, Error on
/// failures. Item-level failures are stored as explanations with finish = error (with --strict
/// they fail the run at the end).
int run_explain(const Comm& comm, const config::Config& cfg, const StageInfo& info);

}  // namespace because::mpi
