// Designs (sweep/design.hpp) and sensitivity estimators (sweep/sensitivity.hpp) against their
// defining properties and closed forms. Statistical tolerances are k standard errors of the
// quantity tested, with fixed seeds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <set>
#include <vector>

#include "sim/core/error.hpp"
#include "sweep/design.hpp"
#include "sweep/sensitivity.hpp"

using namespace wom;
using namespace wom::sweep;

namespace {

void require_shape(const Matrix& x, std::size_t rows, std::size_t cols) {
  REQUIRE(x.size() == rows);
  for (const auto& row : x) REQUIRE(row.size() == cols);
}

/// Every coordinate in [0, 1) (open at 0 too when `open` is set).
bool in_unit_cube(const Matrix& x, bool open = false) {
  for (const auto& row : x)
    for (const double v : row)
      if (!(v < 1.0) || v < 0.0 || (open && v == 0.0)) return false;
  return true;
}

/// Column j of the first m rows falls one per interval [i/m, (i+1)/m).
bool one_per_stratum(const Matrix& x, std::size_t j, std::size_t m) {
  std::vector<int> hits(m, 0);
  for (std::size_t i = 0; i < m; ++i) {
    const double s = std::floor(x[i][j] * double(m));
    if (s < 0 || s >= double(m)) return false;
    ++hits[std::size_t(s)];
  }
  return std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; });
}

/// Ishigami & Homma (1990) with a = 7, b = 0.1 on [−π, π]^3, from unit coordinates.
constexpr double kA = 7.0, kB = 0.1;
double ishigami(const std::vector<double>& u) {
  const double pi = std::numbers::pi;
  const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
  return std::sin(x1) + kA * std::sin(x2) * std::sin(x2) + kB * std::pow(x3, 4) * std::sin(x1);
}

/// Its analytic indices (Sobol' & Levitan 1999; Saltelli et al. 2008, §4.4).
struct IshigamiTheory {
  double S[3], ST[3];
  IshigamiTheory() {
    const double pi4 = std::pow(std::numbers::pi, 4), pi8 = pi4 * pi4;
    const double V1 = 0.5 * std::pow(1 + kB * pi4 / 5, 2), V2 = kA * kA / 8, V13 = 8 * kB * kB * pi8 / 225;
    const double V = 0.5 + kA * kA / 8 + kB * pi4 / 5 + kB * kB * pi8 / 18;  // = V1 + V2 + V13
    S[0] = V1 / V, S[1] = V2 / V, S[2] = 0;
    ST[0] = (V1 + V13) / V, ST[1] = V2 / V, ST[2] = V13 / V;
  }
};

std::vector<double> evaluate(const Matrix& x, double (*f)(const std::vector<double>&)) {
  std::vector<double> y;
  y.reserve(x.size());
  for (const auto& row : x) y.push_back(f(row));
  return y;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Random and Latin hypercube designs

TEST_CASE("random design: deterministic, shaped, uniform", "[sweep]") {
  const std::size_t n = 4000, k = 3;
  const Matrix x = random_design(n, k, 11);
  require_shape(x, n, k);
  CHECK(in_unit_cube(x));
  CHECK(random_design(n, k, 11) == x);
  CHECK(random_design(n, k, 12) != x);
  // Column means: SE = sqrt(1/12 / n); allow 4 SE.
  const double se = std::sqrt(1.0 / 12.0 / double(n));
  for (std::size_t j = 0; j < k; ++j) {
    double m = 0;
    for (const auto& row : x) m += row[j] / double(n);
    CHECK(std::abs(m - 0.5) < 4 * se);
  }
}

TEST_CASE("latin hypercube: exactly one point per stratum in every column", "[sweep]") {
  for (const std::size_t n : {1u, 2u, 3u, 7u, 10u, 1000u}) {
    const Matrix x = lhs_design(n, 4, 5);
    require_shape(x, n, 4);
    CHECK(in_unit_cube(x));
    for (std::size_t j = 0; j < 4; ++j) CHECK(one_per_stratum(x, j, n));
  }
  const Matrix x = lhs_design(500, 4, 5);
  CHECK(lhs_design(500, 4, 5) == x);
  CHECK(lhs_design(500, 4, 6) != x);
  // Columns are permuted independently: the strata of two columns are not the same order.
  std::size_t same = 0;
  for (const auto& row : x) same += std::floor(row[0] * 500) == std::floor(row[1] * 500);
  CHECK(same < 10);  // a random permutation has Poisson(1) fixed points
  // The jitter is uniform within the stratum: mean position n x − floor(n x) = 1/2, SE sqrt(1/12/n).
  double pos = 0;
  for (const auto& row : x) pos += (row[2] * 500 - std::floor(row[2] * 500)) / 500;
  CHECK(std::abs(pos - 0.5) < 4 * std::sqrt(1.0 / 12.0 / 500));
}

// ---------------------------------------------------------------------------------------------
// Scrambled Sobol' sequence and the Saltelli design

TEST_CASE("sobol: deterministic, in (0, 1), prefix-stable", "[sweep]") {
  REQUIRE(max_sobol_dimensions() >= 64);
  const std::size_t k = max_sobol_dimensions();
  const Matrix x = sobol_sequence(1024, k, 3);
  require_shape(x, 1024, k);
  CHECK(in_unit_cube(x, /*open=*/true));  // the unscrambled first point is 0; scrambled, none is
  CHECK(sobol_sequence(1024, k, 3) == x);
  CHECK(sobol_sequence(1024, k, 4) != x);
  // The first rows and columns do not depend on how many are asked for.
  const Matrix y = sobol_sequence(100, 5, 3);
  for (std::size_t i = 0; i < 100; ++i)
    for (std::size_t j = 0; j < 5; ++j) REQUIRE(y[i][j] == x[i][j]);
  CHECK(sobol_sequence(0, 2, 3).empty());
}

TEST_CASE("sobol: every dimension is a (0, m, 1)-net for every m", "[sweep]") {
  const std::size_t k = max_sobol_dimensions();
  const Matrix x = sobol_sequence(1 << 12, k, 7);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t m = 1; m <= 12; ++m) {
      INFO("dimension " << j << ", first 2^" << m << " points");
      REQUIRE(one_per_stratum(x, j, std::size_t(1) << m));
    }
}

TEST_CASE("sobol: the first two dimensions form a (0, m, 2)-net", "[sweep]") {
  // Dimensions 1 and 2 of Sobol' are a (0, 2)-sequence; a linear scramble with a digital shift
  // keeps the net property (Matoušek 1998). Every elementary box [a 2^-i, (a+1) 2^-i) ×
  // [b 2^-(m-i), (b+1) 2^-(m-i)) of volume 2^-m holds exactly one of the first 2^m points.
  const std::size_t m = 10, n = std::size_t(1) << m;
  for (const std::uint64_t seed : {1u, 2u}) {
    const Matrix x = sobol_sequence(n, 2, seed);
    for (std::size_t i = 0; i <= m; ++i) {
      std::set<std::pair<long, long>> boxes;
      for (const auto& row : x)
        boxes.emplace(long(std::floor(std::ldexp(row[0], int(i)))), long(std::floor(std::ldexp(row[1], int(m - i)))));
      CHECK(boxes.size() == n);
    }
  }
}

TEST_CASE("sobol: the scramble makes each point uniform", "[sweep]") {
  // Over 4000 seeds, the first point's coordinates are uniform: mean 1/2 (SE sqrt(1/12/4000))
  // and a quarter below 1/4 (SE sqrt(3/16/4000)); 4 SE.
  const int seeds = 4000;
  double mean = 0, low = 0;
  for (int s = 0; s < seeds; ++s) {
    const Matrix x = sobol_sequence(1, 3, std::uint64_t(s));
    mean += x[0][2] / seeds;
    low += (x[0][1] < 0.25) / double(seeds);
  }
  CHECK(std::abs(mean - 0.5) < 4 * std::sqrt(1.0 / 12.0 / seeds));
  CHECK(std::abs(low - 0.25) < 4 * std::sqrt(3.0 / 16.0 / seeds));
}

TEST_CASE("sobol: bad sizes are refused", "[sweep]") {
  CHECK_THROWS_AS(sobol_sequence(8, 0, 1), Error);
  CHECK_THROWS_AS(sobol_sequence(8, max_sobol_dimensions() + 1, 1), Error);
  CHECK_THROWS_WITH(saltelli_design(100, 3, 1), Catch::Contains("points = 100 is not a power of 2"));
  CHECK_THROWS_AS(saltelli_design(0, 3, 1), Error);
  CHECK_THROWS_AS(saltelli_design(1, 3, 1), Error);
  CHECK_THROWS_AS(saltelli_design(64, 0, 1), Error);
  CHECK_NOTHROW(saltelli_design(4, max_sobol_dimensions() / 2, 1));
  CHECK_THROWS_WITH(saltelli_design(64, max_sobol_dimensions() / 2 + 1, 1), Catch::Contains("factors"));
}

TEST_CASE("saltelli design: A, B, and AB_i = A with column i from B", "[sweep]") {
  const std::size_t n = 256, k = 5;
  const Matrix x = saltelli_design(n, k, 9);
  require_shape(x, n * (k + 2), k);
  CHECK(in_unit_cube(x, true));
  CHECK(saltelli_design(n, k, 9) == x);
  const Matrix s = sobol_sequence(n, 2 * k, 9);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t j = 0; j < k; ++j) {
      REQUIRE(x[r][j] == s[r][j]);          // A: the first k dimensions
      REQUIRE(x[n + r][j] == s[r][k + j]);  // B: the last k
    }
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j) REQUIRE(x[(2 + i) * n + r][j] == (j == i ? x[n + r][j] : x[r][j]));
  }
}

// ---------------------------------------------------------------------------------------------
// Sobol' indices

TEST_CASE("sobol indices: Ishigami", "[sweep]") {
  // Saltelli (2010) / Jansen (1999) estimators on N = 2^14 base points (81920 evaluations).
  // The bootstrap CI treats the rows as i.i.d.; the randomised QMC error is no larger, so the
  // analytic value should lie in the 95 % CI (widened by half its width to keep the fixed-seed
  // test robust), the estimate within 3 bootstrap SEs (SE = width / (2 × 1.96)), and each
  // CI narrower than 0.05 (bootstrap SEs of these estimators are about 1.3 / sqrt(N) ≈ 0.01
  // at most here). The CI width shrinks as N^(-1/2): a quarter of the points, twice as wide.
  const std::size_t n = 1 << 14, k = 3;
  const Matrix x = saltelli_design(n, k, 2024);
  const std::vector<double> y = evaluate(x, ishigami);
  const auto idx = sobol_indices(n, k, y, 1000, 7);
  REQUIRE(idx.size() == k);
  const IshigamiTheory th;
  CHECK(th.S[0] == Approx(0.3139).margin(1e-4));  // the published values
  CHECK(th.S[1] == Approx(0.4424).margin(1e-4));
  CHECK(th.ST[0] == Approx(0.5576).margin(1e-4));
  CHECK(th.ST[2] == Approx(0.2437).margin(1e-4));
  auto check = [](double est, double lo, double hi, double truth) {
    INFO("estimate " << est << ", CI [" << lo << ", " << hi << "], analytic " << truth);
    const double width = hi - lo, se = width / (2 * 1.96);
    CHECK(lo <= est);
    CHECK(est <= hi);
    CHECK(width > 0);
    CHECK(width < 0.05);
    CHECK(truth >= lo - 0.25 * width);
    CHECK(truth <= hi + 0.25 * width);
    CHECK(std::abs(est - truth) <= 3 * se);
  };
  for (std::size_t i = 0; i < k; ++i) {
    INFO("factor " << i);
    check(idx[i].S1, idx[i].S1_low, idx[i].S1_high, th.S[i]);
    check(idx[i].ST, idx[i].ST_low, idx[i].ST_high, th.ST[i]);
  }
  const std::size_t n4 = n / 4;
  const auto quarter = sobol_indices(n4, k, evaluate(saltelli_design(n4, k, 2024), ishigami), 1000, 7);
  for (std::size_t i = 0; i < k; ++i) {
    const double r1 = (quarter[i].S1_high - quarter[i].S1_low) / (idx[i].S1_high - idx[i].S1_low);
    const double rT = (quarter[i].ST_high - quarter[i].ST_low) / (idx[i].ST_high - idx[i].ST_low);
    INFO("factor " << i << ": width ratios " << r1 << ", " << rT);
    CHECK(r1 == Approx(2.0).epsilon(0.25));
    CHECK(rT == Approx(2.0).epsilon(0.25));
  }
  // Keyed bootstrap: same seed, same CIs.
  const auto again = sobol_indices(n, k, y, 1000, 7);
  CHECK(again[0].S1_low == idx[0].S1_low);
  CHECK(again[2].ST_high == idx[2].ST_high);
}

TEST_CASE("sobol indices: an additive function has S = ST = its variance shares", "[sweep]") {
  // f = 1000 + x1 + 2 x2 (+ 0 x3): V_i ∝ c_i², so S = ST = (1/5, 4/5, 0); the large offset
  // checks the estimators do not depend on an additive constant.
  const std::size_t n = 1 << 12, k = 3;
  const Matrix x = saltelli_design(n, k, 5);
  std::vector<double> y;
  for (const auto& r : x) y.push_back(1000 + r[0] + 2 * r[1]);
  const auto idx = sobol_indices(n, k, y, 200, 1);
  const double truth[] = {0.2, 0.8, 0.0};
  for (std::size_t i = 0; i < k; ++i) {
    CHECK(idx[i].S1 == Approx(truth[i]).margin(0.01));
    CHECK(idx[i].ST == Approx(truth[i]).margin(0.01));
  }
  CHECK(idx[2].ST == 0.0);  // f(AB_3) = f(A) exactly
}

TEST_CASE("sobol indices: bad input is refused", "[sweep]") {
  std::vector<double> y(8 * 5, 1.0);
  CHECK_THROWS_WITH(sobol_indices(8, 3, y), Catch::Contains("all outputs are equal: the indices are 0/0"));
  y.pop_back();
  CHECK_THROWS_WITH(sobol_indices(8, 3, y), Catch::Contains("expected n (k + 2) = 40"));
  std::vector<double> z(40);
  for (std::size_t i = 0; i < z.size(); ++i) z[i] = double(i % 7);
  z[3] = std::nan("");
  CHECK_THROWS_AS(sobol_indices(8, 3, z), Error);
}

// ---------------------------------------------------------------------------------------------
// Morris design and elementary effects

TEST_CASE("morris design: one factor moves by ±Δ per step, on the grid", "[sweep]") {
  for (const std::size_t p : {2u, 4u, 6u}) {
    const std::size_t r = 50, k = 5, half = p / 2;
    const double delta = double(p) / (2.0 * double(p - 1));
    const Matrix x = morris_design(r, k, p, 13);
    require_shape(x, r * (k + 1), k);
    CHECK(morris_design(r, k, p, 13) == x);
    CHECK(morris_design(r, k, p, 14) != x);
    auto level = [&](double v) { return std::llround(v * double(p - 1)); };
    for (const auto& row : x)
      for (const double v : row) {
        REQUIRE(v >= 0.0);
        REQUIRE(v <= 1.0);
        REQUIRE(std::abs(v * double(p - 1) - double(level(v))) < 1e-12);  // on the grid
      }
    for (std::size_t t = 0; t < r; ++t) {
      std::vector<int> moves(k, 0);
      for (std::size_t s = 0; s < k; ++s) {
        const auto &a = x[t * (k + 1) + s], &b = x[t * (k + 1) + s + 1];
        std::size_t changed = 0;
        for (std::size_t f = 0; f < k; ++f)
          if (a[f] != b[f]) {
            ++changed;
            ++moves[f];
            REQUIRE(std::abs(level(b[f]) - level(a[f])) == long(half));  // ±Δ exactly, in grid steps
            REQUIRE(std::abs(std::abs(b[f] - a[f]) - delta) < 1e-15);
          }
        REQUIRE(changed == 1);
      }
      for (std::size_t f = 0; f < k; ++f) REQUIRE(moves[f] == 1);
    }
  }
}

TEST_CASE("morris design: start levels and factor order are uniform", "[sweep]") {
  // r = 4000 trajectories, k = 3, p = 4: each of the 12000 start values is each level with
  // probability 1/4 (SD sqrt(12000 · 3/16) ≈ 47); each factor moves first with probability
  // 1/3 (SD sqrt(4000 · 2/9) ≈ 30); 4.5 SD.
  const std::size_t r = 4000, k = 3, p = 4;
  const Matrix x = morris_design(r, k, p, 21);
  std::vector<double> level(p, 0), first(k, 0);
  for (std::size_t t = 0; t < r; ++t) {
    const auto &a = x[t * (k + 1)], &b = x[t * (k + 1) + 1];
    for (std::size_t f = 0; f < k; ++f) {
      level[std::size_t(std::llround(a[f] * 3))] += 1;
      if (a[f] != b[f]) first[f] += 1;
    }
  }
  for (const double c : level) CHECK(std::abs(c - 3000) < 4.5 * std::sqrt(12000 * 3.0 / 16));
  for (const double c : first) CHECK(std::abs(c - r / 3.0) < 4.5 * std::sqrt(r * 2.0 / 9));
}

TEST_CASE("morris design: bad arguments are refused", "[sweep]") {
  CHECK_THROWS_AS(morris_design(10, 0, 4, 1), Error);
  CHECK_THROWS_AS(morris_design(0, 3, 4, 1), Error);
  CHECK_THROWS_WITH(morris_design(10, 3, 3, 1), Catch::Contains("levels = 3"));
  CHECK_THROWS_AS(morris_design(10, 3, 0, 1), Error);
  CHECK_THROWS_AS(morris_design(10, 3, 1, 1), Error);
}

TEST_CASE("morris indices: an additive function has mu = c exactly and sigma = 0", "[sweep]") {
  const std::vector<double> c = {3.0, -2.0, 0.5, 0.0, 10.0};
  const std::size_t k = c.size();
  const Matrix x = morris_design(30, k, 4, 3);
  std::vector<double> y;
  for (const auto& r : x) {
    double s = 0;
    for (std::size_t i = 0; i < k; ++i) s += c[i] * r[i];
    y.push_back(s);
  }
  const auto idx = morris_indices(x, y, k);
  REQUIRE(idx.size() == k);
  for (std::size_t i = 0; i < k; ++i) {
    CHECK(idx[i].mu == Approx(c[i]).margin(1e-12));
    CHECK(idx[i].mu_star == Approx(std::abs(c[i])).margin(1e-12));
    CHECK(idx[i].sigma < 1e-12);
  }
}

TEST_CASE("morris indices: f = 2 x1 + 7.875 x2 + 4 x1 x3", "[sweep]") {
  // Elementary effects: EE_2 = 7.875 always; EE_1 = 2 + 4 x3 and EE_3 = 4 x1, with the other
  // factor's value at the time of the move (read off the design). Over random trajectories
  // x3 (or x1) there is uniform on the 4 levels: mean 1/2, SD sqrt(5/36), so μ_1 → 4 and
  // μ_3 → 2 with SE 4 sqrt(5/36 / r).
  const std::size_t r = 1000, k = 3, p = 4;
  const Matrix x = morris_design(r, k, p, 8);
  std::vector<double> y;
  for (const auto& v : x) y.push_back(2 * v[0] + 7.875 * v[1] + 4 * v[0] * v[2]);
  const auto idx = morris_indices(x, y, k);

  CHECK(idx[1].mu == Approx(7.875).margin(1e-12));
  CHECK(idx[1].mu_star == Approx(7.875).margin(1e-12));
  CHECK(idx[1].sigma < 1e-12);

  // Exact values from the design's own points.
  std::vector<double> ee1, ee3;
  for (std::size_t t = 0; t < r; ++t)
    for (std::size_t s = 0; s < k; ++s) {
      const auto &a = x[t * (k + 1) + s], &b = x[t * (k + 1) + s + 1];
      if (a[0] != b[0]) ee1.push_back(2 + 4 * a[2]);
      if (a[2] != b[2]) ee3.push_back(4 * a[0]);
    }
  REQUIRE(ee1.size() == r);
  REQUIRE(ee3.size() == r);
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (const double e : v) s += e;
    return s / double(v.size());
  };
  auto sd = [&](const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (const double e : v) s += (e - m) * (e - m);
    return std::sqrt(s / double(v.size() - 1));
  };
  CHECK(idx[0].mu == Approx(mean(ee1)).margin(1e-10));
  CHECK(idx[0].mu_star == Approx(mean(ee1)).margin(1e-10));  // EE_1 >= 2 > 0
  CHECK(idx[0].sigma == Approx(sd(ee1)).margin(1e-10));
  CHECK(idx[2].mu == Approx(mean(ee3)).margin(1e-10));
  CHECK(idx[2].mu_star == Approx(mean(ee3)).margin(1e-10));  // EE_3 >= 0
  CHECK(idx[2].sigma == Approx(sd(ee3)).margin(1e-10));
  // Bounds and the population values.
  CHECK(idx[0].mu_star >= 2);
  CHECK(idx[0].mu_star <= 6);
  CHECK(idx[2].mu_star >= 0);
  CHECK(idx[2].mu_star <= 4);
  CHECK(idx[2].sigma > 0.5);  // x3's effect depends on x1: population SD 4 sqrt(5/36) ≈ 1.49
  const double se = 4 * std::sqrt(5.0 / 36.0 / double(r));
  CHECK(std::abs(idx[0].mu - 4) < 4 * se);
  CHECK(std::abs(idx[2].mu - 2) < 4 * se);
  CHECK(idx[2].sigma == Approx(4 * std::sqrt(5.0 / 36.0)).margin(0.15));
}

TEST_CASE("morris indices: one trajectory, and malformed designs", "[sweep]") {
  const Matrix x = morris_design(1, 2, 4, 1);
  std::vector<double> y;
  for (const auto& v : x) y.push_back(v[0] - v[1]);
  const auto idx = morris_indices(x, y, 2);
  CHECK(idx[0].mu == Approx(1.0));
  CHECK(idx[1].mu == Approx(-1.0));
  CHECK(idx[1].mu_star == Approx(1.0));
  CHECK(idx[0].sigma == 0.0);  // r = 1

  Matrix bad = x;
  bad[1] = {bad[0][0] == 0 ? 1.0 : 0.0, bad[0][1] == 0 ? 1.0 : 0.0};  // both factors move
  CHECK_THROWS_WITH(morris_indices(bad, y, 2), Catch::Contains("differ in 2 factors"));
  Matrix still = x;
  still[1] = still[0];  // nothing moves
  CHECK_THROWS_AS(morris_indices(still, y, 2), Error);
  CHECK_THROWS_AS(morris_indices(x, std::vector<double>(2, 0.0), 2), Error);
  CHECK_THROWS_AS(morris_indices(x, y, 3), Error);
}
