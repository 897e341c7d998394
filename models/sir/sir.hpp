#pragma once
/// Discrete-time SIR epidemic on a graph (synchronous update).
///
/// Update rule, per step t → t+1:
///   * a susceptible agent v with c infectious in-neighbours (u→v, u infectious at t) is
///     infected with probability 1 − (1 − β)^c — each contact transmits independently
///     with probability β;
///   * an infectious agent recovers with probability γ after this step's contacts
///     (`gamma`), or after exactly τ infectious steps (`infectious_steps`); recovered
///     agents are immune and never change again.
/// With a fixed period τ every arc out of an infected agent transmits with probability
/// T = 1 − (1 − β)^τ, so the final size is that of bond percolation with T (Newman 2002).
///
/// Parameters: beta [0,1] per contact per step; gamma [0,1] per step, or
/// infectious_steps ≥ 1 steps; initial.count / initial.fraction (default 1 %).
/// Citation: Kermack & McKendrick (1927); network form: Newman, M. E. J. (2002),
/// "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128.
///
/// Kernel: work is proportional to what changes. Counts of infectious in-neighbours are
/// kept incrementally (push of ±1 along the out-arcs of agents that became infectious or
/// recovered, pull when that frontier is dense); a step visits every agent once in memory
/// order but draws only for exposed susceptibles and infectious agents.
#include "model.hpp"

namespace wom::models {
ModelInfo sir_info();
}
