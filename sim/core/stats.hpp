#pragma once
/// Structural statistics of a frozen graph (`wom graph stats`, percolation theory tests).
///
/// Clustering treats the graph as undirected and simple (UndirectedView): an arc in either
/// direction makes two agents neighbours. The implicit complete graph gets analytic values
/// without touching arcs.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/graph.hpp"

namespace wom {

struct GraphStats {
  std::uint64_t n = 0;     ///< agents
  std::uint64_t arcs = 0;  ///< stored arcs (undirected graphs: two per edge); n(n-1) when complete
  bool directed = false;
  bool complete = false;
  double mean_out_degree = 0, mean_in_degree = 0;        ///< ⟨k⟩ = arcs / n
  double out_degree_moment2 = 0, in_degree_moment2 = 0;  ///< ⟨k²⟩
  std::uint64_t max_out_degree = 0, max_in_degree = 0;
  std::uint64_t isolated = 0;           ///< agents with no arc in or out
  std::uint64_t components = 0;         ///< weakly connected components
  std::uint64_t largest_component = 0;  ///< agents in the largest of them
  std::uint64_t edges = 0;              ///< edges of the undirected simple view
  double triangles = 0;                 ///< triangles of the undirected view (exact below 2^53)
  double connected_triples = 0;         ///< paths of length two, Σ d(d-1)/2 over the undirected view
  double transitivity = 0;              ///< 3 triangles / connected triples (0 when there are none)
  double average_clustering = 0;        ///< mean over all agents of local clustering (0 for degree < 2)
};

/// Computes every field of GraphStats. Parallel over agents; the result is identical at any
/// thread count (integer counts, floating sums merged in block order).
GraphStats compute_stats(const Graph& g);

/// A readable multi-line block, one quantity per line, for `wom graph stats`.
std::string format_stats(const GraphStats& s);

/// p_k of the out-degree: index k holds the fraction of agents with out-degree k (size
/// max out-degree + 1). The generating functions of percolation theory start here.
std::vector<double> degree_distribution(const Graph& g);

}  // namespace wom
