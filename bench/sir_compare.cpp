// Our side of the graph-tool comparison (bench/graph_tool_sir.py drives it).
//   wom_sir_compare export DIR [n m seed]   writes DIR/edges.u32 (u,v pairs, u<v),
//                                           DIR/infected.u32 (initially infected agents)
//   wom_sir_compare run THREADS [n m seed]  one complete SIR epidemic; prints JSON with the
//                                           epidemic's wall time (graph building excluded)
// SIR: beta 0.05 per contact per step, gamma 0.1 per step, 1 % initially infected.
#include <fmt/format.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "bench/bench_common.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/sampling.hpp"

using namespace wom;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: wom_sir_compare export DIR [n m seed] | run THREADS [n m seed]\n");
    return 2;
  }
  const std::string cmd = argv[1];
  const vid n = argc > 3 ? vid(std::atoll(argv[3])) : 1'000'000;
  const int m = argc > 4 ? std::atoi(argv[4]) : 5;
  const std::uint64_t seed = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1;
  const Graph& g = bench::ba_graph(n, m, seed);
  const Params p = bench::sir_params();
  if (cmd == "export") {
    const std::string dir = argv[2];
    std::FILE* f = std::fopen((dir + "/edges.u32").c_str(), "wb");
    if (!f) return 1;
    for (vid u = 0; u < g.n; ++u)
      for (vid v : g.out(u))
        if (u < v) {
          const vid e[2] = {u, v};
          std::fwrite(e, sizeof e, 1, f);
        }
    std::fclose(f);
    // The same initial infected set the model draws (see models/sir: choose_agents, kSeed).
    const auto seeds = choose_agents(g, rng::Stream(rng::RunKey(seed, 0), 0, 0x5149'5201), std::llround(0.01 * g.n));
    f = std::fopen((dir + "/infected.u32").c_str(), "wb");
    std::fwrite(seeds.data(), sizeof(vid), seeds.size(), f);
    std::fclose(f);
    std::printf("{\"n\": %u, \"arcs\": %llu, \"infected\": %zu}\n", g.n, (unsigned long long)g.num_arcs(),
                seeds.size());
    return 0;
  }
  const int threads = std::atoi(argv[2]);
  const int repeat = std::getenv("WOM_REPEAT") ? std::max(1, std::atoi(std::getenv("WOM_REPEAT"))) : 1;  // profiling
  register_models();
  const ModelInfo& info = *Registry::instance().find("sir");
  Trajectory tr;
  double secs = 0, cpu = 0;
  auto thread_cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  };
  with_threads(threads, [&] {
    const double c0 = thread_cpu();
    const auto t0 = std::chrono::steady_clock::now();
    for (int rep = 0; rep < repeat; ++rep) tr = run_model(info, p, g, ReplicatePlan{seed, 0, 2000, 1.0});
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu = thread_cpu() - c0;
  });
  // cpu_main: CPU time of the calling thread (equals the work at 1 thread; robust to
  // other load on a shared machine).
  std::printf(
      "{\"threads\": %d, \"seconds\": %.6f, \"cpu_main\": %.6f, \"steps\": %lld, \"recovered\": %.0f, \"n\": %u, "
      "\"arcs\": %llu}\n",
      threads, secs, cpu, (long long)tr.steps_computed, tr.at(2000, 2), g.n, (unsigned long long)g.num_arcs());
  return 0;
}
