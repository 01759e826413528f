// Options of the [pipeline] section: which steps `because pipeline` runs, in order.
#pragma once

#include <string>

#include "config/options.h"

namespace because::config {

struct PipelineConfig {
  /// Steps in order: a command name (explain, judge, merge, train, reduce) optionally with a
  /// job-file profile (`train:explainer` runs `because train --profile train:explainer`), and
  /// `report` (analysis/report.py on the run directory).
  List stages{{"explain", "merge", "reduce", "report"}};
  std::string python = "/usr/bin/python3";  ///< interpreter for the report step
  std::string report_script = "";          ///< report script (empty: analysis/report.py of this source tree)
};

void add_options(Options& o, PipelineConfig& c);

}  // namespace because::config
