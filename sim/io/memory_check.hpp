#pragma once
/// A run too large for this machine is refused before it starts (issue 8 point 7): the
/// estimate of what it needs (graphs, agent state, stored time series) against the memory
/// available to this process, with the key that drives the need — not a bare std::bad_alloc
/// after minutes of work, or the kernel's OOM killer.
#include <cstdint>
#include <string>

#include "sim/io/config.hpp"

namespace wom {

/// The estimated peak memory of a run, by part (bytes).
struct MemoryNeed {
  double graph = 0;       ///< graphs held at once (CSR)
  double state = 0;       ///< agent state and model scratch of the runs held at once (or, if larger, the arc lists
                          ///< their graphs are built from, which are freed before the state is allocated)
  double timeseries = 0;  ///< stored trajectories: (steps + 1) × columns × 8 bytes × replicates
  double process = 0;     ///< the program itself: code, libraries, thread pools (measured ~15 MiB)
  double total() const { return graph + state + timeseries + process; }
};

/// The estimate for `replicates` stored trajectories of the scenario and `concurrent` runs in
/// memory at once (each with its own graph, unless a file or complete graph is shared, and its
/// own state).
/// `graphs`: graphs held at once when fewer than `concurrent` (runs sharing one graph; −1: one
/// per run).
MemoryNeed estimate_memory(const Scenario& scenario, std::int64_t replicates, std::int64_t concurrent,
                           std::int64_t graphs = -1);

/// Memory this process may still use: MemAvailable of /proc/meminfo, lowered by a cgroup
/// (v2 memory.max or v1 limit_in_bytes) limit; a negative value when it cannot be read.
double available_memory();

/// Throws wom::Error when the estimate exceeds the available memory: the message gives the
/// estimate by part, what is available, and the keys to lower (graph.n, time.steps,
/// replicates). The env var WOM_MEMORY_LIMIT (bytes) replaces the available figure (tests).
void check_memory(const Scenario& scenario, std::int64_t replicates, std::int64_t concurrent, std::int64_t graphs = -1);

/// "1.5 GiB", "320 MiB".
std::string bytes_text(double bytes);

}  // namespace wom
