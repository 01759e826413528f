// Registration of the [reduce] options.
#include "config/reduce.h"

namespace because::config {

void add_options(Options& o, ReduceConfig& c) {
  o.add("reduce.output", &c.output, "metrics JSON (default RUN/metrics.json)");
}

}  // namespace because::config
