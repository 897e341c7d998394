#pragma once
/// A graph described by the `graph:` block of a config, before it is built.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/graph.hpp"

namespace wom {

struct DegreeSpec {
  std::string distribution = "power_law";  ///< power_law | geometric | regular | file
  double exponent = 2.5;                   ///< power law: P(k) ∝ k^-exponent on [min, max]
  std::int64_t min = 1;
  std::int64_t max = 1000;
  double mean = 4.0;  ///< geometric mean degree; regular degree
  std::string file;   ///< one degree per line (resolved path)
};

struct GraphSpec {
  /// erdos_renyi | barabasi_albert | holme_kim | watts_strogatz | configuration | sbm | complete | file
  std::string generator = "erdos_renyi";
  std::int64_t n = 1000;
  double mean_degree = 4.0;          ///< erdos_renyi
  std::int64_t m = 3;                ///< barabasi_albert, holme_kim: edges per new vertex
  double triad = 0.5;                ///< holme_kim: probability of a triad-formation step
  std::int64_t k = 4;                ///< watts_strogatz: ring degree (even)
  double rewire = 0.1;               ///< watts_strogatz
  DegreeSpec degree;                 ///< configuration
  std::vector<std::int64_t> blocks;  ///< sbm block sizes (n = their sum)
  double p_in = 0.1, p_out = 0.01;   ///< sbm
  std::string path;                  ///< file: SNAP edge list, plain or .gz (resolved path)
  bool directed = false;
  bool reverse = false;          ///< file: flip every arc
  std::string reorder = "none";  ///< none | rcm | degree
};

/// What building reported: dropped arcs, generator notes.
struct GraphInfo {
  BuildReport build;
  std::string description;  ///< e.g. "barabasi_albert n=1000000 m=5"
};

/// Builds the graph of a spec for (seed, replicate); deterministic in both. Generated
/// graphs are drawn anew per replicate; a file graph is the same for every replicate.
Graph make_graph(const GraphSpec& spec, std::uint64_t seed, std::uint64_t replicate, GraphInfo* info = nullptr);

}  // namespace wom
