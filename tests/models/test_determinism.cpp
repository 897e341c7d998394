// Results are bit-identical at any thread count, across repeated runs, under vertex
// reordering and whichever propagation direction (push or pull) is taken.
//
// The cases come from the model registry: every registered model runs with its defaults,
// plus the parameter variants listed in extras(), so a newly registered model cannot be
// left out of these checks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"
#include "sim/core/rng.hpp"
#include "tests/support/run.hpp"

using namespace wom;

namespace {

struct Case {
  std::string model;
  std::string label;  ///< "defaults" or the variant's parameters, for failure messages
  Params params;
  std::int64_t steps;
  double dt;
};

using KeyValues = std::vector<std::pair<std::string, ParamValue>>;

struct Variant {
  KeyValues kv;
  std::int64_t steps = 0;  ///< 0: the model's default number of steps (default_steps)
  double dt = 1.0;         ///< step length: time.dt, or time.step_days for step_in_days models
};

/// What a model's cases add to its defaults, keyed by model name.
struct Extra {
  /// Set on top of the defaults for the defaults case only: for models whose defaults alone
  /// do not validate (a choice between optional keys, e.g. sir's gamma or infectious_steps).
  KeyValues complete;
  /// Parameter variants run in addition, each on top of the bare defaults.
  std::vector<Variant> variants;
};

/// A key that names no registered model fails the tests (cases() throws) rather than being
/// skipped; a registered model missing here still runs with its defaults.
const std::map<std::string, Extra>& extras() {
  static const std::map<std::string, Extra> e = {
      // The defaults case (beta = 0.05 by default) with gamma = 0.1 covers the geometric
      // recovery; the variant covers the fixed infectious period.
      {"sir", {{{"gamma", 0.1}}, {{{{"beta", 0.05}, {"infectious_steps", std::int64_t(5)}}, 60}}}},
      {"independent_cascade",
       {{},
        {{{{"transmission", 0.3}, {"initial.count", std::int64_t(50)}}, 60},
         {{{"transmission", 0.3}, {"initial.count", std::int64_t(50)}, {"within_step", true}}, 5}}}},
      {"linear_threshold",
       {{},
        {{{{"threshold", 0.15}, {"initial.fraction", 0.02}}, 60},
         {{{"random_thresholds", true}, {"initial.fraction", 0.05}}, 60}}}},
      {"bass", {{}, {{{{"p", 0.01}, {"q", 0.5}}, 60}}}},
      // Daily steps (the defaults case) see few tweets and cascades in 120 steps; weekly steps
      // reach every channel (tweets, retweets, winbacks, remedies) many times over.
      {"service_wom", {{}, {{{}, 120, 7.0}}}},
  };
  return e;
}

/// Steps of a model's cases on the big graph: models with per-year rates step in days (one
/// day a step in the defaults case), and four months keep the 120,000-person runs quick.
std::int64_t default_steps(const ModelInfo& info) { return info.step_in_days ? 120 : 60; }

std::string describe(const KeyValues& kv) {
  std::ostringstream s;
  for (const auto& [k, v] : kv) {
    if (s.tellp() > 0) s << ", ";
    s << k << '=';
    std::visit([&](const auto& x) { s << std::boolalpha << x; }, v);
  }
  return s.str();
}

/// The model's defaults plus `kv`, validated (test::params_for with a run-time list).
Params with(const ModelInfo& info, const KeyValues& kv) {
  Params p = default_params(info.params);
  for (const auto& [k, v] : kv) p.set(k, v);
  if (info.check) info.check(p);
  return p;
}

std::vector<Case> cases() {
  register_models();
  const Registry& reg = Registry::instance();
  for (const auto& [name, extra] : extras())
    if (!reg.find(name))
      throw std::logic_error("test_determinism: extras() lists model '" + name +
                             "', which is not registered: remove or rename its entry");
  std::vector<Case> out;
  for (const ModelInfo& info : reg.all()) {
    const auto it = extras().find(info.name);
    const Extra none;
    const Extra& extra = it == extras().end() ? none : it->second;
    out.push_back({info.name, extra.complete.empty() ? "defaults" : "defaults, " + describe(extra.complete),
                   with(info, extra.complete), default_steps(info), 1.0});
    for (const Variant& v : extra.variants) {
      std::string label = v.kv.empty() ? "defaults" : describe(v.kv);
      if (v.dt != 1.0) label += ", " + describe({{info.step_in_days ? "step_days" : "dt", v.dt}});
      out.push_back({info.name, label, with(info, v.kv), v.steps > 0 ? v.steps : default_steps(info), v.dt});
    }
  }
  return out;
}

/// True when some observable at the last step differs from step 0: the run really changed
/// state (guards against comparing two empty or frozen results).
bool changed(const Trajectory& tr) {
  const std::size_t w = tr.columns.size();
  if (w == 0 || tr.rows() < 2) return false;
  const auto first = tr.values.begin(), last = tr.values.end() - std::ptrdiff_t(w);
  return !std::equal(first, first + std::ptrdiff_t(w), last);
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

Trajectory run(const Case& c, const Graph& g, std::uint64_t seed, std::uint64_t rep) {
  return test::run(c.model, c.params, g, seed, rep, c.steps, c.dt);
}

}  // namespace

TEST_CASE("every registered model is covered by the determinism cases", "[determinism]") {
  const std::vector<Case> all = cases();
  std::set<std::string> covered;
  for (const Case& c : all) covered.insert(c.model);
  CHECK(covered.size() == Registry::instance().all().size());
  for (const ModelInfo& info : Registry::instance().all()) {
    INFO(info.name);
    CHECK(covered.count(info.name) == 1);
  }
  for (const auto& [name, extra] : extras()) {
    INFO(name);
    CHECK(Registry::instance().find(name) != nullptr);
  }
}

TEST_CASE("every model gives bit-identical output at 1, 2 and many threads", "[determinism]") {
  const Graph& g = big_graph();
  REQUIRE(g.n > 4 * kSerialBelow);
  for (const Case& c : cases()) {
    INFO(c.model << " (" << c.label << "), " << c.steps << " steps");
    Trajectory one;
    with_threads(1, [&] { one = run(c, g, 1234, 0); });
    for (int threads : {2, 16}) {
      INFO(threads << " threads");
      Trajectory many;
      with_threads(threads, [&] { many = run(c, g, 1234, 0); });
      CHECK(many.values == one.values);
    }
    const Trajectory again = run(c, g, 1234, 0);
    CHECK(again.values == one.values);
    // The run really changed state (guards against comparing two empty results).
    CHECK(changed(one));
  }
}

TEST_CASE("push and pull propagation give identical output", "[determinism]") {
  const Graph& g = big_graph();
  for (const Case& c : cases()) {
    INFO(c.model << " (" << c.label << "), " << c.steps << " steps");
    forced_propagation() = PropagationMode::Push;
    const Trajectory push = run(c, g, 99, 1);
    forced_propagation() = PropagationMode::Pull;
    const Trajectory pull = run(c, g, 99, 1);
    forced_propagation() = PropagationMode::Auto;
    const Trajectory autom = run(c, g, 99, 1);
    CHECK(push.values == pull.values);
    CHECK(autom.values == pull.values);
    CHECK(changed(pull));
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
    INFO(c.model << " (" << c.label << "), " << c.steps << " steps");
    const Trajectory a = run(c, g, 7, 2);
    const Trajectory b = run(c, h, 7, 2);
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
