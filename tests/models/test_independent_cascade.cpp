#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "sim/core/stats.hpp"
#include "tests/support/run.hpp"
#include "tests/support/theory.hpp"

using namespace wom;

namespace {

GraphSpec er(vid n, double mean) {
  GraphSpec s;
  s.generator = "erdos_renyi";
  s.n = n;
  s.mean_degree = mean;
  return s;
}
GraphSpec power_law(vid n, double exponent, int kmin, int kmax) {
  GraphSpec s;
  s.generator = "configuration";
  s.n = n;
  s.degree.distribution = "power_law";
  s.degree.exponent = exponent;
  s.degree.min = kmin;
  s.degree.max = kmax;
  return s;
}

/// Single-seed cascades on one graph: share of large outbreaks and their mean size, vs
/// bond percolation on the graph's own degree distribution.
void check_supercritical(const GraphSpec& spec, double T, int reps, const std::string& label) {
  const Graph g = make_graph(spec, 11, 0);
  const theory::Percolation perc(degree_distribution(g));
  const double S = perc.giant(T);
  REQUIRE(T > perc.threshold());
  const Params par = test::params_for("independent_cascade", {{"transmission", T}, {"initial.count", std::int64_t(1)}});
  // Small outbreaks above threshold have finite size; a cut at n^(2/3) separates them.
  const double cut = std::pow(double(g.n), 2.0 / 3.0);
  theory::Sample large, hit;
  for (int r = 0; r < reps; ++r) {
    const Trajectory tr = test::run("independent_cascade", par, g, 5, std::uint64_t(r), 100000);
    const double size = tr.at(std::int64_t(tr.rows()) - 1, 1);
    hit.add(size > cut ? 1.0 : 0.0);
    if (size > cut) large.add(size / double(g.n));
  }
  const double p_se = std::sqrt(S * (1 - S) / reps);
  REQUIRE(large.n() >= 5);
  // The finite graph's giant component fluctuates by ~sqrt(n): use the sample SE, floored
  // at the binomial SE of a share estimated from n agents.
  const double s_se = std::max(large.se(), std::sqrt(S * (1 - S) / double(g.n)));
  THEORY_REPORT(
      "{} T={} (T_c={:.4f}): P(large) {:.4f} vs S {:.4f} (se {:.4f}); large size {:.5f} vs S {:.5f} "
      "(se {:.5f})",
      label, T, perc.threshold(), hit.mean(), S, p_se, large.mean(), S, s_se);
  CHECK(std::abs(hit.mean() - S) < 4 * p_se);
  CHECK(std::abs(large.mean() - S) < 5 * s_se);
}

void check_subcritical(const GraphSpec& spec, double T, int reps, const std::string& label) {
  const Graph g = make_graph(spec, 12, 0);
  const theory::Percolation perc(degree_distribution(g));
  REQUIRE(T < perc.threshold());
  const double expect = perc.mean_outbreak(T);
  const Params par = test::params_for("independent_cascade",
                                      {{"transmission", T}, {"initial.count", std::int64_t(1)}, {"within_step", true}});
  theory::Sample size;
  for (int r = 0; r < reps; ++r) {
    const Trajectory tr = test::run("independent_cascade", par, g, 6, std::uint64_t(r), 2);
    size.add(tr.at(std::int64_t(tr.rows()) - 1, 1));
  }
  THEORY_REPORT("{} T={} (T_c={:.4f}): mean outbreak {:.4f} vs theory {:.4f} (se {:.4f}, z {:+.2f})", label, T,
                perc.threshold(), size.mean(), expect, size.se(), (size.mean() - expect) / size.se());
  CHECK(std::abs(size.mean() - expect) < 5 * size.se());
}

}  // namespace

TEST_CASE("independent cascade on Erdos-Renyi matches bond percolation above threshold",
          "[models][independent_cascade][theory]") {
  check_supercritical(er(100000, 4.0), 0.5, 200, "IC ER<k>=4");
}

TEST_CASE("independent cascade on a heavy-tailed configuration graph matches bond percolation",
          "[models][independent_cascade][theory]") {
  check_supercritical(power_law(100000, 2.5, 2, 300), 0.25, 200, "IC power-law 2.5");
}

TEST_CASE("independent cascade below threshold has the percolation mean outbreak size",
          "[models][independent_cascade][theory]") {
  SECTION("Erdos-Renyi") { check_subcritical(er(50000, 4.0), 0.15, 3000, "IC ER<k>=4"); }
  SECTION("geometric configuration model") {
    GraphSpec s;
    s.generator = "configuration";
    s.n = 50000;
    s.degree.distribution = "geometric";
    s.degree.mean = 3.0;
    check_subcritical(s, 0.6 * theory::Percolation(degree_distribution(make_graph(s, 12, 0))).threshold(), 3000,
                      "IC geometric<k>=3");
  }
}

TEST_CASE("the percolation threshold separates finite from giant outbreaks", "[models][independent_cascade][theory]") {
  const Graph g = make_graph(power_law(100000, 2.5, 2, 300), 13, 0);
  const theory::Percolation perc(degree_distribution(g));
  const double Tc = perc.threshold();
  // Below: every outbreak finite (mean outbreak size small); above: giant outbreaks of share S.
  const Params below =
      test::params_for("independent_cascade", {{"transmission", 0.5 * Tc}, {"initial.count", std::int64_t(1)}});
  const Params above =
      test::params_for("independent_cascade", {{"transmission", 2.0 * Tc}, {"initial.count", std::int64_t(1)}});
  double max_below = 0, max_above = 0;
  for (int r = 0; r < 40; ++r) {
    const Trajectory b = test::run("independent_cascade", below, g, 9, std::uint64_t(r), 100000);
    const Trajectory a = test::run("independent_cascade", above, g, 9, std::uint64_t(r), 100000);
    max_below = std::max(max_below, b.at(std::int64_t(b.rows()) - 1, 1));
    max_above = std::max(max_above, a.at(std::int64_t(a.rows()) - 1, 1));
  }
  THEORY_REPORT("threshold T_c={:.4f}: largest of 40 outbreaks {} at T_c/2, {} at 2T_c (theory S={:.4f})", Tc,
                max_below, max_above, perc.giant(2 * Tc));
  CHECK(max_below < std::pow(double(g.n), 2.0 / 3.0));
  CHECK(max_above > 0.5 * perc.giant(2 * Tc) * double(g.n));
}

TEST_CASE("a cascade within one step reaches the same agents as one generation per step",
          "[models][independent_cascade]") {
  GraphSpec s = er(30000, 5.0);
  const Graph g = make_graph(s, 4, 0);
  for (std::uint64_t r = 0; r < 5; ++r) {
    const Params gen =
        test::params_for("independent_cascade", {{"transmission", 0.3}, {"initial.count", std::int64_t(3)}});
    const Params one = test::params_for(
        "independent_cascade", {{"transmission", 0.3}, {"initial.count", std::int64_t(3)}, {"within_step", true}});
    const Trajectory a = test::run("independent_cascade", gen, g, 8, r, 1000);
    const Trajectory b = test::run("independent_cascade", one, g, 8, r, 1000);
    CHECK(a.at(std::int64_t(a.rows()) - 1, 1) == b.at(std::int64_t(b.rows()) - 1, 1));
    CHECK(b.steps_computed == 1);
  }
}
