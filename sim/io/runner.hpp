#pragma once
/// Runs the replicates of a run plan: builds each replicate's graph, steps the model and
/// collects the trajectories (what: the Scenario; which: the RunPlan; how: the RunOptions).
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/io/config.hpp"
#include "sim/io/plan.hpp"

namespace wom {

/// One replicate's graph and trajectory.
struct ReplicateResult {
  std::uint64_t replicate = 0;
  Trajectory trajectory;
  GraphInfo graph;     ///< description and what building dropped
  vid population = 0;  ///< agents (graph.n): the denominator of fractions
  eid arcs = 0;        ///< stored arcs (n(n-1) for the implicit complete graph)
  bool directed = false;
};

/// Everything a run produced, plus what provenance needs.
struct RunOutput {
  std::uint64_t seed = 1;       ///< effective seed
  std::int64_t replicates = 1;  ///< effective replicate count
  std::int64_t steps = 0;
  int threads = 0;                       ///< worker threads the run could use
  double wall_seconds = 0;               ///< graph building and simulation, all replicates
  std::string started_at;                ///< local time, ISO-8601 with offset
  std::vector<ReplicateResult> results;  ///< in replicate order
  std::vector<std::string> warnings;     ///< the model's warnings about the graph (replicate 0)
};

/// Generated graphs built once and shared read-only by the runs that ask for the same one (the
/// same graph spec, seed and replicate), keeping the `capacity` most recently used. Safe to
/// use from parallel runs: a graph asked for twice at once is built once.
class GraphCache {
 public:
  struct Entry {
    Graph graph;
    GraphInfo info;
    std::once_flag built;
  };
  explicit GraphCache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}
  /// The graph named `key`, built by `build` on first use.
  std::shared_ptr<const Entry> get(const std::string& key, const std::function<Graph(GraphInfo*)>& build);
  std::size_t builds() const;  ///< graphs built so far
  std::size_t hits() const;    ///< requests served from the cache

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::pair<std::string, std::shared_ptr<Entry>>> lru_;  // most recent first
  std::map<std::string, decltype(lru_)::iterator> index_;
  std::size_t builds_ = 0, hits_ = 0;
};

/// Runs replicates first..first+R-1 of the plan (its overrides must already be applied: see
/// wom::run). Replicate r uses the graph make_graph(spec, seed, r) — built once and shared when
/// it does not depend on the replicate (generator `file` or `complete`) — and the replicate plan
/// {seed, r, steps, dt}. Results do not depend on `options.threads`; `events` (or null) logs
/// who told whom in the plan's first replicate. Throws wom::Error (from graph building or the
/// model) naming what failed.
RunOutput run_scenario(const Scenario& scenario, const RunPlan& plan, const RunOptions& options,
                       EventLog* events = nullptr);

/// The local time now as ISO-8601 with UTC offset, e.g. "2025-01-31T14:05:09+01:00".
std::string iso8601_now();

}  // namespace wom
