// ROUGE-1, ROUGE-2 and ROUGE-L F-measures as Google's `rouge_score` computes them: lower-case,
// every run of characters outside [a-z0-9] is a separator, optional Porter stemming of tokens
// longer than 3 characters; the best reference by F-measure per type; averaged over sentences.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/ngram.h"
#include "metrics/packed.h"
#include "metrics/porter.h"

namespace because::metrics {

/// rouge_score's `tokenize.tokenize(text, stemmer)`.
std::vector<std::string> tokenize_rouge(std::string_view text, bool use_stemmer);

struct RougeScores {
  double rouge1 = 0, rouge2 = 0, rougeL = 0;  ///< F-measures in [0, 1]
};

/// Scores of one prediction against one target (rouge_score `score(target, prediction)`).
RougeScores rouge_f(const std::vector<std::string>& target, const std::vector<std::string>& prediction);

class RougeState {
 public:
  explicit RougeState(bool use_stemmer = false) : use_stemmer_(use_stemmer) {}
  /// Adds one sentence: F of each type is its maximum over the references.
  void add(std::string_view hyp, const std::vector<std::string>& refs);
  /// Adds one sentence's F-measures (each already the maximum over its references).
  void add_scores(const RougeScores& s);
  bool use_stemmer() const { return use_stemmer_; }
  void merge(const RougeState& o);
  /// Mean F-measures over the sentences added.
  [[nodiscard]] RougeScores value() const;
  int64_t count() const { return n_; }
  void pack(Packed& p) const;
  void unpack(Unpacker& u);

 private:
  bool use_stemmer_;
  int64_t n_ = 0;
  std::array<double, 3> sum_{};
};

/// `tokenize_rouge` into token ids, with the stem of each token id computed once.
class RougeTokenizer {
 public:
  RougeTokenizer(Interner& interner, bool use_stemmer) : in_(interner), use_stemmer_(use_stemmer) {}
  void tokenize(std::string_view text, std::vector<uint32_t>& out);

 private:
  Interner& in_;
  bool use_stemmer_;
  PorterStemmer stemmer_;
  std::vector<int64_t> stem_of_;  // token id -> stem id (-1 unknown, -2 empty stem)
};

/// The references of one sentence as token ids, prepared once for any number of hypotheses.
/// Longest common subsequence length against one fixed sequence, bit-parallel (Allison and
/// Dix 1986; Crochemore et al. 2001): the sequence's positions are bits, and each token of the
/// other sequence updates all of them with a few word operations, O(n * ceil(m / 64)) instead of
/// the O(n * m) table.
class BitLcs {
 public:
  void set(const std::vector<uint32_t>& a);
  int64_t length(const std::vector<uint32_t>& b);

 private:
  const uint64_t* positions(uint32_t id) const;  // bits of a's positions holding `id`, nullptr: none
  size_t m_ = 0, words_ = 0;
  std::vector<uint32_t> keys_;   // open addressing: distinct id + 1, 0 = empty
  std::vector<uint32_t> slot_;   // per key: index of its words in masks_
  std::vector<uint64_t> masks_;  // words_ per distinct id
  std::vector<uint64_t> v_;
  uint64_t mask_ = 0;
};

class RougeRefs {
 public:
  /// `n` references, each a vector of token ids, kept by address until the next set().
  void set(const std::vector<uint32_t>* refs, size_t n);
  /// The same from pointers to them.
  void set(const std::vector<uint32_t>* const* refs, size_t n);
  /// ROUGE-1/2/L F of `hyp` (token ids), each the maximum over the references.
  RougeScores best(const std::vector<uint32_t>& hyp);

 private:
  // Unigram and bigram matches of each reference by its PositionSets over token ids local to
  // the segment (as BleuRefs counts), or by a table of its n-grams when it is past their limits.
  std::vector<PositionSets> sets_;
  std::vector<char> use_sets_;
  LocalIds local_;
  std::vector<uint16_t> local_refs_, local_hyp_;
  std::vector<NgramTable> tables_;
  // LCS: a reference of at most 64 tokens with local ids is one 64-bit word, by its sets' bits
  // per local id (PositionSets::short_bits); others take BitLcs.
  std::vector<BitLcs> lcs_;
  std::vector<const std::vector<uint32_t>*> refs_, ptrs_;
};

}  // namespace because::metrics
