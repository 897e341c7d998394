#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>

#include "parallel.hpp"
#include "service_wom/service_wom.hpp"
#include "support/run.hpp"
#include "support/theory.hpp"

using namespace wom;

TEST_CASE("service_wom smoke", "[models][service_wom]") {
  GraphSpec spec;
  spec.generator = "barabasi_albert";
  spec.n = 20000;
  spec.m = 5;
  const Graph g = make_graph(spec, 1, 0);
  const Params p = test::params_for("service_wom", {});
  const Trajectory tr = test::run("service_wom", p, g, 1, 0, 730, 1.0);
  for (std::size_t k = 0; k < tr.columns.size(); ++k) WARN(fmt::format("{} {} {}", tr.columns[k], tr.at(365, k), tr.at(730, k)));
  const auto s = models::service_wom_summary(p, tr, 1.0);
  for (auto& [k, v] : s) WARN(fmt::format("{} = {}", k, v));
}

TEST_CASE("service_wom timing on Barabasi-Albert n=10^6 m=5", "[.][perf][service_wom]") {
  GraphSpec spec;
  spec.generator = "barabasi_albert";
  spec.n = 1000000;
  spec.m = 5;
  auto t0 = std::chrono::steady_clock::now();
  const Graph g = make_graph(spec, 1, 0);
  auto t1 = std::chrono::steady_clock::now();
  WARN(fmt::format("graph {:.2f} s, {} arcs, {:.1f} MB", std::chrono::duration<double>(t1 - t0).count(), g.num_arcs(), g.memory_bytes() / 1e6));
  const Params p = test::params_for("service_wom", {});
  const std::int64_t steps = 730;
  for (int threads : {1, 2}) {
    Trajectory tr;
    auto a = std::chrono::steady_clock::now();
    with_threads(threads, [&] { tr = test::run("service_wom", p, g, 1, 0, steps, 1.0); });
    auto b = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(b - a).count();
    WARN(fmt::format("threads {}: {:.2f} s total, {:.2f} ms/step, state {:.1f} bytes/person, customers {} -> {}", threads, s,
                     1e3 * s / steps, double(tr.state_bytes) / g.n, tr.at(0, 1), tr.at(steps, 1)));
  }
}
