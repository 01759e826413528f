// Options of the [reduce] section of a job file (--reduce.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct ReduceConfig {
  std::string output = "";          ///< metrics JSON (default RUN/metrics.json)
  std::string store = "";           ///< store to read (default RUN/store.h5)
  int64_t batch_rows = 16384;       ///< instances read per batch (rows)
  int threads = 0;                  ///< threads per rank scoring a batch (not an option: `because reduce` sets it from --threads)
  bool rouge_stemmer = false;       ///< ROUGE with rouge_score's Porter stemmer (use_stemmer=True)
  bool meteor = true;               ///< compute METEOR (the slowest NLG metric)
  int64_t dcor_max_items = -1;  ///< largest group (items) given the exact O(n^2) distance correlation (< 0: every group); larger: null
  std::string wordnet = "/usr/share/wordnet";  ///< WordNet database directory for METEOR synonyms ("" or absent: none)
};

void add_options(Options& o, ReduceConfig& c);

}  // namespace because::config
