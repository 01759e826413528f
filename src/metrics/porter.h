// The Porter stemmer as NLTK's `PorterStemmer` implements it (M. Porter, "An algorithm for
// suffix stripping", 1980), in NLTK's three modes. NLTK_EXTENSIONS is NLTK's default and what
// NLTK's METEOR and Google's rouge_score use.
#pragma once

#include <string>
#include <string_view>

namespace because::metrics {

class PorterStemmer {
 public:
  enum class Mode { kNltkExtensions, kMartinExtensions, kOriginalAlgorithm };
  explicit PorterStemmer(Mode mode = Mode::kNltkExtensions) : mode_(mode) {}
  /// Stems one word (UTF-8), lower-casing it first like NLTK's `stem(word, to_lowercase=True)`.
  [[nodiscard]] std::string stem(std::string_view word) const;

 private:
  Mode mode_;
};

}  // namespace because::metrics
