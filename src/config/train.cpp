// Registration of the [train] options.
#include "config/train.h"

namespace because::config {

void add_options(Options& o, TrainConfig& c) {
  o.add("train.name", &c.name, "model name: RUN/models/NAME and /predictions/NAME");
  o.add("train.task", &c.task, "classify, explainer, reasoning");
  o.add("train.epochs", &c.epochs, "passes over the training data");
  o.add("train.batch_size", &c.batch_size, "global batch size (all ranks together)");
  o.add("train.lr", &c.lr, "peak learning rate");
  o.add("train.max_length", &c.max_length, "maximum input tokens (longer inputs are truncated)");
}

}  // namespace because::config
