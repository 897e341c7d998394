#include <catch2/catch.hpp>

#include "sim/core/generators.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"

using namespace wom;

namespace {
Graph ba(vid n, int m) {
  GraphSpec s;
  s.generator = "barabasi_albert";
  s.n = n;
  s.m = m;
  return make_graph(s, 1, 0);
}
std::vector<vid> pick(const Graph& g, double share, std::uint64_t salt) {
  const rng::Stream s(rng::RunKey(salt, 0), 0, 1);
  std::vector<vid> out;
  for (vid v = 0; v < g.n; ++v)
    if (s.uniform(g.id(v)) < share) out.push_back(v);
  return out;
}
}  // namespace

TEST_CASE("neighbour counts by push equal counts by pull", "[propagate]") {
  const Graph g = ba(60000, 5);
  for (double share : {0.001, 0.02, 0.3}) {
    const auto act = pick(g, share, 1);
    std::vector<std::uint8_t> is(g.n, 0);
    for (vid v : act) is[v] = 1;
    NeighborCounts push, pull;
    push.resize(g.n);
    pull.resize(g.n);
    push.apply(g, act, {});
    pull.recompute(g, [&](vid u) { return is[u] != 0; });
    CHECK((push.counts() == pull.counts()).all());
    // Deactivate half again by push: equals a fresh pull.
    std::vector<vid> off;
    for (std::size_t i = 0; i < act.size(); i += 2) {
      off.push_back(act[i]);
      is[act[i]] = 0;
    }
    with_threads(2, [&] { push.apply(g, {}, off); });
    pull.recompute(g, [&](vid u) { return is[u] != 0; });
    CHECK((push.counts() == pull.counts()).all());
  }
}

TEST_CASE("one cascade generation reaches the same agents by push and by pull", "[propagate]") {
  const Graph g = ba(50000, 4);
  const rng::Stream s(rng::RunKey(9, 0), 0, 77);
  for (double share : {0.0005, 0.01, 0.2}) {
    const auto frontier = pick(g, share, 2);
    std::vector<std::uint8_t> blocked(g.n, 0);
    for (vid v : pick(g, 0.3, 3)) blocked[v] = 1;
    auto eligible = [&](vid v) { return !blocked[v]; };
    SpreadScratch a, b;
    forced_propagation() = PropagationMode::Push;
    const auto push = spread(g, frontier, eligible, s, rng::threshold(0.2), 0, a);
    forced_propagation() = PropagationMode::Pull;
    const auto pull = spread(g, frontier, eligible, s, rng::threshold(0.2), 0, b);
    forced_propagation() = PropagationMode::Auto;
    CHECK(push == pull);
    CHECK(!push.empty());
    CHECK(std::is_sorted(push.begin(), push.end()));
    for (vid v : push) CHECK(eligible(v));
  }
}

TEST_CASE("a cascade with transmission 1 reaches the seed's whole out-component", "[propagate]") {
  GraphSpec spec;
  spec.generator = "erdos_renyi";
  spec.n = 20000;
  spec.mean_degree = 1.5;  // directed, sparse: out-components of all sizes
  spec.directed = true;
  const Graph g = make_graph(spec, 3, 0);
  const rng::Stream s(rng::RunKey(1, 0), 0, 5);
  std::vector<std::uint8_t> in_cascade;
  SpreadScratch sc;
  const vid seed = g.n - 1;
  const auto res = cascade(
      g, std::vector<vid>{seed}, [](vid) { return true; }, s, rng::threshold(1.0), 0, sc, in_cascade);
  // BFS by hand.
  std::vector<std::uint8_t> seen(g.n, 0);
  std::vector<vid> q{seed};
  seen[seed] = 1;
  for (std::size_t i = 0; i < q.size(); ++i)
    for (vid v : g.out(q[i]))
      if (!seen[v]) {
        seen[v] = 1;
        q.push_back(v);
      }
  CHECK(res.reached.size() + 1 == q.size());
  std::uint64_t total = 0;
  for (auto x : res.generation) total += x;
  CHECK(total == q.size());
}
