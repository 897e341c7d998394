// libFuzzer target: the sweep spec parser (sweep/spec.*) and the CSV design reader, as `wom sweep
// SPEC` reads them before anything runs.
//
// Input: parts separated by lines reading `@@` (fuzz/fuzz_common.hpp):
//   spec.yaml @@ points.csv @@ base.yaml
// written into one private folder, so `base: base.yaml` and `file: points.csv` resolve there.
// An empty or missing base part is replaced by a small valid config (kBase), so most inputs
// reach the spec's own checks.
//
// Accepted outcome: wom::Error. The design is made (every point checked against the base
// scenario, as `wom sweep` does before it runs) when it has at most kMaxPoints points; larger
// designs are only parsed (checking thousands of points is slow, not a different code path).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_common.hpp"
#include "models/registry.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"
#include "sweep/spec.hpp"

namespace {

constexpr const char* kBase =
    "model: sir\n"
    "seed: 3\n"
    "replicates: 2\n"
    "time: {steps: 20}\n"
    "graph: {generator: erdos_renyi, n: 200, mean_degree: 4}\n"
    "params: {beta: 0.3, gamma: 0.1, initial: {fraction: 0.02}}\n";

constexpr std::size_t kMaxPoints = 16;

/// The number of points make_design would make, as far as it can be told from the spec
/// (for csv: the lines of the file, an upper bound).
double expected_points(const wom::sweep::Spec& s, std::string_view csv) {
  const double k = double(s.factors.size());
  if (s.design == "grid") {
    double total = 1;
    for (const auto& f : s.factors) total *= f.is_range() ? double(s.levels) : double(f.values.size());
    return total;
  }
  if (s.design == "sobol") return double(s.points) * (k + 2);
  if (s.design == "morris") return double(s.points) * (k + 1);
  if (s.design == "csv") return double(wom::fuzz::lines(csv).size());
  return double(s.points);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wom::register_models();
  static wom::ThreadLimit one_thread(1);
  (void)wom::fuzz::scratch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = wom::fuzz::split_parts(data, size, 3);
  const std::string spec_path = wom::fuzz::put("spec.yaml", parts[0]);
  const std::string_view csv = parts.size() > 1 ? parts[1] : std::string_view();
  wom::fuzz::put("points.csv", csv);
  wom::fuzz::put("base.yaml", parts.size() > 2 && !parts[2].empty() ? parts[2] : std::string_view(kBase));
  try {
    const wom::sweep::Spec spec = wom::sweep::load_spec(spec_path);
    if (expected_points(spec, csv) > double(kMaxPoints)) return 0;
    const auto points = wom::sweep::make_design(spec);
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (points[i].values.size() != spec.factors.size()) {
        std::fprintf(stderr, "point %zu has %zu values for %zu factors\n", i, points[i].values.size(),
                     spec.factors.size());
        std::abort();
      }
      (void)wom::sweep::point_overrides(spec, points[i]);
      (void)wom::sweep::point_seed(spec, std::int64_t(i));
    }
  } catch (const wom::Error&) {
  }
  return 0;
}
