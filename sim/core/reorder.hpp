#pragma once
/// Locality reorderings of a frozen graph, and the undirected simple view of a graph that
/// reorderings and statistics share.
///
/// A permutation `perm` maps each agent to its new storage index: new index of old v is
/// perm[v]. Stable ids travel with the agents (see `permute`), so keyed randomness, and
/// with it every result, is unchanged by a reorder.
#include <span>
#include <string>
#include <vector>

#include "sim/core/graph.hpp"

namespace wom {

/// The undirected simple view of a graph: u and v are neighbours when an arc joins them in
/// either direction. Rows are sorted and hold no self-loops or repeats. For an undirected
/// graph it borrows the graph's arrays (the graph must outlive the view); for a directed
/// one it owns the merged out- and in-rows. Not for the implicit complete graph.
class UndirectedView {
 public:
  explicit UndirectedView(const Graph& g);
  UndirectedView(const UndirectedView&) = delete;
  UndirectedView& operator=(const UndirectedView&) = delete;

  vid n() const { return n_; }
  /// Neighbours of u, ascending.
  std::span<const vid> row(vid u) const { return {targets_.data() + offsets_[u], targets_.data() + offsets_[u + 1]}; }
  vid degree(vid u) const { return vid(offsets_[u + 1] - offsets_[u]); }
  std::span<const eid> offsets() const { return offsets_; }
  std::span<const vid> targets() const { return targets_; }

 private:
  vid n_ = 0;
  std::vector<eid> own_offsets_;
  std::vector<vid> own_targets_;
  std::span<const eid> offsets_;
  std::span<const vid> targets_;
};

/// Reverse Cuthill–McKee order (boost::cuthill_mckee_ordering on the undirected view, one
/// pseudo-peripheral start per component): neighbours get nearby indices. Returns perm.
std::vector<vid> rcm_order(const Graph& g);

/// Descending total degree (out + in for directed graphs), ties by current index: hubs first,
/// so their rows share cache lines. Returns perm.
std::vector<vid> degree_order(const Graph& g);

/// Applies `how` = none | rcm | degree (the `graph.reorder` key). The implicit complete
/// graph is symmetric under any relabelling and is returned unchanged.
Graph reorder(const Graph& g, const std::string& how);

}  // namespace wom
