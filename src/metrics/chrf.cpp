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

// The statistics of the reference with the best chrF, the first of equals, as sacreBLEU picks it:
// stats_of(r) for r in [0, n).
template <class StatsOf>
ChrfState::Stats best_of(size_t n, StatsOf&& stats_of) {
  if (n == 1) return stats_of(0);
  ChrfState::Stats best{};
  double best_f = -1.0;
  for (size_t r = 0; r < n; ++r) {
    const ChrfState::Stats st = stats_of(r);
    const double f = ChrfState::f_score(st);
    if (f > best_f) {
      best_f = f;
      best = st;
    }
  }
  return best;
}

}  // namespace

// ---- ChrfDenseGrams -----------------------------------------------------------------------

inline uint8_t ChrfDenseGrams::id_of(char32_t c) const {
  if (c < 128) return static_cast<uint8_t>(c);
  for (size_t k = 0; k < other_.size(); ++k)
    if (other_[k] == c) return static_cast<uint8_t>(128 + k);
  return kNowhere;
}

void ChrfDenseGrams::place(size_t len) {
  // Forget the previous reference: only its characters' sets and counts are not empty.
  for (int q = 0; q < 4; ++q)
    for (uint64_t x = present_[q]; x; x &= x - 1) {
      const size_t id = static_cast<size_t>(q) * 64 + static_cast<size_t>(__builtin_ctzll(x));
      ref_count_[id] = 0;
      std::fill_n(&sets_[id * kStride], words_, 0);
    }
  present_ = {};
  words_ = std::max<size_t>(1, (len + 63) / 64);
  len_ = len;
  for (size_t j = 0; j < len_; ++j) {
    const uint8_t id = ids_[j];
    sets_[id * kStride + j / 64] |= uint64_t{1} << (j % 64);
    present_[id / 64] |= uint64_t{1} << (id % 64);
    ++ref_count_[id];
  }
  used_.resize((ChrfState::kOrder - 1) * len_);
}

size_t ChrfDenseGrams::ascii_ids(std::string_view text) {
  ids_.resize(text.size());
  size_t n = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    ids_[n] = c;  // an ASCII code point is its own id
    n += !is_ascii_py_space(c);
  }
  return n;
}

bool ChrfDenseGrams::build(const std::u32string& ref) {
  other_.clear();
  if (ref.size() > kMaxLen) return false;
  ids_.resize(ref.size());
  for (size_t j = 0; j < ref.size(); ++j) {
    const char32_t c = ref[j];
    uint8_t id = id_of(c);
    if (id == kNowhere) {
      if (other_.size() == kMaxOther) return false;
      other_.push_back(c);
      id = static_cast<uint8_t>(128 + other_.size() - 1);
    }
    ids_[j] = id;
  }
  place(ref.size());
  return true;
}

bool ChrfDenseGrams::build_ascii(std::string_view text, size_t& len) {
  other_.clear();
  len = ascii_ids(text);
  if (len > kMaxLen) return false;
  place(len);
  return true;
}

// Inlined into match_ids() so that each of its builds counts with its own popcount. W: words
// per set (0: nw, at run time).
template <size_t W>
__attribute__((always_inline)) inline void ChrfDenseGrams::match_words(
    size_t n, size_t nw_run, std::array<int64_t, ChrfState::kOrder>& m) {
  const size_t nw = W > 0 ? W : nw_run;
  const uint64_t* sets = sets_.data();
  const uint8_t* h = ids_.data();
  uint64_t* cur = cur_.data();
  uint32_t* live = live_.data();
  uint16_t* first = first_.data();
  uint16_t* count = count_.data();
  uint16_t* used = used_.data();
  // One position: `x(w)` gives word w of its n-gram's set, kept in place `out` (at most the
  // position's own place) with its count and first position, which a position whose n-gram
  // occurs nowhere leaves to be overwritten.
  size_t out = 0;
  auto step = [&](uint32_t i, auto&& x) {
    uint64_t c = 0;
    size_t f = 0;
    uint64_t* s = cur + out * nw;
    for (size_t w = nw; w-- > 0;) {
      const uint64_t v = x(w);
      s[w] = v;
      c += static_cast<uint64_t>(__builtin_popcountll(v));
      if (v) f = w * 64 + static_cast<size_t>(__builtin_ctzll(v));
    }
    first[out] = static_cast<uint16_t>(f);
    count[out] = static_cast<uint16_t>(c);
    live[out] = i;
    out += c != 0;
  };
  // The matches of one order, in a pass of its own over the live positions' first positions and
  // counts: an n-gram matches while its uses stay below its count in the reference.
  std::fill(used, used + (ChrfState::kOrder - 1) * len_, 0);  // one row per order 2..6
  auto clip = [&](size_t k) {
    uint16_t* uses = used + (k - 1) * len_;
    int64_t matched = 0;
    for (size_t a = 0; a < out; ++a) {
      uint16_t& u = uses[first[a]];
      const bool ok = u < count[a];
      u = static_cast<uint16_t>(u + ok);
      matched += ok;
    }
    m[k] = matched;
  };
  // Order 1: a character matches while its uses stay below its count in the reference; the
  // positions of a character of the reference live on.
  uint32_t* hc = hyp_count_.data();
  const uint16_t* rc = ref_count_.data();
  int64_t unigrams = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t id = h[i];
    unigrams += hc[id] < rc[id];
    ++hc[id];
    live[out] = static_cast<uint32_t>(i);
    out += rc[id] != 0;
  }
  for (size_t i = 0; i < n; ++i) hc[h[i]] = 0;
  m[0] = unigrams;
  // Order 2: the live positions with room for it, the set of their character ANDed with that of
  // the next one, shifted down by 1.
  if (out > 0) {
    const size_t n_live = out;
    out = 0;
    for (size_t a = 0; a < n_live; ++a) {
      const uint32_t i = live[a];
      if (i + 1 >= n) break;  // and every later one
      const uint64_t* b = sets + h[i + 1] * kStride;
      const uint64_t* s = sets + h[i] * kStride;
      step(i, [b, s, nw](size_t w) { return s[w] & (b[w] >> 1 | (w + 1 < nw ? b[w + 1] << 63 : 0)); });
    }
    clip(1);
  }
  // Order k + 1: the live positions with room for it, their n-gram's set ANDed with that of the
  // character k further on, shifted down by k.
  for (size_t k = 2; k < static_cast<size_t>(ChrfState::kOrder) && out > 0; ++k) {
    const size_t n_live = out;
    out = 0;
    for (size_t a = 0; a < n_live; ++a) {
      const uint32_t i = live[a];
      if (i + k >= n) break;  // and every later one
      const uint64_t* b = sets + h[i + k] * kStride;
      const uint64_t* s = cur + a * nw;
      step(i, [b, s, k, nw](size_t w) {
        const uint64_t shifted = b[w] >> k | (w + 1 < nw ? b[w + 1] << (64 - k) : 0);
        return s[w] & shifted;
      });
    }
    clip(k);
  }
}

// Built twice where GCC can (resolved once at load): for x86-64 with the popcnt instruction,
// which the counts use, and for the baseline, where popcount is a library call.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match_ids(size_t n) {
  std::array<int64_t, ChrfState::kOrder> m{};
  if (len_ == 0 || n == 0) return m;
  if (cur_.size() < n * words_) cur_.resize(n * words_);
  if (live_.size() < n) {
    live_.resize(n);
    first_.resize(n);
    count_.resize(n);
  }
  switch (words_) {
    case 1: match_words<1>(n, 1, m); break;
    case 2: match_words<2>(n, 2, m); break;
    case 3: match_words<3>(n, 3, m); break;
    case 4: match_words<4>(n, 4, m); break;
    default: match_words<0>(n, words_, m); break;
  }
  return m;
}

std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match(const std::u32string& hyp) {
  ids_.resize(hyp.size());
  for (size_t i = 0; i < hyp.size(); ++i) ids_[i] = id_of(hyp[i]);
  return match_ids(hyp.size());
}

std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match_ascii(std::string_view text, size_t& len) {
  len = ascii_ids(text);
  return match_ids(len);
}

// ---- ChrfRefs -----------------------------------------------------------------------------

void ChrfRefs::start(size_t n) {
  n_ = n;
  if (dense_.size() < n) dense_.resize(n);
  if (tables_.size() < n) tables_.resize(n);
  is_dense_.assign(n, false);
  totals_.resize(n);
}

void ChrfRefs::set_totals(size_t r, size_t len) {
  for (int k = 1; k <= ChrfState::kOrder; ++k) totals_[r][k - 1] = ngram_count(len, k);
}

void ChrfRefs::set_one(size_t r, const std::u32string& ref) {
  set_totals(r, ref.size());
  if (dense_[r].build(ref)) {
    is_dense_[r] = true;
    return;
  }
  NgramTable& t = tables_[r];
  t.reset(ChrfState::kOrder * ref.size());
  each_ngram(ref, [&t](uint32_t order, uint64_t hi, uint64_t lo) {
    t.add(order, hi, lo);
    return true;
  });
}

void ChrfRefs::set(const std::u32string* refs, size_t n) {
  start(n);
  for (size_t r = 0; r < n; ++r) set_one(r, refs[r]);
}

void ChrfRefs::set_text(const std::string_view* refs, size_t n) {
  start(n);
  for (size_t r = 0; r < n; ++r) {
    size_t len = 0;
    if (is_ascii(refs[r]) && dense_[r].build_ascii(refs[r], len)) {
      set_totals(r, len);
      is_dense_[r] = true;
      continue;
    }
    chars_ = remove_py_space(utf8_decode(refs[r]));
    set_one(r, chars_);
  }
}

ChrfState::Stats ChrfRefs::stats(size_t r, size_t hyp_len, const std::array<int64_t, ChrfState::kOrder>& match) const {
  ChrfState::Stats st{};
  for (int k = 1; k <= ChrfState::kOrder; ++k) {
    st[3 * (k - 1)] = ngram_count(hyp_len, k);
    st[3 * (k - 1) + 1] = totals_[r][k - 1];
    st[3 * (k - 1) + 2] = match[k - 1];
  }
  return st;
}

ChrfState::Stats ChrfRefs::best_stats(const std::u32string& hyp) {
  return best_of(n_, [&](size_t r) {
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
    return stats(r, hyp.size(), match);
  });
}

ChrfState::Stats ChrfRefs::best_stats_text(std::string_view hyp) {
  if (!std::all_of(is_dense_.begin(), is_dense_.begin() + static_cast<std::ptrdiff_t>(n_),
                   [](bool d) { return d; }) ||
      !is_ascii(hyp)) {
    chars_ = remove_py_space(utf8_decode(hyp));
    return best_stats(chars_);
  }
  return best_of(n_, [&](size_t r) {
    size_t len = 0;
    const auto match = dense_[r].match_ascii(hyp, len);
    return stats(r, len, match);
  });
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
