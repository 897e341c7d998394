#pragma once
/// The regression gate of `wom bench --compare`: what is judged, and how.
///
/// Shared machines move wall time by ±30 % from run to run, so no verdict rests on one wall
/// time against a threshold:
///  - **instructions** (callgrind, one thread: the same binary and input give the same count
///    within 0.06 %, whatever else runs: bench/RESULTS.md): a regression when the candidate
///    executes more than `instructions` (default 2 %) more than the baseline;
///  - **peak memory** (the case process's maximum resident set): a regression when it grows by
///    more than `memory` (10 %) and by more than `memory_slack_bytes` (4 MiB);
///  - **wall time**, only when both binaries ran here, interleaved (A B, B A, A B, ...): the
///    exact one-sided Wilcoxon signed-rank test on the paired log ratios. A regression when
///    its p-value is below `alpha` / (cases judged) (Bonferroni: the chance that the unchanged
///    code fails on any case is at most `alpha`) and the median ratio exceeds
///    1 + `min_slowdown`. Against a stored baseline, wall time is shown, not judged.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace wom::bench {

/// Order statistics of a sample (quartiles by linear interpolation).
struct Spread {
  double median = 0, min = 0, max = 0, q1 = 0, q3 = 0;
};
Spread spread_of(std::vector<double> v);

/// P(W⁺ ≥ observed) for the differences `d` under H0 "symmetric about 0": the exact null
/// distribution of the Wilcoxon signed-rank statistic (zeros dropped, ties at mid-ranks).
/// 1 when no difference is non-zero.
double wilcoxon_greater(std::span<const double> d);

/// The smallest p-value the test can give with n pairs: 2⁻ⁿ.
double wilcoxon_floor(std::size_t n);

struct Thresholds {
  double instructions = 0.02;
  double memory = 0.10;
  double memory_slack_bytes = 4.0 * 1024 * 1024;
  double alpha = 0.01;
  double min_slowdown = 0.05;
};

enum class Verdict { Ok, Regression, Improved, Info };
const char* verdict_name(Verdict v);

struct GateRow {
  std::string case_name;
  std::string metric;  ///< "instructions", "peak memory", "wall time"
  double baseline = 0, now = 0, ratio = 0;
  Verdict verdict = Verdict::Info;
  std::string note;  ///< e.g. "p = 0.0004 (24 pairs)", "not judged: no baseline binary"
};

struct GateResult {
  std::vector<GateRow> rows;
  std::vector<std::string> notes;  ///< e.g. cases in only one document, machine differences
  bool failed() const;
};

/// Compares the suite documents of `wom bench` (suite.hpp): `baseline` and `candidate`.
/// `paired`: both were measured in this run, interleaved, so wall samples i of the two form
/// pair i and wall time is judged.
GateResult compare(const nlohmann::ordered_json& baseline, const nlohmann::ordered_json& candidate, const Thresholds& t,
                   bool paired);

}  // namespace wom::bench
