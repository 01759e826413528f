// Training checkpoints: model state, optimizer state and the loop position (phase, epoch, batch,
// step, best metric), written atomically into CKPT_DIR/step-N/ with CKPT_DIR/latest naming the
// newest complete one. The data order and the dropout seeds derive from (seed, epoch, step), so
// the loop position restores them exactly.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "train/task.h"

namespace because::train {

struct LoopState {
  int64_t step = 0;            ///< optimizer steps done
  int64_t epoch = 0;           ///< current epoch
  int64_t batch = 0;           ///< next batch within the epoch
  bool done = false;           ///< training finished (the state holds the final weights)
  std::string best_metric;     ///< metric used for best-checkpoint selection ("" none)
  double best_value = 0;       ///< its best value so far
  int64_t best_step = -1;      ///< step of the best evaluation (-1: none yet)
  std::string fingerprint;     ///< what the run trains (data size, batch, seed): resume checks it
  double loss_scale = 0;       ///< float16 dynamic loss scale (0: not used)
  int64_t loss_scale_clean = 0;  ///< clean steps since the scale last changed
  nlohmann::json to_json() const;
  static LoopState from_json(const nlohmann::json& j);
};

/// Saves tensors by name to one file (torch archive), atomically (temp + rename).
void save_tensors(const std::string& path, const NamedTensors& tensors);
/// Loads tensors by name into the given tensors (copy_); throws ModelError on a missing name or
/// a shape mismatch, naming both.
void load_tensors(const std::string& path, const NamedTensors& tensors);

/// Writes a checkpoint (call on one rank). Keeps only the newest `keep` step directories.
void save_checkpoint(const std::string& dir, const NamedTensors& state, torch::optim::Optimizer& opt,
                     const LoopState& loop, int keep = 1);
/// Loads the newest checkpoint of `dir` into `state` and `opt` (tensors go to the device of
/// `state`, whatever device wrote them); nullopt when there is none.
std::optional<LoopState> load_checkpoint(const std::string& dir, const NamedTensors& state,
                                         torch::optim::Optimizer& opt);

}  // namespace because::train
