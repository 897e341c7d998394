#pragma once
/// Choosing agents by keyed priority: reorder- and thread-invariant.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/graph.hpp"
#include "sim/core/params.hpp"
#include "sim/core/rng.hpp"

namespace wom {

/// The `count` agents whose keyed draw `s.bits(id)` is smallest (ties by id), as sorted
/// storage indices. The choice depends only on stable ids, never on storage order.
inline std::vector<vid> choose_agents(const Graph& g, const rng::Stream& s, std::uint64_t count) {
  count = std::min<std::uint64_t>(count, g.n);
  std::vector<std::pair<std::uint64_t, vid>> key(g.n);
  for (vid v = 0; v < g.n; ++v) key[v] = {s.bits(g.id(v)), v};
  auto less = [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : g.id(a.second) < g.id(b.second);
  };
  if (count < g.n) std::nth_element(key.begin(), key.begin() + std::ptrdiff_t(count), key.end(), less);
  std::vector<vid> out(count);
  for (std::uint64_t i = 0; i < count; ++i) out[i] = key[i].second;
  std::sort(out.begin(), out.end());
  return out;
}

/// Number of initial agents from `initial.count` or `initial.fraction` (one of them; the
/// model's check enforces that), rounding the fraction to the nearest integer.
inline std::uint64_t initial_count(const Params& p, vid n, double default_fraction) {
  if (p.has("initial.count")) return std::uint64_t(p.integer("initial.count"));
  const double f = p.has("initial.fraction") ? p.real("initial.fraction") : default_fraction;
  return std::uint64_t(std::llround(f * double(n)));
}

/// Specs of `initial.count` / `initial.fraction`, shared by the canonical models.
inline std::vector<ParamSpec> initial_params(const std::string& what, const std::string& default_text) {
  auto c = optional_param(int_param("initial.count", 0, 0, 4294967295.0, "agents",
                                    "number of initially " + what + " agents, chosen by keyed draw (" + default_text +
                                        " if neither count nor fraction is set)"));
  auto f = optional_param(real_param("initial.fraction", 0, 0, 1, "share of population",
                                     "share of initially " + what + " agents (alternative to initial.count)"));
  return {c, f};
}

/// Throws unless at most one of initial.count / initial.fraction is set.
inline void check_initial(const Params& p, const std::string& model) {
  if (p.has("initial.count") && p.has("initial.fraction"))
    throw Error(model + ": set at most one of params.initial.count and params.initial.fraction");
}

}  // namespace wom
