// The combined NLG state.
#include "metrics/nlg.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "metrics/text.h"
#include "util/error.h"

namespace because::metrics {

namespace {

// The first position from i on that holds ASCII whitespace or a byte >= 0x80 (n if none).
// Eight bytes at a time: a byte below 0x21 or from 0x80 is a candidate (the first flagged one
// is exact; a control character that is no whitespace is passed over).
size_t word_end(const unsigned char* p, size_t i, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  // The lowest flagged bit names the first byte on a little-endian machine only.
  while (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && i + 8 <= n) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    const uint64_t flagged = (((x - kOnes * 0x21) & ~x) | x) & kHigh;
    if (flagged == 0) {
      i += 8;
      continue;
    }
    const size_t j = i + static_cast<size_t>(__builtin_ctzll(flagged)) / 8;
    if (p[j] >= 0x80 || is_ascii_py_space(p[j])) return j;
    i = j + 1;
  }
  while (i < n && !is_ascii_py_space(p[i]) && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

void NlgState::add(NlgScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs) {
  scorer.set_references(refs);
  scorer.add(*this, hyp);
}

NlgScorer::NlgScorer(NlgOptions opt, const WordNet* wordnet)
    : opt_(opt), rouge_tok_(in_, opt.rouge_stemmer), meteor_(wordnet) {}

const NlgScorer::Word& NlgScorer::word(std::string_view w) {
  // Up to max_cached_words distinct words are kept; past that a new word's tokens are computed
  // each time into the pool's tail (valid until the next call), so that text of ever new words
  // (numbers, identifiers) cannot grow the cache without bound.
  const bool keep = word_.size() < opt_.max_cached_words;
  const uint32_t id = keep ? words_.id(w) : words_.find(w);
  if (id < word_.size()) return word_[id];
  pool_.resize(kept_pool_);
  // First sight: the three tokenisers on the word alone.
  Word x{static_cast<uint32_t>(pool_.size()), 0, 0, 0};
  tokenize_13a_ids(w, in_, one_);
  pool_.insert(pool_.end(), one_.begin(), one_.end());
  x.n_bleu = static_cast<uint16_t>(one_.size());  // a word of at most 2^16 - 1 bytes (tokenize)
  rouge_tok_.tokenize(w, one_);
  pool_.insert(pool_.end(), one_.begin(), one_.end());
  x.n_rouge = static_cast<uint16_t>(one_.size());
  if (opt_.meteor) {
    lower_py_into(w, lower_);  // as MeteorScorer::words lower-cases
    x.meteor = meteor_.word_id(lower_);
  }
  if (!keep) {
    uncached_ = x;
    return uncached_;
  }
  kept_pool_ = pool_.size();
  word_.push_back(x);
  return word_.back();
}

void NlgScorer::tokenize(std::string_view text, NlgTokens& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  // At most one token per byte of each kind: written through pointers, then cut to size.
  out.bleu.resize(n);
  out.rouge.resize(n);
  out.meteor.resize(opt_.meteor ? n : 0);
  uint32_t* b = out.bleu.data();
  uint32_t* r = out.rouge.data();
  uint32_t* m = out.meteor.data();
  bool simple = true;
  for (size_t i = 0; i < n && simple;) {
    if (is_ascii_py_space(p[i])) {
      simple = p[i] != '\n';
      ++i;
      continue;
    }
    const size_t start = i;
    i = word_end(p, i, n);
    if ((i < n && p[i] >= 0x80) || i - start > UINT16_MAX) {  // whole text below
      simple = false;
      break;
    }
    const Word& w = word(text.substr(start, i - start));
    const uint32_t* t = pool_.data() + w.at;
    if (w.n_bleu == 1) *b++ = t[0];
    else b = std::copy(t, t + w.n_bleu, b);
    t += w.n_bleu;
    if (w.n_rouge == 1) *r++ = t[0];
    else r = std::copy(t, t + w.n_rouge, r);
    if (opt_.meteor) *m++ = w.meteor;
  }
  if (simple) {
    out.bleu.resize(static_cast<size_t>(b - out.bleu.data()));
    out.rouge.resize(static_cast<size_t>(r - out.rouge.data()));
    if (opt_.meteor) out.meteor.resize(static_cast<size_t>(m - out.meteor.data()));
    return;
  }
  // A line break (13a joins "-\n") or a non-ASCII character (Unicode whitespace and case):
  // the three tokenisers on the whole text.
  tokenize_13a_ids(text, in_, out.bleu);
  rouge_tok_.tokenize(text, out.rouge);
  if (opt_.meteor) meteor_.words(text, out.meteor);  // else out.meteor is already empty
}

void NlgScorer::set_references(const std::vector<std::string>& refs) {
  if (own_refs_.size() < refs.size()) own_refs_.resize(refs.size());
  ref_views_.clear();
  ref_tokens_.clear();
  for (size_t r = 0; r < refs.size(); ++r) {
    tokenize(refs[r], own_refs_[r]);
    ref_views_.push_back(refs[r]);
    ref_tokens_.push_back(&own_refs_[r]);
  }
  set_references(ref_views_, ref_tokens_);
}

void NlgScorer::set_references(const std::vector<std::string_view>& refs, const std::vector<const NlgTokens*>& tokens) {
  if (refs.empty()) throw InputError("NLG metrics: a hypothesis without references");
  if (tokens.size() != refs.size())
    throw std::logic_error("NLG metrics: " + std::to_string(tokens.size()) + " token lists for " +
                           std::to_string(refs.size()) + " references");
  n_refs_ = refs.size();
  if (bleu_refs_.size() < n_refs_) {
    bleu_refs_.resize(n_refs_);
    rouge_refs_.resize(n_refs_);
  }
  meteor_refs_.clear();
  for (size_t r = 0; r < n_refs_; ++r) {
    bleu_refs_[r] = tokens[r]->bleu;
    rouge_refs_[r] = tokens[r]->rouge;
    meteor_refs_.push_back(&tokens[r]->meteor);
  }
  bleu_.set(bleu_refs_.data(), n_refs_);
  chrf_.set_text(refs.data(), n_refs_);
  rouge_.set(rouge_refs_.data(), n_refs_);
  if (opt_.meteor) meteor_.set_reference_words(meteor_refs_.data(), n_refs_);
}

void NlgScorer::add(NlgState& st, std::string_view hyp) {
  tokenize(hyp, tok_);
  add(st, hyp, tok_);
}

void NlgScorer::add(NlgState& st, std::string_view hyp, const NlgTokens& tokens) {
  if (n_refs_ == 0) throw InputError("NLG metrics: a hypothesis without references");
  if (st.opt_.meteor != opt_.meteor || st.opt_.rouge_stemmer != opt_.rouge_stemmer)
    throw std::logic_error("NLG metrics: a state and a scorer with different options");
  bleu_.add_to(st.bleu_, tokens.bleu);
  st.chrf_.add_stats(chrf_.best_stats_text(hyp));
  st.rouge_.add_scores(rouge_.best(tokens.rouge));
  if (opt_.meteor) st.meteor_.add_score(meteor_.score_words(tokens.meteor));
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
