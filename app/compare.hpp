#pragma once
/// `wom compare`: what-ifs side by side on common random numbers (docs/design.md §4, §7).
///
/// A what-if is one validated scenario: a config file, or one value of `--vary key=v1,v2,...`
/// applied to a single config. Every what-if runs with the same seed and replicate count, so
/// replicate r of each draws the same graph and initial state from (seed, r) and the what-ifs
/// differ only through what they change. Replicate r of what-if k is therefore paired with
/// replicate r of the first what-if (the baseline), and a difference is estimated from the
/// per-replicate differences (paired t), which cancels the shared noise: two identical
/// what-ifs give bit-identical runs and a difference of exactly 0.
///
/// Pairing needs the same world: the same model, graph and followers specs, population keys
/// (`params.population.*`), time keys and replicate count; what-ifs that differ there are
/// refused with the key that differs.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/io/config.hpp"
#include "sim/io/output.hpp"
#include "sim/io/runner.hpp"

namespace wom {

/// One scenario of a comparison.
struct WhatIf {
  std::string label;  ///< `key=value` for --vary, else the config file's name
  Scenario scenario;
  RunPlan plan;  ///< its config file's plan (a comparison runs every what-if on one plan)
};

/// What to compare: config files, or one config file and a `--vary` argument.
struct CompareRequest {
  std::vector<std::string> configs;  ///< one or more config files
  std::string vary;                  ///< `key=v1,v2,...` (empty: the configs are the what-ifs)
  std::vector<std::string> sets;     ///< `--set key=value`, applied to every what-if
};

/// Loads and validates the what-ifs, in order (the first is the baseline). Throws wom::Error
/// when there are fewer than two, when `--vary` is malformed, names an unknown key or gives a
/// value outside the key's accepted range (the message names the `--vary` argument), or when
/// the what-ifs cannot be paired (see `check_pairable`).
std::vector<WhatIf> load_whatifs(const CompareRequest& request, const PlanChoice& choice);

/// The key of a `--vary` argument (the part before '='), or empty when there is none.
std::string vary_key(const std::string& vary);

/// Throws wom::Error unless the what-ifs can be paired on common random numbers under
/// `choice`: the message says they cannot be paired and names the first key that differs
/// and the two what-ifs' values.
void check_pairable(const std::vector<WhatIf>& whatifs, const PlanChoice& choice);

/// Splits `v1,v2,...` at the commas outside brackets and quotes, so that YAML flow values
/// such as `[500,500]` stay whole.
std::vector<std::string> split_vary_values(const std::string& values);

/// One row of the comparison for one what-if.
struct CompareCell {
  std::vector<double> values;          ///< per replicate (empty for the baseline's return)
  std::optional<Estimate> estimate;    ///< across replicates (none for the baseline's return)
  std::vector<double> differences;     ///< per replicate, this − baseline (empty for the baseline)
  std::optional<Estimate> difference;  ///< paired estimate (none for the baseline)
};

/// A compared figure: a column as its model declares it reads (a stock's value at the last step,
/// a flow's total over the run, a maximum's maximum), a model metric, or the return of a change.
struct CompareRow {
  std::string name;
  std::string kind;                ///< "final" (Level column), "total" (Sum), "max" (Max), "metric" or "return"
  Measure measure;                 ///< unit, aggregate and meaning (a return: money)
  std::vector<CompareCell> cells;  ///< one per what-if
};

/// Per-step mean and 95 % CI of one column across replicates.
struct SeriesSummary {
  std::vector<double> mean, se, ci_low, ci_high;
};

/// The runs of a comparison and everything derived from them.
struct Comparison {
  std::vector<WhatIf> whatifs;
  std::vector<RunOutput> runs;  ///< one per what-if, same seed and replicates
  std::vector<std::string> columns;
  std::vector<CompareRow> rows;
  std::vector<std::string> warnings;  ///< non-fatal notes (e.g. a config's seed replaced by the common one)
  /// series[k][c]: what-if k, column c.
  std::vector<std::vector<SeriesSummary>> series;
  /// difference_series[k][c]: per-step paired difference of what-if k to the baseline (empty for k = 0).
  std::vector<std::vector<SeriesSummary>> difference_series;
  std::string vary_key;  ///< the --vary key, empty when the what-ifs are files
  std::string currency;  ///< the baseline's currency (Offers::currency_param), empty when the model has none
  /// The model's value and its split (Offers::value): the "return" rows are its paired
  /// differences, `return` = Δ total split exactly into `return_cash_flow` (Δ cash flow over
  /// the horizon) and `return_terminal_value` (Δ terminal value, after it), as its note says.
  ValueSplit value;
  double wall_seconds = 0;
  std::string started_at;
};

/// Runs every what-if (one after another; each uses `options.threads`) and derives the rows
/// and series. All run on one plan: the baseline's, with `choice` applied (a config file whose
/// own seed differs gets a warning in `Comparison::warnings`; replicate counts must agree unless
/// chosen). Throws wom::Error when the runs turn out unpaired (different populations).
Comparison run_comparison(std::vector<WhatIf> whatifs, const PlanChoice& choice, const RunOptions& options,
                          const std::string& vary_key = {});

/// Paired difference estimate of `values` − `baseline` (same length: one per replicate).
Estimate paired_difference(const std::vector<double>& values, const std::vector<double>& baseline,
                           std::vector<double>* differences = nullptr);

/// `compare.csv`: one line per (row, what-if): row, kind, whatif, label, replicates, mean, se,
/// ci_low, ci_high, diff_mean, diff_se, diff_ci_low, diff_ci_high (diff_* empty for the baseline),
/// unit (as in the `measures` block).
void write_compare_csv(std::ostream& out, const Comparison& cmp);

/// `compare.json`: what-ifs, a `measures` block (unit, aggregate and meaning of every column,
/// metric and return row), rows (estimates, per-replicate values, paired differences, unit),
/// per-step series for plotting, and a `provenance` block (each what-if's resolved config,
/// version, git commit, threads, wall time, host, command). Everything outside `provenance` is
/// a pure function of the configs, seed and replicates.
nlohmann::ordered_json compare_json(const Comparison& cmp, const ProvenanceExtras& extras = {});

/// The terminal view: the what-ifs, one verdict line per change (its return, the 95 % CI, the
/// split into cash flow over the horizon and terminal value, and whether the CI excludes 0),
/// then the side-by-side table of the headline figures in the order and units the model
/// declares (a model without headline figures: every row). `all`: every row.
std::string format_comparison(const Comparison& cmp, bool all = false);

}  // namespace wom
