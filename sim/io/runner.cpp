#include "sim/io/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

#include "sim/core/error.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/parallel.hpp"
#include "sim/io/edgelist.hpp"
#include "sim/io/memory_check.hpp"
#include "sim/io/progress.hpp"

namespace wom {

namespace {

using Clock = std::chrono::steady_clock;

/// Below this many agents a replicate barely uses the block-parallel kernels, so replicates
/// themselves run side by side; above it they run one after another, which also bounds
/// memory to one generated graph at a time.
constexpr std::int64_t kReplicateParallelBelow = 1 << 20;

Graph load_file_graph(const std::string& path, bool directed, bool reverse, BuildReport* report) {
  return load_edge_list(path, directed, reverse, report, nullptr);
}

}  // namespace

std::string iso8601_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
  std::string s = buf;  // ...+0100 → ...+01:00 (ISO-8601 extended form)
  if (s.size() < 5 || (s[s.size() - 5] != '+' && s[s.size() - 5] != '-')) return s;
  return s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2);
}

std::shared_ptr<const GraphCache::Entry> GraphCache::get(const std::string& key,
                                                         const std::function<Graph(GraphInfo*)>& build) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      e = it->second->second;
      ++hits_;
    } else {
      e = std::make_shared<Entry>();
      lru_.emplace_front(key, e);
      index_[key] = lru_.begin();
      ++builds_;
      while (lru_.size() > capacity_) {  // a graph still in use lives on with its users
        index_.erase(lru_.back().first);
        lru_.pop_back();
      }
    }
  }
  std::call_once(e->built, [&] { e->graph = build(&e->info); });
  return e;
}

std::size_t GraphCache::builds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return builds_;
}

std::size_t GraphCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

RunOutput run_scenario(const Scenario& scenario, const RunPlan& plan, const RunOptions& options, EventLog* events) {
  if (!scenario.info) throw Error(fmt::format("{}: no model to run (set 'model')", scenario.source_file));
  // Reference the edge-list reader explicitly: a static library member that nothing names
  // would not be linked, and its self-registration would never run.
  set_edge_list_loader(&load_file_graph);

  RunOutput out;
  out.seed = plan.seed;
  out.replicates = plan.replicates;
  if (out.replicates < 1)
    throw Error(fmt::format("--replicates = {} is out of range: accepted [1, inf)", out.replicates));
  if (plan.first_replicate < 0)
    throw Error(fmt::format("first replicate {} is out of range: accepted [0, inf)", plan.first_replicate));
  const std::int64_t first = plan.first_replicate;
  if (options.threads < 0)
    throw Error(fmt::format("--threads = {} is out of range: accepted 0 (all cores) or more", options.threads));
  out.steps = scenario.steps;
  // A limit above the core count does not add workers: report what the run can use.
  out.threads = options.threads > 0 ? std::min(options.threads, ThreadLimit::hardware()) : ThreadLimit::hardware();
  out.started_at = iso8601_now();
  const auto t0 = Clock::now();

  ThreadLimit limit(options.threads);
  const GraphSpec& spec = scenario.graph;
  const bool side_by_side = spec.generator != "file" && spec.generator != "complete" && out.replicates > 1 &&
                            spec.n < kReplicateParallelBelow && out.threads > 1;
  check_memory(scenario, out.replicates, side_by_side ? std::min<std::int64_t>(out.threads, out.replicates) : 1);
  // A file graph (and the implicit complete graph) does not depend on the replicate: build
  // it once and share it read-only.
  const bool shared = spec.generator == "file" || spec.generator == "complete";
  Graph shared_graph;
  GraphInfo shared_info;
  if (shared) shared_graph = make_graph(spec, out.seed, 0, &shared_info);

  out.results.resize(std::size_t(out.replicates));
  Progress progress(options.progress && ::isatty(STDERR_FILENO), out.replicates * out.steps);
  auto run_one = [&](std::int64_t k) {
    const std::int64_t r = first + k;  // the replicate's number; k its slot
    Graph own;
    GraphInfo info = shared_info;
    std::shared_ptr<const GraphCache::Entry> cached, cached_followers;
    auto key = [&](const char* layer) {
      return fmt::format("{} {} {} {}", layer, scenario.resolved.value(layer, nlohmann::ordered_json()).dump(),
                         out.seed, r);
    };
    if (!shared && options.graphs) {
      cached = options.graphs->get(key("graph"),
                                   [&](GraphInfo* i) { return make_graph(spec, out.seed, std::uint64_t(r), i); });
      info = cached->info;
    } else if (!shared) {
      own = make_graph(spec, out.seed, std::uint64_t(r), &info);
    }
    const Graph& g = shared ? shared_graph : cached ? cached->graph : own;
    if (k == 0 && scenario.info->graph_warnings) out.warnings = scenario.info->graph_warnings(scenario.params, g);
    // The follower layer: its own draws (seed salted), the same agents as the graph.
    Graph own_followers;
    const std::uint64_t follower_seed = out.seed ^ 0xF011'0E55'F011'0E55ULL;
    if (scenario.followers && options.graphs)
      cached_followers = options.graphs->get(key("followers"), [&](GraphInfo*) {
        return make_graph(*scenario.followers, follower_seed, std::uint64_t(r));
      });
    else if (scenario.followers)
      own_followers = make_graph(*scenario.followers, follower_seed, std::uint64_t(r));
    const Graph& followers = cached_followers ? cached_followers->graph : own_followers;
    const ReplicatePlan plan{out.seed, std::uint64_t(r), scenario.steps,
                             scenario.info->step_in_days ? scenario.step_days : scenario.dt};
    ReplicateResult& res = out.results[std::size_t(k)];
    RunHooks hooks;  // the event log follows the first replicate only (one writer, no interleaving)
    hooks.events = events;
    res.trajectory = run_model(
        *scenario.info, scenario.params, g, plan, [&](std::int64_t, std::int64_t) { progress.tick(); },
        scenario.followers ? &followers : nullptr, k == 0 && events ? &hooks : nullptr);
    res.replicate = std::uint64_t(r);
    res.graph = std::move(info);
    res.population = g.n;
    res.arcs = g.num_arcs();
    res.directed = g.directed;
  };

  const std::int64_t n = shared ? std::int64_t(shared_graph.n) : spec.n;
  if (out.replicates > 1 && n < kReplicateParallelBelow && out.threads > 1) {
    // Each replicate writes only its own slot; results do not depend on scheduling.
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, out.replicates, 1),
                      [&](const tbb::blocked_range<std::int64_t>& range) {
                        for (std::int64_t r = range.begin(); r < range.end(); ++r) run_one(r);
                      });
  } else {
    for (std::int64_t r = 0; r < out.replicates; ++r) run_one(r);
  }
  out.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

}  // namespace wom
