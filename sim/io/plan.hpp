#pragma once
/// Describe, then run: what to simulate is a `Scenario` (sim/io/config.hpp, validated once and
/// immutable); which runs of it is a `RunPlan`; how to run them is `RunOptions`. A config file
/// names all three (`Config`); front ends change the plan with a `PlanChoice` and the options
/// with their flags. A list of run plans of one scenario is a sweep.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wom {

class GraphCache;  // sim/io/runner.hpp

/// Which runs of a scenario: replicates first_replicate .. first_replicate + replicates − 1 of
/// seed `seed`, after `overrides` (`key=value`, as `--set`) are applied to the scenario.
/// Replicate r of a plan is the same run whatever else the plan holds (its graph, population
/// and every draw depend on (seed, r) only).
struct RunPlan {
  std::uint64_t seed = 1;              ///< `seed`
  std::int64_t replicates = 1;         ///< `replicates`
  std::int64_t first_replicate = 0;    ///< the first replicate's number
  std::vector<std::string> overrides;  ///< applied to the scenario before running (wom::override)
};

/// What a front end asks of a plan: each field given replaces the config file's.
struct PlanChoice {
  std::optional<std::uint64_t> seed;       ///< `--seed`
  std::optional<std::int64_t> replicates;  ///< `--replicates`
  RunPlan applied_to(RunPlan plan) const {
    if (seed) plan.seed = *seed;
    if (replicates) plan.replicates = *replicates;
    return plan;
  }
};

/// How to run, as opposed to what and which: none of these changes any result.
struct RunOptions {
  int threads = 0;         ///< worker threads; 0 = all cores
  std::string output_dir;  ///< write the outputs as this folder (empty: none)
  bool force = false;      ///< replace output_dir if it is a wom output folder
  bool report = false;     ///< also write report.html into output_dir
  bool progress = false;   ///< progress bar with ETA on stderr (only on a terminal and for a long run)
  std::string events;      ///< who-told-whom log of replicate 0 (`--events` CSV path; empty: none)
  /// Generated graphs shared across runs (a sweep's points that vary no graph key); null:
  /// each run builds its own. A graph is a pure function of its spec, seed and replicate.
  std::shared_ptr<GraphCache> graphs;
  // No `quiet`: nothing below the front ends prints; warnings come back in the results.
};

}  // namespace wom
