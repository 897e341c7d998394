#pragma once
/// Bass diffusion as an agent-based model (Bass 1969; Goldenberg, Libai & Muller 2001).
///
/// Update rule: a prospect adopts during a step of length dt (`time.dt`) with probability
///   1 − exp(−(p + q·F_v)·dt),
/// where p is the innovation (external) rate and q the imitation rate, both per unit of
/// time, and F_v is the adopted share of v's in-neighbours at t (0 without in-neighbours).
/// On the implicit complete graph (`graph.generator: complete`) F_v = A(t)/N, the adopted
/// share of the whole population, so the expected adopted share follows the recursion
///   F_{n+1} = F_n + (1 − e^{−(p+qF_n)dt})(1 − F_n),
/// which tends to the closed form F(t) = (1 − e^{−(p+q)t})/(1 + (q/p)e^{−(p+q)t}) as dt → 0.
/// Adoption is permanent.
///
/// Parameters: p ≥ 0 and q ≥ 0 per unit time; initial.count / initial.fraction adopters
/// (default none). Citation: Bass, F. M. (1969) Management Science 15(5):215–227.
#include "sim/core/model.hpp"

namespace wom::models {
ModelInfo bass_info();
}
