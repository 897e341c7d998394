// Results are bit-identical at any thread count, across repeated runs, under vertex
// reordering and whichever propagation direction (push or pull) is taken.
#include <catch2/catch.hpp>
#include <numeric>

#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"
#include "sim/core/rng.hpp"
#include "tests/support/run.hpp"

using namespace wom;

namespace {

struct Case {
  std::string model;
  Params params;
  std::int64_t steps;
};

std::vector<Case> cases() {
  return {
      {"sir", test::params_for("sir", {{"beta", 0.05}, {"gamma", 0.1}}), 60},
      {"sir", test::params_for("sir", {{"beta", 0.05}, {"infectious_steps", std::int64_t(5)}}), 60},
      {"independent_cascade",
       test::params_for("independent_cascade", {{"transmission", 0.3}, {"initial.count", std::int64_t(50)}}), 60},
      {"independent_cascade",
       test::params_for("independent_cascade",
                        {{"transmission", 0.3}, {"initial.count", std::int64_t(50)}, {"within_step", true}}),
       5},
      {"linear_threshold", test::params_for("linear_threshold", {{"threshold", 0.15}, {"initial.fraction", 0.02}}), 60},
      {"linear_threshold",
       test::params_for("linear_threshold", {{"random_thresholds", true}, {"initial.fraction", 0.05}}), 60},
      {"bass", test::params_for("bass", {{"p", 0.01}, {"q", 0.5}}), 60},
  };
}

/// A graph large enough that every kernel takes its parallel path (blocks > kSerialBelow
/// agents, frontiers with more arcs than NeighborCounts::kSerialArcs).
const Graph& big_graph() {
  static const Graph g = [] {
    GraphSpec s;
    s.generator = "barabasi_albert";
    s.n = 120000;
    s.m = 4;
    return make_graph(s, 77, 0);
  }();
  return g;
}

}  // namespace

TEST_CASE("every model gives bit-identical output at 1, 2 and many threads", "[determinism]") {
  const Graph& g = big_graph();
  REQUIRE(g.n > 4 * kSerialBelow);
  for (const Case& c : cases()) {
    INFO(c.model);
    Trajectory one;
    with_threads(1, [&] { one = test::run(c.model, c.params, g, 1234, 0, c.steps); });
    for (int threads : {2, 16}) {
      Trajectory many;
      with_threads(threads, [&] { many = test::run(c.model, c.params, g, 1234, 0, c.steps); });
      CHECK(many.values == one.values);
    }
    const Trajectory again = test::run(c.model, c.params, g, 1234, 0, c.steps);
    CHECK(again.values == one.values);
    // The run really changed state (guards against comparing two empty results).
    CHECK(one.at(c.steps, 0) != one.at(0, 0));
  }
}

TEST_CASE("push and pull propagation give identical output", "[determinism]") {
  const Graph& g = big_graph();
  for (const Case& c : cases()) {
    INFO(c.model);
    forced_propagation() = PropagationMode::Push;
    const Trajectory push = test::run(c.model, c.params, g, 99, 1, c.steps);
    forced_propagation() = PropagationMode::Pull;
    const Trajectory pull = test::run(c.model, c.params, g, 99, 1, c.steps);
    forced_propagation() = PropagationMode::Auto;
    const Trajectory autom = test::run(c.model, c.params, g, 99, 1, c.steps);
    CHECK(push.values == pull.values);
    CHECK(autom.values == pull.values);
  }
}

TEST_CASE("output is invariant under vertex reordering", "[determinism]") {
  const Graph& g = big_graph();
  // A random relabelling keyed by stable id.
  std::vector<vid> order(g.n);
  std::iota(order.begin(), order.end(), vid(0));
  const rng::Stream s(rng::RunKey(5, 0), 0, 0xABCD);
  std::sort(order.begin(), order.end(), [&](vid a, vid b) { return s.bits(g.id(a)) < s.bits(g.id(b)); });
  std::vector<vid> perm(g.n);
  for (vid i = 0; i < g.n; ++i) perm[order[i]] = i;
  const Graph h = permute(g, perm);
  REQUIRE(h.num_arcs() == g.num_arcs());
  for (const Case& c : cases()) {
    INFO(c.model);
    const Trajectory a = test::run(c.model, c.params, g, 7, 2, c.steps);
    const Trajectory b = test::run(c.model, c.params, h, 7, 2, c.steps);
    CHECK(a.values == b.values);
  }
}

TEST_CASE("Bass on the complete graph is identical at 1 and many threads", "[determinism]") {
  const Graph g = complete_graph(200000);
  const Params p = test::params_for("bass", {{"p", 0.03}, {"q", 0.4}});
  Trajectory one, many;
  with_threads(1, [&] { one = test::run("bass", p, g, 3, 0, 30); });
  with_threads(16, [&] { many = test::run("bass", p, g, 3, 0, 30); });
  CHECK(many.values == one.values);
}
