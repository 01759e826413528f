// Per-item divergences, their sums, and the row-blocked exact distance correlation.
#include "metrics/distribution.h"

#include <algorithm>
#include <cmath>
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
}

void DistanceCorrelation::rows(int64_t begin, int64_t end, double* out) const {
  for (int64_t i = begin; i < end; ++i) {
    double ra = 0, rb = 0, sab = 0, saa = 0, sbb = 0;
    const double* xi = &x_[static_cast<size_t>(i) * dx_];
    const double* yi = &y_[static_cast<size_t>(i) * dy_];
    for (int64_t j = 0; j < n_; ++j) {
      const double* xj = &x_[static_cast<size_t>(j) * dx_];
      const double* yj = &y_[static_cast<size_t>(j) * dy_];
      double da = 0, db = 0;
      for (int k = 0; k < dx_; ++k) da += (xi[k] - xj[k]) * (xi[k] - xj[k]);
      for (int k = 0; k < dy_; ++k) db += (yi[k] - yj[k]) * (yi[k] - yj[k]);
      const double a = std::sqrt(da), b = std::sqrt(db);
      ra += a;
      rb += b;
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
    double* o = out + (i - begin) * kPerRow;
    o[0] = ra;
    o[1] = rb;
    o[2] = sab;
    o[3] = saa;
    o[4] = sbb;
  }
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
