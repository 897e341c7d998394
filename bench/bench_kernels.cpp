// Throughput of the propagation kernels and whole-model steps on Barabási–Albert
// n=10^6, m=5 (10^7 arcs). Counters: arcs/s, agent-steps/s, bytes. Thread count is the
// benchmark argument (threads:1, threads:2, ...).
#include <benchmark/benchmark.h>

#include "bench/bench_common.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"

using namespace wom;

namespace {

std::vector<vid> sample(const Graph& g, double share) {
  const rng::Stream s(rng::RunKey(3, 0), 0, 1);
  std::vector<vid> out;
  for (vid v = 0; v < g.n; ++v)
    if (s.uniform(g.id(v)) < share) out.push_back(v);
  return out;
}

void BM_PullCounts(benchmark::State& st) {
  const Graph& g = bench::ba_graph();
  const auto act = sample(g, 0.1);
  std::vector<std::uint8_t> is(g.n, 0);
  for (vid v : act) is[v] = 1;
  NeighborCounts c;
  c.resize(g.n);
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st) c.recompute(g, [&](vid u) { return is[u] != 0; });
  });
  st.counters["arcs/s"] = benchmark::Counter(double(g.num_arcs()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_PushCounts(benchmark::State& st) {
  const Graph& g = bench::ba_graph();
  const auto act = sample(g, double(st.range(1)) / 1000.0);
  NeighborCounts c;
  c.resize(g.n);
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st) c.apply(g, act, {});
  });
  st.counters["arcs/s"] = benchmark::Counter(double(out_volume(g, act)), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Spread(benchmark::State& st) {
  const Graph& g = bench::ba_graph();
  const auto frontier = sample(g, double(st.range(1)) / 1000.0);
  const rng::Stream s(rng::RunKey(1, 0), 0, 2);
  SpreadScratch sc;
  forced_propagation() = st.range(2) ? PropagationMode::Pull : PropagationMode::Push;
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st)
      benchmark::DoNotOptimize(spread(
          g, frontier, [](vid) { return true; }, s, rng::threshold(0.1), 0, sc));
  });
  forced_propagation() = PropagationMode::Auto;
  st.counters["arcs/s"] = benchmark::Counter(double(st.range(2) ? g.num_arcs() : out_volume(g, frontier)),
                                             benchmark::Counter::kIsIterationInvariantRate);
}

/// A whole model run on the BA graph: arcs/s counts num_arcs per computed step (the
/// work of a full pull sweep), agent-steps/s counts n per computed step.
void run_whole(benchmark::State& st, const std::string& model, const Params& p, std::int64_t steps) {
  register_models();
  const Graph& g = bench::ba_graph();
  const ModelInfo& info = *Registry::instance().find(model);
  double computed = 0, state_bytes = 0;
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st) {
      const Trajectory tr = run_model(info, p, g, ReplicatePlan{1, 0, steps, 1.0});
      computed += double(tr.steps_computed);
      state_bytes = double(tr.state_bytes);
    }
  });
  st.counters["steps"] = computed / double(st.iterations());
  st.counters["agent-steps/s"] = benchmark::Counter(computed * g.n, benchmark::Counter::kIsRate);
  st.counters["arcs/s"] = benchmark::Counter(computed * double(g.num_arcs()), benchmark::Counter::kIsRate);
  st.counters["s/step"] = benchmark::Counter(computed, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  st.counters["state_bytes"] = state_bytes;
  st.counters["graph_bytes"] = double(g.memory_bytes());
  st.counters["peak_rss"] = bench::peak_rss_bytes();
}

void BM_SirEpidemic(benchmark::State& st) { run_whole(st, "sir", bench::sir_params(), 100000); }

void BM_IcCascade(benchmark::State& st) {
  Params p;
  p.set("transmission", 0.05);
  p.set("initial.count", std::int64_t(100));
  p.set("within_step", false);
  run_whole(st, "independent_cascade", p, 100000);
}

void BM_BassGraph(benchmark::State& st) {
  Params p;
  p.set("p", 0.01);
  p.set("q", 0.4);
  run_whole(st, "bass", p, 50);
}

/// Roofline: sequential read bandwidth over 256 MiB (bytes/s).
void BM_StreamRead(benchmark::State& st) {
  std::vector<std::uint64_t> a(std::size_t(32) << 20, 1);
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st)
      benchmark::DoNotOptimize(block_reduce<std::uint64_t>(
          a.size(),
          [&](std::size_t lo, std::size_t hi) {
            std::uint64_t s = 0;
            for (std::size_t i = lo; i < hi; ++i) s += a[i];
            return s;
          },
          1 << 16));
  });
  st.counters["bytes/s"] = benchmark::Counter(double(a.size() * 8), benchmark::Counter::kIsIterationInvariantRate);
}

/// Roofline: independent random 4-byte gathers from a table of range(1) MiB (gathers/s):
/// the access pattern of a push or pull over arcs.
void BM_RandomGather(benchmark::State& st) {
  const std::size_t table = std::size_t(st.range(1)) << 18;  // MiB of uint32
  std::vector<std::uint32_t> t(table, 1), idx(std::size_t(1) << 24);
  const rng::Stream s(rng::RunKey(1, 0), 0, 3);
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = std::uint32_t(rng::below(s.bits(i), table));
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st)
      benchmark::DoNotOptimize(block_reduce<std::uint64_t>(
          idx.size(),
          [&](std::size_t lo, std::size_t hi) {
            std::uint64_t sum = 0;
            for (std::size_t i = lo; i < hi; ++i) sum += t[idx[i]];
            return sum;
          },
          1 << 16));
  });
  st.counters["gathers/s"] = benchmark::Counter(double(idx.size()), benchmark::Counter::kIsIterationInvariantRate);
}

/// service_wom defaults on BA n=10^6, m=5: 730 daily steps (the target: ≤ 30 s
/// on 2 cores; ≤ 100 bytes per person + 10 per arc).
void BM_ServiceWom(benchmark::State& st) {
  register_models();
  const ModelInfo& info = *Registry::instance().find("service_wom");
  const Params p = default_params(info.params);
  const Graph& g = bench::ba_graph();
  const std::int64_t steps = st.range(1);
  double state_bytes = 0;
  with_threads(int(st.range(0)), [&] {
    for (auto _ : st) state_bytes = double(run_model(info, p, g, ReplicatePlan{1, 0, steps, 1.0}).state_bytes);
  });
  st.counters["agent-steps/s"] = benchmark::Counter(double(steps) * g.n, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["s/step"] =
      benchmark::Counter(double(steps), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  st.counters["state_bytes/person"] = state_bytes / g.n;
  st.counters["graph_bytes/arc"] = double(g.memory_bytes()) / double(g.num_arcs());
  st.counters["peak_rss"] = bench::peak_rss_bytes();
}

}  // namespace

BENCHMARK(BM_ServiceWom)
    ->ArgNames({"threads", "steps"})
    ->Args({1, 730})
    ->Args({2, 730})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(BM_StreamRead)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RandomGather)
    ->ArgNames({"threads", "MiB"})
    ->Args({1, 1})
    ->Args({1, 4})
    ->Args({1, 64})
    ->Args({2, 64})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_PullCounts)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PushCounts)
    ->ArgNames({"threads", "permille"})
    ->Args({1, 10})
    ->Args({2, 10})
    ->Args({1, 100})
    ->Args({2, 100})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Spread)
    ->ArgNames({"threads", "permille", "pull"})
    ->Args({1, 10, 0})
    ->Args({1, 10, 1})
    ->Args({2, 10, 0})
    ->Args({2, 10, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SirEpidemic)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_IcCascade)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_BassGraph)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

BENCHMARK_MAIN();
