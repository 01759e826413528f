// sacreBLEU chrF (char order 6, word order 0, beta 2, whitespace removed).
#include "metrics/chrf.h"

#include <algorithm>
#include <unordered_map>

#include "metrics/text.h"

namespace because::metrics {
namespace {

using Counts = std::unordered_map<std::u32string, int64_t>;

Counts char_ngrams(const std::u32string& s, int n) {
  Counts c;
  for (size_t i = 0; i + n <= s.size(); ++i) ++c[s.substr(i, n)];
  return c;
}

}  // namespace

ChrfState::Stats ChrfState::segment_stats(const std::u32string& hyp, const std::u32string& ref) {
  Stats st{};
  for (int n = 1; n <= kOrder; ++n) {
    const Counts h = char_ngrams(hyp, n);
    const Counts r = char_ngrams(ref, n);
    int64_t nh = 0, nr = 0, nm = 0;
    for (const auto& [g, c] : h) {
      nh += c;
      const auto it = r.find(g);
      if (it != r.end()) nm += std::min(c, it->second);
    }
    for (const auto& [g, c] : r) nr += c;
    st[3 * (n - 1)] = nh;
    st[3 * (n - 1) + 1] = nr;
    st[3 * (n - 1) + 2] = nm;
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
