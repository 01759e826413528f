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
  std::vector<Short> t(short_.size() * 2);
  const uint64_t mask = t.size() - 1;
  for (const Short& e : short_) {
    if (e.id == 0) continue;
    for (uint64_t i = short_hash(e.key, e.len) & mask;; i = (i + 1) & mask)
      if (t[i].id == 0) {
        t[i] = e;
        break;
      }
  }
  short_.swap(t);
}

// The id of `s` through the xxh64 table, added when new.
uint32_t Interner::add(std::string_view s) {
  const uint64_t h = hash::xxh64(s);
  const uint64_t mask = slots_.size() - 1;
  for (uint64_t i = h & mask;; i = (i + 1) & mask) {
    const uint32_t v = slots_[i];
    if (v == 0) break;
    if (hashes_[v - 1] == h && text(v - 1) == s) return v - 1;
  }
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

bool HashSet64::contains(uint64_t h) const {
  if (h == 0) return has_zero_;
  if (slots_.empty()) return false;
  const uint64_t mask = slots_.size() - 1;
  for (uint64_t i = (h * 0x9E3779B97F4A7C15ULL) >> 20 & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return true;
    if (slots_[i] == 0) return false;
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

}  // namespace because::metrics
