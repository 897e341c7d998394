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

namespace wom {

/// A fully resolved and validated run description. Build it with `load_scenario`; treat it
/// as read-only afterwards (every consumer takes `const Scenario&`).
struct Scenario {
  std::string model;                   ///< registered model name
  const ModelInfo* info = nullptr;     ///< the model's description (registry-owned)
  Params params;                       ///< every parameter with a default, plus those given
  GraphSpec graph;                     ///< data paths already resolved to absolute paths
  std::optional<GraphSpec> followers;  ///< `followers:` layer (tweets), same keys as `graph:`
  std::uint64_t seed = 1;              ///< `seed`
  std::int64_t replicates = 1;         ///< `replicates`
  std::int64_t steps = 100;            ///< `time.steps`
  double dt = 1.0;                     ///< `time.dt`: step length in the model's time unit (RunPlan.dt)
  double step_days = 1.0;              ///< `time.step_days`: calendar days per step
  std::string output_dir;              ///< `output.dir` (absolute), empty when not given
  std::string source_file;             ///< the config file as named by the user
  std::vector<std::string> files;      ///< every file read, parents first
  std::vector<std::string> overrides;  ///< the `--set` arguments, in order
  std::vector<std::string> warnings;   ///< non-fatal notes (e.g. keys the generator ignores)
  /// The resolved config (defaults filled in, paths absolute) as a JSON object with the same
  /// layout as a config file; written to provenance and re-runnable as YAML.
  nlohmann::ordered_json resolved;
};

/// What to validate. `graph_only` checks the engine keys and builds the graph spec but not
/// `model`/`params` (used by `wom graph stats CONFIG`).
struct LoadOptions {
  bool graph_only = false;
};

/// Reads a config file, follows `extends:`, applies `--set` overrides and validates.
/// Throws wom::Error with file:line, key and accepted form for every problem found.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& set_overrides = {},
                       const LoadOptions& options = {});

/// As `load_scenario`, from YAML text. `name` stands for the file in messages, and its folder
/// anchors `extends:` and relative data paths (the working directory when it has none).
Scenario scenario_from_yaml_text(const std::string& text, const std::string& name = "<config>",
                                 const std::vector<std::string>& set_overrides = {}, const LoadOptions& options = {});

/// Edit distance (insertions, deletions, substitutions, adjacent transpositions); used for
/// "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// Converts a resolved config (JSON object) to YAML text, keys in the object's order.
std::string to_yaml(const nlohmann::ordered_json& config);

}  // namespace wom
