#pragma once
/// Run outputs (DESIGN.md §4): `timeseries.csv`, `summary.json`, `config.yaml`, and the
/// terminal summary of `wom run`.
///
/// Files reach the output folder only when complete: they are written into a temporary
/// sibling folder (`DIR.tmp-<pid>`) and renamed into DIR at the end; on any error the
/// temporary folder is removed, so DIR never holds a partial or half-written file.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "config.hpp"
#include "runner.hpp"

namespace wom {

/// Mean over replicates with its standard error and 95 % confidence interval.
/// SE = sample SD / √R (0 when R = 1); CI = mean ± t(0.975, R−1) · SE (Student t; [mean, mean]
/// when R = 1, where no interval can be estimated).
struct Estimate {
  double mean = 0;
  double se = 0;
  double ci_low = 0;
  double ci_high = 0;
  std::int64_t count = 0;  ///< replicates
};

/// The estimate of `values` (one per replicate).
Estimate estimate(std::span<const double> values);

/// The estimate of the mean of `values` observed in clusters (e.g. focal events sharing a
/// replicate's world). The variance of the mean is the larger of its between-cluster estimate
/// (cluster-robust CR1, Student's t on clusters − 1 df) and the within-cluster sampling noise
/// alone (pooled within-cluster variance / N, t on N − clusters df): a between-cluster figure
/// below the within one is chance, as in one-way ANOVA with the cluster variance truncated at 0.
/// With fewer than two clusters, as `estimate` (independent).
Estimate estimate_clustered(std::span<const double> values, std::span<const std::uint64_t> cluster);

/// The 0.975 quantile of Student's t with `df` degrees of freedom (df ≥ 1).
double t_quantile_975(std::int64_t df);

/// Final state of one timeseries column across replicates.
struct ColumnSummary {
  std::string name;
  std::vector<double> final_values;     ///< per replicate, at step `steps`
  std::vector<double> final_fractions;  ///< final value / population, per replicate
  Estimate value;
  Estimate fraction;
};

/// Final values and fractions of population for every column.
std::vector<ColumnSummary> summarize(const RunOutput& run);

/// A model-derived figure (ModelInfo::metrics) across replicates.
struct MetricSummary {
  std::string name;
  std::vector<double> values;  ///< per replicate
  Estimate value;
};

/// The model's derived figures for every replicate (empty when the model has none).
std::vector<MetricSummary> summarize_metrics(const Scenario& scenario, const RunOutput& run);

/// Extra provenance known only to the caller.
struct ProvenanceExtras {
  std::vector<std::string> command;  ///< the command line, argv[0] first
};

/// `timeseries.csv`: header `replicate,step,<columns>`, one row per replicate and step (step 0
/// = initial state). Integral values print without decimals; others print in the shortest
/// form that reads back to the same double (full precision).
void write_timeseries_csv(std::ostream& out, const RunOutput& run);

/// The `summary.json` document: per replicate final counts and fractions, their estimates
/// across replicates, and a `provenance` block (resolved config, seed, version, git commit,
/// threads, wall time, host, start time, graphs and what building them dropped). Everything
/// outside `provenance` is a pure function of the scenario, seed and replicates.
nlohmann::ordered_json summary_json(const Scenario& scenario, const RunOutput& run,
                                    const ProvenanceExtras& extras = {});

/// The resolved config with the run's effective seed and replicates: `wom run` on it repeats
/// the run.
nlohmann::ordered_json effective_config(const Scenario& scenario, const RunOutput& run);

/// Fails early (wom::Error) when `dir` cannot receive outputs: checks that it is not a file and
/// that a temporary sibling folder can be created (and removes it again).
void check_output_dir(const std::string& dir);

/// One file of an output folder: its name (no folders) and what streams its content.
struct OutputFile {
  std::string name;
  std::function<void(std::ostream&)> write;
};

/// Writes `files` into `dir` atomically (see above): all of them, complete, or none; creates
/// `dir` if missing and replaces files of the same names. Returns the paths written.
std::vector<std::string> write_files(const std::string& dir, const std::vector<OutputFile>& files);

/// Writes timeseries.csv, summary.json and config.yaml, plus `extra` files (e.g. report.html),
/// into `dir` atomically (see above), creating `dir` if missing; files of the same names in
/// `dir` are replaced. Returns the paths written.
std::vector<std::string> write_outputs(const std::string& dir, const Scenario& scenario, const RunOutput& run,
                                       const ProvenanceExtras& extras = {}, const std::vector<OutputFile>& extra = {});

/// A JSON number that keeps integral values integral (counts read as counts); null when not
/// finite (JSON has no NaN or infinity).
nlohmann::ordered_json json_number(double v);

/// An estimate as `{"mean", "se", "ci_low", "ci_high", "count"}` (the layout of compare.json and
/// cost.json).
nlohmann::ordered_json estimate_object(const Estimate& e);

/// `v` as text: integral values without decimals, others in the shortest form that reads back
/// to the same double; "nan"/"inf" when not finite.
std::string number_text(double v);

/// `v` for people: at most 4 significant digits without exponent between 0.001 and 10⁷
/// ("19871", "12.35", "0.1234"), else scientific ("1.235e+08"); "n/a" when not finite.
std::string readable_number(double v);

/// Thousands separators in the integer part of a plain number ("19871" → "19,871"); text in
/// scientific notation is returned as is.
std::string group_thousands(const std::string& s);

/// Money for people, in `currency`: whole units with thousands separators from 10 up ("$1,234",
/// "EUR 12"), cents below ("$7.25"), a true minus sign ("−$27"); "n/a" when not finite.
std::string money_text(double v, const std::string& currency);

/// Host name for provenance blocks ("unknown" when it cannot be read).
std::string host_name();

/// The provenance fields every output shares (run, compare, cost): seed, replicates, version,
/// git commit, threads, wall time, host, start time and, when given, the command line.
/// Callers add their own fields (config, files, graphs) around it.
nlohmann::ordered_json provenance_base(std::uint64_t seed, std::int64_t replicates, int threads, double wall_seconds,
                                       const std::string& started_at, const std::vector<std::string>& command);

/// The short terminal summary of `wom run`: model, graph, replicates, wall time and final
/// counts and fractions (mean ± SE) per column.
std::string format_run_summary(const Scenario& scenario, const RunOutput& run);

}  // namespace wom
