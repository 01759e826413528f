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

/// The character n-grams (orders 1..6) of one reference, counted by PositionSets over a dense
/// alphabet: each distinct code point of the reference gets an id 1..63. A hypothesis character
/// outside the alphabet ends every n-gram through it. A reference with more than 63 distinct
/// characters or more than PositionSets::kMaxLen characters is refused (build() is false) and
/// counted with NgramTable instead.
class ChrfDenseGrams {
 public:
  bool build(const std::u32string& ref);
  /// Clipped matches per order of `hyp` against the reference.
  std::array<int64_t, ChrfState::kOrder> match(const std::u32string& hyp);
  /// The same for an ASCII text with its whitespace still in; `len` gets its length without.
  std::array<int64_t, ChrfState::kOrder> match_ascii(std::string_view text, size_t& len);

 private:
  static constexpr int kMaxIds = 63;
  uint16_t id_of(char32_t c) const;
  std::array<uint8_t, 128> ascii_{};                 // id of an ASCII code point, 0 = not in the reference
  std::vector<std::pair<char32_t, uint8_t>> other_;  // the same for the others
  std::vector<char32_t> ascii_set_;                  // ASCII code points to forget at the next build
  PositionSets sets_;
  std::vector<uint16_t> ids_;  // the string being counted (reference or hypothesis) as ids
};

/// The references of one segment, prepared once for any number of hypotheses.
class ChrfRefs {
 public:
  /// `n` references as code points with Python whitespace removed.
  void set(const std::u32string* refs, size_t n);
  /// Statistics of `hyp` (code points, whitespace removed) against the reference with the
  /// best chrF (the first of equals), as sacreBLEU picks it.
  ChrfState::Stats best_stats(const std::u32string& hyp);
  /// The same from the hypothesis's UTF-8 text, whitespace included: an ASCII text against
  /// references that all have a small alphabet is read byte by byte, never decoded.
  ChrfState::Stats best_stats_text(std::string_view hyp);

 private:
  ChrfState::Stats stats(size_t r, size_t hyp_len, const std::array<int64_t, ChrfState::kOrder>& match) const;
  std::u32string chars_;
  std::vector<ChrfDenseGrams> dense_;
  std::vector<NgramTable> tables_;  // references with a large alphabet
  std::vector<bool> is_dense_;
  std::vector<std::array<int64_t, ChrfState::kOrder>> totals_;
  size_t n_ = 0;
};

}  // namespace because::metrics
