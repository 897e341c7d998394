#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>

#include "tests/support/run.hpp"
#include "tests/support/theory.hpp"

using namespace wom;

namespace {
/// Mean adopted share per step over R replicates on the complete graph.
std::vector<double> mean_share(double p, double q, double dt, int steps, vid n, int reps) {
  const Params par = test::params_for("bass", {{"p", p}, {"q", q}});
  const Graph g = complete_graph(n);
  std::vector<double> mean(std::size_t(steps) + 1, 0.0);
  for (int r = 0; r < reps; ++r) {
    const Trajectory tr = test::run("bass", par, g, 42, std::uint64_t(r), steps, dt);
    for (int t = 0; t <= steps; ++t) mean[std::size_t(t)] += tr.at(t, 1) / double(n) / reps;
  }
  return mean;
}
}  // namespace

TEST_CASE("Bass on the complete graph follows the same-dt recursion", "[models][bass][theory]") {
  const double p = 0.03, q = 0.38, dt = 1.0;
  const int steps = 25, reps = 8;
  const vid n = 100000;
  const auto mean = mean_share(p, q, dt, steps, n, reps);
  const theory::BassRecursion th(p, q, dt, steps, n);
  double worst = 0;
  for (int t = 1; t <= steps; ++t) {
    const double se = std::sqrt(th.var[std::size_t(t)] / reps);
    const double z = (mean[std::size_t(t)] - th.F[std::size_t(t)]) / se;
    worst = std::max(worst, std::abs(z));
    INFO(fmt::format("t={} simulated {:.5f} recursion {:.5f} se {:.2e} z {:+.2f}", t, mean[std::size_t(t)],
                     th.F[std::size_t(t)], se, z));
    CHECK(std::abs(z) < 5.0);
  }
  THEORY_REPORT("Bass vs recursion (N={}, R={}, dt={}): max |z| = {:.2f} over {} steps", n, reps, dt, worst, steps);
}

TEST_CASE("Bass on the complete graph approaches the closed form for small dt", "[models][bass][theory]") {
  const double p = 0.03, q = 0.38, dt = 0.02;
  const int per_unit = 50, units = 15, steps = per_unit * units, reps = 4;
  const vid n = 50000;
  const auto mean = mean_share(p, q, dt, steps, n, reps);
  const theory::BassRecursion th(p, q, dt, steps, n);
  double worst = 0;
  for (int u = 1; u <= units; ++u) {
    const std::size_t t = std::size_t(u * per_unit);
    const double closed = theory::bass_closed(p, q, double(u));
    // The recursion differs from the closed form by O(dt): that gap is theory, not noise.
    const double disc = std::abs(th.F[t] - closed);
    REQUIRE(disc < 0.01);
    const double se = std::sqrt(th.var[t] / reps);
    const double z = (std::abs(mean[t] - closed) - disc) / se;
    worst = std::max(worst, z);
    INFO(fmt::format("t={} simulated {:.5f} closed form {:.5f} recursion gap {:.1e} se {:.1e}", u, mean[t], closed,
                     disc, se));
    CHECK(z < 5.0);
  }
  THEORY_REPORT("Bass vs closed form (dt={}): max excess |z| = {:.2f}", dt, worst);
}

TEST_CASE("Bass on a graph: adopters never decrease and everyone adopts eventually", "[models][bass]") {
  GraphSpec spec;
  spec.generator = "erdos_renyi";
  spec.n = 20000;
  spec.mean_degree = 6;
  const Graph g = make_graph(spec, 3, 0);
  const Trajectory tr = test::run("bass", test::params_for("bass", {{"p", 0.05}, {"q", 0.5}}), g, 1, 0, 200);
  for (std::size_t t = 1; t < tr.rows(); ++t) {
    REQUIRE(tr.at(std::int64_t(t), 0) + tr.at(std::int64_t(t), 1) == double(g.n));
    REQUIRE(tr.at(std::int64_t(t), 1) >= tr.at(std::int64_t(t) - 1, 1));
  }
  CHECK(tr.at(200, 1) == double(g.n));
}
