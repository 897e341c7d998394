#include <catch2/catch.hpp>

#include "tests/support/run.hpp"

using namespace wom;

TEST_CASE("linear threshold on a ring activates exactly the neighbours that pass the threshold",
          "[models][linear_threshold]") {
  // Ring of 1000: each agent hears its two neighbours. θ = 0.5 needs one active neighbour:
  // a single seed spreads one agent per side per step; θ = 1 needs both: nothing spreads.
  GraphSpec spec;
  spec.generator = "watts_strogatz";
  spec.n = 1000;
  spec.k = 2;
  spec.rewire = 0;
  const Graph g = make_graph(spec, 1, 0);
  const Trajectory half = test::run(
      "linear_threshold",
      test::params_for("linear_threshold", {{"threshold", 0.5}, {"initial.count", std::int64_t(1)}}), g, 1, 0, 10);
  for (std::int64_t t = 0; t <= 10; ++t) CHECK(half.at(t, 1) == double(1 + 2 * t));
  const Trajectory full = test::run(
      "linear_threshold",
      test::params_for("linear_threshold", {{"threshold", 1.0}, {"initial.count", std::int64_t(1)}}), g, 1, 0, 10);
  CHECK(full.at(10, 1) == 1.0);
  CHECK(full.steps_computed == 1);  // absorbed after one step without activation
}

TEST_CASE("linear threshold activation is monotone and conserves the population", "[models][linear_threshold]") {
  GraphSpec spec;
  spec.generator = "barabasi_albert";
  spec.n = 20000;
  spec.m = 4;
  const Graph g = make_graph(spec, 5, 0);
  for (bool random : {false, true}) {
    const Trajectory tr = test::run(
        "linear_threshold", test::params_for("linear_threshold", {{"threshold", 0.2}, {"random_thresholds", random}}),
        g, 2, 0, 200);
    for (std::int64_t t = 1; t < std::int64_t(tr.rows()); ++t) {
      REQUIRE(tr.at(t, 0) + tr.at(t, 1) == double(g.n));
      REQUIRE(tr.at(t, 1) == tr.at(t - 1, 1) + tr.at(t, 2));
    }
    CHECK(tr.at(200, 1) > tr.at(0, 1));
  }
}
