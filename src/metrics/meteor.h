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
  /// Replaces the prepared references, as score() does.
  [[nodiscard]] double single(std::string_view reference, std::string_view hypothesis);
  /// NLTK `meteor_score(references, hypothesis)`: the maximum over references.
  [[nodiscard]] double score(const std::vector<std::string>& references, std::string_view hypothesis);
  /// Prepares references once for any number of `score_prepared` calls: their words, their
  /// stems and, for a reference of at most 64 words, the positions of each word and each stem.
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
  uint32_t stem(uint32_t w) {
    return w < stem_of_.size() && stem_of_[w] != kNoStem ? stem_of_[w] : new_stem(w);
  }
  uint32_t new_stem(uint32_t w);  // stem() of a word not stemmed yet
  /// Looks up the WordNet synonyms of `w` once: (w, synonym) pairs go into syn_pairs_ (w itself
  /// included); returns the OR of their syn_bit()s (never 0).
  const SynMask& synonym_mask(uint32_t w) {
    if (w < syn_mask_.size() && (syn_mask_[w][0] | syn_mask_[w][1] | syn_mask_[w][2] | syn_mask_[w][3]) != 0)
      return syn_mask_[w];  // looked up already
    return look_up_synonyms(w);
  }
  const SynMask& look_up_synonyms(uint32_t w);
  /// The prepared reference r against `hyp`.
  double single_ids(size_t r, const std::vector<uint32_t>& hyp);
  // single_ids() for a reference prepared as bit sets and a hypothesis of at most 64 words.
  double single_bits(size_t r, const std::vector<uint32_t>& hyp);
  // single_ids() for any lengths, on lists.
  double single_lists(const std::vector<uint32_t>& ref, const std::vector<uint32_t>& hyp);
  double meteor_value(double translation_length, double reference_length, int matches, int chunks) const;
  /// meteor_value() for at most 64 matches: the penalty, the one power in it, is kept per
  /// (matches, chunks) once computed, the same expression on the same values.
  double meteor_value_small(double translation_length, double reference_length, int matches, int chunks);
  /// The prepared references' slot of a word id (0: in none of them).
  uint32_t slot(uint32_t id) const {
    if (id >= slot_.size()) return 0;
    const uint64_t v = slot_[id];
    return v >> 32 == slot_gen_ ? static_cast<uint32_t>(v) : 0;
  }
  void prepare_references();
  /// Whether prepared reference r is kept as bit sets (at most 64 words).
  bool as_bits(size_t r) const { return refs_[r].size() <= 64; }
  void match_enums(Enum& hyp, Enum& ref, std::vector<std::pair<int, int>>& out);
  /// A new value of gen_, stamp_ sized for every id: the stamps of earlier stages are stale.
  void next_generation();

  const WordNet* wordnet_;
  MeteorParams params_;
  PorterStemmer stemmer_;
  Interner in_;
  static constexpr uint32_t kNoStem = UINT32_MAX;
  std::vector<uint32_t> stem_of_;               // word id -> stem id (kNoStem: not stemmed yet)
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
  std::vector<char> ref_taken_;
  // The prepared references of at most 64 words as bit sets: every word of one of them has a
  // slot (1, 2, ...; in slot_, valid when its stamp there is slot_gen_), and per reference r and
  // slot s, word_at_[r * n_slots_ + s] are the positions of that word (slot 0: none).
  std::vector<uint64_t> slot_;  // per id: its stamp << 32 | its slot
  uint32_t slot_gen_ = 0;
  size_t n_slots_ = 0;
  std::vector<uint64_t> word_at_;
  std::vector<uint64_t>
      at_;  // single_bits(), stem stage: per stem id, its reference positions left (by stamp_)
  std::vector<std::array<uint32_t, 64>> ref_stem_;  // per reference: the stems of its words
  std::vector<std::array<uint8_t, 64>> ref_syn_;    // and their syn_bit()s
  std::vector<uint64_t> avail_;                     // single_bits(): a reference's sets being used up
  std::array<uint32_t, 64> hyp_stems_;              // single_bits(): stems of the hypothesis words left
  std::vector<double> penalty_;  // meteor_value_small(): [matches * 65 + chunks], NaN unknown
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
