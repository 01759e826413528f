// AdamW construction, learning-rate setting and gradient clipping (see optim.h).
#include "train/optim.h"

#include <algorithm>
#include <cmath>

namespace because::train {

bool exempt_from_decay(const std::string& name, const torch::Tensor& p) {
  if (p.dim() <= 1) return true;
  auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
  return has("bias") || has("LayerNorm") || has("layernorm") || has("norm.weight");
}

std::unique_ptr<torch::optim::AdamW> make_adamw(const NamedTensors& params, const AdamWSettings& s) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& [name, p] : params) {
    if (!p.requires_grad()) continue;
    (exempt_from_decay(name, p) ? no_decay : decay).push_back(p);
  }
  auto opts = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(s.lr).betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, opts(s.weight_decay));
  groups.emplace_back(no_decay, opts(0.0));
  return std::make_unique<torch::optim::AdamW>(std::move(groups),
                                               torch::optim::AdamWOptions(s.lr).weight_decay(s.weight_decay));
}

void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
}

double grad_sq_norm(const NamedTensors& params) {
  torch::NoGradGuard no_grad;
  torch::Tensor sq;
  for (const auto& [name, p] : params) {
    if (!p.grad().defined()) continue;
    auto s = p.grad().to(torch::kDouble).pow(2).sum();
    sq = sq.defined() ? sq + s : s;
  }
  return sq.defined() ? sq.item<double>() : 0.0;
}

void scale_grads(const NamedTensors& params, double factor) {
  if (factor == 1.0) return;
  torch::NoGradGuard no_grad;
  for (const auto& [name, p] : params)
    if (p.grad().defined()) p.mutable_grad().mul_(factor);
}

double clip_factor(double norm, double max_norm) {
  return max_norm > 0 && norm > max_norm ? max_norm / (norm + 1e-6) : 1.0;
}

double clip_grad_norm(const NamedTensors& params, double max_norm) {
  const double norm = std::sqrt(grad_sq_norm(params));
  scale_grads(params, clip_factor(norm, max_norm));
  return norm;
}

void LossScaler::update(bool overflow) {
  if (!enabled_) return;
  if (overflow) {
    scale_ = std::max(scale_ * 0.5, 1.0);
    clean_ = 0;
  } else if (++clean_ >= growth_interval_) {
    scale_ *= 2.0;
    clean_ = 0;
  }
}

void LossScaler::restore(double scale, int64_t clean_steps) {
  if (!enabled_ || scale <= 0) return;
  scale_ = scale;
  clean_ = clean_steps;
}

}  // namespace because::train
