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

/// The character n-grams (orders 1..6) of one reference by bit sets of its positions: each
/// character of the reference has the set of the positions where it occurs, indexed by an id of
/// one byte (an ASCII code point is its own id, another character of the reference gets one of
/// 128..254, and 255 stands for the characters of no reference, whose set is empty). The
/// positions where the hypothesis n-gram at i occurs are the AND of the sets of its characters,
/// each shifted down by its offset in the n-gram; their count is the n-gram's count in the
/// reference and the first of them names it, so that a count of uses per first position clips
/// the matches. Orders are taken one after the other over the positions whose (n-1)-gram occurs,
/// so an n-gram through an absent one costs nothing and no branch depends on whether one occurs. A
/// reference longer than kMaxLen or with more than kMaxOther distinct non-ASCII characters is
/// refused (build() is false) and counted with NgramTable.
class ChrfDenseGrams {
 public:
  static constexpr size_t kMaxLen = 512;  ///< sets of at most 8 words
  /// How orders 2..6 are counted: position by position over the live ones (kScalar), or all
  /// positions eight at a time with AVX-512 (kAvx512), which gives the same counts.
  enum class Path { kScalar, kAvx512 };
  /// kAvx512 where the CPU has popcnt and AVX-512 F, CD, DQ, BW, VL, VPOPCNTDQ and VBMI2, else
  /// kScalar; used by default.
  static Path best_path();
  /// Counts with `p` from now on, in every thread (tests; not while another thread counts).
  static void use_path(Path p);
  bool build(const std::u32string& ref);
  /// The same from an ASCII text with its whitespace still in; `len` gets its length without.
  bool build_ascii(std::string_view text, size_t& len);
  /// Clipped matches per order of `hyp` against the reference.
  std::array<int64_t, ChrfState::kOrder> match(const std::u32string& hyp);
  /// The same for an ASCII text with its whitespace still in; `len` gets its length without.
  std::array<int64_t, ChrfState::kOrder> match_ascii(std::string_view text, size_t& len);

 private:
  static constexpr size_t kMaxOther = 127;
  static constexpr uint8_t kNowhere = 255;
  uint8_t id_of(char32_t c) const;
  void place(size_t len);                  // the reference's sets and counts from ids_[0, len)
  size_t ascii_ids(std::string_view text);  // an ASCII text's ids into ids_, whitespace left out
  std::array<int64_t, ChrfState::kOrder> match_ids(size_t n);
  template <class Each>
  int64_t unigrams(size_t n, Each&& each);
  template <size_t W>
  void match_words(size_t n, size_t nw, std::array<int64_t, ChrfState::kOrder>& m);
  std::vector<char32_t> other_;                    // the reference's non-ASCII characters, id 128 + index
  size_t len_ = 0, words_ = 0;                     // the reference's length, its sets' words
  std::array<uint8_t, 256> placed_;  // the reference's distinct ids: those whose set is not empty
  size_t n_placed_ = 0;
  std::array<uint16_t, 256> ref_count_{};          // per id: its count in the reference
  std::array<uint32_t, 256> hyp_count_{};          // and in the hypothesis (zero between calls)
  static constexpr size_t kStride = kMaxLen / 64;  // words between the sets of two ids
  // [id * kStride + word]: positions of the character with that id
  std::vector<uint64_t> sets_ = std::vector<uint64_t>(256 * kStride, 0);
  std::vector<uint8_t> ids_;    // the text being counted as ids: a reference while built, then a hypothesis
  std::vector<uint64_t> cur_;   // per live position: the set of its current n-gram
  std::vector<uint32_t> live_;  // hypothesis positions whose current n-gram occurs
  std::vector<uint16_t> first_, count_;  // per live position: its n-gram's first reference position and count
  std::vector<uint16_t> used_;           // per order 2..6 and first reference position: uses of the n-gram
  std::vector<uint64_t> e_, a_;          // the AVX-512 path's sets of characters and n-grams
  std::vector<uint32_t> fc_;             // and its live n-grams: first position | count << 16
  std::vector<uint32_t> blocks_;         // and the blocks of 8 positions that have one
};

/// The references of one segment, prepared once for any number of hypotheses.
class ChrfRefs {
 public:
  /// `n` references as code points with Python whitespace removed.
  void set(const std::u32string* refs, size_t n);
  /// The same from their UTF-8 texts, whitespace included: an ASCII text is read byte by byte.
  void set_text(const std::string_view* refs, size_t n);
  /// Statistics of `hyp` (code points, whitespace removed) against the reference with the
  /// best chrF (the first of equals), as sacreBLEU picks it.
  ChrfState::Stats best_stats(const std::u32string& hyp);
  /// The same from the hypothesis's UTF-8 text, whitespace included: an ASCII text against
  /// references that all take the bit sets (ChrfDenseGrams) is read byte by byte, never decoded.
  ChrfState::Stats best_stats_text(std::string_view hyp);

 private:
  ChrfState::Stats stats(size_t r, size_t hyp_len, const std::array<int64_t, ChrfState::kOrder>& match) const;
  void start(size_t n);
  void set_totals(size_t r, size_t len);
  void set_one(size_t r, const std::u32string& ref);
  std::u32string chars_;
  std::vector<ChrfDenseGrams> dense_;
  std::vector<NgramTable> tables_;  // references with a large alphabet
  std::vector<bool> is_dense_;
  std::vector<std::array<int64_t, ChrfState::kOrder>> totals_;
  size_t n_ = 0;
};

}  // namespace because::metrics
