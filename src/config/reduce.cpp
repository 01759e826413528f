// Registration of the [reduce] options.
#include "config/reduce.h"

namespace because::config {

void add_options(Options& o, ReduceConfig& c) {
  o.add("reduce.output", &c.output, "metrics JSON (default RUN/metrics.json)");
  o.add("reduce.store", &c.store, "store to read (default RUN/store.h5)");
  o.add("reduce.batch_rows", &c.batch_rows, "instances read per batch (rows)");
  o.add_flag("reduce.rouge_stemmer", &c.rouge_stemmer, "ROUGE with rouge_score's Porter stemmer (use_stemmer=True)");
  o.add_flag("reduce.meteor", &c.meteor, "compute METEOR (the slowest NLG metric)");
  o.add("reduce.dcor_max_items", &c.dcor_max_items,
        "largest group (items) given the exact O(n^2) distance correlation, larger groups report null; "
        "-1 (default): every group, however large (a million items take minutes; progress is logged); "
        "0: none, and the items are not kept");
  o.add("reduce.wordnet", &c.wordnet, "WordNet database directory for METEOR synonyms (empty: none)");
}

}  // namespace because::config
