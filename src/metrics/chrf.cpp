// sacreBLEU chrF (char order 6, word order 0, beta 2, whitespace removed).
#include "metrics/chrf.h"

#include <algorithm>
#include <string_view>

#include "metrics/text.h"

namespace because::metrics {
namespace {

// A character n-gram (n <= 6) packed exactly: code points are < 2^21, three per 64-bit word.
using Key = std::pair<uint64_t, uint64_t>;

void sorted_ngrams(const std::u32string& s, int n, std::vector<Key>& out) {
  out.clear();
  for (size_t i = 0; i + n <= s.size(); ++i) {
    uint64_t hi = 0, lo = 0;
    for (int k = 0; k < n; ++k) {
      uint64_t& w = k < 3 ? hi : lo;
      w = (w << 21) | (static_cast<uint64_t>(s[i + k]) & 0x1FFFFF);
    }
    out.emplace_back(hi, lo);
  }
  std::sort(out.begin(), out.end());
}

// Sum over distinct n-grams of min(count in a, count in b), both sorted.
int64_t clipped_matches(const std::vector<Key>& a, const std::vector<Key>& b) {
  int64_t m = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      size_t ia = i, jb = j;
      while (ia < a.size() && a[ia] == a[i]) ++ia;
      while (jb < b.size() && b[jb] == b[j]) ++jb;
      m += static_cast<int64_t>(std::min(ia - i, jb - j));
      i = ia;
      j = jb;
    }
  }
  return m;
}

}  // namespace

ChrfState::Stats ChrfState::segment_stats(const std::u32string& hyp, const std::u32string& ref) {
  Stats st{};
  std::vector<Key> h, r;
  for (int n = 1; n <= kOrder; ++n) {
    sorted_ngrams(hyp, n, h);
    sorted_ngrams(ref, n, r);
    st[3 * (n - 1)] = static_cast<int64_t>(h.size());
    st[3 * (n - 1) + 1] = static_cast<int64_t>(r.size());
    st[3 * (n - 1) + 2] = clipped_matches(h, r);
  }
  return st;
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
  const std::u32string h = remove_py_space(utf8_decode(hyp));
  Stats best{};
  double best_f = -1.0;
  for (const auto& r : refs) {
    const Stats st = segment_stats(h, remove_py_space(utf8_decode(r)));
    const double f = f_score(st);
    if (f > best_f) {
      best_f = f;
      best = st;
    }
  }
  for (int i = 0; i < 3 * kOrder; ++i) stats_[i] += best[i];
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
