// What the distributed training loop needs from a training task (classifier, explainer,
// reasoning classifier): its parameters, the summed loss of some training rows, and predictions
// or losses for evaluation rows. Tasks are single-process; mpi/torch/train_loop composes them.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace because::train {

/// A sum of per-unit losses and the number of units (examples for classifiers, target tokens
/// for language models). The loop divides by the global number of units of the global batch.
struct LossSum {
  torch::Tensor sum;  ///< scalar, with a graph when computed for training
  int64_t count = 0;  ///< units summed (0 is fine: a rank without rows in this batch)
  int64_t tokens = 0; ///< input tokens processed (throughput reporting)
};

/// One evaluation split's local result: losses and, for classifiers, class probabilities.
struct EvalPart {
  double loss_sum = 0;
  int64_t loss_count = 0;
  torch::Tensor probs;  ///< float32 [n_rows][n_labels] for the given rows, or undefined
};

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

class Task {
 public:
  virtual ~Task() = default;
  /// Parameters (trainable) and the full state (parameters and buffers) with stable names.
  virtual NamedTensors named_parameters() = 0;
  virtual NamedTensors named_state() = 0;
  /// Switches dropout on or off.
  virtual void set_training(bool on) = 0;
  /// Moves the model (parameters and buffers) to `device`; later batches are built there and
  /// evaluation returns CPU tensors. The default accepts the CPU only (ConfigError otherwise).
  virtual void to_device(const torch::Device& device);
  /// Number of training examples.
  virtual int64_t n_train() const = 0;
  /// Summed loss over the given training rows (indices in [0, n_train)).
  virtual LossSum loss(const std::vector<int64_t>& rows) = 0;
  /// Names of the evaluation splits and their sizes.
  virtual std::vector<std::string> eval_splits() const = 0;
  virtual int64_t n_eval(const std::string& split) const = 0;
  /// Evaluates the given rows of a split (no gradients).
  virtual EvalPart evaluate(const std::string& split, const std::vector<int64_t>& rows) = 0;
  /// Metrics of a whole split from its gathered parts: probs of all rows in order (or
  /// undefined) and the mean loss. Keys are metric names ("accuracy", "macro_f1", "loss").
  virtual nlohmann::json score(const std::string& split, const torch::Tensor& probs, double mean_loss) = 0;
  /// Writes the model as a Hugging Face directory (rank 0 calls it).
  virtual void save_model(const std::string& dir) = 0;
};

/// True when a larger value of `metric` is better (everything except losses and divergences).
bool higher_is_better(const std::string& metric);

}  // namespace because::train
