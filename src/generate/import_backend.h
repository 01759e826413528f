// The `import` backend: explanations made elsewhere (CSV with a header, or JSONL), matched to
// instances by uid or by text (premise + hypothesis, whitespace-normalised), e.g. the first
// study's released files (premise, hypothesis, label, explanation, human_explanation).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "generate/backend.h"

namespace because::generate {

struct ImportOptions {
  std::string path;                       ///< .csv or .jsonl
  std::string match = "uid";              ///< uid, text, or helpful-nle (the first study's CSVs by the adapter's uid)
  std::string text_column = "explanation";
};

/// Parses RFC 4180 CSV (quoted fields may hold commas, quotes and newlines) into rows of fields.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);
/// Key used to match by text: whitespace runs collapsed, trimmed, lower-cased; a and b joined.
std::string text_key(const std::string& a, const std::string& b);

class ImportBackend : public Backend {
 public:
  explicit ImportBackend(const ImportOptions& options);
  std::string name() const override { return "import"; }
  nlohmann::json provenance() const override;
  /// The explanation for (instance, label, sample): the sample-th row matching the instance
  /// (and the label when both sides have one). Unmatched: error "not_in_import".
  std::vector<GenResult> generate(const std::vector<GenRequest>& requests, const SamplingParams& params) override;
  /// Not available: imported files carry no scores (throws BackendError).
  std::vector<ScoreResult> score_choices(const std::vector<ScoreRequest>& requests,
                                         const std::vector<std::string>& choices) override;
  size_t n_rows() const { return n_rows_; }

 private:
  struct Entry {
    int label = -1;
    std::string text;
  };
  ImportOptions options_;
  std::map<std::string, std::vector<Entry>> entries_;
  size_t n_rows_ = 0;
  std::string hash_;
};

}  // namespace because::generate
