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
};

class NlgScorer;

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
  /// Prepares `refs` (at least one) for the hypotheses that follow.
  void set_references(const std::vector<std::string>& refs);
  /// The same with each reference's 13a token ids, already interned in interner().
  void set_references(const std::vector<std::string>& refs, const std::vector<const std::vector<uint32_t>*>& tokens_13a);
  /// Adds `hyp` scored against the current references to `st` (same options as this scorer).
  void add(NlgState& st, std::string_view hyp);
  /// The same with the hypothesis's 13a token ids, already interned in interner().
  void add(NlgState& st, std::string_view hyp, const std::vector<uint32_t>& tokens_13a);
  /// Token ids shared with other metrics of the same rank (diversity).
  Interner& interner() { return in_; }

 private:
  NlgOptions opt_;
  Interner in_;
  RougeTokenizer rouge_tok_;
  MeteorScorer meteor_;
  std::vector<std::vector<uint32_t>> bleu_tok_, rouge_tok_refs_;
  std::vector<std::u32string> chrf_chars_;
  size_t n_refs_ = 0;
  BleuRefs bleu_;
  ChrfRefs chrf_;
  RougeRefs rouge_;
  std::vector<uint32_t> tok_, rouge_ids_;
  std::u32string chars_;
  void prepare_references(const std::vector<std::string>& refs, const std::vector<const std::vector<uint32_t>*>* tokens_13a);
  void add_scores(NlgState& st, std::string_view hyp, const std::vector<uint32_t>& tokens_13a);
};

}  // namespace because::metrics
