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

inline ChrfDenseGrams::Slot* ChrfDenseGrams::find(uint64_t key) {
  for (uint64_t i = (key * 0x9E3779B97F4A7C15ULL) >> shift_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) return &s;
    if (s.key == 0) return nullptr;
  }
}

inline ChrfDenseGrams::Slot* ChrfDenseGrams::insert(uint64_t key) {
  for (uint64_t i = (key * 0x9E3779B97F4A7C15ULL) >> shift_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) return &s;
    if (s.key == 0) {
      s.key = key;
      filled_.push_back(static_cast<uint32_t>(i));
      return &s;
    }
  }
}

bool ChrfDenseGrams::build(const std::u32string& ref) {
  // Forget the previous reference: its alphabet, its counts, its slots.
  for (const char32_t c : ascii_set_) ascii_[c] = 0;
  ascii_set_.clear();
  other_.clear();
  count1_.fill(0);
  if (count2_.empty()) {
    count2_.assign(64 * 64, 0);
    used2_.assign(64 * 64, 0);
  }
  for (const uint16_t k : keys2_) count2_[k] = 0;
  keys2_.clear();
  for (const uint32_t i : filled_) slots_[i] = Slot{};
  filled_.clear();

  int n_ids = 0;
  for (const char32_t c : ref) {
    if (id_of(c) != 0) continue;
    if (++n_ids > kMaxIds) return false;
    if (c < 128) {
      ascii_[c] = static_cast<uint8_t>(n_ids);
      ascii_set_.push_back(c);
    } else {
      other_.emplace_back(c, static_cast<uint8_t>(n_ids));
    }
  }
  // The table holds orders 3..6: at most 4 keys per position, at most half full.
  size_t cap = 64;
  int bits = 6;
  while (cap < 2 * 4 * ref.size()) {
    cap *= 2;
    ++bits;
  }
  if (slots_.size() < cap) slots_.resize(cap);  // entries beyond the old size are empty
  mask_ = cap - 1;
  shift_ = 64 - bits;
  ids_.resize(ref.size());
  for (size_t i = 0; i < ref.size(); ++i) ids_[i] = id_of(ref[i]);
  const size_t len = ref.size();
  for (size_t i = 0; i < len; ++i) {
    const uint64_t a = ids_[i];
    ++count1_[a];
    if (i + 1 >= len) break;
    uint64_t key = (a << 6) | ids_[i + 1];
    if (count2_[key]++ == 0) keys2_.push_back(static_cast<uint16_t>(key));
    for (size_t k = 2; k < ChrfState::kOrder && i + k < len; ++k) {
      key = (key << 6) | ids_[i + k];
      ++insert(key)->count;
    }
  }
  return true;
}

std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match(const std::u32string& hyp) {
  std::array<int64_t, ChrfState::kOrder> m{};
  const size_t len = hyp.size();
  ids_.resize(len);
  for (size_t i = 0; i < len; ++i) ids_[i] = id_of(hyp[i]);
  // Each n-gram occurrence matches while its reference count is not used up. An n-gram whose
  // prefix is absent from the reference is absent too: stop extending there.
  for (size_t i = 0; i < len; ++i) {
    const uint32_t a = ids_[i];
    if (a == 0 || count1_[a] == 0) continue;
    if (used1_[a] == 0) touched_.push_back(a);
    if (used1_[a] < count1_[a]) {
      ++used1_[a];
      ++m[0];
    }
    if (i + 1 >= len || ids_[i + 1] == 0) continue;
    uint64_t key = (a << 6) | ids_[i + 1];
    if (count2_[key] == 0) continue;
    if (used2_[key] == 0) touched_.push_back(static_cast<uint32_t>(64 + key));
    if (used2_[key] < count2_[key]) {
      ++used2_[key];
      ++m[1];
    }
    for (size_t k = 2; k < ChrfState::kOrder && i + k < len; ++k) {
      const uint8_t id = ids_[i + k];
      if (id == 0) break;
      key = (key << 6) | id;
      Slot* s = find(key);
      if (!s) break;
      if (s->used == 0) touched_.push_back(static_cast<uint32_t>(64 + 4096 + (s - slots_.data())));
      if (s->used < s->count) {
        ++s->used;
        ++m[k];
      }
    }
  }
  for (const uint32_t t : touched_) {
    if (t < 64) used1_[t] = 0;
    else if (t < 64 + 4096) used2_[t - 64] = 0;
    else slots_[t - 64 - 4096].used = 0;
  }
  touched_.clear();
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
