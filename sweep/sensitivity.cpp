#include "sweep/sensitivity.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"

namespace wom::sweep {

namespace {

constexpr rng::Purpose kBootstrap = 0x5357'4545'5005'0001ULL;  // sobol_indices: resampled base rows

/// Throws unless every output is a finite number.
void require_finite(std::span<const double> y, const char* who) {
  for (std::size_t i = 0; i < y.size(); ++i)
    if (!std::isfinite(y[i]))
      throw Error(fmt::format("{}: output {} (design row {}) is {}: every run needs a finite output", who, i, i, y[i]));
}

/// Estimates of one (re)sample: first-order and total index per factor.
struct Estimate {
  std::vector<double> S1, ST;
  bool defined = false;  // false when V = 0 (all sampled outputs equal)
};

/// Saltelli et al. (2010) first order and Jansen (1999) total effect over the base rows
/// row(0), …, row(n − 1). Outputs are centred on the mean of f(A) ∪ f(B) first (Sobol' 2001:
/// subtracting f0 leaves both estimators unbiased and removes the variance an additive
/// constant would otherwise add to S_i; Jansen's estimator is unchanged by it).
template <class Row>
Estimate estimate(std::size_t n, std::size_t k, std::span<const double> y, Row row) {
  const double* fA = y.data();
  const double* fB = y.data() + n;
  double mean = 0;
  for (std::size_t j = 0; j < n; ++j) mean += fA[row(j)] + fB[row(j)];
  mean /= double(2 * n);
  double V = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double a = fA[row(j)] - mean, b = fB[row(j)] - mean;
    V += a * a + b * b;
  }
  V /= double(2 * n);
  Estimate e;
  e.S1.assign(k, 0.0);
  e.ST.assign(k, 0.0);
  if (!(V > 0)) return e;
  e.defined = true;
  for (std::size_t i = 0; i < k; ++i) {
    const double* fAB = y.data() + (2 + i) * n;
    double s1 = 0, st = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t r = row(j);
      const double d = fAB[r] - fA[r];
      s1 += (fB[r] - mean) * d;
      st += d * d;
    }
    e.S1[i] = s1 / double(n) / V;
    e.ST[i] = st / double(n) / (2 * V);
  }
  return e;
}

/// Quantile q of sorted values, linear between order statistics (Hyndman & Fan type 7).
double quantile(const std::vector<double>& sorted, double q) {
  const double h = q * double(sorted.size() - 1);
  const std::size_t lo = std::size_t(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::vector<SobolIndex> sobol_indices(std::size_t n, std::size_t k, std::span<const double> y, std::size_t bootstrap,
                                      std::uint64_t seed) {
  if (n < 1 || k < 1)
    throw Error(fmt::format("sobol indices: points = {}, factors = {}: need at least 1 of each", n, k));
  if (y.size() != n * (k + 2))
    throw Error(fmt::format("sobol indices: {} outputs for {} points and {} factors: expected n (k + 2) = {}", y.size(),
                            n, k, n * (k + 2)));
  require_finite(y, "sobol indices");
  const Estimate point = estimate(n, k, y, [](std::size_t j) { return j; });
  if (!point.defined)
    throw Error(
        fmt::format("sobol indices: all outputs are equal: the indices are 0/0 (the output does not vary over "
                    "the {} runs)",
                    y.size()));

  std::vector<SobolIndex> out(k);
  for (std::size_t i = 0; i < k; ++i) {
    out[i].S1 = out[i].S1_low = out[i].S1_high = point.S1[i];
    out[i].ST = out[i].ST_low = out[i].ST_high = point.ST[i];
  }
  if (bootstrap == 0) return out;

  // Percentile bootstrap (Efron & Tibshirani 1993; Archer, Saltelli & Sobol' 1997): resample
  // the n base rows with replacement, the same rows for A, B and every AB_i. Draw b of row j
  // is keyed (seed, b, j). A resample whose outputs are all equal has no indices; it is left out.
  const rng::Stream draw(rng::RunKey(seed, 0), 0, kBootstrap);
  std::vector<std::vector<double>> S1(k), ST(k);
  std::vector<std::size_t> rows(n);
  for (std::size_t b = 0; b < bootstrap; ++b) {
    for (std::size_t j = 0; j < n; ++j) rows[j] = rng::below(draw.bits(b, j), n);
    const Estimate e = estimate(n, k, y, [&](std::size_t j) { return rows[j]; });
    if (!e.defined) continue;
    for (std::size_t i = 0; i < k; ++i) {
      S1[i].push_back(e.S1[i]);
      ST[i].push_back(e.ST[i]);
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    if (S1[i].empty()) continue;
    std::sort(S1[i].begin(), S1[i].end());
    std::sort(ST[i].begin(), ST[i].end());
    out[i].S1_low = quantile(S1[i], 0.025);
    out[i].S1_high = quantile(S1[i], 0.975);
    out[i].ST_low = quantile(ST[i], 0.025);
    out[i].ST_high = quantile(ST[i], 0.975);
  }
  return out;
}

// Morris (1991) elementary effects, with μ* = mean |EE| of Campolongo, Cariboni & Saltelli
// (2007). The moving factor of each step is found from the design itself, so any one-factor-
// at-a-time trajectories are accepted (any step size, any order).
std::vector<MorrisIndex> morris_indices(const Matrix& design, std::span<const double> y, std::size_t k) {
  if (k < 1) throw Error("morris indices: factors = 0: need at least 1");
  if (y.size() != design.size())
    throw Error(
        fmt::format("morris indices: {} outputs for {} design rows: expected one per row", y.size(), design.size()));
  if (design.empty() || design.size() % (k + 1) != 0)
    throw Error(
        fmt::format("morris indices: {} design rows: expected r (k + 1) = r × {} with r >= 1", design.size(), k + 1));
  for (std::size_t i = 0; i < design.size(); ++i)
    if (design[i].size() != k)
      throw Error(fmt::format("morris indices: design row {} has {} values: expected {}", i, design[i].size(), k));
  require_finite(y, "morris indices");

  std::vector<std::vector<double>> effects(k);
  const std::size_t r = design.size() / (k + 1);
  for (std::size_t t = 0; t < r; ++t) {
    for (std::size_t s = 0; s < k; ++s) {
      const std::size_t a = t * (k + 1) + s;
      const std::vector<double>&x0 = design[a], &x1 = design[a + 1];
      std::size_t moved = k, count = 0;
      for (std::size_t f = 0; f < k; ++f)
        if (x0[f] != x1[f]) {
          moved = f;
          ++count;
        }
      if (count != 1)
        throw Error(
            fmt::format("morris indices: trajectory {}: rows {} and {} differ in {} factors: expected exactly 1", t, a,
                        a + 1, count));
      effects[moved].push_back((y[a + 1] - y[a]) / (x1[moved] - x0[moved]));
    }
  }

  std::vector<MorrisIndex> out(k);
  for (std::size_t f = 0; f < k; ++f) {
    const std::vector<double>& ee = effects[f];
    if (ee.empty()) throw Error(fmt::format("morris indices: factor {} never moves in the design", f));
    const double m = double(ee.size());
    double sum = 0, abs_sum = 0;
    for (const double e : ee) {
      sum += e;
      abs_sum += std::abs(e);
    }
    out[f].mu = sum / m;
    out[f].mu_star = abs_sum / m;
    if (ee.size() > 1) {
      double ss = 0;
      for (const double e : ee) ss += (e - out[f].mu) * (e - out[f].mu);
      out[f].sigma = std::sqrt(ss / (m - 1));
    }
  }
  return out;
}

}  // namespace wom::sweep
