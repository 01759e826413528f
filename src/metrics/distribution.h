// Comparisons of human and model label distributions (the second study's definitions): per item
// KL(human || model) and Jensen-Shannon distance (natural log, both vectors clipped to
// [1e-10, 1] and renormalised), total variation distance, entropies; then means, the Pearson
// correlation of model with human entropy, and the distance correlation over all items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "metrics/packed.h"

namespace because::metrics {

constexpr double kClipMin = 1e-10;

/// Normalises a probability or count vector to sum 1 (all zeros stay zeros).
std::vector<double> normalise(const std::vector<double>& v);
/// The same from n values into `out` (n values; may not overlap `v`).
void normalise_to(const double* v, size_t n, double* out);
/// Normalises, clips to [1e-10, 1] and renormalises.
std::vector<double> clip_normalise(const std::vector<double>& v);
/// KL(p || q), natural log, on clipped vectors.
double kl_divergence(const std::vector<double>& human, const std::vector<double>& model);
/// sqrt(JS divergence), natural log, on clipped vectors (scipy's jensenshannon, base e).
double js_distance(const std::vector<double>& human, const std::vector<double>& model);
/// 0.5 * L1 of the normalised vectors.
double total_variation(const std::vector<double>& human, const std::vector<double>& model);
/// Shannon entropy (nats) of the normalised vector, 0 log 0 = 0 (scipy.stats.entropy).
double entropy(const std::vector<double>& v);

struct DistReport {
  int64_t n = 0;
  double kl = 0, js = 0, tvd = 0;            ///< means over items
  double entropy_human = 0, entropy_model = 0;  ///< mean entropies (nats)
  double entropy_corr = 0;                   ///< Pearson r of model vs human entropy (0 if undefined)
};

/// Sums over items; merge by addition.
class DistState {
 public:
  /// Adds one item (vectors of the same length; probabilities or counts).
  void add(const std::vector<double>& human, const std::vector<double>& model);
  /// The same from two arrays of n values (no allocation for up to 16 labels).
  void add(const double* human, const double* model, size_t n);
  void merge(const DistState& o);
  [[nodiscard]] DistReport value() const;
  void pack(Packed& p) const;
  void unpack(Unpacker& u);

 private:
  int64_t n_ = 0;
  // kl, js, tvd, h, m, h^2, m^2, h*m
  double s_[8] = {0, 0, 0, 0, 0, 0, 0, 0};
};

/// Exact distance correlation (the V-statistic of Szekely et al., as `dcor.distance_correlation`)
/// between paired samples x_i (human) and y_i (model), Euclidean distances. The O(n^2) pairs
/// are done by rows: `rows(begin, end)` fills per-row sums that any split of rows computes
/// identically, so ranks can take row blocks and the totals equal the one-process totals bit
/// for bit when summed in row order.
class DistanceCorrelation {
 public:
  /// Row-major samples: x has n*dx values, y n*dy.
  DistanceCorrelation(std::vector<double> x, int dx, std::vector<double> y, int dy);
  int64_t n() const { return n_; }
  static constexpr int kPerRow = 5;  ///< row sums of a, b, a*b, a^2, b^2
  /// Fills out[(i - begin) * 5 + k] for rows i in [begin, end). A row's sums run over j in four
  /// lanes (j mod 4, lanes added pairwise at the end; the last n mod 4 pairs in lane 0): AVX where
  /// the CPU has it, SSE2 on other x86-64 CPUs, and both give the same bits (other architectures:
  /// a scalar loop).
  void rows(int64_t begin, int64_t end, double* out) const;
  /// The same with the baseline (SSE2) path whatever the CPU (for the tests).
  void rows_baseline(int64_t begin, int64_t end, double* out) const;
  /// Distance correlation from all n rows' sums (n * 5 values, row order).
  [[nodiscard]] double finish(const std::vector<double>& row_sums) const;
  /// Everything on one process.
  [[nodiscard]] double compute() const;

 private:
  enum class Path;  // scalar, SSE2 or AVX lanes (distribution.cpp)
  void rows_on(Path path, int64_t begin, int64_t end, double* out) const;
  std::vector<double> x_, y_;
  std::vector<double> xt_, yt_;  // the same by column (xt_[k * stride_ + j])
  int dx_, dy_;
  int64_t n_;
  size_t stride_;  // n rounded up to a multiple of 4 (the column copies are zero-padded)
};

}  // namespace because::metrics
