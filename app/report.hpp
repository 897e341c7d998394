#pragma once
/// `report.html`: one self-contained page a manager can e-mail (docs/design.md §1, §4).
///
/// The page loads nothing: CSS is inline, plots are inline SVG drawn here, there is no script,
/// and a Content-Security-Policy forbids any fetch. It renders whatever an output folder holds:
/// - `summary.json` + `timeseries.csv` (`wom run`): the model's headline figures (the NPV beside
///   its split, cash flow over the horizon + terminal value), every figure, the stocks at the end
///   (persons with their share of the population), the flows as totals over the stated period
///   and per year, every column over time (mean with a 95 % CI band across replicates);
/// - `compare.json` (`wom compare`): the return of each change with its split, `customers`
///   (else the first column) over time per what-if with CI bands, the headline figures side by
///   side with their paired differences, and every figure one click away;
/// - `cost.json` (`wom cost`): "each argued interaction costs about $X: $Y the complainant and
///   $Z the ripple — everyone else", the cost by whom and by kind (tables and a waterfall), the
///   ripple through each channel, cost by focal-degree decile, word of mouth by channel,
///   customers lost or not won per 100 argued complaints, and the same for a lost customer;
/// plus the scenario, what differs from the model's defaults, and the provenance.
///
/// Traceability: every plotted mark (and every figure quoted in the text) carries
/// `data-source` (the file it comes from), `data-key` and `data-value`. For JSON sources the key
/// is a JSON pointer (RFC 6901) into the file, or several joined by " + " for a sum, and the
/// value is the number there, or the comma-separated array there, printed in the shortest form
/// that reads back to the same double ("null" for a missing number). For `timeseries.csv` the
/// key is `COLUMN/STAT` (STAT = mean, ci_low, ci_high): the per-step estimate across
/// replicates (`wom::estimate`, its CI cut at 0 for persons and counts as `wom::bounded`),
/// comma-separated by step.
///
/// Units: every figure is shown in the unit its model declares (the `measures` block of
/// summary.json and compare.json, else the model's declarations in this build; see
/// wom::FigureFormat): money in `currency`, shares as percentages, counts with thousands
/// separators, stars with 2 decimals. cost.json's figures are money except its counts of
/// customers and stories.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/output.hpp"

namespace wom {

/// What a report is drawn from; any subset, at least one of summary, compare and cost.
struct ReportInputs {
  std::string dir;                                ///< the output folder (for messages)
  std::optional<nlohmann::ordered_json> summary;  ///< summary.json of `wom run`
  std::optional<std::string> timeseries_csv;      ///< timeseries.csv of `wom run` (text)
  std::optional<nlohmann::ordered_json> compare;  ///< compare.json of `wom compare`
  std::optional<nlohmann::ordered_json> cost;     ///< cost.json of `wom cost`
};

/// Reads the outputs of the one command whose outputs `dir` holds (`output_commands`):
/// summary.json and timeseries.csv (run), compare.json (compare) or cost.json (cost). Throws
/// wom::Error when `dir` is not a folder, holds no wom outputs, holds those of more than one
/// command (a folder merged by an older wom; the message names them), or a file cannot be read
/// or parsed (naming the file).
ReportInputs read_report_inputs(const std::string& dir);

/// The report as one HTML document. Throws wom::Error naming the file and field when an input
/// lacks what its section needs.
std::string render_report(const ReportInputs& inputs);

/// `report.html` as an output file, to be written with the other outputs of a run.
OutputFile report_file(const ReportInputs& inputs);

/// `wom report DIR`: renders the report of DIR's outputs and adds (or replaces) DIR/report.html
/// atomically (a temporary file renamed into place: complete or not at all). Returns its path.
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
