#pragma once
/// `wom sweep SPEC --out DIR`, and `wom sweep status|collect|analyze DIR`.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace wom::cli {

struct SweepArgs {
  std::string spec;
  std::string out;
  bool resume = false;
  bool fail_fast = false;
  bool retry_failed = false;
  std::string shard;  ///< "I/N"; empty: SLURM_ARRAY_TASK_ID/COUNT if set, else 0/1
  int threads = 0;
  bool quiet = false;
  bool no_graph_reuse = false;
  std::string dir;  ///< status, collect, analyze
  CLI::App* status = nullptr;
  CLI::App* collect = nullptr;
  CLI::App* analyze = nullptr;
};

/// Declares the `sweep` subcommand, its flags and its subcommands.
CLI::App* add_sweep_command(CLI::App& app, SweepArgs& a);

/// Runs whichever form was parsed; returns the exit status.
int run_sweep_command(const SweepArgs& a);

}  // namespace wom::cli
