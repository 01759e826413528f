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
  o.add("corpus.text_a", &c.text_a, "generic adapter: field (JSON key, a.b for nested, or CSV/TSV column) of the premise/text");
  o.add("corpus.text_b", &c.text_b, "generic adapter: field of the hypothesis/evidence (empty: single-text task)");
  o.add("corpus.label", &c.label, "generic adapter: field of the label (empty: no gold)");
  o.add("corpus.uid", &c.uid, "generic adapter: field of the uid (empty: <dataset>-<split>-<row>)");
  o.add("corpus.explanation", &c.explanation, "generic adapter: field of a human explanation (string or list)");
  o.add("corpus.labels", &c.labels, "generic adapter: label names in canonical order, comma-separated (empty: nli)");
  o.add("corpus.format", &c.format, "generic adapter: auto (from the extension), jsonl, csv, tsv");
  o.add("corpus.language", &c.language, "HealthFC columns: en or de");
}

}  // namespace because::config
