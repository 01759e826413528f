// Classification metrics as scikit-learn computes them (zero_division=0): accuracy, per-class
// precision/recall/F1, macro and support-weighted F1, from an integer confusion matrix.
#pragma once

#include <cstdint>
#include <vector>

#include "metrics/packed.h"

namespace because::metrics {

struct ClassReport {
  double accuracy = 0;
  std::vector<double> precision, recall, f1;  ///< per class index (0 for classes not present)
  std::vector<int64_t> support;               ///< gold count per class
  std::vector<bool> present;                  ///< class occurs in gold or predictions (sklearn's labels)
  double macro_f1 = 0;                        ///< mean over present classes
  double weighted_f1 = 0;                     ///< support-weighted mean
  double macro_precision = 0, macro_recall = 0;
  int64_t n = 0;                              ///< examples counted
};

class ClassificationState {
 public:
  explicit ClassificationState(int n_classes = 0) : k_(n_classes), cm_(static_cast<size_t>(n_classes) * n_classes, 0) {}
  /// Counts one example; a gold of -1 (no gold) is skipped. Throws on an out-of-range label.
  void add(int gold, int pred);
  void merge(const ClassificationState& o);
  [[nodiscard]] ClassReport value() const;
  int n_classes() const { return k_; }
  /// Confusion matrix: row gold, column predicted.
  int64_t cell(int gold, int pred) const { return cm_[static_cast<size_t>(gold) * k_ + pred]; }
  /// The confusion matrix as rows (gold) of columns (predicted), over the classes `keep` marks
  /// (all of them when it is empty).
  std::vector<std::vector<int64_t>> matrix(const std::vector<bool>& keep = {}) const;
  /// The confusion matrix (layout fixed by the class count given at construction).
  void pack(Packed& p) const;
  void unpack(Unpacker& u);

 private:
  int k_;
  std::vector<int64_t> cm_;
};

}  // namespace because::metrics
