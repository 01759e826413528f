// METEOR as NLTK's `meteor_score`: lower-cased whitespace tokens, greedy alignment in NLTK's
// order (exact, then Porter stems, then WordNet synonyms of the stems), F-mean with alpha 0.9,
// fragmentation penalty gamma * (chunks / matches)^beta, maximum over references, averaged over
// sentences.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/ngram.h"
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
  /// Prepares references once for any number of `score_prepared` calls.
  void set_references(const std::vector<std::string>& references);
  /// `score(references, hypothesis)` against the prepared references.
  [[nodiscard]] double score_prepared(std::string_view hypothesis);
  bool has_wordnet() const { return wordnet_ != nullptr; }

  /// The words of `text` as this scorer's ids: lower-cased, split on whitespace.
  void words(std::string_view text, std::vector<uint32_t>& out);
  /// The id of one word that is already lower-cased and without whitespace (what words() gives
  /// for it), for callers that split texts themselves.
  uint32_t word_id(std::string_view lower_word) { return in_.id(lower_word); }
  /// set_references() from the references' words() ids.
  void set_reference_words(const std::vector<uint32_t>* const* refs, size_t n);
  /// score_prepared() from the hypothesis's words() ids.
  [[nodiscard]] double score_words(const std::vector<uint32_t>& hyp);

 private:
  using Enum = std::vector<std::pair<int, uint32_t>>;
  using SynMask = std::array<uint64_t, 4>;  // 256 bits, one per value of syn_bit()
  uint32_t stem(uint32_t w);
  /// Looks up the WordNet synonyms of `w` once: (w, synonym) pairs go into syn_pairs_ (w itself
  /// included); returns the OR of their syn_bit()s (never 0).
  const SynMask& synonym_mask(uint32_t w) {
    if (w < syn_mask_.size() && (syn_mask_[w][0] | syn_mask_[w][1] | syn_mask_[w][2] | syn_mask_[w][3]) != 0)
      return syn_mask_[w];  // looked up already
    return look_up_synonyms(w);
  }
  const SynMask& look_up_synonyms(uint32_t w);
  double single_ids(const std::vector<uint32_t>& ref, const std::vector<uint32_t>& hyp);
  // single_ids() for sentences of at most 64 words each.
  double single_bits(const std::vector<uint32_t>& ref, const std::vector<uint32_t>& hyp);
  double meteor_value(double translation_length, double reference_length, int matches, int chunks) const;
  void match_enums(Enum& hyp, Enum& ref, std::vector<std::pair<int, int>>& out);
  /// A new value of gen_, stamp_ sized for every id: the stamps of earlier stages are stale.
  void next_generation();

  const WordNet* wordnet_;
  MeteorParams params_;
  PorterStemmer stemmer_;
  Interner in_;
  std::vector<int64_t> stem_of_;                // word id -> stem id (-1 unknown)
  std::vector<uint32_t> words_of_stem_;         // stem id -> how many words stem() gave it to
  std::vector<SynMask> syn_mask_;                // stem id -> synonym_mask() (0: not looked up yet)
  HashSet64 syn_pairs_;                         // (stem id << 32 | synonym id), itself included
  std::vector<std::vector<uint32_t>> refs_;     // prepared references
  size_t n_refs_ = 0;
  std::vector<uint32_t> hyp_words_;
  Enum hyp_, ref_;
  std::vector<unsigned> ref_bits_;  // syn_bit() of the reference words left for the synonym stage
  std::vector<std::pair<int, int>> matches_;
  // match_enums(): per word id, the last reference position with it (valid when its stamp is
  // gen_), and per reference position the previous one with the same id.
  std::vector<uint32_t> stamp_;
  std::vector<int> last_, prev_;
  std::vector<uint64_t> at_;  // single_bits(): per id, its reference positions (valid by stamp_)
  std::array<uint32_t, 64> hyp_stems_, ref_stems_;  // single_bits(): stems of the words left
  std::array<uint8_t, 64> ref_bits64_;              // single_bits(): syn_bit() of ref_stems_
  std::vector<char> ref_taken_;
  uint32_t gen_ = 0;
};

class MeteorState {
 public:
  void add(MeteorScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs);
  void add_score(double s) {
    ++n_;
    sum_ += s;
  }
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
