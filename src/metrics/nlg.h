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

class NlgState {
 public:
  explicit NlgState(NlgOptions opt = {}) : opt_(opt), rouge_(opt.rouge_stemmer) {}
  /// Adds one hypothesis with its references (at least one). `scorer` carries METEOR's caches.
  void add(MeteorScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs);
  void merge(const NlgState& o);
  void pack(Packed& p) const;
  void unpack(Unpacker& u);
  int64_t count() const { return rouge_.count(); }
  /// {"n", "bleu", "bleu_bp", "bleu_precisions", "bleu_sys_len", "bleu_ref_len", "chrf",
  ///  "rouge1", "rouge2", "rougeL", "meteor"}; BLEU and chrF on 0-100, the others on 0-1.
  [[nodiscard]] nlohmann::json to_json() const;

 private:
  NlgOptions opt_;
  BleuState bleu_;
  ChrfState chrf_;
  RougeState rouge_;
  MeteorState meteor_;
};

}  // namespace because::metrics
