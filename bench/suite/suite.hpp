#pragma once
/// Runs the cases of `wom bench`, each in a process of its own, and gathers the suite
/// document (bench.json):
///
///   {"format": "wom-bench 1", "mode": "short"|"full", "threads": T, "reps": R,
///    "machine": {cpu, cores, memory_bytes, kernel, compiler, build, commit, version, valgrind, date},
///    "cases": {NAME: {"what", "unit", "work", "facts",
///                     "wall_seconds": {median, min, max, q1, q3}, "wall_samples": [R values],
///                     "throughput": work / median wall, "throughput_unit": "UNIT/s",
///                     "peak_rss_bytes": median over repetitions, "peak_rss_max": ...,
///                     "instructions": callgrind's count of the measured region (1 thread) or null}}}
///
/// Each repetition runs every case once, in turn, so that a slow spell of the machine hits all
/// cases alike; with a baseline binary, each case runs both binaries back to back, in
/// alternating order (A B, then B A), so that pair i of the two is comparable (gate.hpp).
/// Instructions are counted afterwards, one callgrind run per case and binary (they do not
/// depend on the load, so these run `jobs` at a time).
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bench/suite/cases.hpp"

namespace wom::bench {

struct SuiteOptions {
  Size size = Size::Short;
  int threads = 0;              ///< 0: all cores
  int reps = 5;                 ///< wall-time repetitions per case (and binary)
  std::string filter;           ///< ECMAScript regex on case names; empty: all
  bool instructions = true;     ///< count instructions with callgrind (needs valgrind)
  int jobs = 2;                 ///< callgrind runs at a time
  std::string data_dir;         ///< the real graph's folder (default_data_dir())
  std::string self;             ///< this binary (argv[0] resolved)
  std::string baseline_binary;  ///< another wom to time and count beside this one (empty: none)
  /// One line per finished run, for a progress display (may be empty).
  std::function<void(const std::string&)> progress;
};

struct SuiteRun {
  nlohmann::ordered_json candidate;                ///< this binary's document
  std::optional<nlohmann::ordered_json> baseline;  ///< the baseline binary's, when given
};

/// The names of the cases `filter` selects, in suite order; throws wom::Error when the regex
/// is invalid or selects none.
std::vector<std::string> select_cases(const std::string& filter);

SuiteRun run_suite(const SuiteOptions& options);

/// The child's side: runs one case here and returns its line for the parent.
nlohmann::ordered_json run_case_here(const std::string& name, const CaseInput& input);

/// CPU, cores, memory, kernel, compiler, build flags, commit, version, valgrind, date.
nlohmann::ordered_json machine_fingerprint();

/// The binary's path as a child process can run it (argv[0] resolved through /proc/self/exe).
std::string self_path(const char* argv0);

}  // namespace wom::bench
