// Small helpers shared by the training tasks.
#include "train/task.h"

namespace because::train {

bool higher_is_better(const std::string& metric) {
  for (const char* low : {"loss", "kl", "jsd", "tvd", "perplexity", "error"})
    if (metric.find(low) != std::string::npos) return false;
  return true;
}

}  // namespace because::train
