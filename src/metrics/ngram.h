// Working memory the NLG metrics share: token interning (strings to dense ids), and clipped
// n-gram matches without sorting or allocating: bit sets of reference positions (PositionSets)
// for sentences, a counting table of exact n-gram keys (NgramTable) for anything longer.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace because::metrics {

/// Number of n-grams of order n in a sequence of `len` items.
inline int64_t ngram_count(size_t len, int n) { return len + 1 > static_cast<size_t>(n) ? static_cast<int64_t>(len) - n + 1 : 0; }

/// Doubles `slots`, a table with open addressing and linear probing (a power of 2 in size):
/// every slot that is not empty(slot) goes to the first free one from hash(slot) on.
template <class Slot, class Empty, class Hash>
void grow_doubling(std::vector<Slot>& slots, Empty&& empty, Hash&& hash) {
  std::vector<Slot> t(slots.size() * 2);
  const uint64_t mask = t.size() - 1;
  for (const Slot& e : slots) {
    if (empty(e)) continue;
    for (uint64_t i = hash(e) & mask;; i = (i + 1) & mask)
      if (empty(t[i])) {
        t[i] = e;
        break;
      }
  }
  slots.swap(t);
}

/// Strings to dense ids 0, 1, 2, ... in first-seen order. Ids are local to one interner (one
/// rank's scorer); merged states never carry them.
class Interner {
 public:
  Interner();
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t id(std::string_view s);
  /// The id of `s` if it has one, else kNone (nothing is added).
  uint32_t find(std::string_view s) const;
  std::string_view text(uint32_t id) const {
    return {arena_.data() + begin_[id], static_cast<size_t>(begin_[id + 1] - begin_[id])};
  }
  /// xxh64 of the string (stable across ranks and runs).
  uint64_t hash(uint32_t id) const { return hashes_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(hashes_.size()); }
  /// Different for every interner of the process (ids of two interners are unrelated).
  uint64_t serial() const { return serial_; }

 private:
  // Tokens of at most 8 bytes (most words) are also found through a table keyed by their bytes
  // themselves, so that looking them up hashes and compares two words, without xxh64 or memcmp.
  struct Short {
    uint64_t key = 0;  // short_key()
    uint32_t len = 0;
    uint32_t id = 0;   // id + 1; 0 = empty
  };
  // Injective for a given length <= 8: bytes 0, len / 2 and len - 1 below 4 bytes, else the
  // first four and the last four (together every byte).
  static uint64_t short_key(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    if (n == 0) return 0;
    if (n < 4) return p[0] | static_cast<uint64_t>(p[n / 2]) << 8 | static_cast<uint64_t>(p[n - 1]) << 16;
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return lo | static_cast<uint64_t>(hi) << 32;
  }
  static uint64_t short_hash(uint64_t key, size_t len) {
    uint64_t x = (key ^ (len * 0x9E3779B97F4A7C15ULL)) * 0xff51afd7ed558ccdULL;
    return x ^ (x >> 29);
  }
  uint32_t add(std::string_view s);
  uint32_t find(std::string_view s, uint64_t h) const;  // h: xxh64 of s
  void grow();
  void grow_short();
  std::vector<Short> short_;
  size_t n_short_ = 0;
  uint64_t serial_;
  std::vector<uint32_t> slots_;  // id + 1; 0 = empty
  std::vector<uint64_t> hashes_;
  std::vector<uint64_t> begin_;
  std::string arena_;
};

/// A set of 64-bit hashes (open addressing, linear probing; 0 is kept out of band).
class HashSet64 {
 public:
  /// True when `h` was not in the set.
  bool insert(uint64_t h);
  bool contains(uint64_t h) const {
    if (h == 0) return has_zero_;
    if (slots_.empty()) return false;
    const uint64_t mask = slots_.size() - 1;
    for (uint64_t i = (h * 0x9E3779B97F4A7C15ULL) >> 20 & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return true;
      if (slots_[i] == 0) return false;
    }
  }
  size_t size() const { return n_ + (has_zero_ ? 1 : 0); }
  std::vector<uint64_t> values() const;

 private:
  void grow();
  std::vector<uint64_t> slots_;
  size_t n_ = 0;
  bool has_zero_ = false;
};

/// Clipped n-gram matches against one or more references by bit sets of their positions. Symbols
/// are dense ids 1..n_ids (the caller maps characters or tokens to them; 0 is a symbol of no
/// reference). For each reference, symbol c and shift k < max_order, a set holds the positions j
/// with ref[j + k] == c; the positions where the hypothesis n-gram at i occurs are the AND of n
/// such sets, taken order after order. Their count is the n-gram's count in that reference, the
/// maximum over references its clipping count, and the first position in the first reference
/// that has it names the n-gram, indexing how many of its occurrences the hypothesis has used:
/// no n-gram is hashed or compared.
///
/// One reference of at most 64 symbols (BLEU's and ROUGE's sentences, self-BLEU's pairs) keeps
/// only the sets of shift 0, one word per symbol, and shifts them as it goes; instead of counts
/// per first position, the positions not yet used are one word per order: the occurrence set
/// of an n-gram is disjoint from every other n-gram's of its order, so a hypothesis n-gram
/// matches while its set meets them, and takes the lowest position it meets.
///
/// This replaced hash tables of the references' n-grams probed once per order and hypothesis
/// position, whose unpredictable branches cost more than ANDing the one or two 64-bit words of
/// a sentence's positions. BLEU and ROUGE count tokens with it; chrF's characters have their
/// own sets (ChrfDenseGrams), indexed by byte and taken order after order.
class PositionSets {
 public:
  static constexpr int kMaxOrder = 6;
  static constexpr size_t kMaxLen = 512;  ///< symbols of a reference: sets of at most 8 words
  static constexpr size_t kMaxRefs = 16;
  static constexpr size_t kMaxWords = size_t{1} << 16;  ///< of all sets (512 KiB)
  struct Span {
    const uint16_t* ids;
    size_t len;
  };
  /// Takes the references (kept as sets; the spans may go). False, and nothing usable, when
  /// there are more than kMaxRefs, one is longer than kMaxLen or the sets would pass kMaxWords.
  bool set(int max_order, uint32_t n_ids, const Span* refs, size_t n_refs);
  /// Per order 1..max_order: the sum over the distinct n-grams of `hyp` of min(their count in
  /// `hyp`, their largest count in one reference).
  std::array<int64_t, kMaxOrder> match(const uint16_t* hyp, size_t len);
  /// For one reference of at most 64 symbols (after a set() that took it), per symbol id
  /// 0..n_ids the set of its positions; nullptr for other references.
  const uint64_t* short_bits() const { return n_refs_ == 1 && short_ ? bits_.data() : nullptr; }

 private:
  template <int W, bool kOne>
  void match_words(const uint16_t* hyp, size_t len, std::array<int64_t, kMaxOrder>& m);
  void match_short(const uint16_t* hyp, size_t len, std::array<int64_t, kMaxOrder>& m) const;
  bool short_ = false;  // one reference of at most 64 symbols: sets of shift 0 only
  int orders_ = 0;
  size_t stride_ = 0;  // n_ids + 1: sets per reference and shift
  size_t words_ = 0;   // per set: the longest reference's, in 64-bit words
  size_t n_refs_ = 0;
  std::vector<size_t> lens_, used_at_;  // per reference: length, offset of its used_ counts
  std::vector<uint64_t> bits_;          // [((ref * orders_ + shift) * stride_ + id) * words_ + word]
  std::vector<uint16_t> used_;          // [used_at_[ref] + (order - 1) * len + first position]
  std::vector<uint64_t> cur_;           // the current sets, one per reference
};

/// Token ids to ids local to one segment's references, 1, 2, ... in first-seen order, 0 for a
/// token of no reference: the dense symbols PositionSets takes. clear() forgets only the ids it
/// gave out, so a segment costs its own tokens, not the vocabulary.
class LocalIds {
 public:
  void clear() {
    for (size_t i = 0; i < n_; ++i) of_[words_[i]] = 0;
    n_ = 0;
  }
  /// The local id of `t`, the next one when it has none (callers keep them below 2^16). Without
  /// a branch on whether it has one: a sentence repeats its tokens in no order a predictor learns.
  uint16_t add(uint32_t t) {
    if (t >= of_.size()) of_.resize(std::max<size_t>(t + 1, 2 * of_.size()), 0);
    if (n_ == words_.size()) words_.resize(std::max<size_t>(16, 2 * n_));
    const uint16_t had = of_[t];
    const bool fresh = had == 0;
    words_[n_] = t;  // kept when fresh
    n_ += fresh;
    const uint16_t id = fresh ? static_cast<uint16_t>(n_) : had;
    of_[t] = id;
    return id;
  }
  /// `tokens` as local ids (0 for those without one) into the first tokens.size() of `out`, which
  /// only grows; returns out.data().
  const uint16_t* map(const std::vector<uint32_t>& tokens, std::vector<uint16_t>& out) const {
    if (out.size() < tokens.size()) out.resize(tokens.size());
    uint16_t* o = out.data();
    for (size_t i = 0; i < tokens.size(); ++i) o[i] = tokens[i] < of_.size() ? of_[tokens[i]] : 0;
    return o;
  }
  /// Local ids given out since clear().
  uint32_t size() const { return static_cast<uint32_t>(n_); }

 private:
  std::vector<uint16_t> of_;     // token id -> its local id (0: none)
  std::vector<uint32_t> words_;  // [0, n_): token ids with a local id
  size_t n_ = 0;
};

/// Counts of n-grams, each an order and an exact 128-bit key, for one reference (add) or the
/// maximum over several references (next_source + add_max). Between begin_probe() calls,
/// consume() of a key succeeds at most `count` times, so the number of successes over a
/// hypothesis's n-grams is the sum over distinct n-grams of min(hypothesis count, reference
/// count): the clipped matches of BLEU, chrF and ROUGE.
class NgramTable {
 public:
  /// consume() results.
  enum Probe : int { kAbsent = -1, kExhausted = 0, kMatched = 1 };
  /// Forgets every key; at most `max_keys` distinct keys follow.
  void reset(size_t max_keys);
  /// `order` is 1..255.
  void add(uint32_t order, uint64_t hi, uint64_t lo) { ++find(order, hi, lo, true)->count; }
  void next_source() { ++source_; }
  void add_max(uint32_t order, uint64_t hi, uint64_t lo);
  void begin_probe() {
    if (++probe_ == 0) {  // wrapped: forget every stamp
      for (auto& s : slots_) s.used_gen = 0;
      probe_ = 1;
    }
  }
  /// kMatched (counted), kExhausted (present, but its count is used up) or kAbsent.
  Probe consume(uint32_t order, uint64_t hi, uint64_t lo) {
    Slot* s = find(order, hi, lo, false);
    if (!s) return kAbsent;
    if (s->used_gen != probe_) {
      s->used_gen = probe_;
      s->used = 0;
    }
    if (s->used >= s->count) return kExhausted;
    ++s->used;
    return kMatched;
  }

 private:
  struct Slot {  // 32 bytes
    uint64_t hi = 0, lo = 0;
    uint32_t tag = 0;  // generation << 8 | order; generation 0 = empty
    int32_t count = 0;
    uint32_t used_gen = 0;
    int32_t used = 0;
  };
  struct Cur {  // per slot, for add_max only
    uint32_t source = 0;
    int32_t count = 0;
  };
  Slot* find(uint32_t order, uint64_t hi, uint64_t lo, bool insert) {
    const uint32_t tag = (gen_ << 8) | order;
    uint64_t i = hash(order, hi, lo) & mask_;
    for (;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if ((s.tag >> 8) != gen_) {
        if (!insert) return nullptr;
        s.hi = hi;
        s.lo = lo;
        s.tag = tag;
        s.count = 0;
        s.used_gen = 0;
        return &s;
      }
      if (s.tag == tag && s.hi == hi && s.lo == lo) return &s;
    }
  }
  static uint64_t hash(uint32_t order, uint64_t hi, uint64_t lo) {
    uint64_t x = hi * 0x9E3779B97F4A7C15ULL ^ (lo + order) * 0xC2B2AE3D27D4EB4FULL;
    x ^= x >> 32;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 29;
    return x;
  }
  std::vector<Slot> slots_;
  std::vector<Cur> cur_;
  uint64_t mask_ = 0;
  uint32_t gen_ = 0, source_ = 0, probe_ = 0;
};

}  // namespace because::metrics
