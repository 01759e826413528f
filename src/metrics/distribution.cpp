// Per-item divergences, their sums, and the row-blocked exact distance correlation.
#include "metrics/distribution.h"

#include <algorithm>
#include <cmath>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdexcept>
#include <string>

#include "util/error.h"

namespace because::metrics {

void normalise_to(const double* v, size_t n, double* out) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += v[i];
  for (size_t i = 0; i < n; ++i) out[i] = v[i];
  if (s > 0)
    for (size_t i = 0; i < n; ++i) out[i] /= s;
}

namespace {

// The definitions on arrays of n values, into caller buffers: DistState::add works on the
// stack; the vector functions below are the same code, so both give the same bits.

// Clips an already normalised vector to [1e-10, 1] and renormalises.
void clip_to(const double* v, size_t n, double* out) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    out[i] = std::min(1.0, std::max(kClipMin, v[i]));
    s += out[i];
  }
  for (size_t i = 0; i < n; ++i) out[i] /= s;
}

// On clipped vectors.
double kl_of(const double* p, const double* q, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += p[i] * std::log(p[i] / q[i]);
  return s;
}

double js_of(const double* p, const double* q, size_t n) {
  double left = 0, right = 0;
  for (size_t i = 0; i < n; ++i) {
    const double m = (p[i] + q[i]) / 2.0;
    left += p[i] * std::log(p[i] / m);
    right += q[i] * std::log(q[i] / m);
  }
  const double js = (left + right) / 2.0;
  return std::sqrt(std::max(0.0, js));
}

// On normalised vectors.
double tvd_of(const double* p, const double* q, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += std::fabs(p[i] - q[i]);
  return 0.5 * s;
}

double entropy_of(const double* p, size_t n) {
  double h = 0;
  for (size_t i = 0; i < n; ++i)
    if (p[i] > 0) h -= p[i] * std::log(p[i]);
  return h;
}

void check_sizes(size_t a, size_t b) {
  if (a != b || a == 0)
    throw InputError("distributions of different or zero lengths (" + std::to_string(a) + " and " +
                     std::to_string(b) + ")");
}

void check_sizes(const std::vector<double>& a, const std::vector<double>& b) { check_sizes(a.size(), b.size()); }

}  // namespace

std::vector<double> normalise(const std::vector<double>& v) {
  std::vector<double> out(v.size());
  normalise_to(v.data(), v.size(), out.data());
  return out;
}

std::vector<double> clip_normalise(const std::vector<double>& v_in) {
  const std::vector<double> v = normalise(v_in);  // counts become probabilities first
  std::vector<double> out(v.size());
  clip_to(v.data(), v.size(), out.data());
  return out;
}

double kl_divergence(const std::vector<double>& human, const std::vector<double>& model) {
  check_sizes(human, model);
  const auto p = clip_normalise(human), q = clip_normalise(model);
  return kl_of(p.data(), q.data(), p.size());
}

double js_distance(const std::vector<double>& human, const std::vector<double>& model) {
  check_sizes(human, model);
  const auto p = clip_normalise(human), q = clip_normalise(model);
  return js_of(p.data(), q.data(), p.size());
}

double total_variation(const std::vector<double>& human, const std::vector<double>& model) {
  check_sizes(human, model);
  const auto p = normalise(human), q = normalise(model);
  return tvd_of(p.data(), q.data(), p.size());
}

double entropy(const std::vector<double>& v) {
  const auto p = normalise(v);
  return entropy_of(p.data(), p.size());
}

void DistState::add(const std::vector<double>& human, const std::vector<double>& model) {
  check_sizes(human, model);
  add(human.data(), model.data(), human.size());
}

void DistState::add(const double* human, const double* model, size_t n) {
  check_sizes(n, n);
  // Clipping would turn NaN into 1e-10 and report a number for a missing distribution.
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(human[i]) || !std::isfinite(model[i]))
      throw std::invalid_argument("distribution metrics: a non-finite value (a missing distribution?)");
  // Label sets are small: working vectors on the stack, the heap beyond 16 labels.
  constexpr size_t kSmall = 16;
  double small[4 * kSmall];
  std::vector<double> big;
  double* w = small;
  if (n > kSmall) {
    big.resize(4 * n);
    w = big.data();
  }
  double *ph = w, *pm = w + n, *ch = w + 2 * n, *cm = w + 3 * n;
  normalise_to(human, n, ph);
  normalise_to(model, n, pm);
  clip_to(ph, n, ch);
  clip_to(pm, n, cm);
  const double h = entropy_of(ph, n), m = entropy_of(pm, n);
  ++n_;
  s_[0] += kl_of(ch, cm, n);
  s_[1] += js_of(ch, cm, n);
  s_[2] += tvd_of(ph, pm, n);
  s_[3] += h;
  s_[4] += m;
  s_[5] += h * h;
  s_[6] += m * m;
  s_[7] += h * m;
}

void DistState::merge(const DistState& o) {
  n_ += o.n_;
  for (int i = 0; i < 8; ++i) s_[i] += o.s_[i];
}

DistReport DistState::value() const {
  DistReport r;
  r.n = n_;
  if (n_ == 0) return r;
  const double n = static_cast<double>(n_);
  r.kl = s_[0] / n;
  r.js = s_[1] / n;
  r.tvd = s_[2] / n;
  r.entropy_human = s_[3] / n;
  r.entropy_model = s_[4] / n;
  const double cov = s_[7] - s_[3] * s_[4] / n;
  const double vh = s_[5] - s_[3] * s_[3] / n;
  const double vm = s_[6] - s_[4] * s_[4] / n;
  r.entropy_corr = (vh > 0 && vm > 0) ? cov / std::sqrt(vh * vm) : 0.0;
  return r;
}

void DistState::pack(Packed& p) const {
  p.ints.push_back(n_);
  for (double v : s_) p.reals.push_back(v);
}

void DistState::unpack(Unpacker& u) {
  n_ = u.next_int();
  for (double& v : s_) v = u.next_real();
}

DistanceCorrelation::DistanceCorrelation(std::vector<double> x, int dx, std::vector<double> y, int dy)
    : x_(std::move(x)), y_(std::move(y)), dx_(dx), dy_(dy) {
  if (dx <= 0 || dy <= 0 || x_.size() % dx != 0 || y_.size() % dy != 0 || x_.size() / dx != y_.size() / dy)
    throw InputError("distance correlation: samples of different sizes");
  n_ = static_cast<int64_t>(x_.size() / dx);
  stride_ = static_cast<size_t>((n_ + 3) / 4 * 4);
  xt_.assign(static_cast<size_t>(dx) * stride_, 0.0);
  yt_.assign(static_cast<size_t>(dy) * stride_, 0.0);
  for (int64_t j = 0; j < n_; ++j) {
    for (int k = 0; k < dx; ++k) xt_[k * stride_ + static_cast<size_t>(j)] = x_[static_cast<size_t>(j) * dx + k];
    for (int k = 0; k < dy; ++k) yt_[k * stride_ + static_cast<size_t>(j)] = y_[static_cast<size_t>(j) * dy + k];
  }
}

namespace {

// The row sums of one row i over the pairs j < n4 (a multiple of 4), four lanes j mod 4; then the
// rest in lane 0 and the lanes added as (0 + 1) + (2 + 3). Every path computes each lane's
// values with the same operations in the same order (no fused multiply-add), so they agree bit
// for bit.
struct Lanes {
  double v[5][4];
};

void finish_row(Lanes& L, const double* xi, const double* yi, const double* x, const double* y, int dx, int dy,
                int64_t from, int64_t n, double* o) {
  for (int64_t j = from; j < n; ++j) {
    double da = 0, db = 0;
    for (int k = 0; k < dx; ++k) {
      const double d = xi[k] - x[static_cast<size_t>(j) * dx + k];
      da += d * d;
    }
    for (int k = 0; k < dy; ++k) {
      const double d = yi[k] - y[static_cast<size_t>(j) * dy + k];
      db += d * d;
    }
    const double a = std::sqrt(da), b = std::sqrt(db);
    L.v[0][0] += a;
    L.v[1][0] += b;
    L.v[2][0] += a * b;
    L.v[3][0] += a * a;
    L.v[4][0] += b * b;
  }
  for (int s = 0; s < 5; ++s) o[s] = (L.v[s][0] + L.v[s][1]) + (L.v[s][2] + L.v[s][3]);
}

#if defined(__x86_64__) && defined(__GNUC__)
// Lanes {j, j+1} and {j+2, j+3} in two SSE2 registers each.
void lanes_sse2(const double* xi, const double* yi, const double* xt, const double* yt, int dx, int dy,
                size_t stride, int64_t n4, Lanes& L) {
  __m128d acc[5][2];
  for (auto& a : acc) a[0] = a[1] = _mm_setzero_pd();
  for (int64_t j = 0; j < n4; j += 4) {
    for (int h = 0; h < 2; ++h) {
      const size_t at = static_cast<size_t>(j) + 2 * static_cast<size_t>(h);
      __m128d da = _mm_setzero_pd(), db = _mm_setzero_pd();
      for (int k = 0; k < dx; ++k) {
        const __m128d d = _mm_sub_pd(_mm_set1_pd(xi[k]), _mm_loadu_pd(xt + k * stride + at));
        da = _mm_add_pd(da, _mm_mul_pd(d, d));
      }
      for (int k = 0; k < dy; ++k) {
        const __m128d d = _mm_sub_pd(_mm_set1_pd(yi[k]), _mm_loadu_pd(yt + k * stride + at));
        db = _mm_add_pd(db, _mm_mul_pd(d, d));
      }
      const __m128d a = _mm_sqrt_pd(da), b = _mm_sqrt_pd(db);
      acc[0][h] = _mm_add_pd(acc[0][h], a);
      acc[1][h] = _mm_add_pd(acc[1][h], b);
      acc[2][h] = _mm_add_pd(acc[2][h], _mm_mul_pd(a, b));
      acc[3][h] = _mm_add_pd(acc[3][h], _mm_mul_pd(a, a));
      acc[4][h] = _mm_add_pd(acc[4][h], _mm_mul_pd(b, b));
    }
  }
  for (int s = 0; s < 5; ++s) {
    _mm_storeu_pd(&L.v[s][0], acc[s][0]);
    _mm_storeu_pd(&L.v[s][2], acc[s][1]);
  }
}

// Lanes j..j+3 in one AVX register: the same operations as lanes_sse2 (AVX without FMA).
__attribute__((target("avx"))) void lanes_avx(const double* xi, const double* yi, const double* xt, const double* yt,
                                                int dx, int dy, size_t stride, int64_t n4, Lanes& L) {
  __m256d acc[5];
  for (auto& a : acc) a = _mm256_setzero_pd();
  for (int64_t j = 0; j < n4; j += 4) {
    __m256d da = _mm256_setzero_pd(), db = _mm256_setzero_pd();
    for (int k = 0; k < dx; ++k) {
      const __m256d d = _mm256_sub_pd(_mm256_set1_pd(xi[k]), _mm256_loadu_pd(xt + k * stride + static_cast<size_t>(j)));
      da = _mm256_add_pd(da, _mm256_mul_pd(d, d));
    }
    for (int k = 0; k < dy; ++k) {
      const __m256d d = _mm256_sub_pd(_mm256_set1_pd(yi[k]), _mm256_loadu_pd(yt + k * stride + static_cast<size_t>(j)));
      db = _mm256_add_pd(db, _mm256_mul_pd(d, d));
    }
    const __m256d a = _mm256_sqrt_pd(da), b = _mm256_sqrt_pd(db);
    acc[0] = _mm256_add_pd(acc[0], a);
    acc[1] = _mm256_add_pd(acc[1], b);
    acc[2] = _mm256_add_pd(acc[2], _mm256_mul_pd(a, b));
    acc[3] = _mm256_add_pd(acc[3], _mm256_mul_pd(a, a));
    acc[4] = _mm256_add_pd(acc[4], _mm256_mul_pd(b, b));
  }
  for (int s = 0; s < 5; ++s) _mm256_storeu_pd(&L.v[s][0], acc[s]);
}
#endif

}  // namespace

enum class DistanceCorrelation::Path { kScalar, kSse2, kAvx };

void DistanceCorrelation::rows_on(Path path, int64_t begin, int64_t end, double* out) const {
  const int64_t n4 = path == Path::kScalar ? 0 : n_ / 4 * 4;
  for (int64_t i = begin; i < end; ++i) {
    const double* xi = &x_[static_cast<size_t>(i) * dx_];
    const double* yi = &y_[static_cast<size_t>(i) * dy_];
    Lanes L{};
#if defined(__x86_64__) && defined(__GNUC__)
    if (path == Path::kAvx) lanes_avx(xi, yi, xt_.data(), yt_.data(), dx_, dy_, stride_, n4, L);
    if (path == Path::kSse2) lanes_sse2(xi, yi, xt_.data(), yt_.data(), dx_, dy_, stride_, n4, L);
#endif
    finish_row(L, xi, yi, x_.data(), y_.data(), dx_, dy_, n4, n_, out + (i - begin) * kPerRow);
  }
}

void DistanceCorrelation::rows(int64_t begin, int64_t end, double* out) const {
#if defined(__x86_64__) && defined(__GNUC__)
  static const Path best = __builtin_cpu_supports("avx") ? Path::kAvx : Path::kSse2;
#else
  static const Path best = Path::kScalar;
#endif
  rows_on(best, begin, end, out);
}

void DistanceCorrelation::rows_baseline(int64_t begin, int64_t end, double* out) const {
#if defined(__x86_64__) && defined(__GNUC__)
  rows_on(Path::kSse2, begin, end, out);
#else
  rows_on(Path::kScalar, begin, end, out);
#endif
}

double DistanceCorrelation::finish(const std::vector<double>& r) const {
  if (static_cast<int64_t>(r.size()) != n_ * kPerRow) throw std::logic_error("distance correlation: row sums size");
  if (n_ < 2) return 0.0;
  // sum_ij A_ij B_ij = S_ab - (2/n) sum_i Ra_i Rb_i + Ta Tb / n^2 for double-centred A, B.
  double ta = 0, tb = 0, sab = 0, saa = 0, sbb = 0, rab = 0, raa = 0, rbb = 0;
  for (int64_t i = 0; i < n_; ++i) {
    const double* o = &r[static_cast<size_t>(i) * kPerRow];
    ta += o[0];
    tb += o[1];
    sab += o[2];
    saa += o[3];
    sbb += o[4];
    rab += o[0] * o[1];
    raa += o[0] * o[0];
    rbb += o[1] * o[1];
  }
  const double n = static_cast<double>(n_);
  const double dcov_xy = (sab - 2.0 / n * rab + ta * tb / (n * n)) / (n * n);
  const double dvar_x = (saa - 2.0 / n * raa + ta * ta / (n * n)) / (n * n);
  const double dvar_y = (sbb - 2.0 / n * rbb + tb * tb / (n * n)) / (n * n);
  if (dvar_x <= 0 || dvar_y <= 0) return 0.0;
  const double r2 = dcov_xy / std::sqrt(dvar_x * dvar_y);
  return std::sqrt(std::max(0.0, r2));
}

double DistanceCorrelation::compute() const {
  std::vector<double> r(static_cast<size_t>(n_) * kPerRow);
  rows(0, n_, r.data());
  return finish(r);
}

}  // namespace because::metrics
