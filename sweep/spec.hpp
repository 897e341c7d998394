#pragma once
/// A sweep spec (`wom sweep SPEC`): which scenario, which points of its parameter space, how
/// many replicates of each and which figures to record. Read and validated whole before
/// anything runs: every point is checked against the parameter ranges (wom::override).
///
/// ```yaml
/// base: ../configs/default.yaml   # relative to the spec; any config
/// seed: 1
/// design: grid                     # grid | random | lhs | sobol | morris | csv
/// points: 64                       # random/lhs; sobol: base N (a power of 2); morris: trajectories
/// levels: 4                        # morris levels; grid: values of a range
/// file: points.csv                 # csv: one column per varied key
/// vary:
///   params.policy.acknowledge_rate: [0.0, 0.5, 1.0]                # a list of values
///   params.talk.negativity_bias: {min: 0.5, max: 2.0, log: true}   # a range (integer: true too)
/// replicates: 4                    # or {min, max, batch, target: {metric, ci_halfwidth, relative}}
/// metrics: [npv, customers_end]    # model metrics or time-series columns (their run value)
/// overrides: {time.steps: 365}     # applied to every point
/// crn: true                        # common random numbers (default)
/// ```
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/config.hpp"
#include "sweep/design.hpp"

namespace wom::sweep {

/// One varied key: a list of values, or a range mapped from unit coordinates.
struct Factor {
  std::string key;
  std::vector<std::string> values;  ///< a list (YAML scalars as written); empty for a range
  double min = 0, max = 0;          ///< a range
  bool log = false;                 ///< a log-uniform range (min > 0)
  bool integer = false;             ///< round a range's values to integers
  std::string at;                   ///< "spec.yaml:12" for messages
  bool is_range() const { return values.empty(); }
  /// The value at unit coordinate u in [0, 1]: a list's element floor(u · size), or the
  /// range's point min + u (max − min) (log: min (max/min)^u), as a --set value.
  std::string value_at(double u) const;
};

/// Replicate until the CI of one metric is tight enough (or `max`).
struct Precision {
  std::string metric;
  double ci_halfwidth = 0;  ///< target 95 % CI half-width (Student t)
  bool relative = false;    ///< half-width relative to |mean|
};

/// How many replicates per point: `min` always, then `batch` more at a time while the target
/// is not met, up to `max`. A plain number n is {min: n, max: n}.
struct Replicates {
  std::int64_t min = 1, max = 1, batch = 1;
  std::optional<Precision> target;
  bool adaptive() const { return target.has_value() && max > min; }
};

struct Spec {
  std::string path;       ///< the spec file as named
  std::string text;       ///< its bytes
  std::string base_path;  ///< the base config, resolved against the spec's folder
  Config base;            ///< the base config, with `overrides` applied
  std::uint64_t seed = 1;
  bool crn = true;
  std::string design = "grid";
  std::int64_t points = 0;
  std::int64_t levels = 4;
  std::string file;  ///< csv design, resolved against the spec's folder
  std::vector<Factor> factors;
  Replicates replicates;
  std::vector<std::string> metrics;
  std::vector<std::string> overrides;  ///< `key=value`, applied to every point
  std::string hash;                    ///< hex digest of the spec, the base scenario and the csv
};

/// One point of the design: a value per factor (as --set values) and, for sampled designs,
/// its unit coordinates.
struct Point {
  std::vector<std::string> values;
  std::vector<double> unit;
};

/// Reads and checks a spec: unknown or duplicated keys, ranges, design arguments and metric
/// names, each with the file, line, key and accepted form. Throws wom::Error.
Spec load_spec(const std::string& path);

/// The design's points, in point_id order (for sobol and morris, the order the estimators
/// expect). Validates every point against the base scenario; throws wom::Error naming the
/// point and the key at fault.
std::vector<Point> make_design(const Spec& spec);

/// The overrides that make point p: the spec's, then the point's values.
std::vector<std::string> point_overrides(const Spec& spec, const Point& p);

/// The seed of (point, replicate): the sweep's seed with common random numbers, else one
/// derived from (seed, point) alone. Never depends on schedule, rank or resume.
std::uint64_t point_seed(const Spec& spec, std::int64_t point);

/// The metrics a scenario can record: the model's metrics and its time-series columns. A name
/// `cost.X.Y` is also a metric when the model offers a cost question: the figure X.Y of
/// cost.json (its mean, for an estimate) from `wom cost` on the row's replicate (default
/// options: 250 focal events), e.g. cost.total, cost.by_whom.ripple, cost.lost_customer.total.
std::vector<std::string> available_metrics(const Scenario& scenario);
/// The figures of cost.json a `cost.` metric may start with.
const std::vector<std::string>& cost_metric_roots();

}  // namespace wom::sweep
