#include "sim/core/graph.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <numeric>
#include <utility>

#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"

namespace wom {

namespace {

/// Builds CSR rows from an arc list in parallel, by a two-level counting sort: arcs are
/// first scattered to buckets of consecutive sources (chunks of the arc list in order, so
/// the scatter is deterministic), then each bucket counts and places its own rows. Each
/// row is then sorted, and self-loops and repeated targets are dropped. `both` stores each
/// arc (u, v) also as (v, u). Consumes `arcs`. Returns the number of arcs removed as
/// duplicates.
std::uint64_t csr_from_arcs(vid n, ArcList&& arcs, bool both, std::vector<eid>& offsets, std::vector<vid>& targets,
                            std::uint64_t* self_loops) {
  const std::size_t m = arcs.size();
  int shift = 0;  // a bucket holds 2^shift sources; at most 2^16, so a row fits 16 bits
  while ((std::size_t(n) >> shift) > 1024 && shift < 16) ++shift;
  const std::size_t nb = (std::size_t(n) >> shift) + 1;
  const std::size_t chunk = std::max<std::size_t>(std::size_t(1) << 16, (m + 4095) / 4096);
  const std::size_t chunks = num_blocks(m, chunk);
  std::vector<eid> at(chunks * nb, 0);  // at[c * nb + b]: chunk c's count, then its cursor, in bucket b
  for_each_block(
      m,
      [&](std::size_t c, std::size_t lo, std::size_t hi) {
        eid* h = at.data() + c * nb;
        for (std::size_t i = lo; i < hi; ++i) {
          ++h[arcs[i].first >> shift];
          if (both) ++h[arcs[i].second >> shift];
        }
      },
      chunk, chunk);
  std::vector<eid> bucket_start(nb + 1);
  eid total = 0;
  for (std::size_t b = 0; b < nb; ++b) {
    bucket_start[b] = total;
    for (std::size_t c = 0; c < chunks; ++c) total += std::exchange(at[c * nb + b], total);
  }
  bucket_start[nb] = total;
  std::vector<vid> seg_v(total);
  std::vector<std::uint16_t> seg_u(total);
  const vid low = (vid(1) << shift) - 1;
  for_each_block(
      m,
      [&](std::size_t c, std::size_t lo, std::size_t hi) {
        eid* cur = at.data() + c * nb;
        for (std::size_t i = lo; i < hi; ++i) {
          const auto [u, v] = arcs[i];
          eid p = cur[u >> shift]++;
          seg_v[p] = v;
          seg_u[p] = std::uint16_t(u & low);
          if (both) {
            p = cur[v >> shift]++;
            seg_v[p] = u;
            seg_u[p] = std::uint16_t(v & low);
          }
        }
      },
      chunk, chunk);
  ArcList().swap(arcs);
  std::vector<eid>().swap(at);
  std::vector<eid> rs(std::size_t(n) + 1);
  std::vector<vid> col(total);
  for_each_block(
      nb,
      [&](std::size_t b, std::size_t, std::size_t) {
        const std::size_t lo = b << shift, hi = std::min(std::size_t(n), (b + 1) << shift);
        if (lo >= hi) return;
        std::vector<eid> cursor(hi - lo + 1, 0);
        for (eid p = bucket_start[b]; p < bucket_start[b + 1]; ++p) ++cursor[seg_u[p] + 1];
        cursor[0] = bucket_start[b];
        std::inclusive_scan(cursor.begin(), cursor.end(), cursor.begin());
        std::copy_n(cursor.begin(), hi - lo, rs.begin() + std::ptrdiff_t(lo));
        for (eid p = bucket_start[b]; p < bucket_start[b + 1]; ++p) col[cursor[seg_u[p]]++] = seg_v[p];
      },
      1, 2);
  rs[n] = total;
  std::vector<vid>().swap(seg_v);
  std::vector<std::uint16_t>().swap(seg_u);
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
  const std::uint64_t loops = std::accumulate(loops_part.begin(), loops_part.end(), std::uint64_t(0));
  const std::uint64_t dups = std::accumulate(dup_part.begin(), dup_part.end(), std::uint64_t(0));
  if (self_loops) *self_loops = loops;
  if (loops + dups == 0) {  // nothing dropped: the rows are already in place
    targets = std::move(col);
    offsets = std::move(rs);
    return 0;
  }
  std::inclusive_scan(kept.begin(), kept.end(), kept.begin());
  targets.resize(kept[n]);
  for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t u = lo; u < hi; ++u)
      std::copy_n(col.data() + rs[u], kept[u + 1] - kept[u], targets.data() + kept[u]);
  });
  offsets = std::move(kept);
  return dups;
}

}  // namespace

Graph build_graph(vid n, ArcList&& arcs, bool directed, std::vector<std::uint64_t> ids, BuildReport* report) {
  Graph g;
  g.n = n;
  g.directed = directed;
  BuildReport rep;
  rep.input_arcs = arcs.size();
  std::atomic<bool> outside{false};
  for_each_block(
      arcs.size(),
      [&](std::size_t, std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
          if (arcs[i].first >= n || arcs[i].second >= n) outside.store(true, std::memory_order_relaxed);
      },
      std::size_t(1) << 16, std::size_t(1) << 16);
  if (outside)  // name the first such arc, whatever the schedule
    for (const auto& [u, v] : arcs)
      if (u >= n || v >= n) throw Error(fmt::format("arc ({}, {}) names a vertex outside 0..{}", u, v, n - 1));
  throw_if_cancelled();  // between the phases of a long build
  // Undirected: both directions are stored, so a repeated edge shows up twice as a repeated arc.
  std::uint64_t loops = 0;
  std::uint64_t dups = csr_from_arcs(n, std::move(arcs), !directed, g.out_offsets, g.out_targets, &loops);
  if (!directed) {
    loops /= 2;  // each self-loop was seen in both copies
    dups /= 2;
  } else {
    throw_if_cancelled();
    // In-arcs: the transpose of the (already clean) out-CSR.
    ArcList rev(g.out_targets.size());
    for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
      for (std::size_t u = lo; u < hi; ++u)
        for (eid i = g.out_offsets[u]; i < g.out_offsets[u + 1]; ++i) rev[i] = {g.out_targets[i], vid(u)};
    });
    csr_from_arcs(n, std::move(rev), false, g.in_offsets, g.in_sources, nullptr);
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
