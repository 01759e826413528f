// sacreBLEU chrF (char order 6, word order 0, beta 2, whitespace removed).
#include "metrics/chrf.h"

#include <algorithm>
#include <string_view>

#include "metrics/text.h"

namespace because::metrics {
namespace {

// Calls f(order, hi, lo) for the character n-grams of order 1..6 starting at each position, in
// increasing order while f returns true: code points are < 2^21, packed three per 64-bit
// word, so the key is exact.
template <class F>
void each_ngram(const std::u32string& s, F&& f) {
  const size_t len = s.size();
  for (size_t i = 0; i < len; ++i) {
    uint64_t hi = 0, lo = 0;
    for (int k = 0; k < ChrfState::kOrder && i + k < len; ++k) {
      uint64_t& w = k < 3 ? hi : lo;
      w = (w << 21) | (static_cast<uint64_t>(s[i + k]) & 0x1FFFFF);
      if (!f(static_cast<uint32_t>(k + 1), hi, lo)) break;
    }
  }
}

}  // namespace

// ---- ChrfDenseGrams -----------------------------------------------------------------------

inline uint8_t ChrfDenseGrams::id_of(char32_t c) const {
  if (c < 128) return ascii_[c];
  for (const auto& [cp, id] : other_)
    if (cp == c) return id;
  return 0;
}

bool ChrfDenseGrams::build(const std::u32string& ref) {
  // Forget the previous reference: its alphabet and its sets.
  for (const char32_t c : ascii_set_) ascii_[c] = 0;
  ascii_set_.clear();
  other_.clear();
  for (size_t k = 0; k < ChrfState::kOrder; ++k)
    std::fill_n(bits_.begin() + static_cast<ptrdiff_t>((k * 64 + 1) * words_), static_cast<size_t>(n_ids_) * words_, 0);
  n_ids_ = 0;
  len_ = 0;
  words_ = 0;
  const size_t len = ref.size();
  if (len > kMaxLen) return false;
  ids_.resize(len);
  for (size_t j = 0; j < len; ++j) {
    const char32_t c = ref[j];
    uint8_t id = id_of(c);
    if (id == 0) {
      if (n_ids_ == kMaxIds) return false;  // no set was written yet: nothing more to forget
      id = static_cast<uint8_t>(++n_ids_);
      if (c < 128) {
        ascii_[c] = id;
        ascii_set_.push_back(c);
      } else {
        other_.emplace_back(c, id);
      }
    }
    ids_[j] = id;
  }
  len_ = len;
  words_ = (len + 63) / 64;
  const size_t W = words_;
  // Every set beyond the previous reference's ids is zero, at any word count.
  if (bits_.size() < ChrfState::kOrder * 64 * W) bits_.resize(ChrfState::kOrder * 64 * W, 0);
  // Shift 0: the positions of each character; shift k: those sets moved down by k positions.
  for (size_t j = 0; j < len; ++j) bits_[ids_[j] * W + j / 64] |= 1ULL << (j % 64);
  for (size_t k = 1; k < ChrfState::kOrder; ++k)
    for (size_t id = 1; id <= static_cast<size_t>(n_ids_); ++id) {
      const uint64_t* b = &bits_[id * W];
      uint64_t* out = &bits_[(k * 64 + id) * W];
      for (size_t w = 0; w < W; ++w) out[w] = b[w] >> k | (w + 1 < W ? b[w + 1] << (64 - k) : 0);
    }
  if (used_.size() < ChrfState::kOrder * len) used_.resize(ChrfState::kOrder * len);
  return true;
}

// The clipped matches of the hypothesis in ids_ against the sets of `W` words (0: words_, at run
// time, in scratch_). Inlined into match() so that each of its builds counts with its popcount.
template <int W>
__attribute__((always_inline)) inline void ChrfDenseGrams::match_words(std::array<int64_t, ChrfState::kOrder>& m) {
  const size_t nw = W > 0 ? static_cast<size_t>(W) : words_;
  const size_t len = ids_.size();
  const uint8_t* h = ids_.data();
  const uint64_t* bits = bits_.data();
  uint16_t* used = used_.data();
  uint64_t fixed[W > 0 ? W : 1];
  if (W == 0) scratch_.resize(nw);
  uint64_t* s = W > 0 ? fixed : scratch_.data();
  for (size_t i = 0; i < len; ++i) {
    if (h[i] == 0) continue;
    const uint64_t* b = bits + h[i] * nw;
    for (size_t w = 0; w < nw; ++w) s[w] = b[w];
    for (size_t k = 0; k < ChrfState::kOrder && i + k < len; ++k) {
      if (k > 0) {
        b = bits + (k * 64 + h[i + k]) * nw;
        for (size_t w = 0; w < nw; ++w) s[w] &= b[w];
      }
      // The n-gram's count in the reference and its first position there.
      uint64_t count = 0;
      size_t first = 0;
      for (size_t w = nw; w-- > 0;) {
        count += static_cast<uint64_t>(__builtin_popcountll(s[w]));
        if (s[w]) first = w * 64 + static_cast<size_t>(__builtin_ctzll(s[w]));
      }
      if (count == 0) break;  // absent, and so is every longer n-gram through it
      uint16_t& u = used[k * len_ + first];
      const bool ok = u < count;
      u = static_cast<uint16_t>(u + ok);
      m[k] += ok;
    }
  }
}

// Built twice where GCC can (resolved once at load): for x86-64 with the popcnt instruction,
// which the counts use, and for the baseline, where popcount is a library call.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match(const std::u32string& hyp) {
  std::array<int64_t, ChrfState::kOrder> m{};
  if (len_ == 0) return m;
  const size_t len = hyp.size();
  ids_.resize(len);
  for (size_t i = 0; i < len; ++i) ids_[i] = id_of(hyp[i]);
  std::fill_n(used_.begin(), ChrfState::kOrder * len_, 0);
  switch (words_) {
    case 1: match_words<1>(m); break;
    case 2: match_words<2>(m); break;
    case 3: match_words<3>(m); break;
    case 4: match_words<4>(m); break;
    default: match_words<0>(m); break;
  }
  return m;
}

// ---- ChrfRefs -----------------------------------------------------------------------------

void ChrfRefs::set(const std::u32string* refs, size_t n) {
  n_ = n;
  if (dense_.size() < n) dense_.resize(n);
  if (tables_.size() < n) tables_.resize(n);
  is_dense_.assign(n, false);
  totals_.resize(n);
  for (size_t r = 0; r < n; ++r) {
    for (int k = 1; k <= ChrfState::kOrder; ++k) totals_[r][k - 1] = ngram_count(refs[r].size(), k);
    if (dense_[r].build(refs[r])) {
      is_dense_[r] = true;
      continue;
    }
    NgramTable& t = tables_[r];
    t.reset(ChrfState::kOrder * refs[r].size());
    each_ngram(refs[r], [&t](uint32_t order, uint64_t hi, uint64_t lo) {
      t.add(order, hi, lo);
      return true;
    });
  }
}

ChrfState::Stats ChrfRefs::best_stats(const std::u32string& hyp) {
  ChrfState::Stats best{};
  double best_f = -1.0;
  for (size_t r = 0; r < n_; ++r) {
    std::array<int64_t, ChrfState::kOrder> match{};
    if (is_dense_[r]) {
      match = dense_[r].match(hyp);
    } else {
      NgramTable& t = tables_[r];
      t.begin_probe();
      // An n-gram whose prefix is absent from the reference is absent too: stop extending there.
      each_ngram(hyp, [&](uint32_t order, uint64_t hi, uint64_t lo) {
        const auto p = t.consume(order, hi, lo);
        match[order - 1] += p == NgramTable::kMatched;
        return p != NgramTable::kAbsent;
      });
    }
    ChrfState::Stats st{};
    for (int k = 1; k <= ChrfState::kOrder; ++k) {
      st[3 * (k - 1)] = ngram_count(hyp.size(), k);
      st[3 * (k - 1) + 1] = totals_[r][k - 1];
      st[3 * (k - 1) + 2] = match[k - 1];
    }
    const double f = ChrfState::f_score(st);
    if (f > best_f) {
      best_f = f;
      best = st;
    }
  }
  return best;
}

ChrfState::Stats ChrfState::segment_stats(const std::u32string& hyp, const std::u32string& ref) {
  ChrfRefs r;
  r.set(&ref, 1);
  return r.best_stats(hyp);
}

double ChrfState::f_score(const Stats& s) {
  const double factor = kBeta * kBeta;
  double avg_prec = 0, avg_rec = 0;
  int effective_order = 0;
  for (int i = 0; i < kOrder; ++i) {
    const auto n_hyp = s[3 * i], n_ref = s[3 * i + 1], n_match = s[3 * i + 2];
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += static_cast<double>(n_match) / static_cast<double>(n_hyp);
      avg_rec += static_cast<double>(n_match) / static_cast<double>(n_ref);
      ++effective_order;
    }
  }
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0) return 0.0;
  return 100.0 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);
}

void ChrfState::add(std::string_view hyp, const std::vector<std::string>& refs) {
  std::vector<std::u32string> r;
  r.reserve(refs.size());
  for (const auto& x : refs) r.push_back(remove_py_space(utf8_decode(x)));
  ChrfRefs prepared;
  prepared.set(r.data(), r.size());
  add_stats(prepared.best_stats(remove_py_space(utf8_decode(hyp))));
}

void ChrfState::add_stats(const Stats& st) {
  for (int i = 0; i < 3 * kOrder; ++i) stats_[i] += st[i];
}

void ChrfState::merge(const ChrfState& o) {
  for (int i = 0; i < 3 * kOrder; ++i) stats_[i] += o.stats_[i];
}

void ChrfState::pack(Packed& p) const {
  for (auto v : stats_) p.ints.push_back(v);
}

void ChrfState::unpack(Unpacker& u) {
  for (auto& v : stats_) v = u.next_int();
}

}  // namespace because::metrics
