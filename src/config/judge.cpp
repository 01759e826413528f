// Registration of the [judge] options.
#include "config/judge.h"

namespace because::config {

void add_options(Options& o, JudgeConfig& c) {
  o.add("judge.name", &c.name, "name of the judgment set in the store (/judgments/NAME)");
  o.add("judge.prompt", &c.prompt, "multiple-choice prompt template");
  o.add("judge.normalize", &c.normalize, "softmax (with temperature) or normalize (scores / sum)");
  o.add("judge.temperature", &c.temperature, "softmax temperature");
  o.add_flag("judge.with_explanations", &c.with_explanations, "include the explanations as comments");
}

}  // namespace because::config
