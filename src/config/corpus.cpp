// Registration of the [corpus] options.
#include "config/corpus.h"

namespace because::config {

void add_options(Options& o, CorpusConfig& c) {
  o.add("corpus.path", &c.path, "corpus file (jsonl, tsv, csv) or directory of per-field files");
  o.add("corpus.dataset", &c.dataset, "dataset adapter: auto (detect), mnli, snli, anli, esnli, chaosnli, varierr, mjd, livenli, healthfc, emotion, helpful-nle, generic");
  o.add("corpus.split", &c.split, "split name recorded for the rows (default: from the file name)");
  o.add("corpus.limit", &c.limit, "read at most this many rows (0: all)");
  o.add("corpus.chunk_rows", &c.chunk_rows, "rows per work chunk (the unit of scheduling and resume)");
  o.add("corpus.max_row_bytes", &c.max_row_bytes, "rows longer than this go to quarantine (bytes)");
}

}  // namespace because::config
