// sacreBLEU's corpus BLEU: the 13a tokeniser, clipped n-gram matches against one or more
// references, closest reference length, exponential smoothing. The state is integer counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/ngram.h"
#include "metrics/packed.h"

namespace because::metrics {

/// sacreBLEU's `Tokenizer13a` (mteval-v13a): unescapes a few entities, splits punctuation,
/// returns the tokens (the tokenised line split on spaces).
std::vector<std::string> tokenize_13a(std::string_view line);
/// The same tokens as ids of `interner`, into `out` (replacing its contents).
void tokenize_13a_ids(std::string_view line, Interner& interner, std::vector<uint32_t>& out);

struct BleuResult {
  double score = 0;                   ///< 0-100
  std::array<double, 4> precisions{}; ///< n-gram precisions, 0-100 (smoothed as reported)
  double bp = 0;                      ///< brevity penalty
  int64_t sys_len = 0;
  int64_t ref_len = 0;
};

/// Sufficient statistics of corpus BLEU.
class BleuState {
 public:
  static constexpr int kOrder = 4;
  /// Adds one segment with its references (already tokenised).
  void add_tokens(const std::vector<std::string>& hyp, const std::vector<std::vector<std::string>>& refs);
  /// Tokenises with 13a and adds.
  void add(std::string_view hyp, const std::vector<std::string>& refs);
  /// Adds one segment's statistics: its length, the closest reference length and the clipped
  /// n-gram matches per order.
  void add_segment(int64_t hyp_len, int64_t ref_len, const std::array<int64_t, 4>& correct);
  void merge(const BleuState& o);
  /// Corpus BLEU with exponential smoothing; `effective_order` as sacreBLEU's sentence BLEU.
  [[nodiscard]] BleuResult value(bool effective_order = false) const;
  void pack(Packed& p) const;
  void unpack(Unpacker& u);
  int64_t segments() const { return n_segments_; }

 private:
  int64_t n_segments_ = 0;
  int64_t sys_len_ = 0;
  int64_t ref_len_ = 0;
  std::array<int64_t, kOrder> correct_{};
  std::array<int64_t, kOrder> total_{};
};

/// The references of one segment as token ids, prepared once for any number of hypotheses.
class BleuRefs {
 public:
  /// `n` references, each a vector of token ids.
  void set(const std::vector<uint32_t>* refs, size_t n);
  /// The same from pointers to them (nothing is kept of them after the call).
  void set(const std::vector<uint32_t>* const* refs, size_t n);
  /// Adds the statistics of `hyp` (token ids) against these references to `st`.
  void add_to(BleuState& st, const std::vector<uint32_t>& hyp);
  /// Clipped n-gram matches of `hyp` per order (the `correct` of add_segment).
  std::array<int64_t, 4> clipped_matches(const std::vector<uint32_t>& hyp);
  /// The reference length closest to `hyp_len` (ties: the shorter), -1 without references.
  int64_t closest_length(int64_t hyp_len) const;

 private:
  // References that PositionSets takes (sentences; see its limits) are counted by their
  // positions, over token ids local to the segment; others take the table.
  bool use_sets_ = false;
  PositionSets sets_;
  LocalIds local_;
  std::vector<uint16_t> local_refs_, local_hyp_;
  std::vector<PositionSets::Span> spans_;
  NgramTable table_;  // per n-gram: its maximum count in one reference
  std::vector<int64_t> lens_;
  std::vector<const std::vector<uint32_t>*> ptrs_;  // set() from an array of references
};

/// sacreBLEU `sentence_bleu` (exp smoothing, effective order) of `hyp` against `refs`.
double sentence_bleu(const std::vector<std::string>& hyp, const std::vector<std::vector<std::string>>& refs);

}  // namespace because::metrics
