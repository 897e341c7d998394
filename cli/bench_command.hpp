#pragma once
/// `wom bench`: the fixed benchmark suite and its regression gate (bench/README.md).
///
///   wom bench [--short] [--filter RE] [--reps R] [--threads T] [--out DIR [--force]]
///   wom bench --compare BASELINE.json      gate on instructions and memory against a stored run
///   wom bench --baseline-binary OTHER_WOM  gate against another build timed here, interleaved
///   wom bench --compare BASE.json --current NOW.json   judge two stored documents, running nothing
///   wom bench ... --update-baseline FILE   record this run as the new baseline
///
/// Exit status: 0 passed (or no gate), 1 an error, 2 the gate found a regression.
#include <CLI/CLI.hpp>
#include <string>

#include "bench/suite/gate.hpp"

namespace wom::cli {

struct BenchArgs {
  bool short_mode = false;
  std::string filter;
  int reps = 0;     ///< 0: the default for the mode
  int threads = 0;  ///< 0: all cores
  std::string out;
  bool force = false;
  std::string compare;
  std::string baseline_binary;
  std::string update_baseline;
  std::string current;  ///< judge this stored document instead of running the suite
  bool no_instructions = false;
  int jobs = 2;
  bench::Thresholds thresholds;
  std::string data;
  bool list = false;
  bool quiet = false;
  long persons = 0;       ///< with --case: the generated graph's size (scaling runs)
  std::string case_name;  ///< internal: run one case in this process (a child of the suite)
  CLI::App* cmd = nullptr;
};

/// Declares the `bench` subcommand and its flags.
CLI::App* add_bench_command(CLI::App& app, BenchArgs& a);

/// Runs the suite (and the gate); `argv0` locates this binary, which runs each case.
int run_bench_command(const BenchArgs& a, const char* argv0);

}  // namespace wom::cli
