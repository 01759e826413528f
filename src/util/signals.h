// SIGINT/SIGTERM/SIGUSR1 become a flag that long-running stages poll, so they can checkpoint,
// flush and exit cleanly (Slurm sends SIGUSR1 before preemption with --signal=USR1@120).
#pragma once

namespace because::signals {

/// Installs handlers for SIGINT, SIGTERM and SIGUSR1 (idempotent). A second SIGINT restores
/// the default action so an impatient user can still kill the process.
void install_stop_handlers();
/// True once a stop signal arrived.
bool stop_requested();
/// The signal number that asked to stop (0 if none).
int stop_signal();
/// Sets the flag as if `sig` arrived (tests, and ranks told by another rank to stop).
void request_stop(int sig);
/// Clears the flag (tests only).
void reset();

/// Exit status that tells a Slurm wrapper to requeue the job (EX_TEMPFAIL).
constexpr int kExitRequeue = 75;

}  // namespace because::signals
