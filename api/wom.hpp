#pragma once
/// wom's public facade: the few calls every front end makes — the `wom` command, and the sweep
/// engine and Python module to come. Front ends include this header for everything that runs
/// a scenario (the CLI's `wom graph stats` also uses the engine's graph tools directly).
///
/// Describe, then run:
///  - a **Scenario** is what to simulate (model, validated parameters, graph and follower specs,
///    time). `load_scenario` / `load_config` read one from a config file; `override` derives a
///    changed one. It is immutable: no run changes it.
///  - a **RunPlan** is which runs of it: seed, replicates, overrides. A list of plans is a sweep.
///    A config file names its own plan; a front end changes it with a `PlanChoice`.
///  - **RunOptions** are how to run: threads, output folder, report, progress, event log. None
///    changes a result. The facade prints nothing (warnings come back in the results), so
///    being quiet is the front end's choice.
///
/// Results are bit-identical for the same scenario and plan at any thread count. Every call
/// throws wom::Error with a message that names the file, line, key or flag at fault and what is
/// accepted; nothing half-written is left behind (an output folder appears whole or not at all).
#include <string>
#include <vector>

#include "app/compare.hpp"
#include "app/cost.hpp"
#include "app/report.hpp"
#include "sim/core/error.hpp"
#include "sim/io/config.hpp"
#include "sim/io/plan.hpp"
#include "sim/io/runner.hpp"
#include "sweep/sweep.hpp"

namespace wom {

// Loading (sim/io/config.hpp): load_config(path, overrides) → Config {scenario, plan,
// output_dir}; load_scenario(path, overrides) → Scenario; override(scenario, overrides) →
// Scenario; config_from_yaml_text / scenario_from_yaml_text for text.

/// Registers the built-in models (idempotent). Every call below does it; call it before
/// reading the registry yourself.
void init();

/// What `run` produced: the run itself and the files written (empty without an output folder).
struct RunResult {
  RunOutput output;
  std::vector<std::string> written;
};

/// Runs `plan` on `scenario` (the plan's overrides applied first). With `options.output_dir`,
/// checks the folder before running and writes summary.json, timeseries.csv, config.yaml (and
/// report.html with `options.report`) as that folder; with `options.events`, writes the who-told-whom log
/// of the first replicate. `command` is recorded in the provenance.
RunResult run(const Scenario& scenario, const RunPlan& plan, const RunOptions& options,
              const std::vector<std::string>& command = {});

/// What `compare` produced.
struct CompareResult {
  Comparison comparison;
  std::vector<std::string> written;
};

/// Loads the what-ifs of `request` (config files, or one config and a --vary) and compares
/// them on common random numbers: one plan, the baseline's with `choice` applied. With
/// `options.output_dir`, writes compare.csv, compare.json (and report.html) as that folder.
CompareResult compare(const CompareRequest& request, const PlanChoice& choice, const RunOptions& options,
                      const std::vector<std::string>& command = {});
/// The same for what-ifs already loaded (`load_whatifs`); `vary_key` labels a --vary comparison.
CompareResult compare(std::vector<WhatIf> whatifs, const PlanChoice& choice, const RunOptions& options,
                      const std::string& vary_key = {}, const std::vector<std::string>& command = {});

/// What `cost` produced: the priced events, cost.json as written, and the files written.
struct CostResult {
  CostOutput output;
  nlohmann::ordered_json document;
  std::vector<std::string> written;
};

/// Prices the model's cost question (Offers::cost) on `scenario` in the replicates of `plan`.
/// With `options.output_dir`, writes cost.json, cost_events.csv (and report.html) as that folder.
CostResult cost(const Scenario& scenario, const RunPlan& plan, const CostOptions& cost_options,
                const RunOptions& options, const std::vector<std::string>& command = {});

/// Runs or resumes the sweep of a spec file (sweep/spec.hpp) into `options.out`
/// (sweep/sweep.hpp: the folder's layout, seeds, resume, shards).
sweep::SweepRun run_sweep(const std::string& spec_path, const sweep::SweepOptions& options);
/// Checks a sweep spec and every point, prepares its folder, and returns the pending points
/// (for a front end that deals them out itself, e.g. an MPI manager).
std::vector<std::int64_t> prepare_sweep_points(const std::string& spec_path, const sweep::SweepOptions& options);
/// Where the sweep in `dir` stands (all writers), without changing it.
sweep::SweepStatus sweep_status(const std::string& dir);
/// Merges the writers' rows of the sweep in `dir` into results.csv and results.jsonl.
std::vector<std::string> collect_sweep(const std::string& dir);
/// Sensitivity indices of the sobol or morris sweep in `dir` (sensitivity.csv); the ranking as text.
std::string analyze_sweep(const std::string& dir, std::vector<std::string>* written = nullptr);

}  // namespace wom
