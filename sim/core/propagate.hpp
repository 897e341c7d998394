#pragma once
/// Shared propagation primitives over the CSR (Ligra-style push/pull switching).
///
/// * `NeighborCounts`: per agent, the number of *active* in-neighbours (u→v with u
///   active), kept incrementally. Pull recomputes every count over in-arcs (dense
///   activity); push adds ±1 along the out-arcs of agents whose activity changed (sparse
///   activity). Both give the same integers, so the choice never changes results.
/// * `spread`: one generation of an independent cascade. Every arc u→v from a frontier
///   agent u to an eligible agent v fires with probability p, its draw keyed by the arc's
///   stable endpoint ids; v is reached if any arc fires. Push walks the frontier's out-arcs,
///   pull walks eligible agents' in-arcs; the set reached is identical.
/// * `cascade`: generations of `spread` until the frontier is empty, all within one step.
/// * `Calendar` + `delayed_push`: each out-arc of a frontier agent may book its target for
///   a later step (a per-arc delay, e.g. SIR's first successful contact); work is the
///   frontier's arc volume once, not per step.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/graph.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/state.hpp"

namespace wom {

/// Lists of agents collected per block and merged in block order: the merged list is
/// sorted when each block appends in index order, whatever the thread count.
class BlockLists {
 public:
  /// One list per block of n agents (blocks of `block`).
  void reset(std::size_t n, std::size_t block = kBlock) {
    parts_.resize(num_blocks(n, block));
    for (auto& p : parts_) p.clear();
  }
  std::vector<vid>& part(std::size_t block) { return parts_[block]; }
  std::size_t total() const {
    std::size_t s = 0;
    for (auto& p : parts_) s += p.size();
    return s;
  }
  void merge_into(std::vector<vid>& out) const {
    out.clear();
    out.reserve(total());
    for (auto& p : parts_) out.insert(out.end(), p.begin(), p.end());
  }

 private:
  std::vector<std::vector<vid>> parts_;
};

/// Sum of out-degrees of a list of agents (the arc volume a push would touch).
inline std::uint64_t out_volume(const Graph& g, std::span<const vid> agents) {
  std::uint64_t s = 0;
  for (vid u : agents) s += g.out_degree(u);
  return s;
}

/// Push is chosen while the frontier's arc volume is below m / kPullDivisor.
inline constexpr std::uint64_t kPullDivisor = 8;

enum class PropagationMode { Auto, Push, Pull };

/// Process-wide override of the push/pull choice (tests and benchmarks prove the two
/// give identical results; Auto chooses by frontier arc volume).
inline PropagationMode& forced_propagation() {
  static PropagationMode m = PropagationMode::Auto;
  return m;
}

/// True when a frontier with arc volume `vol` should be handled by a pull.
inline bool choose_pull(const Graph& g, std::uint64_t vol) {
  switch (forced_propagation()) {
    case PropagationMode::Push:
      return false;
    case PropagationMode::Pull:
      return true;
    default:
      return vol * kPullDivisor > g.num_arcs();
  }
}

class NeighborCounts {
 public:
  using Mode = PropagationMode;

  void resize(vid n) { c_ = Col<std::uint32_t>::Zero(Eigen::Index(n)); }
  const Col<std::uint32_t>& counts() const { return c_; }
  std::uint32_t operator[](vid v) const { return c_[Eigen::Index(v)]; }
  std::size_t bytes() const { return std::size_t(c_.size()) * sizeof(std::uint32_t); }
  std::uint64_t pulls = 0, pushes = 0;

  /// Pull: c[v] = #{u ∈ in(v) : active(u)}.
  template <class Active>
  void recompute(const Graph& g, Active&& active) {
    ++pulls;
    for_each_block(g.n, [&](std::size_t, std::size_t lo, std::size_t hi) {
      for (std::size_t v = lo; v < hi; ++v) {
        std::uint32_t k = 0;
        for (vid u : g.in(vid(v))) k += active(u) ? 1u : 0u;
        c_[Eigen::Index(v)] = k;
      }
    });
  }

  /// Push: +1 along out(u) for u in plus, −1 for u in minus.
  void apply(const Graph& g, std::span<const vid> plus, std::span<const vid> minus) {
    ++pushes;
    push_delta(g, plus, 1u);
    push_delta(g, minus, ~0u);  // adds 2^32-1 ≡ −1
  }

  /// Brings the counts up to date after the agents in `plus` became active and those in
  /// `minus` stopped being active; `active` describes the new activity. Chooses push or
  /// pull by arc volume.
  template <class Active>
  void update(const Graph& g, std::span<const vid> plus, std::span<const vid> minus, Active&& active) {
    if (plus.empty() && minus.empty()) return;
    if (choose_pull(g, out_volume(g, plus) + out_volume(g, minus)))
      recompute(g, active);
    else
      apply(g, plus, minus);
  }

 private:
  /// Push without atomics ("propagation blocking", Beamer et al. 2017): arcs are first
  /// binned by target range (sequential writes), then each bin's targets are applied by
  /// one task to a cache-sized slice of the counts. Serial when small or single-threaded.
  void push_delta(const Graph& g, std::span<const vid> from, std::uint32_t delta) {
    if (from.empty()) return;
    auto* c = c_.data();
    const std::uint64_t vol = out_volume(g, from);
    if (vol < kSerialArcs || ThreadLimit::current() <= 1) {
      for (vid u : from)
        for (vid v : g.out(u)) c[v] += delta;
      return;
    }
    const std::size_t nbins = (std::size_t(g.n) >> kBinShift) + 1;
    const std::size_t nparts = num_blocks(from.size(), kPartAgents);
    bins_.resize(nparts);
    for_each_block(
        from.size(),
        [&](std::size_t p, std::size_t lo, std::size_t hi) {
          auto& b = bins_[p];
          b.resize(nbins);
          for (auto& x : b) x.clear();
          for (std::size_t i = lo; i < hi; ++i)
            for (vid v : g.out(from[i])) b[v >> kBinShift].push_back(v);
        },
        kPartAgents, 2 * kPartAgents);
    for_each_block(
        nbins,
        [&](std::size_t, std::size_t lo, std::size_t hi) {
          for (std::size_t bin = lo; bin < hi; ++bin)
            for (std::size_t p = 0; p < nparts; ++p)
              for (vid v : bins_[p][bin]) c[v] += delta;
        },
        1, 2);
  }

 public:
  static constexpr std::uint64_t kSerialArcs = 1 << 15;  ///< below this many arcs, push serially

 private:
  static constexpr unsigned kBinShift = 15;         ///< 32768 agents = 128 KiB of counts per bin
  static constexpr std::size_t kPartAgents = 1024;  ///< frontier agents per binning task
  std::vector<std::vector<std::vector<vid>>> bins_;
  Col<std::uint32_t> c_;
};

/// Scratch for `spread`/`cascade`, reused across steps (sized to n on first use).
struct SpreadScratch {
  std::vector<std::uint8_t> reached;   ///< 1 while an agent is reached this generation
  std::vector<std::uint8_t> frontier;  ///< 1 while an agent is in the current frontier
  BlockLists lists;
  void ensure(vid n) {
    if (reached.size() != n) {
      reached.assign(n, 0);
      frontier.assign(n, 0);
    }
  }
  std::uint64_t pushes = 0, pulls = 0;
};

/// One cascade generation (see file comment). `eligible(v)` must be a pure function of
/// state that does not change during the call. Returns the reached agents, sorted.
template <class Eligible>
std::vector<vid> spread(const Graph& g, std::span<const vid> frontier, Eligible&& eligible, const rng::Stream& s,
                        std::uint64_t thr, std::uint64_t k, SpreadScratch& sc) {
  std::vector<vid> out;
  if (frontier.empty() || thr == 0) return out;
  sc.ensure(g.n);
  if (choose_pull(g, out_volume(g, frontier))) {
    ++sc.pulls;
    for (vid u : frontier) sc.frontier[u] = 1;
    sc.lists.reset(g.n);
    for_each_block(g.n, [&](std::size_t b, std::size_t lo, std::size_t hi) {
      auto& list = sc.lists.part(b);
      for (std::size_t vi = lo; vi < hi; ++vi) {
        const vid v = vid(vi);
        if (!eligible(v)) continue;
        const std::uint64_t idv = g.id(v);
        for (vid u : g.in(v))
          if (sc.frontier[u] && rng::fires(s.arc_bits(g.id(u), idv, k), thr)) {
            list.push_back(v);
            break;
          }
      }
    });
    for (vid u : frontier) sc.frontier[u] = 0;
    sc.lists.merge_into(out);
  } else {
    ++sc.pushes;
    const std::uint64_t vol = out_volume(g, frontier);
    constexpr std::size_t kPart = 256;
    sc.lists.reset(frontier.size(), kPart);
    for_each_block(
        frontier.size(),
        [&](std::size_t b, std::size_t lo, std::size_t hi) {
          auto& list = sc.lists.part(b);
          for (std::size_t i = lo; i < hi; ++i) {
            const vid u = frontier[i];
            const std::uint64_t idu = g.id(u);
            for (vid v : g.out(u)) {
              std::atomic_ref<std::uint8_t> r(sc.reached[v]);
              if (r.load(std::memory_order_relaxed) || !eligible(v)) continue;
              if (rng::fires(s.arc_bits(idu, g.id(v), k), thr) && r.exchange(1, std::memory_order_relaxed) == 0)
                list.push_back(v);
            }
          }
        },
        kPart, vol < NeighborCounts::kSerialArcs ? SIZE_MAX : 2 * kPart);
    sc.lists.merge_into(out);
    std::sort(out.begin(), out.end());  // which thread reached v first must not show
    for (vid v : out) sc.reached[v] = 0;
  }
  return out;
}

/// Agents scheduled for future steps (a calendar queue indexed by absolute step).
class Calendar {
 public:
  void clear() {
    slots_.clear();
    base_ = 0;
  }
  /// Appends agents to the slot of `step` (duplicates allowed; `take` returns them as added).
  void add(std::int64_t step, std::span<const vid> agents) {
    if (agents.empty()) return;
    if (slots_.empty()) base_ = step;
    if (step < base_) {  // grow at the front (rare: only before the first take)
      slots_.insert(slots_.begin(), std::size_t(base_ - step), {});
      base_ = step;
    }
    const std::size_t i = std::size_t(step - base_);
    if (i >= slots_.size()) slots_.resize(i + 1);
    slots_[i].insert(slots_[i].end(), agents.begin(), agents.end());
  }
  /// Removes and returns the agents scheduled at `step`.
  std::vector<vid> take(std::int64_t step) {
    std::vector<vid> out;
    if (step < base_ || step - base_ >= std::int64_t(slots_.size())) return out;
    out.swap(slots_[std::size_t(step - base_)]);
    return out;
  }
  std::size_t pending() const {
    std::size_t s = 0;
    for (auto& x : slots_) s += x.size();
    return s;
  }

 private:
  std::int64_t base_ = 0;
  std::vector<std::vector<vid>> slots_;
};

/// Reusable buckets of `delayed_push`: [task][delay] → targets.
struct DelayScratch {
  std::vector<std::vector<std::vector<vid>>> local;
};

/// Delayed push from a frontier: for each frontier agent u (index i in `frontier`) and
/// out-arc u→v with eligible(v), delay(i, u, v) returns d ≥ 1 (v is scheduled at step
/// t + d) or 0 (nothing). Work is the frontier's arc volume; per-task buckets are merged
/// in task order, so the calendar's content is the same at any thread count. Pass
/// functors that capture by value: they are copied into each task.
template <class Eligible, class Delay>
void delayed_push(const Graph& g, std::span<const vid> frontier, const Eligible& eligible, const Delay& delay,
                  std::int64_t t, Calendar& cal, DelayScratch& sc) {
  constexpr std::size_t kPart = 512;
  const std::size_t parts = num_blocks(frontier.size(), kPart);
  if (sc.local.size() < parts) sc.local.resize(parts);
  const bool serial = out_volume(g, frontier) < NeighborCounts::kSerialArcs;
  const eid* off = g.out_offsets.data();
  const vid* tgt = g.out_targets.data();
  for_each_block(
      frontier.size(),
      [&, off, tgt](std::size_t p, std::size_t lo, std::size_t hi) {
        auto& mine = sc.local[p];
        for (auto& b : mine) b.clear();
        const Eligible el = eligible;
        const Delay de = delay;
        // Eligibility is tested first for a run of arcs without branching, so the random
        // loads it makes overlap (memory-level parallelism) instead of serialising behind
        // mispredicted branches; the draws then run on the eligible arcs only.
        constexpr eid kRun = 256;
        std::uint8_t ok[kRun];
        for (std::size_t i = lo; i < hi; ++i) {
          const vid u = frontier[i];
          // Rows of a sparse frontier sit far apart: fetch a few rows ahead so their
          // cache misses overlap (the offsets further ahead, since rows need them).
          if (i + 16 < hi) __builtin_prefetch(off + frontier[i + 16]);
          if (i + 8 < hi) __builtin_prefetch(tgt + off[frontier[i + 8]]);
          for (eid a0 = off[u], e = off[u + 1]; a0 < e; a0 += kRun) {
            const eid len = std::min(kRun, e - a0);
            for (eid j = 0; j < len; ++j) ok[j] = el(tgt[a0 + j]) ? 1 : 0;
            for (eid j = 0; j < len; ++j) {
              if (!ok[j]) continue;
              const vid v = tgt[a0 + j];
              const std::uint32_t d = de(i, u, v);
              if (!d) continue;
              if (d >= mine.size()) mine.resize(d + 1);
              mine[d].push_back(v);
            }
          }
        }
      },
      kPart, serial ? SIZE_MAX : 2 * kPart);
  for (std::size_t p = 0; p < parts; ++p)
    for (std::size_t d = 1; d < sc.local[p].size(); ++d) cal.add(t + std::int64_t(d), sc.local[p][d]);
}

/// Result of a cascade that completes within one step.
struct CascadeResult {
  std::vector<vid> reached;               ///< every agent reached, seeds excluded, sorted
  std::vector<std::uint64_t> generation;  ///< size of each generation (0 = seeds)
};

/// Runs generations of `spread` from `seeds` until none is reached. An agent is reached
/// at most once (`eligible` is additionally required). Draw index k is fixed for the
/// whole cascade: an arc is tried at most once per cascade.
template <class Eligible>
CascadeResult cascade(const Graph& g, std::span<const vid> seeds, Eligible&& eligible, const rng::Stream& s,
                      std::uint64_t thr, std::uint64_t k, SpreadScratch& sc, std::vector<std::uint8_t>& in_cascade) {
  CascadeResult res;
  in_cascade.resize(g.n, 0);
  std::vector<vid> frontier(seeds.begin(), seeds.end());
  for (vid u : frontier) in_cascade[u] = 1;
  res.generation.push_back(frontier.size());
  while (!frontier.empty()) {
    auto next = spread(
        g, frontier, [&](vid v) { return !in_cascade[v] && eligible(v); }, s, thr, k, sc);
    for (vid v : next) in_cascade[v] = 1;
    if (!next.empty()) res.generation.push_back(next.size());
    res.reached.insert(res.reached.end(), next.begin(), next.end());
    frontier = std::move(next);
  }
  for (vid u : seeds) in_cascade[u] = 0;
  for (vid v : res.reached) in_cascade[v] = 0;
  std::sort(res.reached.begin(), res.reached.end());
  return res;
}

}  // namespace wom
