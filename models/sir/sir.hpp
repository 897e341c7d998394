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
/// Kernel: work is proportional to what changes, with no per-step sweep over agents or
/// arcs. When an agent is infected its infectious period K is drawn (τ, or geometric with
/// parameter γ — the law of recovering with probability γ after each step) and each
/// out-arc to a susceptible agent gets its first successful contact D ~ Geometric(β),
/// drawn from the arc's stable endpoint ids; if D ≤ K the target is booked in a calendar
/// for step t + D (`delayed_push`). A step takes that step's bookings (targets still
/// susceptible become infected) and recoveries, so the whole epidemic costs one draw per
/// arc out of each infected agent. This is the same process as drawing each contact
/// every step (contacts are independent), so the final size is bond percolation with T.
#include "sim/core/model.hpp"

namespace wom::models {
ModelInfo sir_info();
}
