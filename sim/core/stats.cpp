#include "sim/core/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <tuple>
#include <utility>

#include "sim/core/parallel.hpp"
#include "sim/core/reorder.hpp"

namespace wom {

namespace {

/// Per-block degree partials; `+=` sums the moments and keeps the maxima.
struct DegreeSums {
  double out2 = 0, in2 = 0;
  std::uint64_t max_out = 0, max_in = 0, isolated = 0;
  DegreeSums& operator+=(const DegreeSums& o) {
    out2 += o.out2;
    in2 += o.in2;
    max_out = std::max(max_out, o.max_out);
    max_in = std::max(max_in, o.max_in);
    isolated += o.isolated;
    return *this;
  }
};

GraphStats complete_stats(const Graph& g) {
  GraphStats s;
  const double n = double(g.n);
  s.n = g.n;
  s.arcs = g.num_arcs();
  s.directed = g.directed;
  s.complete = true;
  if (g.n == 0) return s;
  s.mean_out_degree = s.mean_in_degree = n - 1;
  s.out_degree_moment2 = s.in_degree_moment2 = (n - 1) * (n - 1);
  s.max_out_degree = s.max_in_degree = g.n - 1;
  s.isolated = g.n == 1 ? 1 : 0;
  s.components = 1;
  s.largest_component = g.n;
  s.edges = std::uint64_t(g.n) * (g.n - 1) / 2;
  s.triangles = n * (n - 1) * (n - 2) / 6;
  s.connected_triples = n * (n - 1) * (n - 2) / 2;
  s.transitivity = s.average_clustering = g.n >= 3 ? 1.0 : 0.0;
  return s;
}

/// Weakly connected components by union–find (path halving, the smaller root wins, so the
/// forest is the same whatever the arc order). Returns (count, size of the largest).
std::pair<std::uint64_t, std::uint64_t> weak_components(const UndirectedView& view) {
  const vid n = view.n();
  std::vector<vid> parent(n);
  std::iota(parent.begin(), parent.end(), vid(0));
  auto find = [&](vid x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (vid u = 0; u < n; ++u)
    for (vid v : view.row(u)) {
      if (v < u) continue;  // each edge once
      const vid a = find(u), b = find(v);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  std::vector<vid> size(n, 0);
  std::uint64_t count = 0, largest = 0;
  for (vid v = 0; v < n; ++v) {
    const vid r = find(v);
    if (r == v) ++count;
    largest = std::max<std::uint64_t>(largest, ++size[r]);
  }
  return {count, largest};
}

}  // namespace

GraphStats compute_stats(const Graph& g) {
  if (g.complete) return complete_stats(g);
  GraphStats s;
  const vid n = g.n;
  s.n = n;
  s.arcs = g.num_arcs();
  s.directed = g.directed;
  if (n == 0) return s;
  s.mean_out_degree = s.mean_in_degree = double(s.arcs) / double(n);

  const DegreeSums deg = block_reduce<DegreeSums>(n, [&](std::size_t lo, std::size_t hi) {
    DegreeSums d;
    for (std::size_t v = lo; v < hi; ++v) {
      const double ko = g.out_degree(vid(v)), ki = g.in_degree(vid(v));
      d.out2 += ko * ko;
      d.in2 += ki * ki;
      d.max_out = std::max<std::uint64_t>(d.max_out, std::uint64_t(ko));
      d.max_in = std::max<std::uint64_t>(d.max_in, std::uint64_t(ki));
      d.isolated += (ko == 0 && ki == 0) ? 1 : 0;
    }
    return d;
  });
  s.out_degree_moment2 = deg.out2 / double(n);
  s.in_degree_moment2 = deg.in2 / double(n);
  s.max_out_degree = deg.max_out;
  s.max_in_degree = deg.max_in;
  s.isolated = deg.isolated;

  const UndirectedView view(g);
  s.edges = view.targets().size() / 2;
  std::tie(s.components, s.largest_component) = weak_components(view);

  // Triangles by degree orientation: each edge points from the lower to the higher (degree,
  // index) rank, so every triangle is found once, at its lowest-ranked corner, and forward
  // rows hold at most O(sqrt(edges)) entries. Forward rows keep index order, so two of them
  // intersect by a merge.
  auto before = [&](vid a, vid b) {
    const vid da = view.degree(a), db = view.degree(b);
    return da < db || (da == db && a < b);
  };
  std::vector<eid> fwd_off(std::size_t(n) + 1, 0);
  for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t u = lo; u < hi; ++u) {
      eid c = 0;
      for (vid v : view.row(vid(u))) c += before(vid(u), v) ? 1 : 0;
      fwd_off[u + 1] = c;
    }
  });
  std::inclusive_scan(fwd_off.begin(), fwd_off.end(), fwd_off.begin());
  std::vector<vid> fwd(fwd_off.back());
  for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t u = lo; u < hi; ++u) {
      vid* out = fwd.data() + fwd_off[u];
      for (vid v : view.row(vid(u)))
        if (before(vid(u), v)) *out++ = v;
    }
  });
  // Triangles through each agent; a triangle found at u also counts at its other two
  // corners, which other blocks may own: atomic integer adds, so the totals do not depend
  // on the schedule.
  std::vector<std::uint64_t> tri(n, 0);
  auto bump = [&](vid v) { std::atomic_ref<std::uint64_t>(tri[v]).fetch_add(1, std::memory_order_relaxed); };
  const std::uint64_t triangles = block_reduce<std::uint64_t>(n, [&](std::size_t lo, std::size_t hi) {
    std::uint64_t t = 0;
    for (std::size_t uu = lo; uu < hi; ++uu) {
      const vid u = vid(uu);
      const vid* a0 = fwd.data() + fwd_off[u];
      const vid* a1 = fwd.data() + fwd_off[u + 1];
      for (const vid* pv = a0; pv != a1; ++pv) {
        const vid v = *pv;
        const vid* a = a0;
        const vid* b = fwd.data() + fwd_off[v];
        const vid* b1 = fwd.data() + fwd_off[v + 1];
        while (a != a1 && b != b1) {
          if (*a < *b) {
            ++a;
          } else if (*b < *a) {
            ++b;
          } else {
            ++t;
            bump(u);
            bump(v);
            bump(*a);
            ++a;
            ++b;
          }
        }
      }
    }
    return t;
  });
  std::vector<vid>().swap(fwd);

  struct Clustering {
    std::uint64_t triples = 0;
    double local = 0;
    Clustering& operator+=(const Clustering& o) {
      triples += o.triples;
      local += o.local;
      return *this;
    }
  };
  const Clustering c = block_reduce<Clustering>(n, [&](std::size_t lo, std::size_t hi) {
    Clustering part;
    for (std::size_t v = lo; v < hi; ++v) {
      const std::uint64_t d = view.degree(vid(v));
      if (d < 2) continue;
      const std::uint64_t pairs = d * (d - 1) / 2;
      part.triples += pairs;
      part.local += double(tri[v]) / double(pairs);
    }
    return part;
  });
  s.triangles = double(triangles);
  s.connected_triples = double(c.triples);
  s.transitivity = c.triples ? 3.0 * double(triangles) / double(c.triples) : 0.0;
  s.average_clustering = c.local / double(n);
  return s;
}

std::string format_stats(const GraphStats& s) {
  std::string out;
  auto line = [&](const char* label, const std::string& text) { out += fmt::format("{:<18}{}\n", label, text); };
  line("graph", fmt::format("{}{}, {} agents, {} arcs", s.directed ? "directed" : "undirected",
                            s.complete ? " complete (implicit, mean-field)" : "", s.n, s.arcs));
  if (s.directed) {
    line("out-degree",
         fmt::format("mean {:.4f}, <k^2> {:.4f}, max {}", s.mean_out_degree, s.out_degree_moment2, s.max_out_degree));
    line("in-degree",
         fmt::format("mean {:.4f}, <k^2> {:.4f}, max {}", s.mean_in_degree, s.in_degree_moment2, s.max_in_degree));
  } else {
    line("degree",
         fmt::format("mean {:.4f}, <k^2> {:.4f}, max {}", s.mean_out_degree, s.out_degree_moment2, s.max_out_degree));
  }
  line("isolated agents", fmt::format("{}", s.isolated));
  line(s.directed ? "weak components" : "components",
       fmt::format("{}; largest {} agents ({:.3f}%)", s.components, s.largest_component,
                   s.n ? 100.0 * double(s.largest_component) / double(s.n) : 0.0));
  line("undirected view",
       fmt::format("{} edges, {:.0f} triangles, {:.0f} connected triples", s.edges, s.triangles, s.connected_triples));
  line("clustering", fmt::format("transitivity {:.4f}, average local {:.4f}", s.transitivity, s.average_clustering));
  return out;
}

std::vector<double> degree_distribution(const Graph& g) {
  if (g.n == 0) return {};
  if (g.complete) {
    std::vector<double> pk(g.n, 0.0);
    pk[g.n - 1] = 1.0;
    return pk;
  }
  vid kmax = 0;
  for (vid v = 0; v < g.n; ++v) kmax = std::max(kmax, g.out_degree(v));
  std::vector<std::uint64_t> count(std::size_t(kmax) + 1, 0);
  for (vid v = 0; v < g.n; ++v) ++count[g.out_degree(v)];
  std::vector<double> pk(count.size());
  for (std::size_t k = 0; k < count.size(); ++k) pk[k] = double(count[k]) / double(g.n);
  return pk;
}

}  // namespace wom
