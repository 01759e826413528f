// Interner and NgramTable: open addressing with linear probing; tables are reused across
// segments through generation stamps instead of being cleared.
#include "metrics/ngram.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "util/hash.h"

namespace because::metrics {
namespace {

uint64_t next_serial() {
  static std::atomic<uint64_t> n{0};
  return ++n;
}

}  // namespace
Interner::Interner() : short_(1024), serial_(next_serial()), slots_(1024, 0), begin_{0} {}

uint32_t Interner::id(std::string_view s) {
  if (s.size() > 8) return add(s);
  const uint64_t key = short_key(s);
  const uint64_t mask = short_.size() - 1;
  uint64_t i = short_hash(key, s.size()) & mask;
  for (;; i = (i + 1) & mask) {
    const Short& e = short_[i];
    if (e.id == 0) break;
    if (e.key == key && e.len == s.size()) return e.id - 1;
  }
  const uint32_t id = add(s);
  short_[i] = {key, static_cast<uint32_t>(s.size()), id + 1};
  if (2 * ++n_short_ > short_.size()) grow_short();
  return id;
}

void Interner::grow_short() {
  grow_doubling(
      short_, [](const Short& e) { return e.id == 0; },
      [](const Short& e) { return short_hash(e.key, e.len); });
}

// The id of `s` through the xxh64 table, added when new.
uint32_t Interner::add(std::string_view s) {
  const uint64_t h = hash::xxh64(s);
  if (const uint32_t found = find(s, h); found != kNone) return found;
  const uint64_t mask = slots_.size() - 1;
  if (hashes_.size() >= UINT32_MAX - 1) throw std::length_error("NLG metrics: more than 2^32 distinct tokens");
  const auto id = static_cast<uint32_t>(hashes_.size());
  hashes_.push_back(h);
  arena_.append(s);
  begin_.push_back(arena_.size());
  if (2 * hashes_.size() > slots_.size()) {
    grow();
  } else {
    for (uint64_t i = h & mask;; i = (i + 1) & mask)
      if (slots_[i] == 0) {
        slots_[i] = id + 1;
        break;
      }
  }
  return id;
}

uint32_t Interner::find(std::string_view s) const { return find(s, hash::xxh64(s)); }

uint32_t Interner::find(std::string_view s, uint64_t h) const {
  const uint64_t mask = slots_.size() - 1;
  for (uint64_t i = h & mask;; i = (i + 1) & mask) {
    const uint32_t v = slots_[i];
    if (v == 0) return kNone;
    if (hashes_[v - 1] == h && text(v - 1) == s) return v - 1;
  }
}

void Interner::grow() {
  std::vector<uint32_t> s(slots_.size() * 2, 0);
  const uint64_t mask = s.size() - 1;
  for (uint32_t id = 0; id < hashes_.size(); ++id)
    for (uint64_t i = hashes_[id] & mask;; i = (i + 1) & mask)
      if (s[i] == 0) {
        s[i] = id + 1;
        break;
      }
  slots_.swap(s);
}

bool HashSet64::insert(uint64_t h) {
  if (h == 0) {
    const bool fresh = !has_zero_;
    has_zero_ = true;
    return fresh;
  }
  if (2 * (n_ + 1) > slots_.size()) grow();
  const uint64_t mask = slots_.size() - 1;
  for (uint64_t i = (h * 0x9E3779B97F4A7C15ULL) >> 20 & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++n_;
      return true;
    }
  }
}

void HashSet64::grow() {
  std::vector<uint64_t> old(std::max<size_t>(1024, slots_.size() * 2), 0);
  old.swap(slots_);
  n_ = 0;
  for (const uint64_t h : old)
    if (h != 0) insert(h);
}

std::vector<uint64_t> HashSet64::values() const {
  std::vector<uint64_t> v;
  v.reserve(size());
  if (has_zero_) v.push_back(0);
  for (const uint64_t h : slots_)
    if (h != 0) v.push_back(h);
  return v;
}

void NgramTable::reset(size_t max_keys) {
  size_t cap = 64;
  while (cap < 2 * max_keys) cap *= 2;
  if (cap > slots_.size()) {
    slots_.assign(cap, Slot{});
    cur_.assign(cap, Cur{});
    gen_ = 0;
    probe_ = 0;
  }
  mask_ = cap - 1;
  if (++gen_ >= (1u << 24)) {  // wrapped: forget every slot
    for (auto& s : slots_) s = Slot{};
    gen_ = 1;
  }
}

void NgramTable::add_max(uint32_t order, uint64_t hi, uint64_t lo) {
  Slot* s = find(order, hi, lo, true);
  Cur& c = cur_[static_cast<size_t>(s - slots_.data())];
  if (s->count == 0 || c.source != source_) {  // first sight of this key in this table or in this source
    c.source = source_;
    c.count = 0;
  }
  if (++c.count > s->count) s->count = c.count;
}

// ---- PositionSets -------------------------------------------------------------------------

bool PositionSets::set(int max_order, uint32_t n_ids, const Span* refs, size_t n_refs) {
  n_refs_ = 0;
  if (n_refs > kMaxRefs || max_order < 1 || max_order > kMaxOrder) return false;
  size_t longest = 0;
  for (size_t r = 0; r < n_refs; ++r) {
    if (refs[r].len > kMaxLen) return false;
    longest = std::max(longest, refs[r].len);
  }
  // The sets take n_refs * max_order * (n_ids + 1) * words 64-bit words, cleared per call: many
  // long references with large vocabularies take the table instead.
  const size_t W = std::max<size_t>(1, (longest + 63) / 64);
  short_ = n_refs == 1 && longest <= 64;
  if ((short_ ? 1 : n_refs * static_cast<size_t>(max_order)) * (static_cast<size_t>(n_ids) + 1) * W >
      kMaxWords)
    return false;
  orders_ = max_order;
  stride_ = static_cast<size_t>(n_ids) + 1;
  words_ = W;
  n_refs_ = n_refs;
  if (short_) {
    if (bits_.size() < stride_) bits_.resize(stride_);
    std::fill_n(bits_.data(), stride_, 0);  // the first stride_ words are the sets
    for (size_t j = 0; j < refs[0].len; ++j) bits_[refs[0].ids[j]] |= uint64_t{1} << j;
    return true;
  }
  bits_.assign(n_refs * static_cast<size_t>(orders_) * stride_ * W, 0);
  lens_.resize(n_refs);
  used_at_.resize(n_refs);
  size_t used = 0;
  for (size_t r = 0; r < n_refs; ++r) {
    const size_t len = refs[r].len;
    lens_[r] = len;
    used_at_[r] = used;
    used += static_cast<size_t>(orders_) * len;
    // Shift 0: the positions of each symbol; shift k: those sets moved down by k positions.
    uint64_t* base = &bits_[r * static_cast<size_t>(orders_) * stride_ * W];
    for (size_t j = 0; j < len; ++j) base[refs[r].ids[j] * W + j / 64] |= 1ULL << (j % 64);
    for (size_t k = 1; k < static_cast<size_t>(orders_); ++k)
      for (size_t id = 1; id < stride_; ++id) {
        const uint64_t* b = base + id * W;
        uint64_t* out = base + (k * stride_ + id) * W;
        for (size_t w = 0; w < W; ++w) out[w] = b[w] >> k | (w + 1 < W ? b[w + 1] << (64 - k) : 0);
      }
  }
  used_.resize(used);
  cur_.resize(n_refs * W);
  return true;
}

// Inlined into match() so that each of its builds counts with its own popcount. W: words per set
// (0: words_, at run time); kOne: a single reference (its sets in registers, no maximum).
template <int W, bool kOne>
__attribute__((always_inline)) inline void PositionSets::match_words(const uint16_t* h, size_t len,
                                                                     std::array<int64_t, kMaxOrder>& m) {
  const size_t nw = W > 0 ? static_cast<size_t>(W) : words_;
  const size_t orders = static_cast<size_t>(orders_), per_ref = orders * stride_ * nw;
  const size_t n_refs = kOne ? 1 : n_refs_;
  const uint64_t* bits = bits_.data();
  uint16_t* used = used_.data();
  uint64_t local[W > 0 && kOne ? W : 1];
  uint64_t* cur = W > 0 && kOne ? local : cur_.data();
  for (size_t i = 0; i < len; ++i) {
    if (h[i] == 0) continue;
    for (size_t k = 0; k < orders && i + k < len; ++k) {
      // Per reference, the positions of the n-gram; its largest count, and where it first occurs.
      uint64_t count = 0;
      size_t first = 0;
      for (size_t r = 0; r < n_refs; ++r) {
        uint64_t* s = cur + r * nw;
        const uint64_t* b = bits + r * per_ref + (k * stride_ + h[i + k]) * nw;
        uint64_t c = 0;
        size_t pos = 0;
        for (size_t w = nw; w-- > 0;) {
          s[w] = k == 0 ? b[w] : s[w] & b[w];
          c += static_cast<uint64_t>(__builtin_popcountll(s[w]));
          if (s[w]) pos = w * 64 + static_cast<size_t>(__builtin_ctzll(s[w]));
        }
        if (kOne) {
          count = c;
          first = k * lens_[0] + pos;
        } else {
          if (count == 0 && c > 0) first = used_at_[r] + k * lens_[r] + pos;
          count = std::max(count, c);
        }
      }
      if (count == 0) break;  // in no reference, and neither is any longer n-gram through it
      uint16_t& u = used[first];
      const bool ok = u < count;
      u = static_cast<uint16_t>(u + ok);
      m[k] += ok;
    }
  }
}

// The n-gram at i of order k + 1 occurs in the reference at the positions j with ref[j + q] ==
// hyp[i + q] for every q <= k: the AND of the symbols' sets shifted down by q. N orders, unrolled
// so that the unused positions and the counts stay in registers.
template <int N>
__attribute__((always_inline)) inline void match_short_n(const uint64_t* bits, const uint16_t* h, size_t len,
                                                         std::array<int64_t, PositionSets::kMaxOrder>& m) {
  uint64_t unused[N];
  int64_t count[N];
  for (int k = 0; k < N; ++k) {
    unused[k] = ~uint64_t{0};
    count[k] = 0;
  }
  // At i, orders 1..`orders` (those that fit before len). An n-gram that does not occur leaves
  // an empty set (bits[0] == 0 for a symbol of no reference), which changes nothing further on:
  // every order is taken without a branch on it, which costs less than the mispredictions of
  // stopping there.
  auto at = [&](size_t i, size_t orders) {
    uint64_t s = bits[h[i]];
#pragma GCC unroll 8
    for (int k = 0; k < N; ++k) {
      const uint64_t t = s & unused[k];
      unused[k] ^= t & (0 - t);  // its lowest unused occurrence, if any, is used now
      count[k] += t != 0;
      const size_t next = static_cast<size_t>(k) + 1;
      if (next == orders) break;
      s &= bits[h[i + next]] >> next;
    }
  };
  size_t i = 0;
  for (; i + N <= len; ++i) at(i, N);
  for (; i < len; ++i) at(i, len - i);
  for (int k = 0; k < N; ++k) m[static_cast<size_t>(k)] = count[k];
}

inline void PositionSets::match_short(const uint16_t* h, size_t len,
                                      std::array<int64_t, kMaxOrder>& m) const {
  const uint64_t* bits = bits_.data();
  switch (orders_) {
    case 1: match_short_n<1>(bits, h, len, m); break;
    case 2: match_short_n<2>(bits, h, len, m); break;
    case 3: match_short_n<3>(bits, h, len, m); break;
    case 4: match_short_n<4>(bits, h, len, m); break;
    case 5: match_short_n<5>(bits, h, len, m); break;
    default: match_short_n<6>(bits, h, len, m); break;
  }
}

// Built twice where GCC can (resolved once at load): for x86-64 with the popcnt instruction,
// which the counts use, and for the baseline, where popcount is a library call.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
std::array<int64_t, PositionSets::kMaxOrder> PositionSets::match(const uint16_t* hyp, size_t len) {
  std::array<int64_t, kMaxOrder> m{};
  if (n_refs_ == 0) return m;
  if (short_) {
    match_short(hyp, len, m);
    return m;
  }
  std::fill(used_.begin(), used_.end(), 0);
  if (n_refs_ == 1) {
    switch (words_) {
      case 1: match_words<1, true>(hyp, len, m); break;
      case 2: match_words<2, true>(hyp, len, m); break;
      case 3: match_words<3, true>(hyp, len, m); break;
      case 4: match_words<4, true>(hyp, len, m); break;
      default: match_words<0, true>(hyp, len, m); break;
    }
  } else {
    switch (words_) {
      case 1: match_words<1, false>(hyp, len, m); break;
      case 2: match_words<2, false>(hyp, len, m); break;
      default: match_words<0, false>(hyp, len, m); break;
    }
  }
  return m;
}

}  // namespace because::metrics
