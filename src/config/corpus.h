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
  std::string text_a = "";  ///< generic adapter: field (JSON key, dotted for nested, or CSV/TSV column) of the premise/text
  std::string text_b = "";  ///< generic adapter: field of the hypothesis/evidence (empty: single-text task)
  std::string label = "";  ///< generic adapter: field of the label (empty: no gold)
  std::string uid = "";  ///< generic adapter: field of the uid (empty: <dataset>-<split>-<row>)
  std::string explanation = "";  ///< generic adapter: field of a human explanation (string or list of strings)
  List labels;  ///< generic adapter: label names in canonical order (empty: nli)
  std::string format = "auto";  ///< generic adapter: auto (from the extension), jsonl, csv, tsv
  std::string language = "en";  ///< HealthFC columns: en or de
};

void add_options(Options& o, CorpusConfig& c);

}  // namespace because::config
