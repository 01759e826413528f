// Which device a rank computes on: a device option ("cpu", "cuda", "cuda:N") resolved per rank,
// so that the ranks of a node spread over its GPUs (one rank per GPU under
// `srun --ntasks-per-node=G --gpus-per-node=G`). Used by train.device and, for explain and
// judge, model.device.
#pragma once

#include <string>

#include "config/config.h"
#include "mpi/comm.h"

namespace because::mpi {

/// "cpu" stays "cpu"; "cuda" becomes "cuda:K" with K = this rank's rank on its node modulo the
/// GPUs it sees; "cuda:N" is checked against them. ConfigError naming `option` for anything
/// else, or when no GPU is visible. Collective over `comm` for "cuda" (node communicator).
std::string rank_device(const Comm& comm, const std::string& spec, const std::string& option);

/// `cfg` with model.device resolved for this rank when `backend` is "torch" (explain, judge).
config::Config with_rank_model_device(const Comm& comm, const config::Config& cfg, const std::string& backend);
/// For the stage's log line: " on DEVICE (rank 0)" for the torch backend, from the configuration
/// with_rank_model_device gave rank 0; empty for other backends.
std::string device_note(const std::string& backend, const config::Config& model_cfg);

/// The GPU for node-local rank `local` of a node with `gpus` visible GPUs (gpus > 0).
inline int gpu_for_local_rank(int local, int gpus) { return local % gpus; }

}  // namespace because::mpi
