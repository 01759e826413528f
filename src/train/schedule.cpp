// Learning-rate schedules (see schedule.h).
#include "train/schedule.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace because::train {

double lr_factor(const std::string& kind, int64_t step, int64_t warmup, int64_t total) {
  if (kind != "linear" && kind != "cosine" && kind != "constant")
    throw ConfigError("train.schedule: unknown schedule '" + kind + "' (use linear, cosine or constant)");
  if (step < warmup) return static_cast<double>(step + 1) / static_cast<double>(warmup + 1);
  if (kind == "constant") return 1.0;
  const double span = static_cast<double>(std::max<int64_t>(1, total - warmup));
  const double progress = std::min(1.0, static_cast<double>(step - warmup) / span);
  if (kind == "linear") return std::max(0.0, 1.0 - progress);
  return 0.5 * (1.0 + std::cos(M_PI * progress));
}

int64_t warmup_steps(double warmup, int64_t total) {
  if (warmup < 0) throw ConfigError("train.warmup must be >= 0 (a fraction of the steps when < 1, else steps)");
  if (warmup < 1) return static_cast<int64_t>(std::llround(warmup * static_cast<double>(total)));
  return static_cast<int64_t>(warmup);
}

}  // namespace because::train
