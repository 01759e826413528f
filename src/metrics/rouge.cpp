// rouge_score's tokeniser, n-gram overlap and LCS F-measures.
#include "metrics/rouge.h"

#include <algorithm>

#include "metrics/porter.h"
#include "metrics/text.h"

namespace because::metrics {
namespace {

bool is_tok_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

double fmeasure(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

double counts_f(int64_t inter, int64_t n_target, int64_t n_pred) {
  const double p = static_cast<double>(inter) / static_cast<double>(std::max<int64_t>(n_pred, 1));
  const double r = static_cast<double>(inter) / static_cast<double>(std::max<int64_t>(n_target, 1));
  return fmeasure(p, r);
}

}  // namespace

std::vector<std::string> tokenize_rouge(std::string_view text, bool use_stemmer) {
  Interner in;
  RougeTokenizer tok(in, use_stemmer);
  std::vector<uint32_t> ids;
  tok.tokenize(text, ids);
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const uint32_t id : ids) out.emplace_back(in.text(id));
  return out;
}

void RougeTokenizer::tokenize(std::string_view text, std::vector<uint32_t>& out) {
  out.clear();
  thread_local std::string lower;
  lower_py_into(text, lower);
  const size_t n = lower.size();
  for (size_t i = 0; i < n;) {
    if (!is_tok_char(lower[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < n && is_tok_char(lower[i])) ++i;
    const uint32_t id = in_.id(std::string_view(lower).substr(start, i - start));
    if (!use_stemmer_ || i - start <= 3) {
      out.push_back(id);
      continue;
    }
    if (stem_of_.size() <= id) stem_of_.resize(id + 1, -1);
    if (stem_of_[id] == -1) {
      // A stem is still [a-z0-9]+ (the stemmer only drops and replaces ASCII letters).
      const std::string st = stemmer_.stem(std::string(in_.text(id)));
      stem_of_[id] = st.empty() ? -2 : in_.id(st);
    }
    if (stem_of_[id] >= 0) out.push_back(static_cast<uint32_t>(stem_of_[id]));
  }
}

void BitLcs::set(const std::vector<uint32_t>& a) {
  m_ = a.size();
  words_ = (m_ + 63) / 64;
  size_t cap = 16;
  while (cap < 2 * m_) cap *= 2;
  keys_.assign(cap, 0);
  slot_.resize(cap);
  mask_ = cap - 1;
  masks_.clear();
  for (size_t i = 0; i < m_; ++i) {
    uint64_t h = (a[i] * 0x9E3779B97F4A7C15ULL) >> 32;
    while (keys_[h & mask_] != 0 && keys_[h & mask_] != a[i] + 1) ++h;
    const size_t k = h & mask_;
    if (keys_[k] == 0) {
      keys_[k] = a[i] + 1;
      slot_[k] = static_cast<uint32_t>(masks_.size());
      masks_.resize(masks_.size() + words_, 0);
    }
    masks_[slot_[k] + i / 64] |= uint64_t{1} << (i % 64);
  }
}

inline const uint64_t* BitLcs::positions(uint32_t id) const {
  for (uint64_t h = (id * 0x9E3779B97F4A7C15ULL) >> 32;; ++h) {
    const uint32_t k = keys_[h & mask_];
    if (k == id + 1) return &masks_[slot_[h & mask_]];
    if (k == 0) return nullptr;
  }
}

int64_t BitLcs::length(const std::vector<uint32_t>& b) {
  if (m_ == 0 || b.empty()) return 0;
  // V: a 1 bit for each position of `a` not yet in the LCS; per token of b with positions M,
  // V' = (V + (V & M)) | (V & ~M), the addition carrying across words.
  v_.assign(words_, ~uint64_t{0});
  for (const uint32_t t : b) {
    const uint64_t* pos = positions(t);
    if (!pos) continue;  // V & M = 0: V' = V
    unsigned char carry = 0;
    for (size_t w = 0; w < words_; ++w) {
      const uint64_t v = v_[w], u = v & pos[w];
      uint64_t sum = v + u;
      const unsigned char c1 = sum < v;
      sum += carry;
      carry = c1 | (sum < carry);
      v_[w] = sum | (v & ~pos[w]);
    }
  }
  int64_t zeros = 0;
  for (size_t w = 0; w < words_; ++w) {
    const size_t bits = w + 1 < words_ ? 64 : m_ - 64 * w;
    const uint64_t valid = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    zeros += static_cast<int64_t>(bits) - __builtin_popcountll(v_[w] & valid);
  }
  return zeros;
}

void RougeRefs::set(const std::vector<uint32_t>* refs, size_t n) {
  ptrs_.clear();
  for (size_t r = 0; r < n; ++r) ptrs_.push_back(&refs[r]);
  set(ptrs_.data(), n);
}

void RougeRefs::set(const std::vector<uint32_t>* const* refs, size_t n) {
  refs_.clear();
  if (tables_.size() < n) {
    tables_.resize(n);
    lcs_.resize(n);
    sets_.resize(n);
  }
  use_sets_.assign(n, 0);
  // Local ids 1, 2, ... for the references' tokens, in first-seen order, while they fit 16 bits.
  local_.clear();
  size_t total = 0;
  for (size_t r = 0; r < n; ++r) total += refs[r]->size();
  const bool local = total <= UINT16_MAX;
  local_refs_.resize(local ? total : 0);
  size_t at = 0;
  for (size_t r = 0; r < n && local; ++r)
    for (const uint32_t t : *refs[r]) local_refs_[at++] = local_.add(t);
  at = 0;
  const size_t n_ids = local_.size();
  for (size_t r = 0; r < n; ++r) {
    const auto& v = *refs[r];
    refs_.push_back(&v);
    if (local) {
      const PositionSets::Span span{local_refs_.data() + at, v.size()};
      at += v.size();
      use_sets_[r] = sets_[r].set(2, static_cast<uint32_t>(n_ids), &span, 1);
    }
    // The LCS of a reference of at most 64 tokens goes by its sets' bits; others take BitLcs.
    if (!use_sets_[r] || !sets_[r].short_bits()) lcs_[r].set(v);
    if (use_sets_[r]) continue;
    NgramTable& t = tables_[r];
    t.reset(2 * v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      t.add(1, v[i], 0);
      if (i + 1 < v.size()) t.add(2, (static_cast<uint64_t>(v[i]) << 32) | v[i + 1], 0);
    }
  }
}

RougeScores RougeRefs::best(const std::vector<uint32_t>& hyp) {
  std::array<double, 3> best{};
  const uint16_t* local_hyp = local_.map(hyp, local_hyp_);
  for (size_t r = 0; r < refs_.size(); ++r) {
    const auto& ref = *refs_[r];
    int64_t inter1 = 0, inter2 = 0;
    if (use_sets_[r]) {
      const auto m = sets_[r].match(local_hyp, hyp.size());
      inter1 = m[0];
      inter2 = m[1];
    } else {
      NgramTable& t = tables_[r];
      t.begin_probe();
      for (size_t i = 0; i < hyp.size(); ++i) {
        const auto p1 = t.consume(1, hyp[i], 0);
        if (p1 == NgramTable::kAbsent) continue;  // then the bigram starting here is absent too
        inter1 += p1 == NgramTable::kMatched;
        if (i + 1 < hyp.size())
          inter2 += t.consume(2, (static_cast<uint64_t>(hyp[i]) << 32) | hyp[i + 1], 0) == NgramTable::kMatched;
      }
    }
    double l = 0;
    if (!ref.empty() && !hyp.empty()) {
      int64_t length = 0;
      if (const uint64_t* m = use_sets_[r] ? sets_[r].short_bits() : nullptr) {
        // BitLcs::length in one word: V' = (V + (V & M)) | (V & ~M), M = 0 for a token the
        // reference lacks (V' = V).
        uint64_t v = ~uint64_t{0};
        for (size_t i = 0; i < hyp.size(); ++i) {
          const uint16_t c = local_hyp[i];
          v = (v + (v & m[c])) | (v & ~m[c]);
        }
        const uint64_t valid = ref.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << ref.size()) - 1;
        length = static_cast<int64_t>(ref.size()) - __builtin_popcountll(v & valid);
      } else {
        length = lcs_[r].length(hyp);
      }
      const auto lcs = static_cast<double>(length);
      l = fmeasure(lcs / static_cast<double>(hyp.size()), lcs / static_cast<double>(ref.size()));
    }
    const std::array<double, 3> v{counts_f(inter1, ngram_count(ref.size(), 1), ngram_count(hyp.size(), 1)),
                                  counts_f(inter2, ngram_count(ref.size(), 2), ngram_count(hyp.size(), 2)), l};
    for (int k = 0; k < 3; ++k) best[k] = r == 0 ? v[k] : std::max(best[k], v[k]);
  }
  return {best[0], best[1], best[2]};
}

RougeScores rouge_f(const std::vector<std::string>& target, const std::vector<std::string>& prediction) {
  Interner in;
  std::vector<uint32_t> t, p;
  for (const auto& x : target) t.push_back(in.id(x));
  for (const auto& x : prediction) p.push_back(in.id(x));
  RougeRefs r;
  r.set(&t, 1);
  return r.best(p);
}

void RougeState::add(std::string_view hyp, const std::vector<std::string>& refs) {
  Interner in;
  RougeTokenizer tok(in, use_stemmer_);
  std::vector<std::vector<uint32_t>> r(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) tok.tokenize(refs[i], r[i]);
  std::vector<uint32_t> h;
  tok.tokenize(hyp, h);
  RougeRefs prepared;
  prepared.set(r.data(), r.size());
  add_scores(prepared.best(h));
}

void RougeState::add_scores(const RougeScores& s) {
  ++n_;
  sum_[0] += s.rouge1;
  sum_[1] += s.rouge2;
  sum_[2] += s.rougeL;
}

void RougeState::merge(const RougeState& o) {
  n_ += o.n_;
  for (int k = 0; k < 3; ++k) sum_[k] += o.sum_[k];
}

RougeScores RougeState::value() const {
  if (n_ == 0) return {};
  const double n = static_cast<double>(n_);
  return {sum_[0] / n, sum_[1] / n, sum_[2] / n};
}

void RougeState::pack(Packed& p) const {
  p.ints.push_back(n_);
  for (double v : sum_) p.reals.push_back(v);
}

void RougeState::unpack(Unpacker& u) {
  n_ = u.next_int();
  for (double& v : sum_) v = u.next_real();
}

}  // namespace because::metrics
