// METEOR as NLTK's `meteor_score`: lower-cased whitespace tokens, greedy alignment in NLTK's
// order (exact, then Porter stems, then WordNet synonyms of the stems), F-mean with alpha 0.9,
// fragmentation penalty gamma * (chunks / matches)^beta, maximum over references, averaged over
// sentences.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "metrics/packed.h"
#include "metrics/porter.h"
#include "metrics/wordnet.h"

namespace because::metrics {

struct MeteorParams {
  double alpha = 0.9;
  double beta = 3.0;
  double gamma = 0.5;
};

/// Scores one hypothesis against references. Caches stems and synonym sets across calls, so
/// keep one per thread.
class MeteorScorer {
 public:
  /// `wordnet` may be nullptr (no synonym stage).
  explicit MeteorScorer(const WordNet* wordnet = WordNet::system(), MeteorParams params = {});
  /// NLTK `single_meteor_score(reference, hypothesis)` (both as text, split on whitespace).
  [[nodiscard]] double single(std::string_view reference, std::string_view hypothesis);
  /// NLTK `meteor_score(references, hypothesis)`: the maximum over references.
  [[nodiscard]] double score(const std::vector<std::string>& references, std::string_view hypothesis);
  bool has_wordnet() const { return wordnet_ != nullptr; }

 private:
  const std::string& stem(const std::string& w);
  const std::vector<std::string>& synonyms(const std::string& w);

  const WordNet* wordnet_;
  MeteorParams params_;
  PorterStemmer stemmer_;
  std::unordered_map<std::string, std::string> stem_cache_;
  std::unordered_map<std::string, std::vector<std::string>> syn_cache_;
};

class MeteorState {
 public:
  void add(MeteorScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs);
  void merge(const MeteorState& o);
  [[nodiscard]] double value() const { return n_ ? sum_ / static_cast<double>(n_) : 0.0; }
  int64_t count() const { return n_; }
  void pack(Packed& p) const;
  void unpack(Unpacker& u);

 private:
  int64_t n_ = 0;
  double sum_ = 0;
};

}  // namespace because::metrics
