// Graph generators, the edge-list reader, reorderings and structural statistics.
// Expected values come from theory (binomial standard errors, closed forms for ring
// lattices and complete graphs) or from published counts of the SNAP datasets.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/graph.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/reorder.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/stats.hpp"
#include "sim/io/config.hpp"
#include "sim/io/edgelist.hpp"

using namespace wom;
using Catch::Matchers::Contains;

namespace {

const std::string kData = WOM_SOURCE_DIR "/data/";  // data/README.md: sources and citations

GraphSpec spec_of(const std::string& generator) {
  GraphSpec s;
  s.generator = generator;
  return s;
}

bool same_graph(const Graph& a, const Graph& b) {
  return a.n == b.n && a.directed == b.directed && a.complete == b.complete && a.out_offsets == b.out_offsets &&
         a.out_targets == b.out_targets && a.in_offsets == b.in_offsets && a.in_sources == b.in_sources &&
         a.ids == b.ids;
}

/// Every arc as (source id, target id), sorted: the graph independent of storage order.
std::vector<std::pair<std::uint64_t, std::uint64_t>> arcs_by_id(const Graph& g) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> arcs;
  for (vid u = 0; u < g.n; ++u)
    for (vid v : g.out(u)) arcs.emplace_back(g.id(u), g.id(v));
  std::sort(arcs.begin(), arcs.end());
  return arcs;
}

std::vector<vid> out_degrees(const Graph& g) {
  std::vector<vid> d(g.n);
  for (vid v = 0; v < g.n; ++v) d[v] = g.out_degree(v);
  return d;
}

std::vector<vid> sorted(std::vector<vid> v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// A file under the temp folder with a name unique to this process; removed at scope exit.
struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& text, bool gzip = false) {
    static int counter = 0;
    path = (std::filesystem::temp_directory_path() /
            ("wom_test_graph_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + name))
               .string();
    if (gzip) {
      gzFile f = gzopen(path.c_str(), "wb");
      REQUIRE(f != nullptr);
      REQUIRE(gzwrite(f, text.data(), unsigned(text.size())) == int(text.size()));
      REQUIRE(gzclose(f) == Z_OK);
    } else {
      std::ofstream(path, std::ios::binary) << text;
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::remove(path.c_str()); }
};

Graph from_arcs(vid n, ArcList arcs, bool directed = false) { return build_graph(n, std::move(arcs), directed); }

/// Largest |perm(u) - perm(v)| over the edges: the matrix bandwidth.
vid bandwidth(const Graph& g) {
  vid b = 0;
  for (vid u = 0; u < g.n; ++u)
    for (vid v : g.out(u)) b = std::max(b, u > v ? u - v : v - u);
  return b;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Determinism

TEST_CASE("every generator is a pure function of seed and replicate", "[graph]") {
  std::vector<GraphSpec> specs;
  GraphSpec er = spec_of("erdos_renyi");
  er.n = 2000;
  specs.push_back(er);
  er.directed = true;
  specs.push_back(er);
  GraphSpec ba = spec_of("barabasi_albert");
  ba.n = 2000;
  specs.push_back(ba);
  GraphSpec hk = spec_of("holme_kim");
  hk.n = 2000;
  hk.triad = 0.7;
  specs.push_back(hk);
  GraphSpec ws = spec_of("watts_strogatz");
  ws.n = 2000;
  ws.rewire = 0.2;
  specs.push_back(ws);
  GraphSpec cm = spec_of("configuration");
  cm.n = 2000;
  cm.degree.min = 2;
  cm.degree.max = 100;
  specs.push_back(cm);
  cm.degree.distribution = "geometric";
  specs.push_back(cm);
  GraphSpec sbm = spec_of("sbm");
  sbm.blocks = {700, 800, 500};
  specs.push_back(sbm);

  for (const GraphSpec& s : specs) {
    INFO("generator " << s.generator << " directed " << s.directed << " degree " << s.degree.distribution);
    const Graph a = make_graph(s, 7, 0);
    CHECK(same_graph(a, make_graph(s, 7, 0)));
    CHECK_FALSE(same_graph(a, make_graph(s, 8, 0)));
    CHECK_FALSE(same_graph(a, make_graph(s, 7, 1)));
  }
}

TEST_CASE("generated graphs are identical at one and at all threads", "[graph]") {
  // Large enough for the row-parallel generators to split into several blocks.
  GraphSpec er = spec_of("erdos_renyi");
  er.n = 60000;
  er.mean_degree = 6;
  GraphSpec ws = spec_of("watts_strogatz");
  ws.n = 60000;
  ws.k = 6;
  ws.rewire = 0.3;
  GraphSpec sbm = spec_of("sbm");
  sbm.blocks = {20000, 30000, 10000};
  sbm.p_in = 2e-4;
  sbm.p_out = 5e-5;
  sbm.directed = true;
  GraphSpec cm = spec_of("configuration");
  cm.n = 60000;
  for (const GraphSpec& s : {er, ws, sbm, cm}) {
    INFO("generator " << s.generator);
    Graph serial;
    {
      ThreadLimit one(1);
      serial = make_graph(s, 3, 2);
    }
    CHECK(same_graph(serial, make_graph(s, 3, 2)));
    const GraphStats a = compute_stats(serial);
    GraphStats b;
    {
      ThreadLimit one(1);
      b = compute_stats(serial);
    }
    CHECK(a.average_clustering == b.average_clustering);
    CHECK(a.triangles == b.triangles);
    CHECK(a.out_degree_moment2 == b.out_degree_moment2);
  }
}

// ---------------------------------------------------------------------------------------
// Generators against theory

TEST_CASE("Erdos-Renyi mean degree matches the target within binomial standard errors", "[graph]") {
  const vid n = 20000;
  const double k = 8.0;
  const double p = k / (n - 1);
  SECTION("undirected") {
    GraphSpec s = spec_of("erdos_renyi");
    s.n = n;
    s.mean_degree = k;
    for (std::uint64_t rep = 0; rep < 3; ++rep) {
      const Graph g = make_graph(s, 11, rep);
      // Edges ~ Binomial(n(n-1)/2, p); mean degree = 2 edges / n.
      const double pairs = double(n) * (n - 1) / 2;
      const double se = 2.0 * std::sqrt(pairs * p * (1 - p)) / n;
      CHECK(std::abs(double(g.num_arcs()) / n - k) < 5 * se);
      CHECK_FALSE(g.directed);
    }
  }
  SECTION("directed") {
    GraphSpec s = spec_of("erdos_renyi");
    s.n = n;
    s.mean_degree = k;
    s.directed = true;
    const Graph g = make_graph(s, 11, 0);
    const double pairs = double(n) * (n - 1);
    const double se = std::sqrt(pairs * p * (1 - p)) / n;
    CHECK(g.directed);
    CHECK(std::abs(double(g.num_arcs()) / n - k) < 5 * se);
    // Out- and in-degrees are both Binomial(n-1, p): their variance is about k.
    const GraphStats st = compute_stats(g);
    CHECK(st.out_degree_moment2 - k * k == Approx(k * (1 - p)).epsilon(0.1));
    CHECK(st.in_degree_moment2 - k * k == Approx(k * (1 - p)).epsilon(0.1));
  }
  SECTION("p = 1 gives every pair and p = 0 none") {
    GraphSpec s = spec_of("erdos_renyi");
    s.n = 50;
    s.mean_degree = 49;
    CHECK(make_graph(s, 1, 0).num_arcs() == 50u * 49u);
    s.mean_degree = 0;
    const Graph empty = make_graph(s, 1, 0);
    CHECK(empty.n == 50);
    CHECK(empty.num_arcs() == 0);
  }
}

TEST_CASE("Barabasi-Albert has the exact edge count and a heavier tail than Erdos-Renyi", "[graph]") {
  const vid n = 20000, m = 4;
  GraphSpec s = spec_of("barabasi_albert");
  s.n = n;
  s.m = m;
  GraphInfo info;
  const Graph ba = make_graph(s, 5, 0, &info);
  const std::uint64_t edges = std::uint64_t(m) * (m + 1) / 2 + std::uint64_t(n - m - 1) * m;
  CHECK(ba.num_arcs() == 2 * edges);  // undirected: two arcs per edge
  CHECK(info.build.self_loops == 0);
  CHECK(info.build.duplicates == 0);  // the m targets of a new vertex are distinct
  CHECK(info.description.find("barabasi_albert") != std::string::npos);
  const std::vector<vid> d = out_degrees(ba);
  CHECK(*std::min_element(d.begin(), d.end()) >= m);

  GraphSpec er = spec_of("erdos_renyi");
  er.n = n;
  er.mean_degree = double(ba.num_arcs()) / n;
  const GraphStats sb = compute_stats(ba), se = compute_stats(make_graph(er, 5, 0));
  // BA: max degree grows like m sqrt(n) (hundreds here), ER's like log n (about 20).
  CHECK(sb.max_out_degree > 5 * se.max_out_degree);
  CHECK(sb.out_degree_moment2 > 1.5 * se.out_degree_moment2);

  SECTION("m = n - 1 is the complete graph on n vertices") {
    s.n = 6;
    s.m = 5;
    CHECK(make_graph(s, 1, 0).num_arcs() == 30);
  }
}

/// The sequential Holme–Kim process (every vertex sees all earlier ones), written plainly
/// from the definition in generators.hpp: the reference the cohort generator is held to.
Graph sequential_holme_kim(vid n, vid m, double triad, std::uint64_t seed) {
  const rng::Stream s(rng::RunKey(seed, 0), 0, purpose::kHolmeKim);
  ArcList arcs;
  std::vector<std::vector<vid>> nb(n);
  for (vid u = 0; u <= m; ++u)
    for (vid v = u + 1; v <= m; ++v) arcs.emplace_back(u, v), nb[u].push_back(v), nb[v].push_back(u);
  for (vid u = 0; u <= m; ++u) std::sort(nb[u].begin(), nb[u].end());
  for (vid v = m + 1; v < n; ++v) {
    const std::uint64_t endpoints = 2 * arcs.size();
    std::vector<vid> mine;
    std::uint64_t k = 0;
    vid anchor = 0;
    auto fresh = [&](vid t) { return std::find(mine.begin(), mine.end(), t) == mine.end(); };
    for (vid j = 0; j < m; ++j) {
      if (j > 0 && rng::fires(s.bits(v, k++), rng::threshold(triad))) {
        const vid t = nb[anchor][rng::below(s.bits(v, k++), nb[anchor].size())];
        if (fresh(t)) {
          mine.push_back(t);
          continue;
        }
      }
      vid t;
      do {
        const std::uint64_t e = rng::below(s.bits(v, k++), endpoints);
        t = (e & 1) ? arcs[e >> 1].second : arcs[e >> 1].first;
      } while (!fresh(t));
      mine.push_back(t);
      anchor = t;
    }
    for (vid t : mine) arcs.emplace_back(v, t), nb[v].push_back(t);
    for (vid t : mine) nb[t].push_back(v);
  }
  return build_graph(n, std::move(arcs), false);
}

TEST_CASE("Holme-Kim and Barabasi-Albert are generated in cohorts, the same at any thread count", "[graph]") {
  // Cohorts are single vertices until vertex 1024: up to there the graph is exactly the
  // sequential process.
  for (const auto& [n, m, triad] :
       {std::tuple{vid(1030), vid(4), 0.6}, std::tuple{vid(600), vid(40), 0.9}, std::tuple{vid(1100), vid(1), 1.0}}) {
    INFO("n " << n << " m " << m << " triad " << triad);
    CHECK(same_graph(holme_kim(n, m, triad, rng::RunKey(11, 0)), sequential_holme_kim(n, m, triad, 11)));
  }
  // Large enough for parallel cohorts: identical at 1, 2 and 7 threads.
  for (const std::string gen : {"holme_kim", "barabasi_albert"}) {
    GraphSpec s = spec_of(gen);
    s.n = 300000;
    s.m = 5;
    s.triad = 0.5;
    Graph one, two, seven;
    with_threads(1, [&] { one = make_graph(s, 3, 0); });
    with_threads(2, [&] { two = make_graph(s, 3, 0); });
    with_threads(7, [&] { seven = make_graph(s, 3, 0); });
    INFO(gen);
    CHECK(same_graph(one, two));
    CHECK(same_graph(one, seven));
  }
  // Beyond vertex 1024 a vertex does not see its own cohort (at most 1/1024 of the graph),
  // which leaves the structure of the sequential process: the second degree moment (the
  // tail), transitivity and average clustering agree, over six seeds each, within four
  // standard errors of the difference of the means.
  const vid n = 60000, m = 4;
  const int seeds = 6;
  std::vector<std::array<double, 3>> cohort, sequential;
  for (int seed = 1; seed <= seeds; ++seed) {
    const GraphStats c = compute_stats(holme_kim(n, m, 0.5, rng::RunKey(std::uint64_t(seed), 0)));
    const GraphStats q = compute_stats(sequential_holme_kim(n, m, 0.5, std::uint64_t(seed)));
    cohort.push_back({c.out_degree_moment2, c.transitivity, c.average_clustering});
    sequential.push_back({q.out_degree_moment2, q.transitivity, q.average_clustering});
  }
  for (int k = 0; k < 3; ++k) {
    auto mean_var = [&](const std::vector<std::array<double, 3>>& x) {
      double mean = 0, var = 0;
      for (const auto& r : x) mean += r[k] / seeds;
      for (const auto& r : x) var += (r[k] - mean) * (r[k] - mean) / (seeds - 1);
      return std::pair{mean, var};
    };
    const auto [mc, vc] = mean_var(cohort);
    const auto [ms, vs] = mean_var(sequential);
    INFO("statistic " << k << ": cohorts " << mc << ", sequential " << ms);
    CHECK(std::abs(mc - ms) <= 4 * std::sqrt(vc / seeds + vs / seeds));
  }
}

TEST_CASE("Holme-Kim has BA's edge count and tail, and clustering that grows with triad", "[graph]") {
  const vid n = 20000, m = 4;
  const std::uint64_t edges = std::uint64_t(m) * (m + 1) / 2 + std::uint64_t(n - m - 1) * m;
  auto hk = [&](double triad, std::uint64_t rep = 0, GraphInfo* info = nullptr) {
    GraphSpec s = spec_of("holme_kim");
    s.n = n;
    s.m = m;
    s.triad = triad;
    return make_graph(s, 5, rep, info);
  };
  GraphInfo info;
  const Graph g = hk(0.8, 0, &info);
  CHECK(g.num_arcs() == 2 * edges);  // undirected: two arcs per edge
  CHECK(info.build.self_loops == 0);
  CHECK(info.build.duplicates == 0);  // the m targets of a new vertex are distinct
  CHECK(info.description.find("holme_kim n=20000 m=4 triad=0.8") != std::string::npos);
  const std::vector<vid> d = out_degrees(g);
  CHECK(*std::min_element(d.begin(), d.end()) >= m);

  // The tail is as heavy as BA's: max degree far above ER's at the same mean degree.
  GraphSpec er = spec_of("erdos_renyi");
  er.n = n;
  er.mean_degree = double(g.num_arcs()) / n;
  GraphSpec bs = spec_of("barabasi_albert");
  bs.n = n;
  bs.m = m;
  const GraphStats sh = compute_stats(g), se = compute_stats(make_graph(er, 5, 0)),
                   sb = compute_stats(make_graph(bs, 5, 0));
  CHECK(sh.max_out_degree > 5 * se.max_out_degree);
  CHECK(sh.out_degree_moment2 > 1.5 * se.out_degree_moment2);
  CHECK(sh.max_out_degree > sb.max_out_degree / 2);

  // Clustering: triad 0 is BA; every triad step closes a triangle, so clustering rises with triad.
  std::vector<GraphStats> st;
  for (double triad : {0.0, 0.5, 0.9}) st.push_back(compute_stats(hk(triad)));
  CHECK(st[0].transitivity == Approx(sb.transitivity).epsilon(0.3));
  CHECK(st[0].average_clustering == Approx(sb.average_clustering).epsilon(0.3));
  CHECK(st[1].transitivity > 3 * sb.transitivity);
  CHECK(st[2].transitivity > 1.3 * st[1].transitivity);
  CHECK(st[1].average_clustering > 5 * sb.average_clustering);
  CHECK(st[2].average_clustering > 1.3 * st[1].average_clustering);

  SECTION("m = 1 is a tree and m = n - 1 the complete graph") {
    GraphSpec s = spec_of("holme_kim");
    s.n = 1000;
    s.m = 1;
    s.triad = 1.0;
    const GraphStats t = compute_stats(make_graph(s, 1, 0));
    CHECK(t.edges == 999);
    CHECK(t.components == 1);
    CHECK(t.triangles == 0);
    s.n = 6;
    s.m = 5;
    CHECK(make_graph(s, 1, 0).num_arcs() == 30);
  }
  SECTION("with m = 2 and triad = 1 every new vertex closes exactly one triangle") {
    // v's second edge goes to a neighbour of its first target, and a triangle's latest
    // vertex is v for exactly one of them: n - 3 new triangles plus the seed's.
    GraphSpec s = spec_of("holme_kim");
    s.n = 3000;
    s.m = 2;
    s.triad = 1.0;
    CHECK(compute_stats(make_graph(s, 4, 0)).triangles == 3000 - 2);
  }
  SECTION("the loader reads holme_kim and checks graph.triad") {
    LoadOptions graph_only;
    graph_only.graph_only = true;
    const std::string base = "seed: 3\ngraph:\n  generator: holme_kim\n  n: 500\n  m: 3\n";
    const Config cfg = config_from_yaml_text(base + "  triad: 0.25\n", "sim.yaml", {}, graph_only);
    const Scenario& sc = cfg.scenario;
    CHECK(sc.graph.generator == "holme_kim");
    CHECK(sc.graph.m == 3);
    CHECK(sc.graph.triad == 0.25);
    CHECK(make_graph(sc.graph, cfg.plan.seed, 0).num_arcs() == 2 * (6 + 496u * 3));  // m(m+1)/2 + (n-m-1)m edges
    REQUIRE_THROWS_AS(scenario_from_yaml_text(base + "  triad: 1.5\n", "sim.yaml", {}, graph_only), Error);
    REQUIRE_THROWS_WITH(scenario_from_yaml_text(base + "  triad: 1.5\n", "sim.yaml", {}, graph_only),
                        Contains("sim.yaml:6: graph.triad = 1.5 is out of range: accepted [0, 1]"));
    REQUIRE_THROWS_WITH(scenario_from_yaml_text(base + "  directed: true\n", "sim.yaml", {}, graph_only),
                        Contains("graph.directed = true is not supported by generator 'holme_kim'"));
  }
}

TEST_CASE("Watts-Strogatz without rewiring is the ring lattice", "[graph]") {
  for (vid k : {2u, 4u, 6u, 10u}) {
    GraphSpec s = spec_of("watts_strogatz");
    s.n = 500;
    s.k = k;
    s.rewire = 0.0;
    const Graph g = make_graph(s, 9, 0);
    INFO("k = " << k);
    for (vid v = 0; v < g.n; ++v) REQUIRE(g.out_degree(v) == k);
    for (vid j = 1; j <= k / 2; ++j) CHECK(std::binary_search(g.out(0).begin(), g.out(0).end(), j));
    const GraphStats st = compute_stats(g);
    const double c = 3.0 * (k - 2.0) / (4.0 * (k - 1.0));
    CHECK(st.transitivity == Approx(c).margin(1e-12));
    CHECK(st.average_clustering == Approx(c).margin(1e-12));
  }
  SECTION("rewiring keeps about n k / 2 edges and lowers clustering") {
    GraphSpec s = spec_of("watts_strogatz");
    s.n = 5000;
    s.k = 6;
    s.rewire = 0.3;
    GraphInfo info;
    const Graph g = make_graph(s, 9, 0, &info);
    CHECK(info.build.self_loops == 0);
    CHECK(g.num_arcs() + 2 * info.build.duplicates == 5000u * 6u);
    CHECK(info.build.duplicates < 50);
    // Clustering falls roughly as C(0) (1-p)^3.
    CHECK(compute_stats(g).transitivity == Approx(0.6 * std::pow(0.7, 3)).epsilon(0.1));
  }
}

TEST_CASE("the configuration model reproduces its degree sequence up to dropped edges", "[graph]") {
  SECTION("power law") {
    DegreeSpec d;
    d.distribution = "power_law";
    d.exponent = 2.5;
    d.min = 2;
    d.max = 100;
    const vid n = 20000;
    std::vector<vid> target = sample_degrees(d, n, rng::RunKey(4, 0));
    for (vid k : target) REQUIRE((k >= 2 && k <= 100));
    // The table of P(k) ∝ k^-2.5 gives P(2) = 2^-2.5 / Σ k^-2.5.
    double z = 0;
    for (int k = 2; k <= 100; ++k) z += std::pow(k, -2.5);
    const double p2 = std::pow(2.0, -2.5) / z;
    const double f2 = double(std::count(target.begin(), target.end(), 2u)) / n;
    CHECK(std::abs(f2 - p2) < 5 * std::sqrt(p2 * (1 - p2) / n));

    std::uint64_t sum = std::accumulate(target.begin(), target.end(), std::uint64_t(0));
    if (sum % 2) ++target[n - 1];  // what the generator does with an odd sum
    BuildReport rep;
    const Graph g = configuration_model(target, rng::RunKey(4, 0), &rep);
    sum = std::accumulate(target.begin(), target.end(), std::uint64_t(0));
    // Each dropped self-loop or repeated edge removes one edge (two stubs).
    CHECK(g.num_arcs() == sum - 2 * (rep.self_loops + rep.duplicates));
    CHECK(rep.self_loops + rep.duplicates < sum / 200);
    for (vid v = 0; v < n; ++v) REQUIRE(g.out_degree(v) <= target[v]);
  }
  SECTION("regular gives degree k except at dropped self-loops and repeats") {
    GraphSpec s = spec_of("configuration");
    s.n = 10000;
    s.degree.distribution = "regular";
    s.degree.mean = 6.2;  // rounds to 6
    GraphInfo info;
    const Graph g = make_graph(s, 2, 0, &info);
    vid off = 0;
    for (vid v = 0; v < g.n; ++v) {
      REQUIRE(g.out_degree(v) <= 6);
      off += g.out_degree(v) != 6 ? 1 : 0;
    }
    // A self-loop costs one vertex two stubs; a repeat costs two vertices one each.
    CHECK(off <= info.build.self_loops + 2 * info.build.duplicates);
    CHECK(g.num_arcs() == 60000 - 2 * (info.build.self_loops + info.build.duplicates));
    CHECK(info.build.self_loops + info.build.duplicates < 30);
  }
  SECTION("an odd degree sum gives the last vertex one more stub") {
    BuildReport rep;
    const Graph g = configuration_model({3, 3, 3, 3, 3, 3, 3, 3, 3, 2}, rng::RunKey(1, 0), &rep);
    // 29 stubs + 1 on vertex 9: 15 pairs.
    CHECK(g.num_arcs() == 30 - 2 * (rep.self_loops + rep.duplicates));
  }
  SECTION("geometric degrees have mean 1/q") {
    DegreeSpec d;
    d.distribution = "geometric";
    d.mean = 5.0;
    const vid n = 50000;
    const std::vector<vid> deg = sample_degrees(d, n, rng::RunKey(8, 0));
    const double mean = double(std::accumulate(deg.begin(), deg.end(), std::uint64_t(0))) / n;
    const double q = 1.0 / d.mean;
    CHECK(std::abs(mean - d.mean) < 5 * std::sqrt((1 - q) / (q * q) / n));
    CHECK(*std::min_element(deg.begin(), deg.end()) == 1);
    // P(1) = q.
    CHECK(std::abs(double(std::count(deg.begin(), deg.end(), 1u)) / n - q) < 5 * std::sqrt(q * (1 - q) / n));
  }
  SECTION("a degree file gives one vertex per degree") {
    TempFile f("degrees.txt", "# degrees\n3\n\n2  # trailing comment\n1\r\n2\n");
    GraphSpec s = spec_of("configuration");
    s.degree.distribution = "file";
    s.degree.file = f.path;
    const Graph g = make_graph(s, 1, 0);
    CHECK(g.n == 4);
    CHECK(read_degree_file(f.path) == std::vector<vid>{3, 2, 1, 2});
    TempFile bad("degrees_bad.txt", "3\n2\nx\n");
    REQUIRE_THROWS_WITH(read_degree_file(bad.path), Contains(bad.path + ":3:") && Contains("accepted"));
    TempFile neg("degrees_neg.txt", "3\n-2\n");
    REQUIRE_THROWS_WITH(read_degree_file(neg.path), Contains(neg.path + ":2:"));
    TempFile two("degrees_two.txt", "3 4\n");
    REQUIRE_THROWS_WITH(read_degree_file(two.path), Contains(two.path + ":1:"));
    TempFile none("degrees_none.txt", "# nothing\n");
    REQUIRE_THROWS_WITH(read_degree_file(none.path), Contains(none.path));
    REQUIRE_THROWS_WITH(read_degree_file(f.path + ".missing"), Contains(f.path + ".missing"));
  }
}

TEST_CASE("stochastic block model densities match p_in and p_out within standard errors", "[graph]") {
  for (bool directed : {false, true}) {
    GraphSpec s = spec_of("sbm");
    s.blocks = {300, 500, 200};
    s.p_in = 0.05;
    s.p_out = 0.005;
    s.directed = directed;
    const Graph g = make_graph(s, 21, 0);
    REQUIRE(g.n == 1000);
    auto block = [](vid v) { return v < 300 ? 0 : v < 800 ? 1 : 2; };
    double within = 0, between = 0;
    for (vid u = 0; u < g.n; ++u)
      for (vid v : g.out(u)) (block(u) == block(v) ? within : between) += 1;
    // Ordered pairs: an undirected edge is stored as two arcs, so count ordered pairs either way.
    const double pairs_in = 300.0 * 299 + 500.0 * 499 + 200.0 * 199;
    const double pairs_out = 1000.0 * 999 - pairs_in;
    const double f = directed ? 1.0 : 0.5;  // undirected: each edge is one Bernoulli trial for two arcs
    auto within_se = [&](double pairs, double p, double count) {
      const double trials = pairs * f, hits = count * f;
      return std::abs(hits / trials - p) < 5 * std::sqrt(p * (1 - p) / trials);
    };
    INFO("directed " << directed << " within " << within << " between " << between);
    CHECK(within_se(pairs_in, s.p_in, within));
    CHECK(within_se(pairs_out, s.p_out, between));
  }
}

TEST_CASE("the complete graph stores no arcs and has n(n-1) of them", "[graph]") {
  GraphSpec s = spec_of("complete");
  s.n = 100;
  s.reorder = "rcm";
  GraphInfo info;
  const Graph g = make_graph(s, 1, 0, &info);
  CHECK(g.complete);
  CHECK(g.out_targets.empty());
  CHECK(g.num_arcs() == 9900);
  CHECK(g.out_degree(17) == 99);
  const GraphStats st = compute_stats(g);
  CHECK(st.components == 1);
  CHECK(st.largest_component == 100);
  CHECK(st.triangles == 161700.0);  // C(100, 3)
  CHECK(st.transitivity == 1.0);
  CHECK(st.average_clustering == 1.0);
  CHECK(st.out_degree_moment2 == 99.0 * 99.0);
  const std::vector<double> pk = degree_distribution(g);
  CHECK(pk.size() == 100);
  CHECK(pk[99] == 1.0);
}

// ---------------------------------------------------------------------------------------
// Spec validation

TEST_CASE("out-of-range graph specs are errors that name the key", "[graph]") {
  auto bad = [](auto edit, const std::string& key) {
    GraphSpec s = spec_of("erdos_renyi");
    edit(s);
    INFO("key " << key);
    REQUIRE_THROWS_AS(make_graph(s, 1, 0), Error);
    REQUIRE_THROWS_WITH(make_graph(s, 1, 0), Contains(key) && Contains("accepted"));
  };
  bad([](GraphSpec& s) { s.n = 0; }, "graph.n = 0");
  bad([](GraphSpec& s) { s.n = 5'000'000'000; }, "graph.n");
  bad([](GraphSpec& s) { s.mean_degree = -1; }, "graph.mean_degree");
  bad([](GraphSpec& s) { s.mean_degree = 1000; }, "graph.mean_degree");
  bad([](GraphSpec& s) { s.mean_degree = std::nan(""); }, "graph.mean_degree");
  bad([](GraphSpec& s) { s.generator = "barabasi_albert", s.m = 0; }, "graph.m = 0");
  bad([](GraphSpec& s) { s.generator = "barabasi_albert", s.m = 1000; }, "graph.m");
  bad([](GraphSpec& s) { s.generator = "barabasi_albert", s.directed = true; }, "graph.directed");
  bad([](GraphSpec& s) { s.generator = "holme_kim", s.m = 0; }, "graph.m = 0");
  bad([](GraphSpec& s) { s.generator = "holme_kim", s.m = 1000; }, "graph.m");
  bad([](GraphSpec& s) { s.generator = "holme_kim", s.triad = 1.5; }, "graph.triad = 1.5");
  bad([](GraphSpec& s) { s.generator = "holme_kim", s.triad = -0.1; }, "graph.triad");
  bad([](GraphSpec& s) { s.generator = "holme_kim", s.triad = std::nan(""); }, "graph.triad");
  bad([](GraphSpec& s) { s.generator = "holme_kim", s.directed = true; }, "graph.directed");
  bad([](GraphSpec& s) { s.generator = "watts_strogatz", s.k = 3; }, "graph.k = 3");
  bad([](GraphSpec& s) { s.generator = "watts_strogatz", s.k = 1000; }, "graph.k");
  bad([](GraphSpec& s) { s.generator = "watts_strogatz", s.rewire = 1.5; }, "graph.rewire");
  bad([](GraphSpec& s) { s.generator = "configuration", s.degree.exponent = 1.0; }, "graph.degree.exponent");
  bad([](GraphSpec& s) { s.generator = "configuration", s.degree.min = 0; }, "graph.degree.min");
  bad([](GraphSpec& s) { s.generator = "configuration", s.degree.min = 5, s.degree.max = 4; }, "graph.degree.max");
  bad([](GraphSpec& s) { s.generator = "configuration", s.degree.distribution = "geometric", s.degree.mean = 0.5; },
      "graph.degree.mean");
  bad([](GraphSpec& s) { s.generator = "configuration", s.degree.distribution = "zipf"; }, "graph.degree.distribution");
  bad([](GraphSpec& s) { s.generator = "sbm"; }, "graph.blocks");
  bad([](GraphSpec& s) { s.generator = "sbm", s.blocks = {10, 0}; }, "graph.blocks[1]");
  bad([](GraphSpec& s) { s.generator = "sbm", s.blocks = {10}, s.p_in = 1.5; }, "graph.p_in");
  bad([](GraphSpec& s) { s.generator = "sbm", s.blocks = {10}, s.p_out = -0.1; }, "graph.p_out");
  bad([](GraphSpec& s) { s.generator = "complete", s.n = -3; }, "graph.n");
  bad([](GraphSpec& s) { s.generator = "file"; }, "graph.path");
  bad([](GraphSpec& s) { s.generator = "small_world"; }, "graph.generator");
  bad([](GraphSpec& s) { s.reorder = "random"; }, "graph.reorder");
}

// ---------------------------------------------------------------------------------------
// Edge lists

TEST_CASE("Epinions loads with SNAP's counts", "[graph]") {
  const std::string path = kData + "soc-Epinions1.txt.gz";
  BuildReport rep;
  EdgeListInfo info;
  const Graph g = load_edge_list(path, true, false, &rep, &info);
  CHECK(g.n == 75879);
  CHECK(g.num_arcs() == 508837);
  CHECK(g.directed);
  CHECK(info.gzip);
  CHECK(info.arcs == 508837);
  CHECK(info.comment_lines == 4);
  CHECK(info.lines == 508841);
  CHECK(rep.self_loops == 0);
  CHECK(rep.duplicates == 0);
  CHECK(std::is_sorted(g.ids.begin(), g.ids.end()));

  SECTION("its undirected view has SNAP's triangles and largest weak component") {
    const GraphStats st = compute_stats(g);
    CHECK(st.edges == 405740);
    CHECK(st.triangles == 1624481.0);
    CHECK(st.components == 2);
    CHECK(st.largest_component == 75877);
    CHECK(st.mean_out_degree == Approx(508837.0 / 75879));
  }
  SECTION("reversing swaps in- and out-degrees agent by agent") {
    const Graph r = load_edge_list(path, true, true);
    REQUIRE(r.ids == g.ids);
    for (vid v = 0; v < g.n; ++v) {
      REQUIRE(r.out_degree(v) == g.in_degree(v));
      REQUIRE(r.in_degree(v) == g.out_degree(v));
    }
  }
  SECTION("make_graph loads it as generator file, the same for every replicate") {
    GraphSpec s = spec_of("file");
    s.path = path;
    s.directed = true;
    GraphInfo gi;
    const Graph a = make_graph(s, 1, 0, &gi);
    CHECK(same_graph(a, g));
    CHECK(same_graph(a, make_graph(s, 2, 5)));
    CHECK(gi.description.find("soc-Epinions1") != std::string::npos);
  }
}

TEST_CASE("Slashdot's self-loops are dropped and counted", "[graph]") {
  BuildReport rep;
  const Graph g = load_edge_list(kData + "soc-Slashdot0902.txt.gz", true, false, &rep);
  CHECK(g.n == 82168);
  CHECK(rep.input_arcs == 948464);
  CHECK(rep.self_loops == 78303);
  CHECK(rep.duplicates == 0);
  CHECK(g.num_arcs() == 948464 - 78303);
}

TEST_CASE("a small edge list with comments, self-loops and duplicates loads as written", "[graph]") {
  const std::string text =
      "% KONECT-style comment\n"
      "# SNAP-style comment\n"
      "\n"
      "10 20\n"
      "20\t30\r\n"
      "30,10,extra,-7,columns\n"
      "10 20\n"      // duplicate
      "40;40\n"      // self-loop
      "  20 10  \n"  // reciprocal of 10 20
      "50 10";       // no final newline
  TempFile f("tiny.txt", text);
  // ids 10 20 30 40 50 -> 0 1 2 3 4
  SECTION("directed") {
    BuildReport rep;
    EdgeListInfo info;
    const Graph g = load_edge_list(f.path, true, false, &rep, &info);
    CHECK(g.n == 5);
    CHECK(g.ids == std::vector<std::uint64_t>{10, 20, 30, 40, 50});
    CHECK(info.lines == 10);
    CHECK(info.comment_lines == 2);
    CHECK(info.blank_lines == 1);
    CHECK(info.arcs == 7);
    CHECK_FALSE(info.gzip);
    CHECK(rep.self_loops == 1);
    CHECK(rep.duplicates == 1);
    CHECK(g.num_arcs() == 5);
    CHECK(arcs_by_id(g) ==
          std::vector<std::pair<std::uint64_t, std::uint64_t>>{{10, 20}, {20, 10}, {20, 30}, {30, 10}, {50, 10}});
    CHECK(g.out_degree(3) == 0);  // 40 only had a self-loop
  }
  SECTION("reversed") {
    const Graph g = load_edge_list(f.path, true, true);
    CHECK(arcs_by_id(g) ==
          std::vector<std::pair<std::uint64_t, std::uint64_t>>{{10, 20}, {10, 30}, {10, 50}, {20, 10}, {30, 20}});
  }
  SECTION("undirected: 10-20 given three times is one edge") {
    BuildReport rep;
    const Graph g = load_edge_list(f.path, false, false, &rep);
    CHECK(rep.self_loops == 1);
    CHECK(rep.duplicates == 2);
    CHECK(g.num_arcs() == 8);  // edges 10-20, 20-30, 30-10, 50-10
    CHECK(arcs_by_id(g).front() == std::pair<std::uint64_t, std::uint64_t>{10, 20});
  }
  SECTION("gzip and plain give the same graph, recognised by content not by name") {
    TempFile gz("tiny.txt.gz", text, true);
    TempFile disguised("tiny_gz.txt", text, true);
    EdgeListInfo info;
    const Graph plain = load_edge_list(f.path, true, false);
    CHECK(same_graph(plain, load_edge_list(gz.path, true, false, nullptr, &info)));
    CHECK(info.gzip);
    CHECK(same_graph(plain, load_edge_list(disguised.path, true, false, nullptr, &info)));
    CHECK(info.gzip);
    CHECK(info.lines == 10);
  }
  SECTION("the largest 64-bit id is accepted and kept as the stable id") {
    TempFile big("bigid.txt", "18446744073709551615 0\n0 7\n");
    const Graph g = load_edge_list(big.path, true, false);
    CHECK(g.ids == std::vector<std::uint64_t>{0, 7, 18446744073709551615ULL});
    CHECK(arcs_by_id(g).back() == std::pair<std::uint64_t, std::uint64_t>{18446744073709551615ULL, 0});
  }
}

TEST_CASE("bad edge lists are errors that name file and line and the accepted form", "[graph]") {
  struct Case {
    const char* name;
    const char* text;
    const char* line;  // ":N:" expected in the message
  };
  const Case cases[] = {
      {"non-numeric token", "1 2\n3 x4\n", ":2:"},
      {"negative id", "1 2\n# c\n-3 4\n", ":3:"},
      {"one token", "1 2\n3\n", ":2:"},
      {"one token and a separator", "1 2\n3,\n", ":2:"},
      {"id above 2^64-1", "1 2\n1 18446744073709551616\n", ":2:"},
      {"header row", "source,target\n1,2\n", ":1:"},
      {"comments only", "# a\n% b\n", ":2:"},
  };
  for (const Case& c : cases) {
    for (bool gzip : {false, true}) {
      TempFile f("bad.txt", c.text, gzip);
      INFO(c.name << (gzip ? " (gzip)" : ""));
      REQUIRE_THROWS_AS(load_edge_list(f.path, true, false), Error);
      REQUIRE_THROWS_WITH(load_edge_list(f.path, true, false), Contains(f.path + c.line) && Contains("accepted"));
    }
  }
  SECTION("a missing file") {
    const std::string missing = kData + "no-such-file.txt";
    REQUIRE_THROWS_WITH(load_edge_list(missing, true, false), Contains(missing) && Contains("cannot open"));
  }
  SECTION("an empty file") {
    TempFile f("empty.txt", "");
    REQUIRE_THROWS_WITH(load_edge_list(f.path, true, false), Contains(f.path) && Contains("no arcs"));
  }
  SECTION("a truncated gzip file") {
    std::string many;
    for (int i = 0; i < 20000; ++i) many += std::to_string(i) + " " + std::to_string(i + 1) + "\n";
    TempFile whole("whole.txt", many, true);
    std::string bytes;
    {
      std::ifstream in(whole.path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    TempFile cut("cut.txt", bytes.substr(0, bytes.size() / 2));
    REQUIRE_THROWS_WITH(load_edge_list(cut.path, true, false), Contains(cut.path + ":"));
  }
}

// ---------------------------------------------------------------------------------------
// Reordering

TEST_CASE("reordering keeps the degree multiset and the arc set in stable ids", "[graph]") {
  GraphSpec ba = spec_of("barabasi_albert");
  ba.n = 3000;
  ba.m = 3;
  const Graph und = make_graph(ba, 4, 0);
  const Graph dir = load_edge_list(kData + "soc-Epinions1.txt.gz", true, false);
  for (const Graph* g : {&und, &dir}) {
    for (const std::string how : {"rcm", "degree"}) {
      INFO((g->directed ? "directed " : "undirected ") << how);
      const std::vector<vid> perm = how == "rcm" ? rcm_order(*g) : degree_order(*g);
      std::vector<vid> check = perm;
      std::sort(check.begin(), check.end());
      std::vector<vid> iota(g->n);
      std::iota(iota.begin(), iota.end(), vid(0));
      REQUIRE(check == iota);  // a permutation
      const Graph h = reorder(*g, how);
      CHECK(h.directed == g->directed);
      CHECK(sorted(out_degrees(h)) == sorted(out_degrees(*g)));
      CHECK(arcs_by_id(h) == arcs_by_id(*g));
      for (vid v = 0; v < g->n; ++v) REQUIRE(h.id(perm[v]) == g->id(v));
      if (how == "degree") {
        for (vid v = 1; v < h.n; ++v) {
          const auto total = [&](vid x) { return h.out_degree(x) + (h.directed ? h.in_degree(x) : 0); };
          REQUIRE(total(v - 1) >= total(v));
        }
      }
    }
  }
  SECTION("make_graph applies graph.reorder after generating") {
    GraphSpec s = ba;
    s.reorder = "degree";
    const Graph h = make_graph(s, 4, 0);
    CHECK(arcs_by_id(h) == arcs_by_id(und));
    CHECK(h.out_degree(0) == compute_stats(und).max_out_degree);
  }
}

TEST_CASE("reverse Cuthill-McKee brings a shuffled ring lattice back to a narrow band", "[graph]") {
  GraphSpec s = spec_of("watts_strogatz");
  s.n = 2000;
  s.k = 4;
  s.rewire = 0;
  const Graph ring = make_graph(s, 1, 0);
  std::vector<vid> shuffle(ring.n);
  std::iota(shuffle.begin(), shuffle.end(), vid(0));
  const rng::Stream st(rng::RunKey(1, 0), 0, 99);
  for (vid i = ring.n; i > 1; --i) std::swap(shuffle[i - 1], shuffle[rng::below(st.bits(i), i)]);
  const Graph mixed = permute(ring, shuffle);
  CHECK(bandwidth(mixed) > 1000);
  const Graph banded = reorder(mixed, "rcm");
  CHECK(bandwidth(banded) <= 2 * s.k);
  CHECK(arcs_by_id(banded) == arcs_by_id(ring));
}

// ---------------------------------------------------------------------------------------
// Statistics

TEST_CASE("statistics of small graphs match hand counts", "[graph]") {
  SECTION("triangle") {
    const GraphStats s = compute_stats(from_arcs(3, {{0, 1}, {1, 2}, {2, 0}}));
    CHECK(s.n == 3);
    CHECK(s.arcs == 6);
    CHECK(s.edges == 3);
    CHECK(s.triangles == 1);
    CHECK(s.connected_triples == 3);
    CHECK(s.transitivity == 1.0);
    CHECK(s.average_clustering == 1.0);
    CHECK(s.components == 1);
    CHECK(s.mean_out_degree == 2.0);
    CHECK(s.out_degree_moment2 == 4.0);
  }
  SECTION("path of four") {
    const Graph g = from_arcs(4, {{0, 1}, {1, 2}, {2, 3}});
    const GraphStats s = compute_stats(g);
    CHECK(s.triangles == 0);
    CHECK(s.connected_triples == 2);
    CHECK(s.transitivity == 0.0);
    CHECK(s.average_clustering == 0.0);
    CHECK(s.mean_out_degree == 1.5);
    CHECK(s.out_degree_moment2 == 2.5);  // (1 + 4 + 4 + 1) / 4
    CHECK(s.max_out_degree == 2);
    CHECK(s.components == 1);
    CHECK(degree_distribution(g) == std::vector<double>{0.0, 0.5, 0.5});
  }
  SECTION("two components and an isolated agent") {
    // A triangle 0-1-2 with a pendant 3 on 2, an edge 4-5, and 6 alone.
    const GraphStats s = compute_stats(from_arcs(7, {{0, 1}, {1, 2}, {2, 0}, {2, 3}, {4, 5}}));
    CHECK(s.components == 3);
    CHECK(s.largest_component == 4);
    CHECK(s.isolated == 1);
    CHECK(s.triangles == 1);
    CHECK(s.connected_triples == 5);  // 1 + 1 + 3 at agents 0, 1, 2
    CHECK(s.transitivity == Approx(3.0 / 5.0));
    CHECK(s.average_clustering == Approx((1.0 + 1.0 + 1.0 / 3.0) / 7.0));
  }
  SECTION("directed triangle: arcs one way are enough for the undirected view") {
    const GraphStats s = compute_stats(from_arcs(3, {{0, 1}, {1, 2}, {2, 0}}, true));
    CHECK(s.directed);
    CHECK(s.arcs == 3);
    CHECK(s.edges == 3);
    CHECK(s.triangles == 1);
    CHECK(s.transitivity == 1.0);
    CHECK(s.mean_out_degree == 1.0);
    CHECK(s.mean_in_degree == 1.0);
  }
  SECTION("format_stats names every quantity") {
    const std::string text = format_stats(compute_stats(from_arcs(3, {{0, 1}, {1, 2}, {2, 0}})));
    for (const char* word : {"agents", "arcs", "degree", "components", "triangles", "transitivity", "average"})
      CHECK_THAT(text, Contains(word));
  }
}

TEST_CASE("ego-Facebook statistics match SNAP and networkx", "[graph]") {
  const Graph g = load_edge_list(kData + "facebook_combined.txt", false, false);
  const GraphStats s = compute_stats(g);
  CHECK(s.n == 4039);
  CHECK(s.edges == 88234);
  CHECK(s.arcs == 2 * 88234);
  CHECK(s.components == 1);
  CHECK(s.triangles == 1612010.0);
  CHECK(s.average_clustering == Approx(0.6055).margin(5e-5));
  CHECK(s.transitivity == Approx(0.5192).margin(5e-5));
  const std::vector<double> pk = degree_distribution(g);
  CHECK(std::accumulate(pk.begin(), pk.end(), 0.0) == Approx(1.0));
  CHECK(pk.size() == s.max_out_degree + 1);
}
