// Learning-rate schedules: linear or cosine decay after a linear warm-up, as in transformers'
// get_linear_schedule_with_warmup / get_cosine_schedule_with_warmup; constant for tests.
#pragma once

#include <cstdint>
#include <string>

namespace because::train {

/// Factor in [0, 1] applied to the peak learning rate at optimizer step `step` (0-based) of
/// `total` steps with `warmup` warm-up steps. `kind`: linear, cosine, constant. Throws
/// ConfigError for an unknown kind.
double lr_factor(const std::string& kind, int64_t step, int64_t warmup, int64_t total);
/// Warm-up steps from an option that is a fraction of `total` when < 1, else a step count.
int64_t warmup_steps(double warmup, int64_t total);

}  // namespace because::train
