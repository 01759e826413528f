// `because train` across ranks: loads the training data on every rank, prepares the tokenizer
// (rank 0 trains one for a model from scratch), runs the phases of the training loop from the
// same weights, then writes RUN/models/NAME (Hugging Face layout), predictions of the evaluation
// splits into the store (/predictions/NAME) and the training log RUN/logs/train-NAME.jsonl.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "mpi/comm.h"

namespace because::mpi {

struct TrainStageResult {
  std::string model_dir;      ///< RUN/models/NAME
  nlohmann::json metrics;     ///< {split: metrics} of the kept weights
  bool skipped = false;       ///< already complete for the same configuration
  double seconds = 0;         ///< wall time of this call
  std::string predictions_store;  ///< the store that got /predictions/NAME ("" when none was written)
};

/// Runs a training: `phases` are the resolved configurations of the phases in order (one for a
/// single-phase training); the first phase's [train] name, data and model settings define the
/// output. `config_hash` identifies the configuration (a complete model with the same hash is
/// not trained again). Throws Interrupted after a checkpoint when a stop was requested.
TrainStageResult run_train_stage(const Comm& comm, const std::vector<config::Config>& phases,
                                 const std::string& run_dir, const std::string& config_hash);

}  // namespace because::mpi
