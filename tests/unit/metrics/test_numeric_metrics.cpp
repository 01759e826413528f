// Classification and distribution metrics against hand-worked examples, and state merging.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "metrics/classification.h"
#include "metrics/distribution.h"
#include "util/error.h"

using namespace because::metrics;

TEST(Classification, HandWorkedSklearn) {
  // gold 0 1 2 2 1 0 2, pred 0 2 2 2 1 1 2; class 3 never occurs (left out of the averages).
  ClassificationState s(4);
  const int gold[] = {0, 1, 2, 2, 1, 0, 2};
  const int pred[] = {0, 2, 2, 2, 1, 1, 2};
  for (int i = 0; i < 7; ++i) s.add(gold[i], pred[i]);
  s.add(-1, 0);  // no gold: skipped
  const auto r = s.value();
  EXPECT_EQ(r.n, 7);
  EXPECT_NEAR(r.accuracy, 5.0 / 7, 1e-15);
  // class 0: tp 1, support 2, predicted 1; class 1: tp 1, 2, 2; class 2: tp 3, 3, 4.
  EXPECT_NEAR(r.precision[0], 1.0, 1e-15);
  EXPECT_NEAR(r.recall[0], 0.5, 1e-15);
  EXPECT_NEAR(r.f1[0], 2.0 / 3, 1e-15);
  EXPECT_NEAR(r.f1[1], 0.5, 1e-15);
  EXPECT_NEAR(r.precision[2], 0.75, 1e-15);
  EXPECT_NEAR(r.f1[2], 6.0 / 7, 1e-15);
  EXPECT_FALSE(r.present[3]);
  EXPECT_NEAR(r.macro_f1, (2.0 / 3 + 0.5 + 6.0 / 7) / 3, 1e-15);
  EXPECT_NEAR(r.weighted_f1, (2.0 / 3 * 2 + 0.5 * 2 + 6.0 / 7 * 3) / 7, 1e-15);
  EXPECT_EQ(s.cell(1, 2), 1);
}

TEST(Classification, ZeroDivisionGivesZero) {
  // Class 1 is predicted but never gold: recall 0 (zero division), precision 0, F1 0.
  ClassificationState s(2);
  s.add(0, 1);
  s.add(0, 0);
  const auto r = s.value();
  EXPECT_EQ(r.recall[1], 0.0);
  EXPECT_EQ(r.precision[1], 0.0);
  EXPECT_EQ(r.f1[1], 0.0);
  EXPECT_NEAR(r.macro_f1, (2.0 / 3 + 0) / 2, 1e-15);
  EXPECT_THROW(s.add(0, 2), because::InputError);
}

TEST(Classification, PackedMergeIsExact) {
  ClassificationState a(3), b(3), all(3);
  std::mt19937 rng(1);
  for (int i = 0; i < 1000; ++i) {
    const int g = static_cast<int>(rng() % 3), p = static_cast<int>(rng() % 3);
    all.add(g, p);
    (i % 3 ? a : b).add(g, p);
  }
  Packed pa, pb;
  a.pack(pa);
  b.pack(pb);
  pa.add(pb);
  ClassificationState m(3);
  Unpacker u(pa);
  m.unpack(u);
  EXPECT_EQ(m.value().macro_f1, all.value().macro_f1);
  EXPECT_EQ(m.value().weighted_f1, all.value().weighted_f1);
}

TEST(Distribution, HandWorked) {
  const std::vector<double> p{0.5, 0.5}, q{0.25, 0.75};
  EXPECT_NEAR(kl_divergence(p, q), 0.5 * std::log(4.0 / 3), 1e-15);
  const double left = 0.5 * std::log(0.5 / 0.375) + 0.5 * std::log(0.5 / 0.625);
  const double right = 0.25 * std::log(0.25 / 0.375) + 0.75 * std::log(0.75 / 0.625);
  EXPECT_NEAR(js_distance(p, q), std::sqrt((left + right) / 2), 1e-15);
  EXPECT_NEAR(total_variation(p, q), 0.25, 1e-15);
  EXPECT_NEAR(entropy(p), std::log(2.0), 1e-15);
  // Counts are normalised first: [2, 2] is [0.5, 0.5].
  EXPECT_NEAR(kl_divergence({2, 2}, {1, 3}), 0.5 * std::log(4.0 / 3), 1e-15);
}

TEST(Distribution, ClippingOfZeros) {
  // p = [1, 0], q = [0, 1]: both become [1, 1e-10] / (1 + 1e-10) (and mirrored).
  const double z = 1e-10, s = 1 + z;
  const double a = 1 / s, b = z / s;
  EXPECT_NEAR(kl_divergence({1, 0}, {0, 1}), a * std::log(a / b) + b * std::log(b / a), 1e-12);
  const double m = (a + b) / 2;
  const double js = a * std::log(a / m) + b * std::log(b / m);  // left = right, JS = (left + right) / 2
  EXPECT_NEAR(js_distance({1, 0}, {0, 1}), std::sqrt(js), 1e-12);
  EXPECT_NEAR(total_variation({1, 0}, {0, 1}), 1.0, 1e-15);
  EXPECT_EQ(entropy({1, 0, 0}), 0.0);
}

TEST(Distribution, MissingDistributionIsRefusedNotClipped) {
  // A judge error leaves NaN probabilities; clipping would have turned them into a number.
  DistState st;
  EXPECT_THROW(st.add({0.2, 0.3, 0.5}, {NAN, NAN, NAN}), std::invalid_argument);
  EXPECT_THROW(st.add({0.2, NAN, 0.5}, {0.3, 0.3, 0.4}), std::invalid_argument);
  EXPECT_EQ(st.value().n, 0);
}

TEST(Distribution, StateMeansAndEntropyCorrelation) {
  DistState s;
  s.add({0.5, 0.5}, {0.25, 0.75});
  s.add({1, 0}, {0.5, 0.5});
  s.add({0.9, 0.1}, {0.8, 0.2});
  const auto r = s.value();
  EXPECT_EQ(r.n, 3);
  EXPECT_NEAR(r.tvd, (0.25 + 0.5 + 0.1) / 3, 1e-15);
  // Pearson r by hand.
  const double h[3] = {entropy({0.5, 0.5}), entropy({1, 0}), entropy({0.9, 0.1})};
  const double m[3] = {entropy({0.25, 0.75}), entropy({0.5, 0.5}), entropy({0.8, 0.2})};
  double mh = (h[0] + h[1] + h[2]) / 3, mm = (m[0] + m[1] + m[2]) / 3, c = 0, vh = 0, vm = 0;
  for (int i = 0; i < 3; ++i) {
    c += (h[i] - mh) * (m[i] - mm);
    vh += (h[i] - mh) * (h[i] - mh);
    vm += (m[i] - mm) * (m[i] - mm);
  }
  EXPECT_NEAR(r.entropy_corr, c / std::sqrt(vh * vm), 1e-12);
}

// Distance correlation by the textbook route: full distance matrices, double centring.
double dcor_naive(const std::vector<double>& x, int dx, const std::vector<double>& y, int dy) {
  const size_t n = x.size() / dx;
  auto dist = [n](const std::vector<double>& v, int d) {
    std::vector<double> a(n * n);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) {
        double s = 0;
        for (int k = 0; k < d; ++k) s += (v[i * d + k] - v[j * d + k]) * (v[i * d + k] - v[j * d + k]);
        a[i * n + j] = std::sqrt(s);
      }
    std::vector<double> row(n, 0);
    double all = 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) {
        row[i] += a[i * n + j] / n;
        all += a[i * n + j] / (n * n);
      }
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) a[i * n + j] += all - row[i] - row[j];
    return a;
  };
  const auto A = dist(x, dx), B = dist(y, dy);
  double xy = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < n * n; ++i) {
    xy += A[i] * B[i];
    xx += A[i] * A[i];
    yy += B[i] * B[i];
  }
  return std::sqrt(xy / std::sqrt(xx * yy));
}

TEST(Distribution, DistanceCorrelation) {
  // A linear relation has distance correlation 1; a hand-checked small case against the naive route.
  DistanceCorrelation lin({0, 1, 2, 3}, 1, {5, 3, 1, -1}, 1);
  EXPECT_NEAR(lin.compute(), 1.0, 1e-12);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> U(0, 1);
  std::vector<double> x(50 * 3), y(50 * 3);
  for (auto& v : x) v = U(rng);
  for (size_t i = 0; i < y.size(); ++i) y[i] = x[i] * x[i] + 0.3 * U(rng);
  DistanceCorrelation dc(x, 3, y, 3);
  EXPECT_NEAR(dc.compute(), dcor_naive(x, 3, y, 3), 1e-12);
  // Any split of rows gives identical row sums.
  std::vector<double> rows(50 * 5), part(50 * 5);
  dc.rows(0, 50, rows.data());
  dc.rows(0, 17, part.data());
  dc.rows(17, 50, part.data() + 17 * 5);
  EXPECT_EQ(rows, part);
}

TEST(Distribution, DistanceCorrelationPathsAgreeBitForBit) {
  // The AVX and SSE2 row sums are the same bits (ranks on different CPUs agree), for n with every
  // remainder mod 4 and other dimensions; and the value is the naive one.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> U(0, 1);
  for (const int n : {1, 2, 3, 4, 5, 37, 64, 203}) {
    for (const auto& [dx, dy] : {std::pair{3, 3}, std::pair{1, 6}}) {
      std::vector<double> x(static_cast<size_t>(n * dx)), y(static_cast<size_t>(n * dy));
      for (auto& v : x) v = U(rng);
      for (auto& v : y) v = U(rng) * U(rng);
      DistanceCorrelation dc(x, dx, y, dy);
      std::vector<double> best(static_cast<size_t>(n) * 5), base(best.size());
      dc.rows(0, n, best.data());
      dc.rows_baseline(0, n, base.data());
      EXPECT_EQ(best, base) << n << " " << dx << "x" << dy;
      if (n >= 2) {
        EXPECT_NEAR(dc.compute(), dcor_naive(x, dx, y, dy), 1e-12) << n;
      }
    }
  }
}
