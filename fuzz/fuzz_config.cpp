// libFuzzer target: the YAML config loader (sim/io/config.*) as `wom run CONFIG --set ...` uses it,
// with `extends:` and `--set` overrides, then the checks `wom run` makes before it simulates.
//
// Input: parts separated by lines reading `@@` (fuzz/fuzz_common.hpp):
//   main.yaml @@ base.yaml @@ other.yaml @@ one `--set key=value` per line (at most 8)
// All three files are written into one private folder, so `extends: base.yaml` (or a list, or
// a chain through other.yaml) resolves there. A missing part is an empty file.
//
// The config is loaded as `wom run` loads it (load_config with the overrides), and, when that
// fails, as `wom graph stats CONFIG` does (graph keys only). A config that loads is checked as
// `wom run` checks it before it simulates: the memory check (with a fixed 1 GiB budget), which
// must refuse huge graphs without allocating them; the scenario is never run. It must also
// survive its own resolved config: as JSON (summary.json), and as YAML read back to the same
// resolved config (what `wom run DIR/config.yaml` relies on); and one more override on it.
//
// Accepted outcome: wom::Error (the loader's documented error). Anything else that escapes, a
// sanitizer report, a hang or a large allocation is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_common.hpp"
#include "models/registry.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"
#include "sim/io/config.hpp"
#include "sim/io/memory_check.hpp"

namespace {

void check_loaded(const wom::Config& cfg) {
  const wom::Scenario& sc = cfg.scenario;
  // What run_scenario checks before it builds anything (no graph is built here).
  try {
    wom::check_memory(sc, cfg.plan.replicates, 1);
  } catch (const wom::Error&) {
  }
  // What summary.json and manifest.json hold: JSON, which takes UTF-8 text only.
  (void)sc.resolved.dump();
  // The resolved config reads back to itself.
  const std::string yaml = wom::to_yaml(sc.resolved);
  const std::string again_path = wom::fuzz::put("resolved.yaml", yaml);
  wom::Config again;
  try {
    wom::LoadOptions lo;
    lo.graph_only = sc.graph_only;
    again = wom::load_config(again_path, {}, lo);
  } catch (const wom::Error& e) {
    std::fprintf(stderr, "resolved config does not load again: %s\n--- resolved:\n%s\n", e.what(), yaml.c_str());
    std::abort();
  }
  if (again.scenario.resolved != sc.resolved) {
    std::fprintf(stderr, "resolved config reads back differently:\n%s\n--- again:\n%s\n", yaml.c_str(),
                 wom::to_yaml(again.scenario.resolved).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wom::register_models();
  // The memory check compares with this instead of the machine's memory: the same verdict
  // for the same input, whatever else runs.
  ::setenv("WOM_MEMORY_LIMIT", "1073741824", 1);
  static wom::ThreadLimit one_thread(1);
  (void)wom::fuzz::scratch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = wom::fuzz::split_parts(data, size, 4);
  const std::string main_path = wom::fuzz::put("main.yaml", parts[0]);
  wom::fuzz::put("base.yaml", parts.size() > 1 ? parts[1] : std::string_view());
  wom::fuzz::put("other.yaml", parts.size() > 2 ? parts[2] : std::string_view());
  std::vector<std::string> sets;
  if (parts.size() > 3) sets = wom::fuzz::lines(parts[3]);
  if (sets.size() > 8) sets.resize(8);

  try {
    const wom::Config cfg = wom::load_config(main_path, sets);
    check_loaded(cfg);
    // More overrides on a loaded scenario, as `wom compare --vary` and sweeps apply them.
    if (!sets.empty()) check_loaded(wom::override_config(cfg.scenario, {sets.back()}));
    return 0;
  } catch (const wom::Error&) {
  }
  // As `wom graph stats CONFIG` reads it: the graph keys only (model and params unchecked).
  try {
    wom::LoadOptions lo;
    lo.graph_only = true;
    check_loaded(wom::load_config(main_path, sets, lo));
  } catch (const wom::Error&) {
  }
  return 0;
}
