#pragma once
/// Runs every replicate of a scenario: builds each replicate's graph, steps the model and
/// collects the trajectories (STYLE.md: scenario, run plan and run options kept apart).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/io/config.hpp"

namespace wom {

/// How to run, as opposed to what (the Scenario). None of these changes any result.
struct RunOptions {
  int threads = 0;                         ///< worker threads; 0 = all cores
  std::optional<std::int64_t> replicates;  ///< overrides the scenario's `replicates`
  std::optional<std::uint64_t> seed;       ///< overrides the scenario's `seed`
  bool progress = false;       ///< progress bar with ETA on stderr (only if stderr is a terminal and the run is long)
  EventLog* events = nullptr;  ///< who-told-whom log (`--events`) of replicate 0; null: none
};

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

/// Runs replicates 0..R-1 of the scenario. Replicate r uses the graph make_graph(spec, seed,
/// r) — built once and shared when it does not depend on the replicate (generator `file` or
/// `complete`) — and the run plan {seed, r, steps, dt}. Results do not depend on `threads`.
/// Throws wom::Error (from graph building or the model) naming what failed.
RunOutput run_scenario(const Scenario& scenario, const RunOptions& options);

/// The local time now as ISO-8601 with UTC offset, e.g. "2025-01-31T14:05:09+01:00".
std::string iso8601_now();

}  // namespace wom
