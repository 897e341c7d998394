#pragma once
/// The step loop: init, then for each step the model kernel, a buffer swap and the
/// observers. Deterministic: the result is a pure function of (model, params, graph,
/// seed, replicate, steps).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/core/model.hpp"

namespace wom {

struct ReplicatePlan {
  std::uint64_t seed = 1;
  std::uint64_t replicate = 0;
  std::int64_t steps = 100;
  double dt = 1.0;
};

/// Observables per step: rows 0..steps (row 0 = initial state), one column per name.
struct Trajectory {
  std::vector<std::string> columns;
  std::vector<double> values;       ///< row-major (steps+1) × columns
  std::int64_t steps_computed = 0;  ///< steps actually stepped before absorption
  std::size_t state_bytes = 0;
  double at(std::int64_t step, std::size_t col) const { return values[std::size_t(step) * columns.size() + col]; }
  std::size_t rows() const { return columns.empty() ? 0 : values.size() / columns.size(); }
};

/// Called after each step with (step, steps); for progress bars.
using StepCallback = std::function<void(std::int64_t, std::int64_t)>;

/// Optional hooks of a run: interventions scheduled before the first step, and an observer
/// called with the model after init (t = 0) and after every computed step t.
struct RunHooks {
  std::vector<Intervention> interventions;
  EventLog* events = nullptr;  ///< who-told-whom log (RunContext::events)
  /// Channels switched off from a step (RunContext::channels_off, channels_off_from).
  std::vector<bool> channels_off;
  std::int64_t channels_off_from = 0;
  std::function<void(std::int64_t t, const Model&)> observe;
  /// Called once after init and the interventions, before the first step (e.g. to register
  /// causal-cone variants with Model::add_variant).
  std::function<void(Model&)> setup;
};

/// `followers` (optional) is a second layer on the same agents: same n, same stable ids in
/// the same storage order.
Trajectory run_model(const ModelInfo& info, const Params& params, const Graph& g, const ReplicatePlan& plan,
                     const StepCallback& on_step = {}, const Graph* followers = nullptr,
                     const RunHooks* hooks = nullptr);

}  // namespace wom
