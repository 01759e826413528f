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
/// Sum of the squared gradients (double, one device synchronisation); +inf or NaN when a
/// gradient overflowed. Gradients are identical on every rank after the all-reduce, so this
/// local value is the global one.
double grad_sq_norm(const NamedTensors& params);
/// Multiplies every gradient by `factor` (nothing when it is 1).
void scale_grads(const NamedTensors& params, double factor);
/// The factor that brings gradients of L2 norm `norm` down to `max_norm` (1 when they are within
/// it or max_norm <= 0).
double clip_factor(double norm, double max_norm);
/// Global L2 norm of the gradients; scales them to `max_norm` when above it (max_norm <= 0: no
/// clipping). Returns the norm before clipping.
double clip_grad_norm(const NamedTensors& params, double max_norm);

/// Dynamic loss scaling for float16 mixed precision: the loss is multiplied by scale() before
/// backward so that small gradients survive float16; a step whose gradients overflowed is
/// skipped and halves the scale, and `growth_interval` clean steps in a row double it
/// (PyTorch's GradScaler policy). Disabled, the scale is 1 and nothing is ever skipped.
class LossScaler {
 public:
  explicit LossScaler(bool enabled, double init_scale = 65536.0, int64_t growth_interval = 2000)
      : enabled_(enabled), scale_(enabled ? init_scale : 1.0), growth_interval_(growth_interval) {}
  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }
  int64_t clean_steps() const { return clean_; }
  /// Records a step: `overflow` (non-finite gradients) halves the scale, else counts towards growth.
  void update(bool overflow);
  /// Restores the state of a checkpoint.
  void restore(double scale, int64_t clean_steps);

 private:
  bool enabled_;
  double scale_;
  int64_t growth_interval_;
  int64_t clean_ = 0;
};

}  // namespace because::train
