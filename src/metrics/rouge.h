// ROUGE-1, ROUGE-2 and ROUGE-L F-measures as Google's `rouge_score` computes them: lower-case,
// every run of characters outside [a-z0-9] is a separator, optional Porter stemming of tokens
// longer than 3 characters; the best reference by F-measure per type; averaged over sentences.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/packed.h"

namespace because::metrics {

/// rouge_score's `tokenize.tokenize(text, stemmer)`.
std::vector<std::string> tokenize_rouge(std::string_view text, bool use_stemmer);

struct RougeScores {
  double rouge1 = 0, rouge2 = 0, rougeL = 0;  ///< F-measures in [0, 1]
};

/// Scores of one prediction against one target (rouge_score `score(target, prediction)`).
RougeScores rouge_f(const std::vector<std::string>& target, const std::vector<std::string>& prediction);

class RougeState {
 public:
  explicit RougeState(bool use_stemmer = false) : use_stemmer_(use_stemmer) {}
  /// Adds one sentence: F of each type is its maximum over the references.
  void add(std::string_view hyp, const std::vector<std::string>& refs);
  void merge(const RougeState& o);
  /// Mean F-measures over the sentences added.
  [[nodiscard]] RougeScores value() const;
  int64_t count() const { return n_; }
  void pack(Packed& p) const;
  void unpack(Unpacker& u);

 private:
  bool use_stemmer_;
  int64_t n_ = 0;
  std::array<double, 3> sum_{};
};

}  // namespace because::metrics
