#pragma once
/// Small helpers to run a registered model from tests.
#include <string>

#include "models/registry.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/graph_spec.hpp"

namespace wom::test {

/// Validated Params from (key, value) pairs plus the model's defaults.
Params params_for(const std::string& model, std::initializer_list<std::pair<std::string, ParamValue>> kv);

inline const ModelInfo& model(const std::string& name) {
  register_models();
  return *Registry::instance().find(name);
}

inline Trajectory run(const std::string& name, const Params& p, const Graph& g, std::uint64_t seed, std::uint64_t rep,
                      std::int64_t steps, double dt = 1.0) {
  return run_model(model(name), p, g, ReplicatePlan{seed, rep, steps, dt});
}

inline Params params_for(const std::string& name, std::initializer_list<std::pair<std::string, ParamValue>> kv) {
  const ModelInfo& info = model(name);
  Params p = default_params(info.params);
  for (const auto& [k, v] : kv) p.set(k, v);
  if (info.check) info.check(p);
  return p;
}

}  // namespace wom::test
