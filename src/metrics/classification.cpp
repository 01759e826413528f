// scikit-learn's precision_recall_fscore_support (average None, macro, weighted) and accuracy.
#include "metrics/classification.h"

#include <string>

#include "util/error.h"

namespace because::metrics {

void ClassificationState::add(int gold, int pred) {
  if (gold < 0) return;
  if (gold >= k_ || pred < 0 || pred >= k_)
    throw InputError("classification: label out of range (gold " + std::to_string(gold) + ", predicted " +
                     std::to_string(pred) + ", " + std::to_string(k_) + " classes)");
  ++cm_[static_cast<size_t>(gold) * k_ + pred];
}

void ClassificationState::merge(const ClassificationState& o) {
  if (o.k_ != k_) throw std::logic_error("classification: merging states of different class counts");
  for (size_t i = 0; i < cm_.size(); ++i) cm_[i] += o.cm_[i];
}

ClassReport ClassificationState::value() const {
  ClassReport r;
  r.precision.assign(k_, 0);
  r.recall.assign(k_, 0);
  r.f1.assign(k_, 0);
  r.support.assign(k_, 0);
  r.present.assign(k_, false);
  std::vector<int64_t> pred_sum(k_, 0), tp(k_, 0);
  int64_t correct = 0;
  for (int g = 0; g < k_; ++g) {
    for (int p = 0; p < k_; ++p) {
      const int64_t c = cell(g, p);
      r.n += c;
      r.support[g] += c;
      pred_sum[p] += c;
      if (g == p) {
        tp[g] = c;
        correct += c;
      }
    }
  }
  if (r.n == 0) return r;
  r.accuracy = static_cast<double>(correct) / static_cast<double>(r.n);
  int n_present = 0;
  double sum_f1 = 0, sum_p = 0, sum_r = 0, weighted = 0;
  for (int c = 0; c < k_; ++c) {
    r.present[c] = r.support[c] > 0 || pred_sum[c] > 0;
    if (pred_sum[c] > 0) r.precision[c] = static_cast<double>(tp[c]) / static_cast<double>(pred_sum[c]);
    if (r.support[c] > 0) r.recall[c] = static_cast<double>(tp[c]) / static_cast<double>(r.support[c]);
    // sklearn: F = (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp) = 2 tp / (support + predicted).
    const int64_t denom = r.support[c] + pred_sum[c];
    if (denom > 0) r.f1[c] = 2.0 * static_cast<double>(tp[c]) / static_cast<double>(denom);
    if (r.present[c]) {
      ++n_present;
      sum_f1 += r.f1[c];
      sum_p += r.precision[c];
      sum_r += r.recall[c];
      weighted += r.f1[c] * static_cast<double>(r.support[c]);
    }
  }
  r.macro_f1 = sum_f1 / n_present;
  r.macro_precision = sum_p / n_present;
  r.macro_recall = sum_r / n_present;
  r.weighted_f1 = weighted / static_cast<double>(r.n);
  return r;
}

std::vector<std::vector<int64_t>> ClassificationState::matrix(const std::vector<bool>& keep) const {
  auto kept = [&](int c) { return keep.empty() || keep[static_cast<size_t>(c)]; };
  std::vector<std::vector<int64_t>> m;
  for (int a = 0; a < k_; ++a) {
    if (!kept(a)) continue;
    m.emplace_back();
    for (int b = 0; b < k_; ++b)
      if (kept(b)) m.back().push_back(cell(a, b));
  }
  return m;
}

void ClassificationState::pack(Packed& p) const {
  p.ints.insert(p.ints.end(), cm_.begin(), cm_.end());
}

void ClassificationState::unpack(Unpacker& u) {
  for (auto& v : cm_) v = u.next_int();
}

}  // namespace because::metrics
