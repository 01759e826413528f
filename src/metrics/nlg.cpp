// The combined NLG state.
#include "metrics/nlg.h"

#include <stdexcept>

#include "metrics/text.h"
#include "util/error.h"

namespace because::metrics {

namespace {

// The code points of `s` without Python whitespace (chrF's "".join(s.split())) into `out`; one
// pass over an ASCII line.
void chars_without_space(std::string_view s, std::u32string& out) {
  out.resize(s.size());
  size_t n = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      out = remove_py_space(utf8_decode(s));
      return;
    }
    if (!is_ascii_py_space(c)) out[n++] = c;
  }
  out.resize(n);
}

}  // namespace

void NlgState::add(NlgScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs) {
  scorer.set_references(refs);
  scorer.add(*this, hyp);
}

NlgScorer::NlgScorer(NlgOptions opt, const WordNet* wordnet)
    : opt_(opt), rouge_tok_(in_, opt.rouge_stemmer), meteor_(wordnet) {}

void NlgScorer::set_references(const std::vector<std::string>& refs) { prepare_references(refs, nullptr); }

void NlgScorer::set_references(const std::vector<std::string>& refs,
                               const std::vector<const std::vector<uint32_t>*>& tokens_13a) {
  if (tokens_13a.size() != refs.size())
    throw std::logic_error("NLG metrics: " + std::to_string(tokens_13a.size()) + " token lists for " +
                           std::to_string(refs.size()) + " references");
  prepare_references(refs, &tokens_13a);
}

void NlgScorer::prepare_references(const std::vector<std::string>& refs,
                                   const std::vector<const std::vector<uint32_t>*>* tokens_13a) {
  if (refs.empty()) throw InputError("NLG metrics: a hypothesis without references");
  n_refs_ = refs.size();
  if (bleu_tok_.size() < n_refs_) {
    bleu_tok_.resize(n_refs_);
    rouge_tok_refs_.resize(n_refs_);
    chrf_chars_.resize(n_refs_);
  }
  for (size_t r = 0; r < n_refs_; ++r) {
    if (tokens_13a) bleu_tok_[r] = *(*tokens_13a)[r];
    else tokenize_13a_ids(refs[r], in_, bleu_tok_[r]);
    rouge_tok_.tokenize(refs[r], rouge_tok_refs_[r]);
    chars_without_space(refs[r], chrf_chars_[r]);
  }
  bleu_.set(bleu_tok_.data(), n_refs_);
  chrf_.set(chrf_chars_.data(), n_refs_);
  rouge_.set(rouge_tok_refs_.data(), n_refs_);
  if (opt_.meteor) meteor_.set_references(refs);
}

void NlgScorer::add(NlgState& st, std::string_view hyp) {
  tokenize_13a_ids(hyp, in_, tok_);
  add_scores(st, hyp, tok_);
}

void NlgScorer::add(NlgState& st, std::string_view hyp, const std::vector<uint32_t>& tokens_13a) {
  add_scores(st, hyp, tokens_13a);
}

void NlgScorer::add_scores(NlgState& st, std::string_view hyp, const std::vector<uint32_t>& tokens_13a) {
  if (n_refs_ == 0) throw InputError("NLG metrics: a hypothesis without references");
  if (st.opt_.meteor != opt_.meteor || st.opt_.rouge_stemmer != opt_.rouge_stemmer)
    throw std::logic_error("NLG metrics: a state and a scorer with different options");
  bleu_.add_to(st.bleu_, tokens_13a);
  chars_without_space(hyp, chars_);
  st.chrf_.add_stats(chrf_.best_stats(chars_));
  rouge_tok_.tokenize(hyp, rouge_ids_);
  st.rouge_.add_scores(rouge_.best(rouge_ids_));
  if (opt_.meteor) st.meteor_.add_score(meteor_.score_prepared(hyp));
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
