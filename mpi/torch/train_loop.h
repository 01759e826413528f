// The data-parallel training loop: every rank holds the same model; each global batch of the
// (seeded, per-epoch) permutation is split into contiguous per-rank parts; summed local losses are
// divided by the global unit count so that the all-reduced gradient equals the single-process
// gradient; AdamW with a warm-up schedule, clipping, periodic evaluation, best-checkpoint
// selection, atomic checkpoints and a graceful stop (all ranks agree, checkpoint, Interrupted).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mpi/comm.h"
#include "mpi/torch/ddp_reducer.h"
#include "train/optim.h"
#include "train/task.h"

namespace because::mpi {

struct LoopConfig {
  std::string phase = "train";     ///< name of this phase in the log
  int epochs = 1;                  ///< passes over the training rows
  int64_t max_steps = 0;           ///< stop after this many optimizer steps (0: epochs decide)
  int64_t batch_size = 32;         ///< global batch (all ranks together)
  uint64_t seed = 1234;            ///< data order and dropout seeds
  bool shuffle = true;             ///< permute the rows every epoch
  train::AdamWSettings adamw;      ///< optimizer
  std::string schedule = "linear"; ///< linear, cosine, constant
  double warmup = 0.0;             ///< warm-up: fraction of steps when < 1, else steps
  double clip_norm = 1.0;          ///< global gradient-norm clip (<= 0: none)
  int64_t eval_every = 0;          ///< evaluate every N steps (0: after each epoch only)
  std::string best_metric;         ///< metric that selects the best checkpoint ("" : keep the last)
  std::string best_split;          ///< split whose metric selects (default: the first eval split)
  int64_t checkpoint_every = 0;    ///< checkpoint every N steps (0: only on stop and at the end)
  std::string checkpoint_dir;      ///< where checkpoints go ("" : no checkpoints, no resume)
  std::string log_path;            ///< JSONL training log ("" : none); rank 0 appends
  int64_t log_every = 10;          ///< steps between log lines
  int64_t bucket_bytes = 4 << 20;  ///< gradient bucket size (bytes)
  bool overlap = true;             ///< all-reduce during backward
  /// float32; bfloat16: training forward passes under autocast to bfloat16 on the model's device
  /// (CPU or CUDA); float16 (CUDA only): autocast to float16 with dynamic loss scaling (a step
  /// whose gradients overflow is skipped). Weights, gradients, optimizer state and losses stay
  /// float32. The loop runs on the device of the task's parameters (Task::to_device).
  std::string precision = "float32";
  double loss_scale_init = 65536.0; ///< float16: initial dynamic loss scale
  std::string fingerprint;         ///< describes data and settings; a checkpoint with another refuses to resume
  /// Called after every optimizer step on every rank (tests use it to request a stop).
  std::function<void(int64_t step)> after_step;
};

struct LoopResult {
  int64_t steps = 0;                ///< optimizer steps of this phase (total, including resumed ones)
  std::vector<double> losses;       ///< global mean loss of each step run in this call
  nlohmann::json last_eval;         ///< {split: metrics} of the last evaluation
  nlohmann::json best_eval;         ///< same for the best evaluation (when best_metric is set)
  bool resumed = false;             ///< started from a checkpoint
  double train_s = 0;               ///< seconds in training steps
  double allreduce_wait_s = 0;      ///< seconds waiting for gradient reductions (exposed)
  double allreduce_launch_s = 0;    ///< seconds in MPI calls during backward
  int64_t samples = 0;              ///< training examples processed (all ranks)
  int64_t tokens = 0;               ///< input tokens processed (all ranks)
  int64_t skipped_steps = 0;        ///< float16 steps skipped for gradient overflow (this call)
};

/// Rows of batch `batch` (0-based) of `epoch` that `rank` of `size` processes.
std::vector<int64_t> local_rows(int64_t n, int64_t batch_size, uint64_t seed, bool shuffle, int64_t epoch,
                                int64_t batch, int rank, int size);

/// Evaluates every split of the task over all ranks: {split: metrics} on every rank, and the
/// gathered probabilities per split (for predictions) in `probs_out` when not null.
nlohmann::json evaluate_all(const Comm& comm, train::Task& task,
                            std::map<std::string, torch::Tensor>* probs_out = nullptr);

/// Runs (or resumes) one training phase. Throws because::Interrupted after checkpointing when a
/// stop was requested on any rank. On return the task holds the final weights (the best ones
/// when best_metric is set).
LoopResult run_training(const Comm& comm, train::Task& task, const LoopConfig& cfg);

}  // namespace because::mpi
