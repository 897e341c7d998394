#include "sim/core/graph.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <numeric>

#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"

namespace wom {

namespace {

using BoostCsr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                    boost::no_property, vid, eid>;

/// Counting-sorts arcs by source through Boost's CSR, then sorts each row and drops
/// self-loops and repeated targets. Returns the number of arcs removed as duplicates.
std::uint64_t csr_from_arcs(vid n, const ArcList& arcs, std::vector<eid>& offsets, std::vector<vid>& targets,
                            std::uint64_t* self_loops) {
  BoostCsr bg(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), std::size_t(n));
  std::vector<eid>& rs = bg.m_forward.m_rowstart;
  std::vector<vid>& col = bg.m_forward.m_column;
  // Per row: sort, drop self-loops and repeats; record kept length.
  std::vector<eid> kept(std::size_t(n) + 1, 0);
  std::vector<std::uint64_t> loops_part(num_blocks(n)), dup_part(num_blocks(n));
  for_each_block(n, [&](std::size_t b, std::size_t lo, std::size_t hi) {
    std::uint64_t loops = 0, dups = 0;
    for (std::size_t u = lo; u < hi; ++u) {
      vid* first = col.data() + rs[u];
      vid* last = col.data() + rs[u + 1];
      std::sort(first, last);
      vid* out = first;
      for (vid* p = first; p != last; ++p) {
        if (*p == vid(u)) {
          ++loops;
          continue;
        }
        if (out != first && out[-1] == *p) {
          ++dups;
          continue;
        }
        *out++ = *p;
      }
      kept[u + 1] = eid(out - first);
    }
    loops_part[b] = loops;
    dup_part[b] = dups;
  });
  std::inclusive_scan(kept.begin(), kept.end(), kept.begin());
  targets.resize(kept[n]);
  for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t u = lo; u < hi; ++u)
      std::copy_n(col.data() + rs[u], kept[u + 1] - kept[u], targets.data() + kept[u]);
  });
  offsets = std::move(kept);
  if (self_loops) *self_loops = std::accumulate(loops_part.begin(), loops_part.end(), std::uint64_t(0));
  return std::accumulate(dup_part.begin(), dup_part.end(), std::uint64_t(0));
}

}  // namespace

Graph build_graph(vid n, ArcList&& arcs, bool directed, std::vector<std::uint64_t> ids, BuildReport* report) {
  Graph g;
  g.n = n;
  g.directed = directed;
  BuildReport rep;
  rep.input_arcs = arcs.size();
  for (const auto& [u, v] : arcs)
    if (u >= n || v >= n) throw Error(fmt::format("arc ({}, {}) names a vertex outside 0..{}", u, v, n - 1));
  if (!directed) {  // store both directions; a repeated edge shows up twice as a repeated arc
    const std::size_t m = arcs.size();
    arcs.resize(2 * m);
    for (std::size_t i = 0; i < m; ++i) arcs[m + i] = {arcs[i].second, arcs[i].first};
  }
  std::uint64_t loops = 0;
  std::uint64_t dups = csr_from_arcs(n, arcs, g.out_offsets, g.out_targets, &loops);
  ArcList().swap(arcs);
  if (!directed) {
    loops /= 2;  // each self-loop was seen in both copies
    dups /= 2;
  } else {
    // In-arcs: the transpose of the (already clean) out-CSR.
    ArcList rev;
    rev.reserve(g.out_targets.size());
    for (vid u = 0; u < n; ++u)
      for (vid v : g.out(u)) rev.emplace_back(v, u);
    csr_from_arcs(n, rev, g.in_offsets, g.in_sources, nullptr);
  }
  rep.self_loops = loops;
  rep.duplicates = dups;
  if (ids.empty()) {
    g.ids.resize(n);
    std::iota(g.ids.begin(), g.ids.end(), std::uint64_t(0));
  } else {
    if (ids.size() != n) throw Error("build_graph: ids size differs from n");
    g.ids = std::move(ids);
  }
  g.identity_ids = true;
  for (vid v = 0; v < n && g.identity_ids; ++v) g.identity_ids = g.ids[v] == v;
  if (report) *report = rep;
  return g;
}

Graph complete_graph(vid n) {
  Graph g;
  g.n = n;
  g.complete = true;
  g.identity_ids = true;
  g.ids.resize(n);
  std::iota(g.ids.begin(), g.ids.end(), std::uint64_t(0));
  return g;
}

Graph permute(const Graph& g, const std::vector<vid>& perm) {
  if (perm.size() != g.n) throw Error("permute: permutation size differs from n");
  std::vector<std::uint64_t> ids(g.n);
  for (vid v = 0; v < g.n; ++v) ids[perm[v]] = g.ids[v];
  if (g.complete) {
    Graph h = complete_graph(g.n);
    h.ids = std::move(ids);
    for (vid v = 0; v < h.n && h.identity_ids; ++v) h.identity_ids = h.ids[v] == v;
    return h;
  }
  ArcList arcs;
  arcs.reserve(g.directed ? g.out_targets.size() : g.out_targets.size() / 2);
  for (vid u = 0; u < g.n; ++u)
    for (vid v : g.out(u))
      if (g.directed || u < v) arcs.emplace_back(perm[u], perm[v]);
  return build_graph(g.n, std::move(arcs), g.directed, std::move(ids));
}

std::size_t Graph::memory_bytes() const {
  return out_offsets.size() * sizeof(eid) + out_targets.size() * sizeof(vid) + in_offsets.size() * sizeof(eid) +
         in_sources.size() * sizeof(vid) + ids.size() * sizeof(std::uint64_t);
}

}  // namespace wom
