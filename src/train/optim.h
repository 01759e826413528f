// AdamW with transformers' parameter grouping (no weight decay on biases and norm weights) and
// a per-step learning rate set by the schedule.
#pragma once

#include <torch/torch.h>

#include <memory>

#include "train/task.h"

namespace because::train {

struct AdamWSettings {
  double lr = 5e-5;            ///< peak learning rate
  double weight_decay = 0.01;  ///< decoupled weight decay (not on biases and norm weights)
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

/// True for parameters that get no weight decay: biases, LayerNorm/RMSNorm weights, 1-d tensors.
bool exempt_from_decay(const std::string& name, const torch::Tensor& p);

std::unique_ptr<torch::optim::AdamW> make_adamw(const NamedTensors& params, const AdamWSettings& s);
/// Sets the learning rate of every group.
void set_lr(torch::optim::Optimizer& opt, double lr);
/// Global L2 norm of the gradients; scales them to `max_norm` when above it (max_norm <= 0: no
/// clipping). Gradients are identical on every rank after the all-reduce, so this local norm is
/// the global norm. Returns the norm before clipping.
double clip_grad_norm(const NamedTensors& params, double max_norm);

}  // namespace because::train
