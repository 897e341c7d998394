#pragma once
/// `report.html`: one self-contained page a manager can e-mail (DESIGN.md §1, §4).
///
/// The page loads nothing: CSS is inline, plots are inline SVG drawn here, there is no script,
/// and a Content-Security-Policy forbids any fetch. It renders whatever an output folder holds:
/// - `summary.json` + `timeseries.csv` (`wom run`): headline figures, every column over time
///   (mean with a 95 % CI band across replicates);
/// - `compare.json` (`wom compare`): `customers` (else the first column) over time per what-if
///   with CI bands, the paired-difference table and the return of each change;
/// - `cost.json` (`wom cost`): "each argued interaction costs about $X, of which $Y is the
///   ripple", the cost partition as a waterfall, cost by focal-degree decile, by channel and
///   word of mouth by channel;
/// plus the scenario, what differs from the model's defaults, and the provenance.
///
/// Traceability: every plotted mark (and every figure quoted in the text) carries
/// `data-source` (the file it comes from), `data-key` and `data-value`. For JSON sources the key
/// is a JSON pointer (RFC 6901) into the file, or several joined by " + " for a sum, and the
/// value is the number there, or the comma-separated array there, printed in the shortest form
/// that reads back to the same double ("null" for a missing number). For `timeseries.csv` the
/// key is `COLUMN/STAT` (STAT = mean, ci_low, ci_high): the per-step estimate across
/// replicates (`wom::estimate`), comma-separated by step.
///
/// Money: figures are shown in `params.economics.currency` when the config has it. A model
/// metric counts as money when its name contains npv, clv, revenue, cost, margin, value, spend,
/// profit or cash (metrics carry no unit).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "output.hpp"

namespace wom {

/// What a report is drawn from; any subset, at least one of summary, compare and cost.
struct ReportInputs {
  std::string dir;                                ///< the output folder (for messages)
  std::optional<nlohmann::ordered_json> summary;  ///< summary.json of `wom run`
  std::optional<std::string> timeseries_csv;      ///< timeseries.csv of `wom run` (text)
  std::optional<nlohmann::ordered_json> compare;  ///< compare.json of `wom compare`
  std::optional<nlohmann::ordered_json> cost;     ///< cost.json of `wom cost`
};

/// Reads summary.json, timeseries.csv, compare.json and cost.json from `dir`, those present.
/// Throws wom::Error when `dir` is not a folder, holds none of summary.json, compare.json and
/// cost.json, or a file present cannot be read or parsed (naming the file).
ReportInputs read_report_inputs(const std::string& dir);

/// The report as one HTML document. Throws wom::Error naming the file and field when an input
/// lacks what its section needs.
std::string render_report(const ReportInputs& inputs);

/// `report.html` as an output file, to be written with the other outputs of a run.
OutputFile report_file(const ReportInputs& inputs);

/// `wom report DIR`: renders the report of DIR's outputs and writes DIR/report.html atomically
/// (complete or not at all). Returns the path written.
std::string write_report(const std::string& dir);

/// Parses a `timeseries.csv` (header `replicate,step,<columns>`) into the per-step estimate of
/// each column across replicates: `columns[c]` and `stats[c]` = {mean, ci_low, ci_high}, each a
/// vector over steps. Throws wom::Error on a malformed table.
struct TimeseriesBands {
  std::vector<std::string> columns;
  std::vector<std::vector<Estimate>> stats;  ///< [column][step]
  std::int64_t replicates = 0;
};
TimeseriesBands timeseries_bands(const std::string& csv_text);

}  // namespace wom
