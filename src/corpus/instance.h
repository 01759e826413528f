// Core records shared by every stage: an NLI-style instance and the label sets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace because::corpus {

/// A named, ordered set of labels. NLI is (entailment, neutral, contradiction) everywhere.
struct LabelSet {
  std::string name;                 ///< "nli", "emotion", "healthfc", ...
  std::vector<std::string> labels;  ///< canonical order; indices are the label ids
  int size() const { return static_cast<int>(labels.size()); }
  /// Index of `label` or -1.
  int find(std::string_view label) const;
};

const LabelSet& nli_labels();       ///< entailment, neutral, contradiction
const LabelSet& emotion_labels();   ///< sadness, joy, love, anger, fear, surprise (dair-ai/emotion ids)
const LabelSet& healthfc_labels();  ///< supported, not enough information, refuted
/// Looks a label set up by name; throws ConfigError naming it.
const LabelSet& label_set(const std::string& name);

/// One human explanation and the label it explains (-1 when not tied to a label).
struct HumanExplanation {
  std::string text;
  int label = -1;
};

/// One row of a corpus after adaptation (DESIGN.md "Core records").
struct Instance {
  int64_t row = -1;                  ///< global row index assigned at ingest
  std::string uid;                   ///< unique within its dataset
  std::string dataset;               ///< "mnli", "snli", ...
  std::string split;                 ///< "train", "dev_matched", ...
  std::string text_a;                ///< premise / claim / text
  std::string text_b;                ///< hypothesis / evidence (may be empty)
  int gold = -1;                     ///< label index or -1 (no gold)
  std::vector<uint16_t> label_counts;///< annotator votes per label (empty if unknown)
  std::vector<HumanExplanation> human_explanations;
  std::string source_file;           ///< file the row came from
  int64_t source_line = 0;           ///< 1-based line of the row's start in that file
};

}  // namespace because::corpus
