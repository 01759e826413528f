// Registration of all sections.
#include "config/config.h"

namespace because::config {

void add_all_options(Options& o, Config& c) {
  add_options(o, c.general);
  add_options(o, c.corpus);
  add_options(o, c.store);
  add_options(o, c.model);
  add_options(o, c.explain);
  add_options(o, c.judge);
  add_options(o, c.train);
  add_options(o, c.reduce);
  add_options(o, c.pipeline);
}

}  // namespace because::config
