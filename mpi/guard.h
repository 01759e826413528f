// The top-level handler: an exception on one rank prints `[rank r] message` and ends every rank
// of the job with a non-zero status instead of leaving the others hanging in a collective.
#pragma once

#include <functional>

#include "mpi/comm.h"

namespace because::mpi {

/// Runs `body`; returns its status. On a because::ConfigError returns 2 (when every rank agrees,
/// i.e. the error was raised before any collective work), otherwise prints the error with the
/// rank and calls MPI_Abort(comm, 1) when more than one rank runs.
int run_guarded(const Comm& comm, const std::function<int()>& body);

}  // namespace because::mpi
