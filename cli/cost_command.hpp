#pragma once
/// `wom cost CONFIG`: the cost of one argued interaction and of one lost customer.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/common.hpp"

namespace wom::cli {

struct CostArgs {
  std::string config;
  std::vector<std::string> sets;
  PlanFlags plan;  ///< --seed, --replicates, --threads
  std::int64_t focal = 250;
  std::int64_t channel_focal = -1;  // all
  bool no_cone = false;
  double max_cone = 0.05;
  std::int64_t by_degree = 0;
  std::int64_t t0_days = 90;
  std::vector<std::string> options;  ///< --option KEY=VALUE
  std::string severity;              ///< --severity (empty: not given)
  bool misunderstanding = false;
  std::string out;
  bool force = false;
  bool report = false;
  bool quiet = false;
};

/// Declares the `cost` subcommand and its flags (defaults shown in --help).
CLI::App* add_cost_command(CLI::App& app, CostArgs& a);

/// Runs it: prices the focal events, prints the headline, writes cost.json, cost_events.csv
/// (and report.html with --report) as the output folder --out (whole and atomically; never the
/// config's output.dir, which is `wom run`'s).
int run_cost_command(const CostArgs& a, const std::vector<std::string>& command);

}  // namespace wom::cli
