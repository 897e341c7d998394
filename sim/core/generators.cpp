#include "sim/core/generators.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>

#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/reorder.hpp"

namespace wom {

namespace {

/// Largest n a Graph can hold: vid is 32-bit and n itself must fit.
constexpr std::int64_t kMaxVertices = std::int64_t(std::numeric_limits<vid>::max()) - 1;
/// Largest power-law degree: the inverse-CDF table holds one double per degree (80 MB at most).
constexpr std::int64_t kMaxPowerLawDegree = 10'000'000;

EdgeListLoader g_edge_list_loader = nullptr;  // constant-initialised: safe to set from static initialisers

/// Calls emit(c) for each candidate c in [0, len) that is hit, each independently with
/// probability p. Geometric skipping: the gap to the next hit is floor(ln U / ln(1-p)) with
/// U uniform on (0, 1], so the cost is O(1 + hits). Draw k of `row` feeds the k-th gap; k
/// carries over between segments of one row.
template <class Emit>
void skip_sample(const rng::Stream& s, std::uint64_t row, std::uint64_t& k, std::uint64_t len, double p, Emit&& emit) {
  if (len == 0 || !(p > 0.0)) return;
  if (p >= 1.0) {
    for (std::uint64_t c = 0; c < len; ++c) emit(c);
    return;
  }
  const double log_q = std::log1p(-p);  // < 0
  std::uint64_t c = 0;
  for (;;) {
    const double u = 1.0 - rng::Stream::to_unit(s.bits(row, k++));  // (0, 1]
    const double gap = std::floor(std::log(u) / log_q);             // >= 0, may be huge
    if (gap >= double(len - c)) return;
    c += std::uint64_t(gap);
    emit(c);
    if (++c >= len) return;
  }
}

/// Rows of a block model with consecutive blocks (start[b], start[b+1]); one block is
/// Erdős–Rényi. Row u draws its partners by skipping over at most three contiguous
/// segments: earlier blocks (p_out, directed only), its own block (p_in) and later blocks
/// (p_out). Undirected rows only look at partners v > u. Rows are drawn in parallel into
/// per-block lists that are concatenated in block order.
ArcList block_model_arcs(const std::vector<vid>& start, double p_in, double p_out, bool directed,
                         const rng::Stream& s) {
  const vid n = start.back();
  std::vector<ArcList> part(num_blocks(n));
  for_each_block(n, [&](std::size_t b, std::size_t lo, std::size_t hi) {
    throw_if_cancelled();  // a block of rows at a time: a signal stops a long build promptly
    ArcList& out = part[b];
    std::size_t blk = std::size_t(std::upper_bound(start.begin(), start.end(), vid(lo)) - start.begin()) - 1;
    for (std::size_t uu = lo; uu < hi; ++uu) {
      const vid u = vid(uu);
      while (u >= start[blk + 1]) ++blk;
      const vid b0 = start[blk], b1 = start[blk + 1];
      std::uint64_t k = 0;
      if (directed) {
        skip_sample(s, u, k, b0, p_out, [&](std::uint64_t c) { out.emplace_back(u, vid(c)); });
        skip_sample(s, u, k, b1 - b0 - 1, p_in, [&](std::uint64_t c) {
          const vid v = vid(b0 + c);
          out.emplace_back(u, v < u ? v : v + 1);
        });
      } else {
        skip_sample(s, u, k, b1 - u - 1, p_in, [&](std::uint64_t c) { out.emplace_back(u, vid(u + 1 + c)); });
      }
      skip_sample(s, u, k, n - b1, p_out, [&](std::uint64_t c) { out.emplace_back(u, vid(b1 + c)); });
    }
  });
  std::size_t total = 0;
  for (const ArcList& a : part) total += a.size();
  ArcList arcs;
  arcs.reserve(total);
  for (ArcList& a : part) {
    arcs.insert(arcs.end(), a.begin(), a.end());
    ArcList().swap(a);
  }
  return arcs;
}

[[noreturn]] void out_of_range(const std::string& key, const std::string& value, const std::string& accepted) {
  throw Error(fmt::format("{} = {} is out of range: accepted {}", key, value, accepted));
}

void check_n(std::int64_t n, const char* key = "graph.n") {
  if (n < 1 || n > kMaxVertices) out_of_range(key, std::to_string(n), fmt::format("[1, {}]", kMaxVertices));
}

void check_real(const std::string& key, double x, double lo, double hi, const std::string& accepted) {
  if (!(x >= lo && x <= hi)) out_of_range(key, fmt::format("{}", x), accepted);
}

void check_undirected(const GraphSpec& spec) {
  if (spec.directed)
    throw Error(
        fmt::format("graph.directed = true is not supported by graph.generator = {}: accepted false "
                    "(directed graphs come from erdos_renyi, sbm or file)",
                    spec.generator));
}

void check_degree_spec(const DegreeSpec& d, std::int64_t n) {
  const std::string& dist = d.distribution;
  if (dist == "power_law") {
    check_real("graph.degree.exponent", d.exponent, std::nextafter(1.0, 2.0), std::numeric_limits<double>::max(),
               "(1, inf)");
    if (d.min < 1 || d.min > kMaxPowerLawDegree)
      out_of_range("graph.degree.min", std::to_string(d.min), fmt::format("[1, {}]", kMaxPowerLawDegree));
    if (d.max < d.min || d.max > kMaxPowerLawDegree)
      out_of_range("graph.degree.max", std::to_string(d.max),
                   fmt::format("[graph.degree.min, {}] (graph.degree.min = {})", kMaxPowerLawDegree, d.min));
  } else if (dist == "geometric") {
    check_real("graph.degree.mean", d.mean, 1.0, double(n - 1), fmt::format("[1, n-1] (n = {})", n));
  } else if (dist == "regular") {
    check_real("graph.degree.mean", d.mean, 0.0, double(n - 1), fmt::format("[0, n-1] (n = {})", n));
  } else if (dist == "file") {
    if (d.file.empty()) throw Error("graph.degree.file is empty: accepted a path to a file of degrees");
  } else {
    throw Error(
        fmt::format("graph.degree.distribution = '{}' is not accepted: accepted power_law | geometric | "
                    "regular | file",
                    dist));
  }
}

std::string fmt_real(double x) { return fmt::format("{:g}", x); }

/// Distinctness of one new vertex's targets: a scan of the ones drawn so far while there
/// are few, an open-addressing set (cleared by the caller's list) when m is large.
class TargetSet {
 public:
  explicit TargetSet(vid m) {
    if (m > kScanUpTo) table_.assign(std::bit_ceil(2 * std::size_t(m)), kEmpty);
  }
  /// Inserts t unless it is among drawn[0..count); returns whether it was new.
  bool insert(vid t, const std::pair<vid, vid>* drawn, vid count) {
    if (table_.empty()) {
      for (vid i = 0; i < count; ++i)
        if (drawn[i].second == t) return false;
      return true;
    }
    const std::size_t mask = table_.size() - 1;
    for (std::size_t h = (std::uint64_t(t) * 0x9E3779B97F4A7C15ULL) >> 20 & mask;; h = (h + 1) & mask) {
      if (table_[h] == t) return false;
      if (table_[h] == kEmpty) {
        table_[h] = t;
        return true;
      }
    }
  }
  void clear() {
    if (!table_.empty()) std::fill(table_.begin(), table_.end(), kEmpty);
  }

 private:
  static constexpr vid kScanUpTo = 32;
  static constexpr vid kEmpty = ~vid(0);  // never a vertex: n <= kMaxVertices
  std::vector<vid> table_;
};

/// The arcs of Barabási–Albert (no triad) or Holme–Kim (with triad probability `triad`),
/// generated in parallel and deterministically.
///
/// A complete graph on m+1 vertices, then vertices arrive in cohorts: the cohort that
/// starts at vertex a holds max(1, floor(a / kCohortDivisor)) vertices, and each of them
/// attaches to the graph as it stood when its cohort began (its endpoint list and its
/// neighbour lists), so the vertices of a cohort are independent and are drawn in
/// parallel. Cohort boundaries depend only on n and m, and each vertex's draws are keyed by
/// its id, so the graph is the same at any thread count. Until a reaches kCohortDivisor
/// every cohort is one vertex, which is exactly the sequential process; after that a vertex
/// misses at most 1/kCohortDivisor of the vertices that the sequential process would offer
/// it (those of its own cohort).
///
/// Vertex v's m edges are arcs[seed_edges + (v - m - 1) m + j]: the list doubles as the
/// Batagelj–Brandes endpoint list, so a uniform endpoint is a degree-proportional vertex.
ArcList attachment_arcs(vid n, vid m, std::optional<double> triad, const rng::Stream& s) {
  constexpr vid kCohortDivisor = 1024;
  constexpr std::size_t kVerticesPerTask = 256;
  const std::uint64_t thr = rng::threshold(triad.value_or(0.0));
  const std::size_t seed_edges = std::size_t(m) * (m + 1) / 2;
  const eid edges = seed_edges + eid(n - m - 1) * m;
  ArcList arcs(edges);
  {
    std::size_t i = 0;
    for (vid u = 0; u <= m; ++u)
      for (vid v = u + 1; v <= m; ++v) arcs[i++] = {u, v};
  }
  auto own = [&](vid v) { return arcs.data() + seed_edges + std::size_t(v - m - 1) * m; };

  // The neighbours of w, for the triad steps: first its m own partners (a seed vertex: the
  // other seed vertices; a later one: its m targets), then the later vertices that picked
  // w, in arrival order. The latter live in per-partition pools of blocks that double when
  // full; partition w % parts owns w, so the partitions append in parallel. Which pool
  // holds a list changes nothing but where it is stored.
  struct Later {
    std::uint64_t pos = 0;
    std::uint32_t size = 0, cap = 0;
  };
  const std::size_t parts = triad ? std::size_t(std::max(1, ThreadLimit::current())) : 0;
  std::vector<Later> later(triad ? n : 0);
  std::vector<std::vector<vid>> pools(parts);
  for (auto& pool : pools) pool.reserve(3 * std::size_t(edges) / parts + 64);
  auto neighbour = [&](vid w, std::uint64_t r) -> vid {  // r < m + later[w].size
    if (r >= m) return pools[w % parts][later[w].pos + (r - m)];
    if (w <= m) return vid(r < w ? r : r + 1);
    return own(w)[r].second;
  };
  auto append = [&](vid t, vid v) {
    Later& l = later[t];
    std::vector<vid>& pool = pools[t % parts];
    if (l.size == l.cap) {
      const std::uint32_t cap = l.cap ? std::uint32_t(std::min<std::uint64_t>(2 * std::uint64_t(l.cap), ~vid(0))) : 4;
      const std::uint64_t pos = pool.size();
      pool.resize(pos + cap);
      std::copy_n(pool.begin() + std::ptrdiff_t(l.pos), l.size, pool.begin() + std::ptrdiff_t(pos));
      l.pos = pos;
      l.cap = cap;
    }
    pool[l.pos + l.size++] = v;
  };

  // Draw index k of v: triad decisions, neighbour picks and PA picks in order.
  auto attach = [&](vid v, eid endpoints, TargetSet& picked) {
    std::pair<vid, vid>* out = own(v);
    std::uint64_t k = 0;
    vid anchor = 0;  // target of v's latest PA step
    for (vid j = 0; j < m; ++j) {
      if (triad && j > 0 && rng::fires(s.bits(v, k++), thr)) {  // triad formation: a neighbour of the anchor
        const vid t = neighbour(anchor, rng::below(s.bits(v, k++), std::uint64_t(m) + later[anchor].size));
        if (picked.insert(t, out, j)) {
          out[j] = {v, t};
          continue;
        }
      }
      vid t;  // preferential attachment; repeated picks are redrawn so the m targets are distinct
      do {
        const eid e = rng::below(s.bits(v, k++), endpoints);
        t = (e & 1) ? arcs[e >> 1].second : arcs[e >> 1].first;
      } while (!picked.insert(t, out, j));
      out[j] = {v, t};
      anchor = t;
    }
    picked.clear();
  };

  // The endpoint reads of a vertex's PA steps are cache misses; the draws that are PA
  // steps (all but the triad picks, assuming no repeats) are known from the hash alone, so
  // a vertex a few places ahead has its endpoints fetched early.
  constexpr std::size_t kAhead = 8;
  auto prefetch = [&](vid v, eid endpoints) {
    std::uint64_t k = 0;
    for (vid j = 0; j < m && j < 16; ++j) {
      if (triad && j > 0 && rng::fires(s.bits(v, k++), thr)) {
        ++k;
        continue;
      }
      __builtin_prefetch(&arcs[rng::below(s.bits(v, k++), endpoints) >> 1]);
    }
  };

  TargetSet serial_picked(m);
  for (vid a = m + 1; a < n;) {
    throw_if_cancelled();  // a cohort at a time: a signal stops a long build promptly
    const vid b = vid(std::min<std::uint64_t>(n, std::uint64_t(a) + std::max<vid>(1, a / kCohortDivisor)));
    const eid endpoints = 2 * eid(own(a) - arcs.data());  // the edges before the cohort
    for_each_block(
        b - a,
        [&](std::size_t, std::size_t lo, std::size_t hi) {
          TargetSet local(m);
          TargetSet& picked = (hi - lo == std::size_t(b - a)) ? serial_picked : local;
          for (std::size_t i = lo; i < hi; ++i) {
            if (i + kAhead < hi) prefetch(vid(a + i + kAhead), endpoints);
            attach(vid(a + i), endpoints, picked);
          }
        },
        kVerticesPerTask, 2 * kVerticesPerTask);
    if (triad) {  // the cohort joins its targets' lists, in arrival order
      const std::pair<vid, vid>* first = own(a);
      const std::pair<vid, vid>* last = b < n ? own(b) : arcs.data() + arcs.size();
      if (std::size_t(last - first) < kVerticesPerTask * m || parts == 1) {
        for (const auto* e = first; e != last; ++e) append(e->second, e->first);
      } else {
        for_each_block(
            parts,
            [&](std::size_t p, std::size_t, std::size_t) {
              for (const auto* e = first; e != last; ++e)
                if (e->second % parts == p) append(e->second, e->first);
            },
            1, 2);
      }
    }
    a = b;
  }
  return arcs;
}

}  // namespace

void set_edge_list_loader(EdgeListLoader loader) { g_edge_list_loader = loader; }

// ---------------------------------------------------------------------------------------
// Generators

Graph erdos_renyi(vid n, double p, bool directed, rng::RunKey key, BuildReport* report) {
  const rng::Stream s(key, 0, purpose::kErdosRenyi);
  ArcList arcs = block_model_arcs({0, n}, p, 0.0, directed, s);
  return build_graph(n, std::move(arcs), directed, {}, report);
}

Graph barabasi_albert(vid n, vid m, rng::RunKey key, BuildReport* report) {
  if (m < 1 || m >= n) throw Error(fmt::format("barabasi_albert: m = {} is out of range: accepted [1, n-1]", m));
  const rng::Stream s(key, 0, purpose::kBarabasiAlbert);
  return build_graph(n, attachment_arcs(n, m, std::nullopt, s), false, {}, report);
}

Graph holme_kim(vid n, vid m, double triad, rng::RunKey key, BuildReport* report) {
  if (m < 1 || m >= n) throw Error(fmt::format("holme_kim: m = {} is out of range: accepted [1, n-1]", m));
  if (!(triad >= 0.0 && triad <= 1.0))
    throw Error(fmt::format("holme_kim: triad = {} is out of range: accepted [0, 1]", triad));
  const rng::Stream s(key, 0, purpose::kHolmeKim);
  return build_graph(n, attachment_arcs(n, m, triad, s), false, {}, report);
}

Graph watts_strogatz(vid n, vid k, double rewire, rng::RunKey key, BuildReport* report) {
  if (k < 2 || k % 2 != 0 || k >= n)
    throw Error(fmt::format("watts_strogatz: k = {} is out of range: accepted even in [2, n-1]", k));
  const rng::Stream s(key, 0, purpose::kWattsStrogatz);
  const vid half = k / 2;
  const std::uint64_t thr = rng::threshold(rewire);
  ArcList arcs(std::size_t(n) * half);
  for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
    for (std::size_t uu = lo; uu < hi; ++uu) {
      const vid u = vid(uu);
      for (vid j = 1; j <= half; ++j) {
        // Draw 2(j-1) decides whether edge (u, u+j) is rewired, draw 2(j-1)+1 picks its new end.
        vid v = vid((std::uint64_t(u) + j) % n);
        if (rewire > 0.0 && rng::fires(s.bits(u, 2 * std::uint64_t(j - 1)), thr)) {
          v = vid(rng::below(s.bits(u, 2 * std::uint64_t(j - 1) + 1), n - 1));
          if (v >= u) ++v;  // uniform over the n-1 vertices other than u
        }
        arcs[std::size_t(u) * half + (j - 1)] = {u, v};
      }
    }
  });
  return build_graph(n, std::move(arcs), false, {}, report);
}

Graph configuration_model(std::vector<vid> degree, rng::RunKey key, BuildReport* report) {
  const vid n = vid(degree.size());
  if (n == 0) throw Error("configuration_model: the degree sequence is empty");
  std::uint64_t stubs_total = 0;
  for (vid d : degree) stubs_total += d;
  if (stubs_total % 2 != 0) {  // an odd stub cannot be paired: give the last vertex one more
    if (degree[n - 1] == std::numeric_limits<vid>::max()) throw Error("configuration_model: degree overflow");
    ++degree[n - 1];
    ++stubs_total;
  }
  std::vector<vid> stubs(stubs_total);
  {
    std::uint64_t pos = 0;
    for (vid v = 0; v < n; ++v) {
      std::fill_n(stubs.begin() + std::ptrdiff_t(pos), degree[v], v);
      pos += degree[v];
    }
  }
  // Fisher–Yates: draw i picks the stub that lands in slot i. Sequential by nature; the
  // draws are keyed by slot, so the shuffle is a pure function of the run key.
  const rng::Stream s(key, 0, purpose::kStubShuffle);
  for (std::uint64_t i = stubs_total; i > 1; --i) {
    if ((i & 0xFFFFF) == 0) throw_if_cancelled();  // every million draws
    const std::uint64_t j = rng::below(s.bits(i - 1), i);
    std::swap(stubs[i - 1], stubs[j]);
  }
  ArcList arcs(stubs_total / 2);
  for (std::size_t e = 0; e < arcs.size(); ++e) arcs[e] = {stubs[2 * e], stubs[2 * e + 1]};
  std::vector<vid>().swap(stubs);
  return build_graph(n, std::move(arcs), false, {}, report);
}

std::vector<vid> sample_degrees(const DegreeSpec& spec, vid n, rng::RunKey key) {
  check_degree_spec(spec, n);
  std::vector<vid> degree(n);
  const rng::Stream s(key, 0, purpose::kDegreeSample);
  if (spec.distribution == "regular") {
    std::fill(degree.begin(), degree.end(), vid(std::llround(spec.mean)));
  } else if (spec.distribution == "geometric") {
    // P(k) = (1-q)^(k-1) q, k >= 1: k = 1 + floor(ln U / ln(1-q)), mean 1/q. Truncated at
    // n-1, the most a simple graph allows (the draw would otherwise overflow 32 bits).
    const double q = 1.0 / spec.mean;
    const double log_1mq = std::log1p(-q);
    const double cap = double(n - 1);
    for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
      for (std::size_t v = lo; v < hi; ++v) {
        double k = 1.0;
        if (q < 1.0) k += std::floor(std::log(1.0 - rng::Stream::to_unit(s.bits(v))) / log_1mq);
        degree[v] = vid(std::max(1.0, std::min(k, cap)));
      }
    });
  } else if (spec.distribution == "power_law") {
    // Inverse CDF over the table of cumulative weights k^-exponent, k = min..max.
    const std::size_t size = std::size_t(spec.max - spec.min + 1);
    std::vector<double> cum(size);
    double total = 0.0;
    for (std::size_t i = 0; i < size; ++i) {
      total += std::pow(double(spec.min) + double(i), -spec.exponent);
      cum[i] = total;
    }
    for_each_block(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
      for (std::size_t v = lo; v < hi; ++v) {
        const double u = rng::Stream::to_unit(s.bits(v)) * total;
        const std::size_t i = std::size_t(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
        degree[v] = vid(spec.min + std::int64_t(std::min(i, size - 1)));
      }
    });
  } else {
    throw Error("sample_degrees: graph.degree.distribution = file is read with read_degree_file");
  }
  return degree;
}

std::vector<vid> read_degree_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(fmt::format("{}: cannot open degree file: {}", path, std::strerror(errno)));
  std::string text;
  char chunk[1 << 16];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, got);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) throw Error(fmt::format("{}: cannot read degree file: {}", path, std::strerror(err)));

  constexpr const char* kForm = "accepted: one non-negative integer degree per line, '#' starts a comment";
  std::vector<vid> degree;
  std::uint64_t line = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (p < end) {
    ++line;
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    if (!eol) eol = end;
    const char* q = p;
    p = eol == end ? end : eol + 1;
    while (q < eol && blank(*q)) ++q;
    if (q == eol || *q == '#') continue;
    const char* tok = q;
    std::uint64_t d = 0;
    bool numeric = true;
    while (q < eol && !blank(*q) && *q != '#') {
      if (*q < '0' || *q > '9')
        numeric = false;
      else if (d <= std::uint64_t(kMaxVertices))
        d = d * 10 + std::uint64_t(*q - '0');  // saturates above the cap
      ++q;
    }
    const std::string token(tok, std::size_t(std::min<std::ptrdiff_t>(q - tok, 40)));
    if (!numeric) throw Error(fmt::format("{}:{}: '{}' is not a degree; {}", path, line, token, kForm));
    if (d > std::uint64_t(kMaxVertices))
      throw Error(fmt::format("{}:{}: degree {} is out of range: accepted [0, {}]", path, line, token, kMaxVertices));
    while (q < eol && blank(*q)) ++q;
    if (q < eol && *q != '#') throw Error(fmt::format("{}:{}: more than one value on the line; {}", path, line, kForm));
    if (degree.size() >= std::size_t(kMaxVertices))
      throw Error(fmt::format("{}:{}: more than {} degrees", path, line, kMaxVertices));
    degree.push_back(vid(d));
  }
  if (degree.empty()) throw Error(fmt::format("{}:{}: no degrees found; {}", path, line, kForm));
  return degree;
}

Graph stochastic_block_model(const std::vector<vid>& blocks, double p_in, double p_out, bool directed, rng::RunKey key,
                             BuildReport* report) {
  if (blocks.empty()) throw Error("stochastic_block_model: no blocks");
  std::vector<vid> start(blocks.size() + 1, 0);
  std::uint64_t n = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (blocks[b] == 0) throw Error(fmt::format("stochastic_block_model: block {} is empty", b));
    n += blocks[b];
    if (n > std::uint64_t(kMaxVertices))
      throw Error(fmt::format("stochastic_block_model: more than {} vertices", kMaxVertices));
    start[b + 1] = vid(n);
  }
  const rng::Stream s(key, 0, purpose::kBlockModel);
  ArcList arcs = block_model_arcs(start, p_in, p_out, directed, s);
  return build_graph(vid(n), std::move(arcs), directed, {}, report);
}

// ---------------------------------------------------------------------------------------
// The spec

void validate_graph_spec(const GraphSpec& spec) {
  if (spec.reorder != "none" && spec.reorder != "rcm" && spec.reorder != "degree")
    throw Error(fmt::format("graph.reorder = '{}' is not accepted: accepted none | rcm | degree", spec.reorder));
  const std::string& gen = spec.generator;
  const std::int64_t n = spec.n;
  const std::string with_n = fmt::format("(n = {})", n);
  if (gen == "erdos_renyi") {
    check_n(n);
    check_real("graph.mean_degree", spec.mean_degree, 0.0, double(n - 1), "[0, n-1] " + with_n);
  } else if (gen == "barabasi_albert") {
    check_n(n);
    check_undirected(spec);
    if (spec.m < 1 || spec.m >= n) out_of_range("graph.m", std::to_string(spec.m), "[1, n-1] " + with_n);
  } else if (gen == "holme_kim") {
    check_n(n);
    check_undirected(spec);
    if (spec.m < 1 || spec.m >= n) out_of_range("graph.m", std::to_string(spec.m), "[1, n-1] " + with_n);
    check_real("graph.triad", spec.triad, 0.0, 1.0, "[0, 1]");
  } else if (gen == "watts_strogatz") {
    check_n(n);
    check_undirected(spec);
    if (spec.k < 2 || spec.k >= n || spec.k % 2 != 0)
      out_of_range("graph.k", std::to_string(spec.k), "an even number in [2, n-1] " + with_n);
    check_real("graph.rewire", spec.rewire, 0.0, 1.0, "[0, 1]");
  } else if (gen == "configuration") {
    check_undirected(spec);
    if (spec.degree.distribution != "file") check_n(n);
    check_degree_spec(spec.degree, n);
  } else if (gen == "sbm") {
    if (spec.blocks.empty()) throw Error("graph.blocks is empty: accepted a list of positive block sizes");
    std::int64_t total = 0;
    for (std::size_t b = 0; b < spec.blocks.size(); ++b) {
      const std::int64_t size = spec.blocks[b];
      if (size < 1 || size > kMaxVertices)
        out_of_range(fmt::format("graph.blocks[{}]", b), std::to_string(size), fmt::format("[1, {}]", kMaxVertices));
      total += size;
      if (total > kMaxVertices)
        throw Error(fmt::format("graph.blocks sum to more than {} vertices: accepted a total in [1, {}]", kMaxVertices,
                                kMaxVertices));
    }
    check_real("graph.p_in", spec.p_in, 0.0, 1.0, "[0, 1]");
    check_real("graph.p_out", spec.p_out, 0.0, 1.0, "[0, 1]");
  } else if (gen == "complete") {
    check_n(n);
  } else if (gen == "file") {
    if (spec.path.empty()) throw Error("graph.path is empty: accepted a path to an edge list (plain or .gz)");
  } else {
    throw Error(
        fmt::format("graph.generator = '{}' is not accepted: accepted erdos_renyi | barabasi_albert | holme_kim | "
                    "watts_strogatz | configuration | sbm | complete | file",
                    gen));
  }
}

Graph make_graph(const GraphSpec& spec, std::uint64_t seed, std::uint64_t replicate, GraphInfo* info) {
  validate_graph_spec(spec);
  const rng::RunKey key(seed, replicate);
  const std::string& gen = spec.generator;
  BuildReport rep;
  std::string desc;
  Graph g;
  if (gen == "erdos_renyi") {
    const vid n = vid(spec.n);
    const double p = n > 1 ? std::min(1.0, spec.mean_degree / double(n - 1)) : 0.0;
    g = erdos_renyi(n, p, spec.directed, key, &rep);
    desc = fmt::format("erdos_renyi n={} mean_degree={} (p={:.6g}, {})", n, fmt_real(spec.mean_degree), p,
                       spec.directed ? "directed" : "undirected");
  } else if (gen == "barabasi_albert") {
    g = barabasi_albert(vid(spec.n), vid(spec.m), key, &rep);
    desc = fmt::format("barabasi_albert n={} m={}", spec.n, spec.m);
  } else if (gen == "holme_kim") {
    g = holme_kim(vid(spec.n), vid(spec.m), spec.triad, key, &rep);
    desc = fmt::format("holme_kim n={} m={} triad={}", spec.n, spec.m, fmt_real(spec.triad));
  } else if (gen == "watts_strogatz") {
    g = watts_strogatz(vid(spec.n), vid(spec.k), spec.rewire, key, &rep);
    desc = fmt::format("watts_strogatz n={} k={} rewire={}", spec.n, spec.k, fmt_real(spec.rewire));
  } else if (gen == "configuration") {
    const DegreeSpec& d = spec.degree;
    std::vector<vid> degree = d.distribution == "file" ? read_degree_file(d.file) : sample_degrees(d, vid(spec.n), key);
    const vid n = vid(degree.size());
    if (d.distribution == "power_law")
      desc = fmt::format("configuration n={} degree=power_law(exponent={}, min={}, max={})", n, fmt_real(d.exponent),
                         d.min, d.max);
    else if (d.distribution == "file")
      desc = fmt::format("configuration n={} degree=file({})", n, d.file);
    else
      desc = fmt::format("configuration n={} degree={}(mean={})", n, d.distribution, fmt_real(d.mean));
    g = configuration_model(std::move(degree), key, &rep);
  } else if (gen == "sbm") {
    std::vector<vid> blocks(spec.blocks.begin(), spec.blocks.end());
    g = stochastic_block_model(blocks, spec.p_in, spec.p_out, spec.directed, key, &rep);
    desc = fmt::format("sbm n={} blocks={} p_in={} p_out={} ({})", g.n, blocks.size(), fmt_real(spec.p_in),
                       fmt_real(spec.p_out), spec.directed ? "directed" : "undirected");
  } else if (gen == "complete") {
    g = complete_graph(vid(spec.n));
    desc = fmt::format("complete n={} (implicit, mean-field)", spec.n);
  } else {  // file
    if (!g_edge_list_loader)
      throw Error(
          fmt::format("graph.generator = file ({}): this program was built without the edge-list "
                      "reader (sim/io); link wom::io",
                      spec.path));
    g = g_edge_list_loader(spec.path, spec.directed, spec.reverse, &rep);
    desc = fmt::format("file {} ({}{})", spec.path, spec.directed ? "directed" : "undirected",
                       spec.directed && spec.reverse ? ", reversed" : "");
  }
  if (g.n == 0) throw Error(fmt::format("graph.generator = {} produced an empty graph", gen));
  throw_if_cancelled();
  if (spec.reorder != "none") {
    g = reorder(g, spec.reorder);
    desc += " reorder=" + spec.reorder;
  }
  if (info) {
    info->build = rep;
    info->description = fmt::format("{}: {} vertices, {} arcs", desc, g.n, g.num_arcs());
    if (rep.self_loops || rep.duplicates)
      info->description += fmt::format(" ({} self-loops and {} duplicates dropped)", rep.self_loops, rep.duplicates);
  }
  return g;
}

}  // namespace wom
