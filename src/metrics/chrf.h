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

/// The references of one segment, prepared once for any number of hypotheses.
class ChrfRefs {
 public:
  /// `n` references as code points with Python whitespace removed.
  void set(const std::u32string* refs, size_t n);
  /// Statistics of `hyp` (code points, whitespace removed) against the reference with the
  /// best chrF (the first of equals), as sacreBLEU picks it.
  ChrfState::Stats best_stats(const std::u32string& hyp);

 private:
  std::vector<NgramTable> tables_;
  std::vector<std::array<int64_t, ChrfState::kOrder>> totals_;
  size_t n_ = 0;
};

}  // namespace because::metrics
