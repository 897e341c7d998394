#pragma once
/// The cases of `wom bench` (bench/README.md): each one builds its input, then times one
/// measured region — the part a regression gate judges — and reports how much work it did.
///
/// A case runs in a process of its own (suite.hpp), so that its peak memory is its own. Under
/// callgrind the region's instructions are counted alone: the counters are zeroed when the
/// region starts and dumped when it ends, so building the input is not counted.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wom::bench {

/// `--short` sizes (the CI gate: the whole suite well under 5 minutes on 2 cores) or full
/// sizes (the issue targets' sizes: 10⁶ persons).
enum class Size { Short, Full };

struct CaseInput {
  Size size = Size::Short;
  int threads = 0;       ///< worker threads (0: all cores)
  std::string data_dir;  ///< the repository's data/ (the real graph)
  long persons = 0;      ///< generated graphs' size instead of the mode's (scaling runs); 0: the mode's
};

struct CaseResult {
  double seconds = 0;            ///< wall time of the measured region
  double work = 0;               ///< units of work done in it (Case::unit)
  nlohmann::ordered_json facts;  ///< what was measured: sizes, steps, arcs, ...
};

struct Case {
  std::string name;  ///< e.g. "sir.ba"
  std::string what;  ///< one line: what the region does
  std::string unit;  ///< the work's unit: "arcs", "agent-steps", "focal events", "rows"
  std::function<CaseResult(const CaseInput&)> run;
};

/// Every case, in the order the suite runs them.
const std::vector<Case>& cases();

/// The case named `name`, or null.
const Case* find_case(const std::string& name);

/// The data folder: $WOM_DATA_DIR, else ./data when it holds the real graph, else the source
/// tree's data/ recorded at build time. Empty when none holds it.
std::string default_data_dir();

}  // namespace wom::bench
