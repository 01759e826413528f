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

inline uint16_t ChrfDenseGrams::id_of(char32_t c) const {
  if (c < 128) return ascii_[c];
  for (const auto& [cp, id] : other_)
    if (cp == c) return id;
  return 0;
}

bool ChrfDenseGrams::build(const std::u32string& ref) {
  // Forget the previous reference's alphabet.
  for (const char32_t c : ascii_set_) ascii_[c] = 0;
  ascii_set_.clear();
  other_.clear();
  if (ref.size() > PositionSets::kMaxLen) return false;
  int n_ids = 0;
  ids_.resize(ref.size());
  for (size_t j = 0; j < ref.size(); ++j) {
    const char32_t c = ref[j];
    uint16_t id = id_of(c);
    if (id == 0) {
      if (n_ids == kMaxIds) return false;
      id = static_cast<uint16_t>(++n_ids);
      if (c < 128) {
        ascii_[c] = static_cast<uint8_t>(id);
        ascii_set_.push_back(c);
      } else {
        other_.emplace_back(c, static_cast<uint8_t>(id));
      }
    }
    ids_[j] = id;
  }
  const PositionSets::Span span{ids_.data(), ids_.size()};
  return sets_.set(ChrfState::kOrder, static_cast<uint32_t>(n_ids), &span, 1);
}

std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match(const std::u32string& hyp) {
  ids_.resize(hyp.size());
  for (size_t i = 0; i < hyp.size(); ++i) ids_[i] = id_of(hyp[i]);
  return sets_.match(ids_.data(), ids_.size());
}

std::array<int64_t, ChrfState::kOrder> ChrfDenseGrams::match_ascii(std::string_view text, size_t& len) {
  ids_.resize(text.size());
  size_t n = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    ids_[n] = ascii_[c & 0x7F];
    n += !is_ascii_py_space(c);
  }
  len = n;
  return sets_.match(ids_.data(), n);
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
  bool bytes = std::all_of(is_dense_.begin(), is_dense_.begin() + static_cast<std::ptrdiff_t>(n_), [](bool d) { return d; });
  for (const char c : hyp) bytes &= static_cast<unsigned char>(c) < 0x80;
  if (!bytes) {
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
