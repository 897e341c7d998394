#include "bench/suite/cases.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/wom.hpp"
#include "bench/suite/temp_dir.hpp"
#include "sim/core/error.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"
#include "sim/core/rng.hpp"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define WOM_CALLGRIND_ZERO() CALLGRIND_ZERO_STATS
#define WOM_CALLGRIND_DUMP() CALLGRIND_DUMP_STATS_AT("wom-bench-region")
#else
#define WOM_CALLGRIND_ZERO() ((void)0)
#define WOM_CALLGRIND_DUMP() ((void)0)
#endif

#ifndef WOM_SOURCE_DATA_DIR
#define WOM_SOURCE_DATA_DIR ""
#endif

namespace wom::bench {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

/// The measured region: wall time, and (under callgrind) its instructions alone.
class Region {
 public:
  Region() {
    WOM_CALLGRIND_ZERO();
    start_ = std::chrono::steady_clock::now();
  }
  double stop() {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    WOM_CALLGRIND_DUMP();
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

bool is_short(const CaseInput& in) { return in.size == Size::Short; }

Scenario scenario(const std::string& yaml, const std::string& name) {
  init();
  return scenario_from_yaml_text(yaml, name);
}

Graph build(const Scenario& sc) { return make_graph(sc.graph, 1, 0); }

/// Barabási–Albert, m = 5, seed 1: the kernels' graph (2·10⁵ persons short, 10⁶ full).
Scenario ba_scenario(const CaseInput& in, const std::string& model_and_params) {
  const long n = in.persons > 0 ? in.persons : is_short(in) ? 200'000 : 1'000'000;
  return scenario(fmt::format("{}\ngraph: {{generator: barabasi_albert, n: {}, m: 5}}\n", model_and_params, n),
                  "<bench>");
}

/// A share of the agents, drawn by id (the same set at any thread count).
std::vector<vid> sample(const Graph& g, double share) {
  const rng::Stream s(rng::RunKey(3, 0), 0, 1);
  std::vector<vid> out;
  for (vid v = 0; v < g.n; ++v)
    if (s.uniform(g.id(v)) < share) out.push_back(v);
  return out;
}

const char* kSir = "model: sir\ntime: {steps: 100000}\nparams: {beta: 0.05, gamma: 0.1, initial: {fraction: 0.01}}";

Scenario kernel_graph(const CaseInput& in) { return ba_scenario(in, kSir); }

json graph_facts(const Graph& g) { return json{{"persons", g.n}, {"arcs", g.num_arcs()}}; }

CaseResult pull_counts(const CaseInput& in) {
  const Graph g = build(kernel_graph(in));
  std::vector<std::uint8_t> is(g.n, 0);
  for (vid v : sample(g, 0.1)) is[v] = 1;
  NeighborCounts c;
  c.resize(g.n);
  const int reps = 40;
  CaseResult r;
  with_threads(in.threads, [&] {
    Region region;
    for (int i = 0; i < reps; ++i) c.recompute(g, [&](vid u) { return is[u] != 0; });
    r.seconds = region.stop();
  });
  r.work = double(reps) * double(g.num_arcs());
  r.facts = graph_facts(g);
  r.facts["repetitions"] = reps;
  return r;
}

CaseResult push_counts(const CaseInput& in) {
  const Graph g = build(kernel_graph(in));
  const auto act = sample(g, 0.1);
  NeighborCounts c;
  c.resize(g.n);
  const int reps = 40;
  CaseResult r;
  with_threads(in.threads, [&] {
    Region region;
    for (int i = 0; i < reps; ++i) c.apply(g, act, {});
    r.seconds = region.stop();
  });
  r.work = double(reps) * double(out_volume(g, act));
  r.facts = graph_facts(g);
  r.facts["pushers"] = act.size();
  r.facts["repetitions"] = reps;
  return r;
}

CaseResult spread_generation(const CaseInput& in) {
  const Graph g = build(kernel_graph(in));
  const auto frontier = sample(g, 0.01);
  const rng::Stream s(rng::RunKey(1, 0), 0, 2);
  SpreadScratch sc;
  const int reps = 100;
  std::size_t reached = 0;
  CaseResult r;
  with_threads(in.threads, [&] {
    Region region;
    for (int i = 0; i < reps; ++i)
      reached += spread(
                     g, frontier, [](vid) { return true; }, s, rng::threshold(0.1), std::uint64_t(i), sc)
                     .size();
    r.seconds = region.stop();
  });
  r.work = double(reps) * double(out_volume(g, frontier));
  r.facts = graph_facts(g);
  r.facts["frontier"] = frontier.size();
  r.facts["reached"] = reached;
  r.facts["repetitions"] = reps;
  return r;
}

/// One model run on a graph built beforehand: agent-steps = persons × steps computed.
CaseResult model_run(const CaseInput& in, const Scenario& sc, std::int64_t replicates = 1) {
  const Graph g = build(sc);
  std::int64_t steps = 0;
  CaseResult r;
  with_threads(in.threads, [&] {
    Region region;
    for (std::int64_t rep = 0; rep < replicates; ++rep)
      steps += run_model(*sc.info, sc.params, g, ReplicatePlan{1, std::uint64_t(rep), sc.steps, sc.dt}).steps_computed;
    r.seconds = region.stop();
  });
  r.work = double(steps) * double(g.n);
  r.facts = graph_facts(g);
  r.facts["steps_computed"] = steps;
  r.facts["replicates"] = replicates;
  return r;
}

CaseResult sir_ba(const CaseInput& in) { return model_run(in, ba_scenario(in, kSir)); }

/// The real graph: SNAP's ego-Facebook (data/README.md), 4,039 persons, 88,234 friendships.
CaseResult sir_facebook(const CaseInput& in) {
  const fs::path file = fs::path(in.data_dir) / "facebook_combined.txt";
  if (in.data_dir.empty() || !fs::exists(file))
    throw Error(fmt::format("sir.facebook needs {} (give the repository's data/ with --data)", file.string()));
  const Scenario sc =
      scenario(fmt::format("{}\ngraph: {{generator: file, path: {}}}\n", kSir, json(file.string()).dump()), "<bench>");
  return model_run(in, sc, is_short(in) ? 40 : 200);
}

/// The default scenario's world (Holme–Kim m = 8, triad 0.5) at `n` persons for `steps` days.
std::string service_world(long n, long steps) {
  return fmt::format(
      "model: service_wom\ntime: {{steps: {}, step_days: 1}}\n"
      "graph: {{generator: holme_kim, n: {}, m: 8, triad: 0.5}}\nparams: {{economics: {{currency: \"$\"}}}}\n",
      steps, n);
}

CaseResult service_year(const CaseInput& in) {
  const long n = in.persons > 0 ? in.persons : is_short(in) ? 100'000 : 1'000'000;
  return model_run(in, scenario(service_world(n, 365), "<bench>"));
}

CaseResult cost_default(const CaseInput& in) {
  const bool s = is_short(in);
  const Scenario sc = scenario(service_world(s ? 20'000 : 100'000, s ? 365 : 730), "<bench>");
  CostOptions co;
  co.focal = s ? 20 : 100;
  RunPlan plan;
  plan.replicates = s ? 1 : 2;
  RunOptions opt;
  opt.threads = in.threads;
  CaseResult r;
  Region region;
  const CostResult out = cost(sc, plan, co, opt);
  r.seconds = region.stop();
  r.work = double(co.focal * plan.replicates);
  r.facts = json{{"persons", sc.graph.n}, {"steps", sc.steps}, {"replicates", plan.replicates}, {"focal", co.focal}};
  return r;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f.flush()) throw Error(fmt::format("cannot write {}", p.string()));
}

CaseResult small_sweep(const CaseInput& in) {
  const bool s = is_short(in);
  const long points = s ? 8 : 24;
  const long replicates = 2;
  TempDir dir;
  write_text(dir.path() / "base.yaml", service_world(s ? 10'000 : 50'000, s ? 180 : 365));
  write_text(dir.path() / "spec.yaml", fmt::format("base: base.yaml\nseed: 1\ndesign: lhs\npoints: {}\nreplicates: {}\n"
                                                   "vary:\n  params.policy.acknowledge_rate: {{min: 0.0, max: 1.0}}\n"
                                                   "  params.talk.negativity_bias: {{min: 0.5, max: 2.0, log: true}}\n"
                                                   "metrics: [npv, customers_end]\n",
                                                   points, replicates));
  sweep::SweepOptions opt;
  opt.out = (dir.path() / "out").string();
  opt.threads = in.threads;
  CaseResult r;
  Region region;
  wom::run_sweep((dir.path() / "spec.yaml").string(), opt);
  r.seconds = region.stop();
  r.work = double(points * replicates);
  r.facts = json{{"points", points}, {"replicates", replicates}};
  return r;
}

}  // namespace

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"kernels.pull", "neighbour counts by a full pull over in-arcs, 10 % active, Barabási–Albert m = 5", "arcs",
       pull_counts},
      {"kernels.push", "neighbour counts pushed from 10 % of agents along their out-arcs", "arcs", push_counts},
      {"kernels.spread", "one independent-cascade generation from 1 % of agents (T = 0.1)", "arcs", spread_generation},
      {"sir.ba", "a whole SIR epidemic (β 0.05, γ 0.1, 1 % infected) on Barabási–Albert m = 5", "agent-steps", sir_ba},
      {"sir.facebook", "SIR epidemics on a real graph: SNAP ego-Facebook (4,039 persons, 88,234 friendships)",
       "agent-steps", sir_facebook},
      {"service_wom.year", "a year of service_wom defaults on the default world (Holme–Kim m = 8, triad 0.5)",
       "agent-steps", service_year},
      {"cost.default", "wom cost of the default scenario: arguing priced through causal cones", "focal events",
       cost_default},
      {"sweep.small", "a Latin-hypercube sweep of two service_wom levers, 2 replicates a point", "rows", small_sweep},
  };
  return all;
}

const Case* find_case(const std::string& name) {
  for (const Case& c : cases())
    if (c.name == name) return &c;
  return nullptr;
}

std::string default_data_dir() {
  const auto holds = [](const fs::path& d) { return fs::exists(d / "facebook_combined.txt"); };
  if (const char* env = std::getenv("WOM_DATA_DIR"); env && *env) return env;
  if (holds("data")) return fs::absolute("data").string();
  if (holds(WOM_SOURCE_DATA_DIR)) return WOM_SOURCE_DATA_DIR;
  return "";
}

}  // namespace wom::bench
