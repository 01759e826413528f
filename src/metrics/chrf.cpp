// sacreBLEU chrF (char order 6, word order 0, beta 2, whitespace removed).
#include "metrics/chrf.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__) && defined(__GNUC__)
#define BECAUSE_CHRF_AVX512 1
// GCC 12's AVX-512 headers warn of their own undefined vectors (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Orders 2..6 over all positions at once, eight to a vector: word w of the set of the n-gram of
// order k + 1 at i is that of order k ANDed with the sets' words of the character at i + k,
// shifted down by k. `e` holds per word w the sets of the hypothesis's characters (e[w * stride +
// i], zero from n on), `a` gets those of the n-grams; per order the positions whose n-gram occurs
// are compacted into `fc` as first position | count << 16 (both at most 512, the reference's length)
// and clipped as in the scalar path. `blocks` gets the blocks of 8 positions still live.
template <size_t W>
__attribute__((target("avx512f,avx512cd,avx512dq,avx512vl,avx512vpopcntdq,popcnt"))) void orders_avx512(
    const uint64_t* e, uint64_t* a, size_t stride, size_t n, uint32_t* fc, uint32_t* blocks, uint16_t* used,
    size_t len, std::array<int64_t, ChrfState::kOrder>& m) {
  const __m512i zero = _mm512_setzero_si512();
  size_t n_blocks = (n - 1 + 7) / 8;  // order 2: every block of positions with room for it
  for (size_t v = 0; v < n_blocks; ++v) blocks[v] = static_cast<uint32_t>(v);
  for (size_t k = 1; k < static_cast<size_t>(ChrfState::kOrder) && k < n; ++k) {
    const uint64_t* from = k == 1 ? e : a;  // order 1's sets are the characters' own
    const __m128i down = _mm_cvtsi64_si128(static_cast<long long>(k));
    const __m128i up = _mm_cvtsi64_si128(static_cast<long long>(64 - k));
    size_t out = 0, kept = 0;
    for (size_t b = 0; b < n_blocks; ++b) {
      const size_t i = size_t{8} * blocks[b];
      __m512i c = zero, f = zero;
      for (size_t w = W; w-- > 0;) {
        __m512i x = _mm512_srl_epi64(_mm512_loadu_si512(e + w * stride + i + k), down);
        if (w + 1 < W)
          x = _mm512_or_si512(x, _mm512_sll_epi64(_mm512_loadu_si512(e + (w + 1) * stride + i + k), up));
        const __m512i s = _mm512_and_si512(_mm512_loadu_si512(from + w * stride + i), x);
        _mm512_storeu_si512(a + w * stride + i, s);
        c = _mm512_add_epi64(c, _mm512_popcnt_epi64(s));
        // The lowest set bit's index: 63 - lzcnt(s & -s); a word without one leaves f alone.
        const __m512i low = _mm512_and_si512(s, _mm512_sub_epi64(zero, s));
        const __m512i tz =
            _mm512_sub_epi64(_mm512_set1_epi64(static_cast<long long>(63 + 64 * w)), _mm512_lzcnt_epi64(low));
        f = _mm512_mask_mov_epi64(f, _mm512_test_epi64_mask(s, s), tz);
      }
      const __mmask8 live = _mm512_test_epi64_mask(c, c);
      const __m256i packed = _mm512_cvtepi64_epi32(_mm512_or_si512(f, _mm512_slli_epi64(c, 16)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(fc + out), _mm256_maskz_compress_epi32(live, packed));
      out += static_cast<size_t>(__builtin_popcount(live));
      blocks[kept] = blocks[b];  // a block without an n-gram of this order has none of a higher
      kept += live != 0;
    }
    n_blocks = kept;
    if (out == 0) break;  // no n-gram of this order occurs, nor one of a higher
    uint16_t* uses = used + (k - 1) * len;
    int64_t matched = 0;
    for (size_t j = 0; j < out; ++j) {
      uint16_t& u = uses[fc[j] & 0xFFFF];
      const bool ok = u < (fc[j] >> 16);
      u = static_cast<uint16_t>(u + ok);
      matched += ok;
    }
    m[k] = matched;
  }
}

// Order 1 with AVX-512: per distinct id of the reference, its count among the hypothesis's n ids
// (64 compared at a time), clipped by its count in the reference. No counts to keep per id, so
// none to clear, and no chain through memory where an id repeats.
__attribute__((target("avx512f,avx512bw,popcnt"))) int64_t unigrams_avx512(const uint8_t* h, size_t n,
                                                                           const uint8_t* distinct,
                                                                           size_t n_distinct,
                                                                           const uint16_t* ref_count) {
  int64_t matched = 0;
  if (n <= 64) {
    const __mmask64 in = n == 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(in, h);
    for (size_t d = 0; d < n_distinct; ++d) {
      const auto c = static_cast<uint32_t>(__builtin_popcountll(
          _mm512_mask_cmpeq_epi8_mask(in, x, _mm512_set1_epi8(static_cast<char>(distinct[d])))));
      matched += std::min<uint32_t>(c, ref_count[distinct[d]]);
    }
    return matched;
  }
  std::array<uint32_t, 256> count{};
  for (size_t i = 0; i < n; i += 64) {
    const __mmask64 in = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(in, h + i);
    for (size_t d = 0; d < n_distinct; ++d)
      count[d] += static_cast<uint32_t>(__builtin_popcountll(
          _mm512_mask_cmpeq_epi8_mask(in, x, _mm512_set1_epi8(static_cast<char>(distinct[d])))));
  }
  for (size_t d = 0; d < n_distinct; ++d) matched += std::min<uint32_t>(count[d], ref_count[distinct[d]]);
  return matched;
}

// An ASCII text without its Python whitespace into `out` (room for 64 bytes past the text's
// length), 64 bytes at a time; returns the length.
__attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt"))) size_t strip_ascii_space_avx512(
    const unsigned char* p, size_t n, uint8_t* out) {
  const __m512i tab = _mm512_set1_epi8(0x09), fs = _mm512_set1_epi8(0x1C), five = _mm512_set1_epi8(5);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 64) {
    const __mmask64 in = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(in, p + i);
    // 0x09-0x0D and 0x1C-0x20
    const __mmask64 space = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, tab), five) |
                            _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, fs), five);
    const __mmask64 keep = in & ~space;
    _mm512_storeu_si512(out + o, _mm512_maskz_compress_epi8(keep, x));
    o += static_cast<size_t>(__builtin_popcountll(keep));
  }
  return o;
}
#pragma GCC diagnostic pop
#endif

ChrfDenseGrams::Path& current_path() {
  static ChrfDenseGrams::Path p = ChrfDenseGrams::best_path();
  return p;
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
  // Forget the previous reference: only its characters' sets and counts are not empty. (Its
  // characters, not a bit set of them: ORing each character's bit into one word made a chain
  // through memory that took longer than the rest of the loop.)
  uint64_t* sets = sets_.data();
  uint16_t* count = ref_count_.data();
  for (size_t d = 0; d < n_placed_; ++d) {
    const uint8_t id = placed_[d];
    count[id] = 0;
    for (size_t w = 0; w < words_; ++w) sets[id * kStride + w] = 0;
  }
  words_ = std::max<size_t>(1, (len + 63) / 64);
  len_ = len;
  const uint8_t* ids = ids_.data();
  size_t n_placed = 0;
  for (size_t j = 0; j < len; ++j) {
    const uint8_t id = ids[j];
    sets[id * kStride + j / 64] |= uint64_t{1} << (j % 64);
    placed_[n_placed] = id;  // kept when it is the id's first
    n_placed += count[id]++ == 0;
  }
  n_placed_ = n_placed;
  if (used_.size() < (ChrfState::kOrder - 1) * len) used_.resize((ChrfState::kOrder - 1) * len);
}

size_t ChrfDenseGrams::ascii_ids(std::string_view text) {
#ifdef BECAUSE_CHRF_AVX512
  if (current_path() == Path::kAvx512) {
    if (ids_.size() < text.size() + 64) ids_.resize(text.size() + 64);
    return strip_ascii_space_avx512(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                                    ids_.data());
  }
#endif
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

// Order 1: a character matches while its uses stay below its count in the reference. `each(i,
// id)` is called for every position on the way, for what a path lays out per position.
template <class Each>
__attribute__((always_inline)) inline int64_t ChrfDenseGrams::unigrams(size_t n, Each&& each) {
  const uint8_t* h = ids_.data();
  uint32_t* hc = hyp_count_.data();
  const uint16_t* rc = ref_count_.data();
  int64_t matched = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t id = h[i];
    matched += hc[id] < rc[id];
    ++hc[id];
    each(i, id);
  }
  for (size_t i = 0; i < n; ++i) hc[h[i]] = 0;
  return matched;
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
  // Order 1; the positions of a character of the reference live on.
  const uint16_t* rc = ref_count_.data();
  m[0] = unigrams(n, [&](size_t i, uint8_t id) {
    live[out] = static_cast<uint32_t>(i);
    out += rc[id] != 0;
  });
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
#ifdef BECAUSE_CHRF_AVX512
  if (current_path() == Path::kAvx512) {
    // Per word of the sets, the sets of the hypothesis's characters, zero past its end as far as
    // the last vector reads (8 positions on from n, plus the order); and order 1 on the way.
    const size_t stride = (n + 16 + 7) / 8 * 8;
    if (e_.size() < words_ * stride) {
      e_.resize(words_ * stride);
      a_.resize(words_ * stride);
    }
    if (fc_.size() < n + 8) {
      fc_.resize(n + 8);
      blocks_.resize(n / 8 + 1);
    }
    uint64_t* e = e_.data();
    const uint64_t* sets = sets_.data();
    std::fill_n(used_.data(), (ChrfState::kOrder - 1) * len_, 0);
    const uint8_t* h = ids_.data();
    m[0] = unigrams_avx512(h, n, placed_.data(), n_placed_, ref_count_.data());
    auto run = [&](auto words) {
      constexpr size_t W = decltype(words)::value;
      for (size_t i = 0; i < n; ++i)
        for (size_t w = 0; w < W; ++w) e[w * stride + i] = sets[h[i] * kStride + w];
      for (size_t w = 0; w < W; ++w) std::fill(e + w * stride + n, e + (w + 1) * stride, 0);
      orders_avx512<W>(e, a_.data(), stride, n, fc_.data(), blocks_.data(), used_.data(), len_, m);
    };
    switch (words_) {
      case 1: run(std::integral_constant<size_t, 1>{}); break;
      case 2: run(std::integral_constant<size_t, 2>{}); break;
      case 3: run(std::integral_constant<size_t, 3>{}); break;
      case 4: run(std::integral_constant<size_t, 4>{}); break;
      case 5: run(std::integral_constant<size_t, 5>{}); break;
      case 6: run(std::integral_constant<size_t, 6>{}); break;
      case 7: run(std::integral_constant<size_t, 7>{}); break;
      default: run(std::integral_constant<size_t, 8>{}); break;
    }
    return m;
  }
#endif
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

ChrfDenseGrams::Path ChrfDenseGrams::best_path() {
#ifdef BECAUSE_CHRF_AVX512
  __builtin_cpu_init();
  if (__builtin_cpu_supports("popcnt") && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512vbmi2"))
    return Path::kAvx512;
#endif
  return Path::kScalar;
}

void ChrfDenseGrams::use_path(Path p) {
  if (p == Path::kAvx512 && best_path() != Path::kAvx512)
    throw std::logic_error("chrF: AVX-512 path asked for on a CPU without it");
  current_path() = p;
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
