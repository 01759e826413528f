// sacreBLEU's chrF with its defaults: character n-grams of order 1..6 over the text with
// whitespace removed, no word n-grams, beta 2, best reference per segment by sentence chrF,
// corpus score from the summed statistics. The state is integer counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/ngram.h"
#include "metrics/packed.h"

namespace because::metrics {

class ChrfState {
 public:
  static constexpr int kOrder = 6;
  static constexpr double kBeta = 2.0;
  using Stats = std::array<int64_t, 3 * kOrder>;  ///< per order: hyp n-grams, ref n-grams, matches

  void add(std::string_view hyp, const std::vector<std::string>& refs);
  /// Adds one segment's statistics (those of its best reference).
  void add_stats(const Stats& st);
  void merge(const ChrfState& o);
  /// Corpus chrF, 0-100.
  [[nodiscard]] double value() const { return f_score(stats_); }
  void pack(Packed& p) const;
  void unpack(Unpacker& u);

  /// Segment statistics against one reference.
  static Stats segment_stats(const std::u32string& hyp, const std::u32string& ref);
  /// sacreBLEU's `_compute_f_score` without eps smoothing (the default).
  static double f_score(const Stats& s);

 private:
  Stats stats_{};
};

/// The character n-grams (orders 1..6) of one reference as bit sets of positions: each distinct
/// code point of the reference gets an id 1..63, and for each id c and shift k < 6 a bit set
/// holds the positions j with ref[j + k] == c. The positions where the n-gram at hypothesis
/// position i occurs in the reference are then the AND of n such sets (one per character), taken
/// order after order: their count is the n-gram's reference count and their first bit names the
/// n-gram (its first occurrence), which indexes how many of its occurrences the hypothesis has
/// used. A hypothesis character outside the alphabet ends every n-gram through it. A reference
/// with more than 63 distinct characters or more than kMaxLen characters (where the sets'
/// words would cost more per position than one hash probe) is refused (build() is false) and
/// counted with NgramTable instead.
///
/// This replaced a hash table of the reference's n-grams (orders 3..6), probed once per order
/// and hypothesis position, whose unpredictable branches cost more than ANDing the one or two
/// 64-bit words of a sentence's positions: 0.8 us per hypothesis instead of 1.9 us (sentences
/// like the reduce benchmark's, one reference set per three hypotheses).
class ChrfDenseGrams {
 public:
  bool build(const std::u32string& ref);
  /// Clipped matches per order of `hyp` against the reference.
  std::array<int64_t, ChrfState::kOrder> match(const std::u32string& hyp);

 private:
  static constexpr int kMaxIds = 63;
  static constexpr size_t kMaxLen = 512;  // characters of a reference: sets of at most 8 words
  uint8_t id_of(char32_t c) const;
  template <int W>
  void match_words(std::array<int64_t, ChrfState::kOrder>& m);
  std::array<uint8_t, 128> ascii_{};                 // id of an ASCII code point, 0 = not in the reference
  std::vector<std::pair<char32_t, uint8_t>> other_;  // the same for the others
  std::vector<char32_t> ascii_set_;                  // ASCII code points to forget at the next build
  size_t len_ = 0;                                   // of the reference
  size_t words_ = 0;                                 // 64-bit words of a set of its positions
  int n_ids_ = 0;
  std::vector<uint64_t> bits_;  // [(shift * 64 + id) * words_ + word]; id 0's sets stay empty
  std::vector<uint16_t> used_;  // [order - 1][first position]: occurrences the hypothesis used
  std::vector<uint8_t> ids_;    // the string being counted (reference or hypothesis) as ids
  std::vector<uint64_t> scratch_;  // the current set, for references of 5 to 8 words
};

/// The references of one segment, prepared once for any number of hypotheses.
class ChrfRefs {
 public:
  /// `n` references as code points with Python whitespace removed.
  void set(const std::u32string* refs, size_t n);
  /// Statistics of `hyp` (code points, whitespace removed) against the reference with the
  /// best chrF (the first of equals), as sacreBLEU picks it.
  ChrfState::Stats best_stats(const std::u32string& hyp);

 private:
  std::vector<ChrfDenseGrams> dense_;
  std::vector<NgramTable> tables_;  // references with a large alphabet
  std::vector<bool> is_dense_;
  std::vector<std::array<int64_t, ChrfState::kOrder>> totals_;
  size_t n_ = 0;
};

}  // namespace because::metrics
