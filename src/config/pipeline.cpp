// Registration of the [pipeline] options.
#include "config/pipeline.h"

namespace because::config {

void add_options(Options& o, PipelineConfig& c) {
  o.add("pipeline.stages", &c.stages,
        "steps in order: COMMAND or COMMAND:PROFILE (explain, judge, merge, train, reduce), and report");
  o.add("pipeline.python", &c.python, "Python interpreter for the report step (Debian python3 with h5py)");
  o.add("pipeline.report_script", &c.report_script, "report script (default: analysis/report.py of the source tree)");
  o.not_hashed("pipeline.python").not_hashed("pipeline.report_script");
}

}  // namespace because::config
