#pragma once
/// Scenario files: YAML → a validated, immutable `Scenario` (docs/design.md §2, §7).
///
/// A config is read once, merged with the files it `extends:` and with `--set key=value`
/// overrides, then checked key by key against the engine keys and the chosen model's
/// `ParamSpec`s. Every problem is reported as a `wom::Error` naming the file and line (or the
/// `--set` argument), the full dotted key and the accepted form; all problems of a config are
/// reported together rather than one per run.
///
/// Merge rules:
/// - `extends: base.yaml` (or a list of files) names parents, relative to the extending file;
///   parents merge first, in list order, and the extending file's keys win. Maps merge key by
///   key (deep); any other value (scalar, list) replaces the parent's whole.
/// - A null value (`key: ~`, `key: null`, or `--set key=`) unsets the key, so a child can drop
///   a parent's choice (e.g. `params.initial.fraction: ~` before giving `initial.count`).
/// - A dotted key in a file (`initial.fraction: 0.01`) means the nested key, as in `--set`.
/// - `--set key=value` applies after all files; `value` is parsed as YAML (scalar or flow
///   collection, e.g. `graph.blocks=[500,500]`).
///
/// Relative data paths (`graph.path`, `graph.degree.file`, `output.dir`) resolve against the
/// folder of the file that set them; paths given with `--set` resolve against the working
/// directory, as the shell that typed them would.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/graph_spec.hpp"
#include "sim/core/model.hpp"
#include "sim/core/params.hpp"
#include "sim/io/plan.hpp"

namespace wom {

/// What to simulate, fully resolved and validated: the model and its parameters, the graph
/// and follower specs, time. Build it with `load_scenario` (or `load_config`); it is read-only
/// afterwards (every consumer takes `const Scenario&`, and no run changes it): a change is a
/// new scenario (`override`). Which runs (seed, replicates) is a RunPlan; how, RunOptions.
struct Scenario {
  std::string model;                   ///< registered model name
  const ModelInfo* info = nullptr;     ///< the model's description (registry-owned)
  Params params;                       ///< every parameter with a default, plus those given
  GraphSpec graph;                     ///< data paths already resolved to absolute paths
  std::optional<GraphSpec> followers;  ///< `followers:` layer (tweets), same keys as `graph:`
  std::int64_t steps = 100;            ///< `time.steps`
  double dt = 1.0;                     ///< `time.dt`: step length in the model's time unit (ReplicatePlan.dt)
  double step_days = 1.0;              ///< `time.step_days`: calendar days per step
  std::string source_file;             ///< the config file as named by the user
  std::string source_text;             ///< its text as read (`override` reloads it with more `--set`)
  bool graph_only = false;             ///< loaded with LoadOptions::graph_only
  std::vector<std::string> files;      ///< every file read, parents first
  std::vector<std::string> overrides;  ///< the `--set` arguments, in order
  std::vector<std::string> warnings;   ///< non-fatal notes (e.g. keys the generator ignores)
  /// The resolved config (defaults filled in, paths absolute) as a JSON object with the same
  /// layout as a config file; written to provenance and re-runnable as YAML.
  nlohmann::ordered_json resolved;
};

/// A config file: what to simulate (the scenario), which runs (its `seed` and `replicates`)
/// and where the outputs of `wom run` go (`output.dir`, absolute; empty when not given).
struct Config {
  Scenario scenario;
  RunPlan plan;
  std::string output_dir;
};

/// What to validate. `graph_only` checks the engine keys and builds the graph spec but not
/// `model`/`params` (used by `wom graph stats CONFIG`).
struct LoadOptions {
  bool graph_only = false;
};

/// Reads a config file, follows `extends:`, applies `--set` overrides and validates.
/// Throws wom::Error with file:line, key and accepted form for every problem found.
Config load_config(const std::string& path, const std::vector<std::string>& set_overrides = {},
                   const LoadOptions& options = {});
/// As `load_config`, from YAML text (see `scenario_from_yaml_text`).
Config config_from_yaml_text(const std::string& text, const std::string& name = "<config>",
                             const std::vector<std::string>& set_overrides = {}, const LoadOptions& options = {});

/// The scenario of `load_config`.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& set_overrides = {},
                       const LoadOptions& options = {});

/// As `load_scenario`, from YAML text. `name` stands for the file in messages, and its folder
/// anchors `extends:` and relative data paths (the working directory when it has none).
Scenario scenario_from_yaml_text(const std::string& text, const std::string& name = "<config>",
                                 const std::vector<std::string>& set_overrides = {}, const LoadOptions& options = {});

/// The scenario with more `--set key=value` overrides, validated as if given on the command
/// line after its own (its files are read again). Throws wom::Error naming the bad override.
Scenario override(const Scenario& scenario, const std::vector<std::string>& set_overrides);
/// The same, as a whole config (its plan and output folder as the overrides leave them).
Config override_config(const Scenario& scenario, const std::vector<std::string>& set_overrides);

/// Edit distance (insertions, deletions, substitutions, adjacent transpositions); used for
/// "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// Converts a resolved config (JSON object) to YAML text, keys in the object's order.
std::string to_yaml(const nlohmann::ordered_json& config);

}  // namespace wom
