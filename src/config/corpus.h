// Options of the [corpus] section of a job file (--corpus.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct CorpusConfig {
  std::string path = "";  ///< corpus file (jsonl, tsv, csv) or directory of per-field files
  std::string dataset = "auto";  ///< dataset adapter: auto (detect), mnli, snli, anli, esnli, chaosnli, varierr, mjd, livenli, healthfc, emotion, helpful-nle, generic
  std::string split = "";  ///< split name recorded for the rows (default: from the file name)
  int64_t limit = 0;  ///< read at most this many rows (0: all)
  int64_t chunk_rows = 256;  ///< rows per work chunk (the unit of scheduling and resume)
  int64_t max_row_bytes = 1048576;  ///< rows longer than this go to quarantine (bytes)
};

void add_options(Options& o, CorpusConfig& c);

}  // namespace because::config
