#include "sim/io/memory_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sim/core/error.hpp"

namespace wom {

namespace {

// A built CSR graph holds a 32-bit target per arc and a 64-bit offset and a 64-bit stable id
// per vertex; while it is built, the arc list (two 32-bit ids per arc) exists beside it, and
// is freed before the model allocates its state.
constexpr double kBytesPerArc = 4, kBytesPerVertex = 16, kBuildBytesPerArc = 8;

/// Expected stored arcs of a generated graph (an undirected edge stores two arcs); 0 for the
/// implicit complete graph, and for files (their size bounds what reading them costs).
double expected_arcs(const GraphSpec& g) {
  const double n = double(g.n), both = g.directed ? 1.0 : 2.0;
  if (g.generator == "erdos_renyi") return n * g.mean_degree;
  if (g.generator == "barabasi_albert" || g.generator == "holme_kim") return both * double(g.m) * n;
  if (g.generator == "watts_strogatz") return n * double(g.k);
  if (g.generator == "configuration") {
    const DegreeSpec& d = g.degree;
    if (d.distribution != "power_law") return n * d.mean;
    double z = 0, k1 = 0;  // mean of the truncated power law on [min, max]
    const std::int64_t hi = std::min<std::int64_t>(d.max, 10'000'000);
    for (std::int64_t k = std::max<std::int64_t>(1, d.min); k <= hi; ++k) {
      const double p = std::pow(double(k), -d.exponent);
      z += p;
      k1 += p * double(k);
    }
    return z > 0 ? n * k1 / z : 0.0;
  }
  if (g.generator == "sbm") {
    double arcs = 0, total = 0;
    for (auto b : g.blocks) total += double(b);
    for (auto b : g.blocks) arcs += double(b) * (double(b) * g.p_in + (total - double(b)) * g.p_out);
    return arcs;
  }
  return 0;
}

double graph_bytes(const GraphSpec& g) {
  if (g.generator == "complete" || g.generator == "file") return 0;
  return kBytesPerVertex * double(g.n) + kBytesPerArc * expected_arcs(g);
}

double read_number_file(const char* path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s) || s == "max") return -1;
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

MemoryNeed estimate_memory(const Scenario& sc, std::int64_t replicates, std::int64_t concurrent, std::int64_t graphs) {
  MemoryNeed need;
  need.process = 16.0 * 1024 * 1024;
  const double held = double(std::max<std::int64_t>(1, concurrent));
  const bool shared = sc.graph.generator == "file" || sc.graph.generator == "complete";
  const double g = graph_bytes(sc.graph) + (sc.followers ? graph_bytes(*sc.followers) : 0.0);
  need.graph = shared ? g : g * (graphs > 0 ? std::min(held, double(graphs)) : held);
  const double n = double(sc.graph.n),
               arcs = expected_arcs(sc.graph) + (sc.followers ? expected_arcs(*sc.followers) : 0);
  const double per_agent = sc.info ? sc.info->bytes_per_agent : 16, per_arc = sc.info ? sc.info->bytes_per_arc : 0;
  // While a graph is built its arc list is held; the model's state comes after it is freed.
  need.state = held * std::max(per_agent * n + per_arc * arcs, kBuildBytesPerArc * arcs);
  std::size_t columns = 8;
  if (sc.info && sc.info->make) columns = sc.info->make(sc.params)->columns().size();
  need.timeseries = double(replicates) * double(sc.steps + 1) * double(columns) * 8.0;
  return need;
}

double available_memory() {
  double avail = -1;
  {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kb = 0;
    std::string unit;
    while (in >> key >> kb >> unit)
      if (key == "MemAvailable:") {
        avail = kb * 1024.0;
        break;
      }
  }
  // A container's limit can be far below the machine's memory.
  const double v2 = read_number_file("/sys/fs/cgroup/memory.max"),
               v2_used = read_number_file("/sys/fs/cgroup/memory.current");
  if (v2 > 0) {
    // memory.current counts the page cache too, which the kernel gives back under pressure.
    double reclaimable = 0;
    std::ifstream stat("/sys/fs/cgroup/memory.stat");
    std::string key;
    double value = 0;
    while (stat >> key >> value)
      if (key == "inactive_file") reclaimable = value;
    const double left = v2 - std::max(0.0, v2_used - reclaimable);
    avail = avail < 0 ? left : std::min(avail, left);
  }
  const double v1 = read_number_file("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
               v1_used = read_number_file("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  if (v1 > 0 && v1 < 1e18) {
    const double left = v1 - std::max(0.0, v1_used);
    avail = avail < 0 ? left : std::min(avail, left);
  }
  return avail;
}

std::string bytes_text(double b) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (b >= 1024 && u < 6) b /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} bytes", b) : fmt::format("{:.3g} {}", b, units[u]);
}

void check_memory(const Scenario& sc, std::int64_t replicates, std::int64_t concurrent, std::int64_t graphs) {
  double avail = available_memory();
  if (const char* env = std::getenv("WOM_MEMORY_LIMIT")) avail = std::atof(env);
  if (!(avail > 0)) return;  // nothing to compare with: let the run try
  const MemoryNeed need = estimate_memory(sc, replicates, concurrent, graphs);
  // Leave headroom for what the estimate leaves out (outputs being written, the allocator).
  if (need.total() <= 0.9 * avail) return;
  std::string keys;
  if (need.graph + need.state >= need.timeseries)
    keys = fmt::format("lower graph.n (= {}){}", sc.graph.n,
                       concurrent > 1 && replicates > 1 ? " or run fewer replicates at once (--threads 1)" : "");
  else
    keys = fmt::format("lower time.steps (= {}) or replicates (= {}): every step of every replicate is stored",
                       sc.steps, replicates);
  throw Error(fmt::format(
      "{}: this run needs an estimated {} of memory (graphs {}, agent state {}, time series {}), but {} is available: "
      "{}",
      sc.source_file, bytes_text(need.total()), bytes_text(need.graph), bytes_text(need.state),
      bytes_text(need.timeseries), bytes_text(avail), keys));
}

}  // namespace wom
