// All NLG scores of hypotheses against references in one mergeable state: corpus BLEU, corpus
// chrF, sentence-averaged ROUGE-1/2/L and METEOR.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/meteor.h"
#include "metrics/rouge.h"

namespace because::metrics {

struct NlgOptions {
  bool rouge_stemmer = false;  ///< rouge_score's use_stemmer
  bool meteor = true;          ///< compute METEOR (the slowest of the four)
  /// Distinct words whose tokens NlgScorer::tokenize keeps (about 300 MiB per million); past
  /// that, new words are tokenised every time they come.
  size_t max_cached_words = size_t{1} << 20;
};

class NlgScorer;

/// One text's tokens for every NLG metric that works on tokens, as NlgScorer::tokenize() gives
/// them: 13a ids (BLEU, and diversity) and rouge_score ids in the scorer's interner(), METEOR's
/// lower-cased words in its own (empty when METEOR is off).
struct NlgTokens {
  std::vector<uint32_t> bleu, rouge, meteor;
};

class NlgState {
 public:
  explicit NlgState(NlgOptions opt = {}) : opt_(opt), rouge_(opt.rouge_stemmer) {}
  /// Adds one hypothesis with its references (at least one); `scorer.set_references(refs)`
  /// then `scorer.add(*this, hyp)`, which is faster for several hypotheses of the same refs.
  void add(NlgScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs);
  void merge(const NlgState& o);
  void pack(Packed& p) const;
  void unpack(Unpacker& u);
  int64_t count() const { return rouge_.count(); }
  /// {"n", "bleu", "bleu_bp", "bleu_precisions", "bleu_sys_len", "bleu_ref_len", "chrf",
  ///  "rouge1", "rouge2", "rougeL", "meteor"}; BLEU and chrF on 0-100, the others on 0-1.
  [[nodiscard]] nlohmann::json to_json() const;

 private:
  friend class NlgScorer;
  NlgOptions opt_;
  BleuState bleu_;
  ChrfState chrf_;
  RougeState rouge_;
  MeteorState meteor_;
};

/// One rank's working memory for the NLG metrics: token ids, stems, synonym sets and the
/// prepared references of the current segment, so that references are tokenised once for all
/// their hypotheses and no n-gram is ever sorted or allocated. Not thread-safe.
class NlgScorer {
 public:
  /// `wordnet` may be nullptr (METEOR without its synonym stage).
  explicit NlgScorer(NlgOptions opt = {}, const WordNet* wordnet = WordNet::system());
  /// The tokens of `text` for 13a (BLEU), rouge_score and METEOR. Every tokeniser treats the
  /// words between whitespace apart (13a once there is no line break), so an ASCII text without
  /// one is split once and each word's tokens are looked up: computed by the three tokenisers
  /// the first time the word is seen, then kept. Any other text goes through them whole.
  void tokenize(std::string_view text, NlgTokens& out);
  /// Prepares `refs` (at least one) for the hypotheses that follow.
  void set_references(const std::vector<std::string>& refs);
  /// The same with each reference's tokenize(), in the same order; the tokens are read until
  /// the next set_references(), so they must stay as they are until then.
  void set_references(const std::vector<std::string_view>& refs, const std::vector<const NlgTokens*>& tokens);
  /// Adds `hyp` scored against the current references to `st` (same options as this scorer).
  void add(NlgState& st, std::string_view hyp);
  /// The same with the hypothesis's tokenize().
  void add(NlgState& st, std::string_view hyp, const NlgTokens& tokens);
  /// Token ids shared with other metrics of the same rank (diversity).
  Interner& interner() { return in_; }

 private:
  struct Word {  // a word's tokens: at pool_[at ...], n_bleu 13a ids then n_rouge rouge ids
    uint32_t at;
    uint16_t n_bleu, n_rouge;
    uint32_t meteor;
  };
  // A word of at most 8 bytes by its bytes (zero-padded) and length, with its tokens: a word is
  // found with the load that also finds its end (tokenize), without hashing its text, and a
  // word of one token of each kind needs nothing else.
  struct Short {
    uint64_t key = 0;
    uint32_t len = 0;              // 0: empty
    uint32_t bleu = 0, rouge = 0;  // the first token of each (when it has one)
    Word w{};
  };
  NlgOptions opt_;
  Interner in_;
  RougeTokenizer rouge_tok_;
  MeteorScorer meteor_;
  Interner words_;            // words as they appear in texts (split on whitespace)
  std::vector<Word> word_;    // per words_ id
  std::vector<uint32_t> pool_;
  size_t kept_pool_ = 0;      // the kept words' part of pool_
  Word uncached_{};           // the last word past NlgOptions::max_cached_words
  std::vector<Short> short_;  // open addressing, at most half full
  size_t n_short_ = 0;
  std::vector<uint32_t> one_;  // working memory of a word's first sight
  std::vector<uint32_t> scratch_;  // tokenize's output before it is cut to size
  std::string lower_;
  std::vector<const std::vector<uint32_t>*> bleu_refs_, rouge_refs_, meteor_refs_;
  size_t n_refs_ = 0;
  BleuRefs bleu_;
  ChrfRefs chrf_;
  RougeRefs rouge_;
  NlgTokens tok_;  // tokens of texts given without them
  std::vector<NlgTokens> own_refs_;
  std::vector<std::string_view> ref_views_;
  std::vector<const NlgTokens*> ref_tokens_;
  static constexpr uint32_t kUncached = UINT32_MAX;
  /// The word_ index of w's tokens, computed at its first sight; kUncached when they are in
  /// uncached_ (past max_cached_words).
  uint32_t word_id(std::string_view w);
  const Word& word(std::string_view w);
  /// The entry of short_ for a word of 1..8 bytes whose bytes, zero-padded, are `key`, made at its
  /// first sight (nullptr past max_cached_words: then see word()).
  const Short* short_word(uint64_t key, std::string_view w) {
    const uint64_t mask = short_.size() - 1;
    for (uint64_t i = short_hash(key, w.size()) & mask;; i = (i + 1) & mask) {
      const Short& e = short_[i];
      if (e.key == key && e.len == w.size()) return &e;
      if (e.len == 0) return new_short(key, w);
    }
  }
  const Short* new_short(uint64_t key, std::string_view w);
  static uint64_t short_hash(uint64_t key, size_t len) {
    const uint64_t x = (key ^ (len * 0x9E3779B97F4A7C15ULL)) * 0xff51afd7ed558ccdULL;
    return x ^ (x >> 29);
  }
  void grow_short();
};

}  // namespace because::metrics
