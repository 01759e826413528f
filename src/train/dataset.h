// Training data in memory: instances with their explanations (of one source) and soft targets,
// read from a store (RUN/store.h5) or straight from a corpus file (human explanations only),
// with the rows of each split. Every rank loads the same data; batches pick rows by index.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/corpus.h"
#include "corpus/corpus.h"
#include "corpus/instance.h"

namespace because::train {

/// One explanation attached to an instance.
struct ExplanationText {
  std::string text;
  int label = -1;  ///< label it explains (-1: label-free)
};

struct TrainData {
  std::string label_set;                          ///< "nli", ...
  std::vector<std::string> labels;                ///< label names (L)
  std::vector<corpus::Instance> instances;        ///< every row (index = store row when from a store)
  std::vector<std::vector<ExplanationText>> explanations;  ///< per instance, of the chosen source
  std::vector<std::vector<float>> soft;           ///< per instance target distribution (empty: none)
  std::map<std::string, std::vector<int64_t>> splits;  ///< split name -> rows
  bool from_store = false;                        ///< rows are store rows (predictions can be written)
  int64_t n_store_rows = 0;                       ///< rows [0, n_store_rows) are store rows
  std::vector<corpus::BadRow> bad_rows;           ///< rows of a corpus left out (for the quarantine)

  /// Rows of `split`; throws InputError naming the split and listing the ones present.
  const std::vector<int64_t>& rows(const std::string& split) const;
};

/// Reads a store: instances, explanations whose source is `source` ("none": no explanations;
/// "human": the corpus's human explanations), and soft targets: "gold" none, "human" the
/// normalised label_counts, "judgments" the probs of /judgments/`judgments`.
TrainData load_store_data(const std::string& path, const std::string& source, const std::string& targets,
                          const std::string& judgments);
/// Reads a corpus file with its human explanations (source must be "none" or "human"; targets
/// "gold" or "human").
TrainData load_corpus_data(const config::CorpusConfig& corpus, const std::string& source, const std::string& targets);

/// Moves a deterministic `fraction` of the rows of `split` (by a hash of uid and seed) into a
/// split named "holdout".
void apply_holdout(TrainData& d, const std::string& split, double fraction, uint64_t seed);
/// Appends the rows of a corpus file as split `split_name` (gold labels and human explanations;
/// the label set must match). These rows are not store rows (no predictions are written for them).
void add_eval_corpus(TrainData& d, const config::CorpusConfig& corpus, const std::string& split_name,
                     const std::string& source);

/// Normalised annotator counts (empty when there are none).
std::vector<float> counts_distribution(const std::vector<uint16_t>& counts);

}  // namespace because::train
