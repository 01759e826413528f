// The combined NLG state.
#include "metrics/nlg.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "metrics/text.h"
#include "util/error.h"

namespace because::metrics {

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;

// The high bit of each byte of x below 0x21 or from 0x80 (control characters, whitespace and
// non-ASCII); exact up to the first flagged byte, which is all its callers look at.
inline uint64_t flag_bytes(uint64_t x) { return (((x - kOnes * 0x21) & ~x) | x) & kHigh; }

// The first position from i on that holds ASCII whitespace or a byte >= 0x80 (n if none).
// Eight bytes at a time: a byte below 0x21 or from 0x80 is a candidate (the first flagged one
// is exact; a control character that is no whitespace is passed over).
size_t word_end(const unsigned char* p, size_t i, size_t n) {
  // The lowest flagged bit names the first byte on a little-endian machine only.
  while (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && i + 8 <= n) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    const uint64_t flagged = flag_bytes(x);
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
    : opt_(opt), rouge_tok_(in_, opt.rouge_stemmer), meteor_(wordnet), short_(1024) {}

uint32_t NlgScorer::word_id(std::string_view w) {
  // Up to max_cached_words distinct words are kept; past that a new word's tokens are computed
  // each time into the pool's tail (valid until the next call), so that text of ever new words
  // (numbers, identifiers) cannot grow the cache without bound.
  const bool keep = word_.size() < opt_.max_cached_words;
  const uint32_t id = keep ? words_.id(w) : words_.find(w);
  if (id < word_.size()) return id;
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
    return kUncached;
  }
  kept_pool_ = pool_.size();
  word_.push_back(x);
  return id;
}

const NlgScorer::Word& NlgScorer::word(std::string_view w) {
  const uint32_t id = word_id(w);
  return id == kUncached ? uncached_ : word_[id];
}

const NlgScorer::Short* NlgScorer::new_short(uint64_t key, std::string_view w) {
  const uint32_t id = word_id(w);
  if (id == kUncached) return nullptr;
  const Word& x = word_[id];
  Short e{key, static_cast<uint32_t>(w.size()), 0, 0, x};
  if (x.n_bleu > 0) e.bleu = pool_[x.at];
  if (x.n_rouge > 0) e.rouge = pool_[x.at + x.n_bleu];
  if (2 * (n_short_ + 1) > short_.size()) grow_short();
  ++n_short_;
  const uint64_t mask = short_.size() - 1;
  for (uint64_t i = short_hash(key, w.size()) & mask;; i = (i + 1) & mask)
    if (short_[i].len == 0) {
      short_[i] = e;
      return &short_[i];
    }
}

void NlgScorer::grow_short() {
  grow_doubling(
      short_, [](const Short& e) { return e.len == 0; },
      [](const Short& e) { return short_hash(e.key, e.len); });
}

void NlgScorer::tokenize(std::string_view text, NlgTokens& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  // At most one token per byte of each kind: written into scratch_, then copied out.
  if (scratch_.size() < 3 * n) scratch_.resize(3 * n);
  uint32_t* const b0 = scratch_.data();
  uint32_t* const r0 = b0 + n;
  uint32_t* const m0 = r0 + n;
  uint32_t *b = b0, *r = r0, *m = m0;
  bool simple = true;
  for (size_t i = 0; i < n;) {
    const Word* w;
    if (is_ascii_py_space(p[i])) {
      if (p[i] == '\n') {
        simple = false;
        break;
      }
      ++i;
      continue;
    }
    // A word of at most 8 bytes is found, and its end, from one load of 8 bytes (zeros past the
    // text's end, which end the word there): its bytes are its key in short_.
    const size_t avail = n - i;
    uint64_t x = 0;
    if (avail >= 8)
      std::memcpy(&x, p + i, 8);
    else
      for (size_t k = 0; k < avail; ++k) x |= static_cast<uint64_t>(p[i + k]) << (8 * k);
    const uint64_t f = flag_bytes(x);
    size_t len = f ? static_cast<size_t>(__builtin_ctzll(f)) / 8 : 8;
    if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && len > 0 &&
        (len == avail || (len < avail && is_ascii_py_space(p[i + len])))) {
      const Short* e = short_word(len == 8 ? x : x & ((uint64_t{1} << (8 * len)) - 1), text.substr(i, len));
      i += len;
      if (e && e->w.n_bleu == 1 && e->w.n_rouge == 1) {  // most words
        *b++ = e->bleu;
        *r++ = e->rouge;
        *m = e->w.meteor;  // the slot exists; counted only with METEOR
        m += opt_.meteor;
        continue;
      }
      w = e ? &e->w : &uncached_;
    } else {  // longer, or with a control character or non-ASCII byte
      const size_t end = word_end(p, i, n);
      if ((end < n && p[end] >= 0x80) || end - i > UINT16_MAX) {  // whole text below
        simple = false;
        break;
      }
      w = &word(text.substr(i, end - i));
      i = end;
    }
    const uint32_t* t = pool_.data() + w->at;
    b = std::copy(t, t + w->n_bleu, b);
    t += w->n_bleu;
    r = std::copy(t, t + w->n_rouge, r);
    *m = w->meteor;
    m += opt_.meteor;
  }
  if (simple) {
    out.bleu.assign(b0, b);
    out.rouge.assign(r0, r);
    out.meteor.assign(m0, m);
    return;
  }
  // A line break (13a joins "-\n") or a non-ASCII character (Unicode whitespace and case):
  // the three tokenisers on the whole text.
  tokenize_13a_ids(text, in_, out.bleu);
  rouge_tok_.tokenize(text, out.rouge);
  if (opt_.meteor)
    meteor_.words(text, out.meteor);
  else
    out.meteor.clear();
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
  bleu_refs_.clear();
  rouge_refs_.clear();
  meteor_refs_.clear();
  for (size_t r = 0; r < n_refs_; ++r) {
    bleu_refs_.push_back(&tokens[r]->bleu);
    rouge_refs_.push_back(&tokens[r]->rouge);
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
