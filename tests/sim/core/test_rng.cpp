#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "sim/core/rng.hpp"

using namespace wom;

TEST_CASE("a draw is a pure function of its key", "[rng]") {
  const rng::Stream a(rng::RunKey(1, 0), 5, 42), b(rng::RunKey(1, 0), 5, 42);
  for (std::uint64_t id = 0; id < 1000; ++id) REQUIRE(a.bits(id, 3) == b.bits(id, 3));
  // Any component of the key changes the draw.
  CHECK(rng::Stream(rng::RunKey(2, 0), 5, 42).bits(7) != a.bits(7));
  CHECK(rng::Stream(rng::RunKey(1, 1), 5, 42).bits(7) != a.bits(7));
  CHECK(rng::Stream(rng::RunKey(1, 0), 6, 42).bits(7) != a.bits(7));
  CHECK(rng::Stream(rng::RunKey(1, 0), 5, 43).bits(7) != a.bits(7));
  CHECK(a.bits(7, 1) != a.bits(7, 0));
  CHECK(a.arc_bits(3, 4) != a.arc_bits(4, 3));
}

TEST_CASE("uniforms pass a chi-square test and are uncorrelated across neighbouring keys", "[rng]") {
  const rng::Stream s(rng::RunKey(7, 3), 11, 1);
  const int bins = 100;
  const std::uint64_t n = 1'000'000;
  std::vector<double> count(bins, 0);
  double sxy = 0, sx = 0;
  double prev = s.uniform(0);
  for (std::uint64_t i = 0; i < n; ++i) {
    const double u = s.uniform(i);
    count[std::size_t(u * bins)] += 1;
    if (i) sxy += (u - 0.5) * (prev - 0.5);
    sx += u;
    prev = u;
  }
  double chi2 = 0;
  const double e = double(n) / bins;
  for (double c : count) chi2 += (c - e) * (c - e) / e;
  // chi2 with 99 dof: mean 99, sd sqrt(198) ≈ 14; 5 sd above the mean is p < 1e-5.
  CHECK(chi2 < 99 + 5 * std::sqrt(198.0));
  // Lag-1 correlation of consecutive ids: sd of the estimate is 1/sqrt(n) (scaled by 1/12).
  const double corr = sxy / double(n - 1) * 12.0;
  CHECK(std::abs(corr) < 5.0 / std::sqrt(double(n)));
  CHECK(std::abs(sx / double(n) - 0.5) < 5 * std::sqrt(1.0 / 12.0 / double(n)));
}

TEST_CASE("threshold(p) fires with probability p", "[rng]") {
  const rng::Stream s(rng::RunKey(3, 0), 0, 9);
  for (double p : {0.0, 0.001, 0.1, 0.5, 0.93, 1.0}) {
    const std::uint64_t thr = rng::threshold(p);
    const std::uint64_t n = 400000;
    std::uint64_t hits = 0;
    for (std::uint64_t i = 0; i < n; ++i) hits += rng::fires(s.bits(i), thr);
    const double se = std::sqrt(p * (1 - p) / double(n));
    CHECK(std::abs(double(hits) / double(n) - p) <= 5 * se);
  }
}

TEST_CASE("below(bits, n) is uniform on 0..n-1", "[rng]") {
  const rng::Stream s(rng::RunKey(3, 1), 0, 10);
  const std::uint64_t bound = 7, n = 700000;
  std::vector<double> c(bound, 0);
  for (std::uint64_t i = 0; i < n; ++i) c[rng::below(s.bits(i), bound)] += 1;
  double chi2 = 0;
  for (double x : c) chi2 += (x - double(n) / bound) * (x - double(n) / bound) / (double(n) / bound);
  CHECK(chi2 < 6 + 5 * std::sqrt(12.0));
}
