// Small helpers shared by the training tasks.
#include "train/task.h"

#include "util/error.h"

namespace because::train {

void Task::to_device(const torch::Device& device) {
  if (!device.is_cpu())
    throw ConfigError("train.device = " + device.str() + ": this training task runs on the CPU only");
}

bool higher_is_better(const std::string& metric) {
  for (const char* low : {"loss", "kl", "jsd", "tvd", "perplexity", "error"})
    if (metric.find(low) != std::string::npos) return false;
  return true;
}

}  // namespace because::train
