// Diversity of generated explanations: distinct-1 and distinct-2 (unique n-grams over all
// n-grams, corpus-wide), self-BLEU among the explanations of one instance (sacreBLEU sentence
// BLEU of each against the others, averaged), and mean length, all on 13a tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/ngram.h"
#include "metrics/packed.h"

namespace because::metrics {

struct DiversityReport {
  int64_t n_texts = 0;
  double distinct1 = 0, distinct2 = 0;
  double self_bleu = 0;        ///< 0-100; mean over texts of instances with >= 2 texts
  int64_t n_self_bleu = 0;     ///< texts that entered self-BLEU
  double mean_length = 0;      ///< 13a tokens per text
};

class DiversityState {
 public:
  /// Adds the explanations of one instance.
  void add_group(const std::vector<std::string>& texts);
  /// The same with the 13a tokens interned in `interner` (shared with the NLG scorer).
  void add_group(Interner& interner, const std::vector<std::string>& texts);
  /// The same from the texts' 13a token ids, already interned in `interner` (a caller that
  /// tokenises each text once for BLEU and diversity).
  void add_group_tokens(const Interner& interner, const std::vector<const std::vector<uint32_t>*>& tokens);
  /// Merges counts and n-gram sets.
  void merge(const DiversityState& o);
  [[nodiscard]] DiversityReport value() const;
  /// Counts and sums (additive part).
  void pack(Packed& p) const;
  void unpack(Unpacker& u);
  /// 64-bit hashes of the distinct n-grams of order n (1 or 2): the set part, merged by union.
  /// A token hashes to its xxh64, a bigram to xxh64 of its two token hashes. Two different n-grams share a hash with probability about k^2 / 2^65.
  std::vector<uint64_t> ngram_hashes(int n) const { return seen_[n - 1].values(); }
  void insert_hashes(int n, const uint64_t* h, size_t count);

 private:
  int64_t n_texts_ = 0, n_tokens_ = 0, n_self_ = 0;
  int64_t total_[2] = {0, 0};
  double self_sum_ = 0;
  HashSet64 seen_[2];
  std::vector<uint8_t> seen_id_;  // token ids (of interner `interner_`) already in seen_[0]
  // Bigrams of ids (first << 32 | second) lately put in seen_[1], direct-mapped; all ones: none
  // (ids stay below 2^32 - 1).
  static constexpr int kPairBits = 12;
  static constexpr size_t kPairSlots = size_t{1} << kPairBits;
  std::vector<uint64_t> seen_pair_;
  uint64_t interner_ = 0;
};

}  // namespace because::metrics
