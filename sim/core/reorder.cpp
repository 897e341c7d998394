#include "sim/core/reorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/cuthill_mckee_ordering.hpp>
#include <numeric>

#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"

namespace wom {

namespace {

/// Size of the sorted union of two sorted, repeat-free rows; writes it to `out` when given.
std::size_t merge_rows(std::span<const vid> a, std::span<const vid> b, vid* out) {
  std::size_t i = 0, j = 0, k = 0;
  while (i < a.size() || j < b.size()) {
    vid x;
    if (j == b.size() || (i < a.size() && a[i] < b[j])) {
      x = a[i++];
    } else if (i == a.size() || b[j] < a[i]) {
      x = b[j++];
    } else {
      x = a[i++];
      ++j;
    }
    if (out) out[k] = x;
    ++k;
  }
  return k;
}

}  // namespace

UndirectedView::UndirectedView(const Graph& g) : n_(g.n) {
  if (g.complete) throw Error("UndirectedView: the implicit complete graph has no stored arcs");
  if (!g.directed) {
    offsets_ = g.out_offsets;
    targets_ = g.out_targets;
    return;
  }
  own_offsets_.assign(std::size_t(n_) + 1, 0);
  for_each_block(n_, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t u = lo; u < hi; ++u) own_offsets_[u + 1] = merge_rows(g.out(vid(u)), g.in(vid(u)), nullptr);
  });
  std::inclusive_scan(own_offsets_.begin(), own_offsets_.end(), own_offsets_.begin());
  own_targets_.resize(own_offsets_.back());
  for_each_block(n_, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t u = lo; u < hi; ++u)
      merge_rows(g.out(vid(u)), g.in(vid(u)), own_targets_.data() + own_offsets_[u]);
  });
  offsets_ = own_offsets_;
  targets_ = own_targets_;
}

std::vector<vid> rcm_order(const Graph& g) {
  std::vector<vid> perm(g.n);
  if (g.complete || g.n == 0) {
    std::iota(perm.begin(), perm.end(), vid(0));
    return perm;
  }
  // Boost's CSR over the (already sorted) symmetric rows: directed storage of both arcs of
  // each edge is what cuthill_mckee_ordering needs (out_edges, out_degree).
  using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                 boost::no_property, vid, eid>;
  const Csr bg = [&] {
    const UndirectedView view(g);
    std::vector<std::pair<vid, vid>> arcs;
    arcs.reserve(view.targets().size());
    for (vid u = 0; u < g.n; ++u)
      for (vid v : view.row(u)) arcs.emplace_back(u, v);
    return Csr(boost::edges_are_sorted, arcs.begin(), arcs.end(), std::size_t(g.n));
  }();
  // Old vertices in new order; writing through a reverse iterator gives *reverse* CM.
  std::vector<vid> inverse(g.n);
  boost::cuthill_mckee_ordering(bg, inverse.rbegin());
  for (vid i = 0; i < g.n; ++i) perm[inverse[i]] = i;
  return perm;
}

std::vector<vid> degree_order(const Graph& g) {
  std::vector<vid> order(g.n);
  std::iota(order.begin(), order.end(), vid(0));
  std::vector<vid> perm(g.n);
  if (g.complete) {
    perm = order;
    return perm;
  }
  auto total = [&](vid v) { return std::uint64_t(g.out_degree(v)) + (g.directed ? std::uint64_t(g.in_degree(v)) : 0); };
  std::stable_sort(order.begin(), order.end(), [&](vid a, vid b) { return total(a) > total(b); });
  for (vid i = 0; i < g.n; ++i) perm[order[i]] = i;
  return perm;
}

Graph reorder(const Graph& g, const std::string& how) {
  if (how != "none" && how != "rcm" && how != "degree")
    throw Error(fmt::format("graph.reorder = '{}' is not accepted: accepted none | rcm | degree", how));
  if (how == "none" || g.complete) return g;
  return permute(g, how == "rcm" ? rcm_order(g) : degree_order(g));
}

}  // namespace wom
