#pragma once
// Shared set-up of the benchmarks: the Barabási–Albert graph of the targets.
#include <sys/resource.h>

#include "models/registry.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/graph_spec.hpp"

namespace wom::bench {

/// Barabási–Albert n=10^6, m=5 (10^7 arcs), cached per process.
inline const Graph& ba_graph(vid n = 1'000'000, int m = 5, std::uint64_t seed = 1) {
  static Graph g;
  static vid cached = 0;
  if (cached != n) {
    GraphSpec s;
    s.generator = "barabasi_albert";
    s.n = n;
    s.m = m;
    g = make_graph(s, seed, 0);
    cached = n;
  }
  return g;
}

inline Params sir_params(double beta = 0.05, double gamma = 0.1, double initial = 0.01) {
  register_models();
  Params p;
  p.set("beta", beta);
  p.set("gamma", gamma);
  p.set("initial.fraction", initial);
  return p;
}

/// Peak resident set size of this process, bytes.
inline double peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) * 1024.0;
}

}  // namespace wom::bench
