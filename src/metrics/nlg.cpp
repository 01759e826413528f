// The combined NLG state.
#include "metrics/nlg.h"

#include "util/error.h"

namespace because::metrics {

void NlgState::add(MeteorScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs) {
  if (refs.empty()) throw InputError("NLG metrics: a hypothesis without references");
  bleu_.add(hyp, refs);
  chrf_.add(hyp, refs);
  rouge_.add(hyp, refs);
  if (opt_.meteor) meteor_.add(scorer, hyp, refs);
}

void NlgState::merge(const NlgState& o) {
  bleu_.merge(o.bleu_);
  chrf_.merge(o.chrf_);
  rouge_.merge(o.rouge_);
  meteor_.merge(o.meteor_);
}

void NlgState::pack(Packed& p) const {
  bleu_.pack(p);
  chrf_.pack(p);
  rouge_.pack(p);
  meteor_.pack(p);
}

void NlgState::unpack(Unpacker& u) {
  bleu_.unpack(u);
  chrf_.unpack(u);
  rouge_.unpack(u);
  meteor_.unpack(u);
}

nlohmann::json NlgState::to_json() const {
  const auto b = bleu_.value();
  const auto r = rouge_.value();
  nlohmann::json j;
  j["n"] = rouge_.count();
  j["bleu"] = b.score;
  j["bleu_bp"] = b.bp;
  j["bleu_precisions"] = std::vector<double>(b.precisions.begin(), b.precisions.end());
  j["bleu_sys_len"] = b.sys_len;
  j["bleu_ref_len"] = b.ref_len;
  j["chrf"] = chrf_.value();
  j["rouge1"] = r.rouge1;
  j["rouge2"] = r.rouge2;
  j["rougeL"] = r.rougeL;
  if (opt_.meteor) j["meteor"] = meteor_.value();
  return j;
}

}  // namespace because::metrics
