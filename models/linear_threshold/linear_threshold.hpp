#pragma once
/// Linear threshold model (Granovetter 1978; Kempe, Kleinberg & Tardos 2003).
///
/// Update rule: each in-neighbour u of v carries weight 1/k_in(v); an inactive agent v
/// becomes active at t+1 when the weight of its active in-neighbours at t reaches its
/// threshold θ_v, i.e. when a_v(t) ≥ θ_v·k_in(v). Activation is permanent (progressive).
/// θ_v = `threshold` for everyone, or — with `random_thresholds: true` — uniform on
/// (0, 1], drawn once per agent from its stable id (Kempe et al.'s random thresholds).
/// Agents with no in-neighbours activate only as seeds.
///
/// Parameters: threshold ∈ (0, 1] (fraction of in-neighbours); random_thresholds (bool);
/// initial.count or initial.fraction seeds (default 1 %).
/// Citation: Granovetter (1978) Am. J. Sociology 83(6); Kempe, Kleinberg & Tardos (2003).
#include "sim/core/model.hpp"

namespace wom::models {
ModelInfo linear_threshold_info();
}
