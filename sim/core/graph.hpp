#pragma once
/// Frozen compressed-sparse-row graph: 32-bit vertex ids, 64-bit arc offsets.
///
/// Arc direction follows docs/design.md §2: an arc u→v means "v hears u". out(u) lists the
/// agents that hear u (push targets); in(v) lists the agents v hears (pull sources).
/// Undirected graphs store each edge as two arcs and share one CSR for in and out.
/// The complete graph is implicit (mean-field): no arcs are stored, and kernels that
/// support it read population totals instead of neighbours.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wom {

using vid = std::uint32_t;  ///< storage index of an agent, 0..n-1
using eid = std::uint64_t;  ///< arc offset

struct Graph {
  vid n = 0;
  bool directed = false;
  bool complete = false;         ///< implicit complete graph: no stored arcs
  std::vector<eid> out_offsets;  ///< size n+1 (empty when complete)
  std::vector<vid> out_targets;  ///< targets sorted within each row
  std::vector<eid> in_offsets;   ///< directed only; undirected graphs reuse out_*
  std::vector<vid> in_sources;
  std::vector<std::uint64_t> ids;  ///< stable id per agent: the input id, or the generator's index
  bool identity_ids = false;       ///< ids[v] == v for all v: kernels skip the gather

  eid num_arcs() const { return complete ? eid(n) * (n ? n - 1 : 0) : eid(out_targets.size()); }
  std::span<const vid> out(vid u) const {
    return {out_targets.data() + out_offsets[u], out_targets.data() + out_offsets[u + 1]};
  }
  std::span<const vid> in(vid v) const {
    if (!directed) return out(v);
    return {in_sources.data() + in_offsets[v], in_sources.data() + in_offsets[v + 1]};
  }
  vid out_degree(vid u) const { return complete ? n - 1 : vid(out_offsets[u + 1] - out_offsets[u]); }
  vid in_degree(vid v) const {
    if (complete) return n - 1;
    return directed ? vid(in_offsets[v + 1] - in_offsets[v]) : out_degree(v);
  }
  /// Stable id of agent v (keys its random draws). Free when ids are the identity.
  std::uint64_t id(vid v) const { return identity_ids ? std::uint64_t(v) : ids[v]; }
  /// Bytes held by the arrays (for the memory figures of the benchmarks).
  std::size_t memory_bytes() const;
};

/// What building a graph dropped.
struct BuildReport {
  std::uint64_t input_arcs = 0;
  std::uint64_t self_loops = 0;
  std::uint64_t duplicates = 0;
};

using ArcList = std::vector<std::pair<vid, vid>>;

/// Builds the frozen CSR by a parallel counting sort (the result does not depend on the
/// thread count: rows are sorted).
/// `arcs` are (source, target) pairs over 0..n-1. Self-loops and duplicate arcs are
/// dropped and counted; for an undirected graph (u,v) and (v,u) are one edge and both
/// arcs are stored. `ids` (size n, or empty for 0..n-1) become the stable agent ids.
/// Consumes `arcs`.
Graph build_graph(vid n, ArcList&& arcs, bool directed, std::vector<std::uint64_t> ids = {},
                  BuildReport* report = nullptr);

/// The implicit complete graph on n agents (mean-field mixing; no arcs stored).
Graph complete_graph(vid n);

/// Relabels agents: new index of old agent v is perm[v]. Stable ids travel with agents.
Graph permute(const Graph& g, const std::vector<vid>& perm);

}  // namespace wom
