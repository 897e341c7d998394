#pragma once
/// Run outputs (docs/design.md §4): `timeseries.csv`, `summary.json`, `config.yaml`, and the
/// terminal summary of `wom run`; the output folders of every command.
///
/// Each command's outputs are one folder, written whole and never merged into: the files are
/// written into a temporary sibling folder (`DIR.tmp-<pid>`), which takes DIR's name in one
/// rename once complete. An existing DIR is refused unless `--force`, which replaces it whole:
/// the new folder and the old one trade names in one atomic exchange (where the file system
/// cannot, the old folder is renamed away, the new one renamed in, and the old one renamed back
/// on failure), then the old one is deleted; at no moment does DIR hold a mix, and on any error
/// the temporary folder is removed. `--force` replaces only an empty folder or a wom output
/// folder holding nothing wom did not write (see `check_output_folder`). Every output folder
/// holds `.wom-output`: "wom COMMAND" and the files COMMAND wrote.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "sim/io/config.hpp"
#include "sim/io/runner.hpp"

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

/// One timeseries column across replicates, read as its model declares it (ModelInfo::measure):
/// a stock or level (Aggregate::Level) by its value at the last step, a flow per step
/// (Aggregate::Sum) by its total over steps 1..H, a per-step maximum (Aggregate::Max) by its
/// maximum over steps 1..H.
struct ColumnSummary {
  std::string name;
  Measure measure;                      ///< the declared unit, aggregate and meaning
  std::vector<double> final_values;     ///< per replicate, at step `steps`
  std::vector<double> final_fractions;  ///< final value / population, per replicate (Level persons columns only)
  std::vector<double> run_values;       ///< per replicate, the column over the run (see above)
  Estimate value;                       ///< of final_values
  Estimate fraction;                    ///< of final_fractions (count 0 when not a Level persons column)
  Estimate run;                         ///< of run_values
  /// A stock of persons: the only kind of column that has a share of the population.
  bool has_fraction() const { return measure.aggregate == Aggregate::Level && measure.unit == Unit::Persons; }
};

/// Every column of the run, read by the scenario's model declarations. Estimates of persons and
/// counts have their CI cut at 0 (a count cannot be negative; see `bounded`).
std::vector<ColumnSummary> summarize(const Scenario& scenario, const RunOutput& run);

/// A model-derived figure (ModelInfo::metrics) across replicates.
struct MetricSummary {
  std::string name;
  Measure measure;             ///< the declared unit and meaning
  std::vector<double> values;  ///< per replicate
  Estimate value;
};

/// The model's derived figures for every replicate (empty when the model has none).
std::vector<MetricSummary> summarize_metrics(const Scenario& scenario, const RunOutput& run);

/// `e` with its CI cut to what figures of unit `u` can be: persons and counts are never
/// negative. Other units are returned as they are (money and growth rates may be negative).
Estimate bounded(Estimate e, Unit u);

/// The names of units and aggregates in files (`measures` blocks): unit_name(u) and "level",
/// "sum", "max"; and back (an unknown name reads as Unit::Number, Aggregate::Level).
const char* aggregate_name(Aggregate a);
Unit unit_of_name(const std::string& name);
Aggregate aggregate_of_name(const std::string& name);

/// A `measures` entry: {"unit", "aggregate", "meaning"}, plus "headline" (its order among the
/// headline figures) when the model shows it first.
nlohmann::ordered_json measure_json(const Measure& m);

/// The `measures` block of summary.json and compare.json: {"columns": {name: entry},
/// "metrics": {name: entry}} for every column of the run and every metric of the model (a
/// column and a metric may share a name, e.g. acquisitions per step and over the run).
nlohmann::ordered_json measures_json(const std::vector<ColumnSummary>& columns,
                                     const std::vector<MetricSummary>& metrics);

/// The model's currency (`params.economics.currency`), empty when the model has none.
std::string scenario_currency(const Scenario& scenario);

/// How a figure of one unit is shown to people, the same in the terminal and in report.html:
/// money in the currency with thousands separators (whole units from 10 up, cents below);
/// shares as percentages and rates per year as percentages a year (a difference of either in
/// percentage points, "pp"), 3 significant digits; persons and counts with thousands
/// separators, whole when integral or from 1,000 up, else one decimal (two significant digits
/// below 1); stars with 2 decimals; attitude with 3; any other number with 4 significant
/// digits. Negative values carry a true minus sign ("−").
struct FigureFormat {
  Unit unit = Unit::Number;
  std::string currency;     ///< for Unit::Money
  bool difference = false;  ///< a difference of two figures (shares in percentage points)
  bool bare = false;        ///< the number alone, without currency or unit (a CI bound beside its mean)

  /// Decimals for figures as large as `reference` (the largest magnitude shown together);
  /// `integral`: every figure shown together is a whole number.
  int decimals(double reference, bool integral = false) const;
  /// `v` with `decimals` decimals (in percent for shares and rates), with its unit.
  std::string text(double v, int decimals) const;
  /// `v` on its own.
  std::string text(double v) const;
  /// The mean and its CI bounds, all with the decimals the largest of them needs, so a mean
  /// and its interval read at one precision: {mean, ci_low, ci_high}.
  std::vector<std::string> texts(const Estimate& e) const;
  /// "mean (95 % CI low to high)", or the mean alone when the CI is a point (one replicate).
  std::string with_ci(const Estimate& e) const;
};

/// The format of a figure the model declares with `m`.
FigureFormat figure_format(const Measure& m, const std::string& currency, bool difference = false);

/// Extra provenance known only to the caller.
struct ProvenanceExtras {
  std::vector<std::string> command;  ///< the command line, argv[0] first
};

/// `timeseries.csv`: header `replicate,step,<columns>`, one row per replicate and step (step 0
/// = initial state). Integral values print without decimals; others print in the shortest
/// form that reads back to the same double (full precision).
void write_timeseries_csv(std::ostream& out, const RunOutput& run);

/// The `summary.json` document: per replicate final counts and fractions, their estimates
/// across replicates, and a `provenance` block (resolved config as saved in config.yaml, seed, version, git commit,
/// threads, wall time, host, start time, graphs and what building them dropped). Everything
/// outside `provenance` is a pure function of the scenario, seed and replicates.
nlohmann::ordered_json summary_json(const Scenario& scenario, const RunOutput& run,
                                    const ProvenanceExtras& extras = {});

/// The resolved config with the run's effective seed and replicates: `wom run` on it repeats
/// the run.
nlohmann::ordered_json effective_config(const Scenario& scenario, const RunOutput& run);

/// One file of an output folder: its name (no folders) and what streams its content.
struct OutputFile {
  std::string name;
  std::function<void(std::ostream&)> write;
};

/// The marker file in every output folder (see above).
inline constexpr const char* kOutputMarker = ".wom-output";

/// Where a command writes: the folder, the command named in its marker, and --force.
struct OutputFolder {
  std::string dir;      ///< --out DIR (or, for `wom run`, output.dir)
  std::string command;  ///< "run", "compare" or "cost"
  bool force = false;   ///< replace an existing output folder whole
};

/// The commands ("run", "compare", "cost", in that order) whose outputs folder `dir` holds: the
/// one its marker names, and each whose files are there (summary.json or timeseries.csv: run;
/// compare.json or compare.csv: compare; cost.json or cost_events.csv: cost). More than one: a
/// folder merged by a wom from before output folders were written whole. Empty when none (or
/// when `dir` is not a folder).
std::vector<std::string> output_commands(const std::string& dir);

/// Fails early (wom::Error), before any work and creating nothing, when `out` cannot receive
/// outputs: an empty name; the current folder or one above it; a file in the way; an existing
/// folder without `force`; with `force`, a folder that is neither empty nor a wom output folder
/// holding only what wom wrote (the files its marker lists, report.html; for a folder from
/// before markers, only names wom writes) — never a symbolic link or a folder with subfolders;
/// or a parent where the temporary folder cannot be created.
void check_output_folder(const OutputFolder& out);

/// Holds the output folder `dir` for one command, so that two wom processes never write one
/// folder: an flock(2) on the hidden file `.NAME.wom-lock` beside it (in the nearest existing
/// folder above it, `.A%B.wom-lock`, while its parents A/ do not exist yet). Run, compare and
/// cost hold it exclusively; the writers of one sweep (shards, ranks) share it. A second
/// process is refused at once with wom::Error naming the holder's pid and command; creating the
/// lock file is also the real test that the place is writable (root passes access(2) checks).
/// Released when destroyed, or when the process ends however it ends; the last holder removes
/// the file.
class FolderLock {
 public:
  FolderLock() = default;
  FolderLock(const std::string& dir, const std::string& command, bool shared = false);
  ~FolderLock() { release(); }
  FolderLock(FolderLock&& other) noexcept;
  FolderLock& operator=(FolderLock&& other) noexcept;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  /// The lock file (empty when nothing is held).
  const std::string& path() const { return path_; }

 private:
  void release() noexcept;
  std::string path_;
  int fd_ = -1;
  bool shared_ = false;
};

/// `check_output_folder(out)`, then its lock (FolderLock, exclusive), then the check again: the
/// folder may have appeared meanwhile. Hold the result until the outputs are written.
FolderLock lock_output_folder(const OutputFolder& out);

/// Writes `files` and the marker as the whole of folder `out.dir`, atomically (see above),
/// creating missing parents; checks `out` again first. Returns the paths written (not the
/// marker).
std::vector<std::string> write_output_folder(const OutputFolder& out, const std::vector<OutputFile>& files);

/// Adds `file` to the existing folder `dir` (`wom report`'s report.html, a sweep's files),
/// atomically and durably: written beside its name as a hidden temporary file, fsync'd, then
/// renamed over it (and the folder fsync'd). Returns its path. Every write, the fsync and the
/// close are checked: a full disk or a file-size limit (EFBIG: wom ignores SIGXFSZ) throws
/// "writing DIR/NAME: File too large (the disk is full or a file-size limit was hit)" and leaves
/// the old file, if any, as it was.
std::string add_file(const std::string& dir, const OutputFile& file);

/// Writes timeseries.csv, summary.json and config.yaml (its output.dir is ".", the folder it
/// is in), plus `extra` files (e.g. report.html), as the output folder `out` (see
/// `write_output_folder`). Returns the paths written.
std::vector<std::string> write_outputs(const OutputFolder& out, const Scenario& scenario, const RunOutput& run,
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

/// How a figure listed right below what it splits reads as its part (the model's ValueSplit):
/// "=" for the cash flow under the value (or `return_cash_flow` under `return`), "+" for the
/// terminal value under those two, else "". `prev` and `prev2` are the names listed one and
/// two rows above.
const char* split_marker(const ValueSplit& value, const std::string& name, const std::string& prev,
                         const std::string& prev2);

/// Host name for provenance blocks ("unknown" when it cannot be read).
std::string host_name();

/// The provenance fields every output shares (run, compare, cost): seed, replicates, version,
/// git commit, threads (the worker threads the command used, never 0), wall time (seconds, to 3
/// significant digits: the clock's jitter makes more noise), host, start time and, when given,
/// the command line. Callers add their own fields (config, files, graphs) around it.
nlohmann::ordered_json provenance_base(std::uint64_t seed, std::int64_t replicates, int threads, double wall_seconds,
                                       const std::string& started_at, const std::vector<std::string>& command);

/// The short terminal summary of `wom run`: model, graph, replicates and wall time, then the
/// model's headline figures in the order and units it declares (Measure::headline; the NPV
/// beside its split, cash flow over the horizon + terminal value), or, for a model without
/// metrics, every column as it reads over the run (stocks at the end with their share of the
/// population, flows as totals over the run, maxima as the maximum; mean ± standard error).
/// `files_written`: the run's files are being written (so the summary does not ask for --out).
std::string format_run_summary(const Scenario& scenario, const RunOutput& run, bool files_written = false);

}  // namespace wom
