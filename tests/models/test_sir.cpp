#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>

#include "sim/core/stats.hpp"
#include "tests/support/run.hpp"
#include "tests/support/theory.hpp"

using namespace wom;

TEST_CASE("SIR with a fixed infectious period matches bond percolation at T = 1-(1-beta)^tau",
          "[models][sir][theory]") {
  GraphSpec spec;
  spec.generator = "configuration";
  spec.n = 100000;
  spec.degree.distribution = "geometric";
  spec.degree.mean = 4.0;
  const Graph g = make_graph(spec, 21, 0);
  const theory::Percolation perc(degree_distribution(g));
  const double beta = 0.1;
  const int tau = 4;
  const double T = 1 - std::pow(1 - beta, tau);
  const double S = perc.giant(T);
  const Params par = test::params_for(
      "sir", {{"beta", beta}, {"infectious_steps", std::int64_t(tau)}, {"initial.count", std::int64_t(1)}});
  const double cut = std::pow(double(g.n), 2.0 / 3.0);
  const int reps = 60;
  theory::Sample large, hit;
  for (int r = 0; r < reps; ++r) {
    const Trajectory tr = test::run("sir", par, g, 3, std::uint64_t(r), 100000);
    const double size = tr.at(std::int64_t(tr.rows()) - 1, 2);  // recovered at the end
    REQUIRE(tr.at(std::int64_t(tr.rows()) - 1, 1) == 0);        // no one still infectious
    hit.add(size > cut);
    if (size > cut) large.add(size / double(g.n));
  }
  const double p_se = std::sqrt(S * (1 - S) / reps);
  const double s_se = std::max(large.se(), std::sqrt(S * (1 - S) / double(g.n)));
  THEORY_REPORT(
      "SIR tau={} beta={} -> T={:.4f} (T_c={:.4f}): P(large) {:.4f} vs S {:.4f} (se {:.4f}); final size "
      "{:.5f} vs S {:.5f} (se {:.5f})",
      tau, beta, T, perc.threshold(), hit.mean(), S, p_se, large.mean(), S, s_se);
  REQUIRE(large.n() >= 5);
  CHECK(std::abs(hit.mean() - S) < 4 * p_se);
  CHECK(std::abs(large.mean() - S) < 5 * s_se);
}

TEST_CASE("SIR conserves the population and recovered never decreases", "[models][sir]") {
  GraphSpec spec;
  spec.generator = "barabasi_albert";
  spec.n = 30000;
  spec.m = 3;
  const Graph g = make_graph(spec, 2, 0);
  SECTION("geometric recovery") {
    const Trajectory tr = test::run("sir", test::params_for("sir", {{"beta", 0.08}, {"gamma", 0.2}}), g, 1, 0, 300);
    for (std::int64_t t = 0; t < std::int64_t(tr.rows()); ++t) {
      REQUIRE(tr.at(t, 0) + tr.at(t, 1) + tr.at(t, 2) == double(g.n));
      if (t) {
        REQUIRE(tr.at(t, 2) >= tr.at(t - 1, 2));
        REQUIRE(tr.at(t, 0) <= tr.at(t - 1, 0));
        REQUIRE(tr.at(t, 3) == tr.at(t - 1, 0) - tr.at(t, 0));
      }
    }
    CHECK(tr.at(0, 1) == std::round(0.01 * g.n));
    CHECK(tr.at(300, 2) > tr.at(0, 1));
  }
  SECTION("fixed period: nobody is infectious longer than tau steps") {
    const Trajectory tr = test::run(
        "sir", test::params_for("sir", {{"beta", 0.08}, {"infectious_steps", std::int64_t(3)}}), g, 1, 0, 300);
    // Seeds are infectious at steps 0..2; anyone infected at t is infectious at t..t+2.
    for (std::int64_t t = 1; t < std::int64_t(tr.rows()); ++t) {
      double expect = 0;
      for (std::int64_t d = 0; d < 3 && t - d >= 1; ++d) expect += tr.at(t - d, 3);
      if (t < 3) expect += tr.at(0, 1);
      REQUIRE(tr.at(t, 1) == expect);
    }
  }
}

TEST_CASE("SIR with beta = 0 never infects anyone new", "[models][sir]") {
  GraphSpec spec;
  spec.generator = "erdos_renyi";
  spec.n = 5000;
  spec.mean_degree = 5;
  const Graph g = make_graph(spec, 2, 0);
  const Trajectory tr = test::run("sir", test::params_for("sir", {{"beta", 0.0}, {"gamma", 0.5}}), g, 1, 0, 100);
  CHECK(tr.at(100, 2) == tr.at(0, 1));
  CHECK(tr.at(100, 0) == double(g.n) - tr.at(0, 1));
}

TEST_CASE("SIR bookings beyond the horizon are dropped, so huge periods and tiny rates stay cheap", "[models][sir]") {
  GraphSpec spec;
  spec.generator = "erdos_renyi";
  spec.n = 20000;
  spec.mean_degree = 5;
  const Graph g = make_graph(spec, 2, 0);
  // tau = 1e9 steps: nobody recovers within 50 steps; beta = 1e-9 with gamma = 0: first
  // contacts lie ~1e9 steps ahead (beyond any 32-bit delay) and never happen.
  const Trajectory a = test::run(
      "sir", test::params_for("sir", {{"beta", 0.05}, {"infectious_steps", std::int64_t(1000000000)}}), g, 1, 0, 50);
  CHECK(a.at(50, 2) == 0);
  CHECK(a.at(50, 1) > a.at(0, 1));
  const Trajectory b = test::run("sir", test::params_for("sir", {{"beta", 1e-9}, {"gamma", 0.0}}), g, 1, 0, 50);
  CHECK(b.at(50, 1) == b.at(0, 1));
  CHECK(b.at(50, 2) == 0);
}
