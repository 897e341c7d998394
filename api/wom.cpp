#include "api/wom.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include "models/registry.hpp"
#include "sim/core/parallel.hpp"
#include "sim/io/events_writer.hpp"
#include "sim/io/output.hpp"

namespace wom {

namespace {

/// True when `file` lies inside folder `dir` (lexically, from absolute paths).
bool inside(const std::string& file, const std::string& dir) {
  const auto f = std::filesystem::absolute(file).lexically_normal();
  auto d = std::filesystem::absolute(dir).lexically_normal();
  if (d.filename().empty()) d = d.parent_path();
  return std::mismatch(d.begin(), d.end(), f.begin(), f.end()).first == d.end();
}

}  // namespace

void init() { register_models(); }

RunResult run(const Scenario& base, const RunPlan& plan, const RunOptions& options,
              const std::vector<std::string>& command) {
  init();
  const Scenario scenario = override(base, plan.overrides);
  const std::string& out_dir = options.output_dir;
  const OutputFolder folder{out_dir, "run", options.force};
  // The folder is checked (and held against other wom processes) before a long run rather
  // than after it.
  const FolderLock lock = out_dir.empty() ? FolderLock() : lock_output_folder(folder);
  if (!options.events.empty() && !out_dir.empty() && inside(options.events, out_dir))
    throw Error(fmt::format(
        "--events '{}' is inside the output folder '{}', which is written whole: put the event log elsewhere",
        options.events, out_dir));
  // The event log is opened before the run so that a bad path fails early; it reaches its
  // name only once complete (temp file, then rename).
  std::optional<CsvEventLog> events;
  if (!options.events.empty()) events.emplace(options.events, std::uint64_t(plan.first_replicate));
  RunResult res;
  res.output = run_scenario(scenario, plan, options, events ? &*events : nullptr);
  if (events) events->close();
  if (!out_dir.empty()) {
    const ProvenanceExtras extras{command};
    std::vector<OutputFile> extra;
    if (options.report) {
      // Drawn from the same documents the folder will hold, and written with them (all or none).
      ReportInputs in;
      in.dir = out_dir;
      in.summary = summary_json(scenario, res.output, extras);
      std::ostringstream csv;
      write_timeseries_csv(csv, res.output);
      in.timeseries_csv = csv.str();
      extra.push_back(report_file(in));
    }
    res.written = write_outputs(folder, scenario, res.output, extras, extra);
  }
  return res;
}

CompareResult compare(const CompareRequest& request, const PlanChoice& choice, const RunOptions& options,
                      const std::vector<std::string>& command) {
  init();
  return compare(load_whatifs(request, choice), choice, options, vary_key(request.vary), command);
}

CompareResult compare(std::vector<WhatIf> whatifs, const PlanChoice& choice, const RunOptions& options,
                      const std::string& vary, const std::vector<std::string>& command) {
  init();
  const OutputFolder folder{options.output_dir, "compare", options.force};
  const FolderLock lock = options.output_dir.empty() ? FolderLock() : lock_output_folder(folder);
  CompareResult res;
  res.comparison = run_comparison(std::move(whatifs), choice, options, vary);
  const Comparison& cmp = res.comparison;
  if (!options.output_dir.empty()) {
    const auto doc = compare_json(cmp, ProvenanceExtras{command});
    std::vector<OutputFile> files{{"compare.csv", [&](std::ostream& os) { write_compare_csv(os, cmp); }},
                                  {"compare.json", [&](std::ostream& os) { os << doc.dump(2) << '\n'; }}};
    if (options.report) {
      ReportInputs in;
      in.dir = options.output_dir;
      in.compare = doc;
      files.push_back(report_file(in));
    }
    res.written = write_output_folder(folder, files);
  }
  return res;
}

CostResult cost(const Scenario& base, const RunPlan& plan, const CostOptions& cost_options, const RunOptions& options,
                const std::vector<std::string>& command) {
  init();
  const Scenario scenario = override(base, plan.overrides);
  const std::string& out_dir = options.output_dir;
  const OutputFolder folder{out_dir, "cost", options.force};
  const FolderLock lock = out_dir.empty() ? FolderLock() : lock_output_folder(folder);

  const std::string started_at = iso8601_now();
  CostResult res;
  res.output = run_cost(scenario, plan, cost_options, options);
  res.document = cost_json(scenario, plan, res.output, cost_options);
  nlohmann::ordered_json prov{
      {"config", scenario.resolved}, {"config_file", scenario.source_file}, {"overrides", scenario.overrides}};
  // The threads the study ran on (0 asks for all cores; more than the cores oversubscribes,
  // as `with_threads` does).
  const int threads = options.threads > 0 ? options.threads : ThreadLimit::hardware();
  prov.update(provenance_base(plan.seed, plan.replicates, threads, res.output.wall_seconds, started_at, command));
  res.document["provenance"] = prov;
  if (!out_dir.empty()) {
    std::vector<OutputFile> files;
    files.push_back({"cost.json", [&](std::ostream& os) { os << res.document.dump(1) << "\n"; }});
    files.push_back({"cost_events.csv", [&](std::ostream& os) { write_cost_events_csv(os, res.output); }});
    if (options.report) {
      ReportInputs in;
      in.dir = out_dir;
      in.cost = res.document;
      files.push_back(report_file(in));
    }
    res.written = write_output_folder(folder, files);
  }
  return res;
}

sweep::SweepRun run_sweep(const std::string& spec_path, const sweep::SweepOptions& options) {
  init();
  return sweep::run_sweep(spec_path, options);
}

std::vector<std::int64_t> prepare_sweep_points(const std::string& spec_path, const sweep::SweepOptions& options) {
  init();
  return sweep::prepare_sweep(spec_path, options);
}

sweep::SweepStatus sweep_status(const std::string& dir) {
  init();
  return sweep::sweep_status(dir);
}

std::vector<std::string> collect_sweep(const std::string& dir) {
  init();
  return sweep::collect(dir);
}

std::string analyze_sweep(const std::string& dir, std::vector<std::string>* written) {
  init();
  return sweep::analyze(dir, written);
}

}  // namespace wom
