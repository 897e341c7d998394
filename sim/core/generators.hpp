#pragma once
/// Random graph generators. Every generator is a pure function of its parameters and the
/// run key (seed, replicate): each draw comes from the counter RNG, keyed by meaning (the
/// row or vertex it decides and a draw index k), never from a stateful generator. Rows
/// that do not depend on each other are drawn in parallel; the result is the same at any
/// thread count. Generated agents get stable ids 0..n-1.
///
/// `make_graph` (graph_spec.hpp) validates a GraphSpec, dispatches to these functions,
/// loads `file` graphs through the edge-list reader that sim/io installs, and reorders.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/graph.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/core/rng.hpp"

namespace wom {

/// RNG purposes of the generators; fixed forever so a (seed, replicate) always gives the
/// same graph. Step 0 of each stream is used.
namespace purpose {
inline constexpr rng::Purpose kErdosRenyi = 0x47E1'5A0C'D3B2'0001ULL;
inline constexpr rng::Purpose kBarabasiAlbert = 0x47E1'5A0C'D3B2'0002ULL;
inline constexpr rng::Purpose kWattsStrogatz = 0x47E1'5A0C'D3B2'0003ULL;
inline constexpr rng::Purpose kDegreeSample = 0x47E1'5A0C'D3B2'0004ULL;
inline constexpr rng::Purpose kStubShuffle = 0x47E1'5A0C'D3B2'0005ULL;
inline constexpr rng::Purpose kBlockModel = 0x47E1'5A0C'D3B2'0006ULL;
inline constexpr rng::Purpose kHolmeKim = 0x47E1'5A0C'D3B2'0007ULL;
}  // namespace purpose

/// Erdős–Rényi G(n, p): each of the n(n-1)/2 pairs (n(n-1) ordered pairs if directed) is an
/// edge independently with probability p. O(n + m) by geometric skipping within each row.
Graph erdos_renyi(vid n, double p, bool directed, rng::RunKey key, BuildReport* report = nullptr);

/// Barabási–Albert: a complete graph on m+1 vertices, then each new vertex attaches to m
/// distinct earlier vertices chosen with probability proportional to their degree
/// (Batagelj–Brandes endpoint list; repeated picks are redrawn). Undirected;
/// m(m+1)/2 + (n-m-1)m edges. Requires 1 <= m < n.
///
/// Generated in parallel: vertices arrive in cohorts, and the cohort starting at vertex a
/// (max(1, floor(a/1024)) vertices) attaches to the graph as it stood when the cohort began.
/// Up to vertex 1024 this is exactly the sequential process; beyond, a vertex cannot pick
/// the at most a/1024 vertices of its own cohort. The graph depends only on n, m and the
/// key, never on the thread count.
Graph barabasi_albert(vid n, vid m, rng::RunKey key, BuildReport* report = nullptr);

/// Holme–Kim ("powerlaw cluster", Phys. Rev. E 65, 026107): Barabási–Albert with triad
/// formation. A complete graph on m+1 vertices, then each new vertex v adds m edges to
/// distinct earlier vertices. The first is a preferential-attachment (PA) step, as in
/// barabasi_albert. Each following one is, with probability `triad`, a triad-formation step:
/// a uniform neighbour of the target of v's latest PA step, taken if v has no edge to it
/// yet, else replaced by a PA step; otherwise it is a PA step. Neighbourhoods are those
/// before v's cohort arrived (cohorts as in barabasi_albert). Undirected; m(m+1)/2 +
/// (n-m-1)m edges. Requires 1 <= m < n and 0 <= triad <= 1; triad = 0 is Barabási–Albert
/// (with other draws).
Graph holme_kim(vid n, vid m, double triad, rng::RunKey key, BuildReport* report = nullptr);

/// Watts–Strogatz: ring lattice where each vertex links to its k/2 successors; each edge's
/// far end is rewired with probability `rewire` to a uniform vertex other than the near
/// end. Rewired edges that duplicate another edge are dropped (counted in the report).
/// Requires k even, 2 <= k < n.
Graph watts_strogatz(vid n, vid k, double rewire, rng::RunKey key, BuildReport* report = nullptr);

/// Configuration model: vertex v gets degree[v] stubs; stubs are paired after a keyed
/// Fisher–Yates shuffle. Self-loops and multi-edges are dropped (counted in the report).
/// If the degree sum is odd, the last vertex (n-1) gets one extra stub.
Graph configuration_model(std::vector<vid> degree, rng::RunKey key, BuildReport* report = nullptr);

/// Degree sequence of n vertices drawn from `spec` (power_law, geometric or regular; see
/// graph.degree in the docs of GraphSpec). `file` is read with `read_degree_file`.
///   power_law: P(k) ∝ k^-exponent for min <= k <= max, drawn by inverse CDF over a table.
///   geometric: P(k) = (1-q)^(k-1) q for k >= 1, q = 1/mean (so the mean is `mean`, >= 1).
///   regular:   every degree is round(mean).
std::vector<vid> sample_degrees(const DegreeSpec& spec, vid n, rng::RunKey key);

/// Reads one non-negative integer degree per line; `#` starts a comment, blank lines are
/// skipped. Throws wom::Error naming file:line on bad input.
std::vector<vid> read_degree_file(const std::string& path);

/// Stochastic block model: consecutive blocks of the given sizes (n = their sum); a pair
/// within a block is an edge with probability p_in, across blocks with p_out.
Graph stochastic_block_model(const std::vector<vid>& blocks, double p_in, double p_out, bool directed, rng::RunKey key,
                             BuildReport* report = nullptr);

/// Throws wom::Error naming the first key of `spec` that is out of range for its generator.
void validate_graph_spec(const GraphSpec& spec);

/// Reads the edge list of generator `file` (path, directed, reverse). The core knows no
/// file format; sim/io installs its reader here when it is linked in.
using EdgeListLoader = Graph (*)(const std::string& path, bool directed, bool reverse, BuildReport* report);
/// Installs the reader used by make_graph for generator `file`.
void set_edge_list_loader(EdgeListLoader loader);

}  // namespace wom
