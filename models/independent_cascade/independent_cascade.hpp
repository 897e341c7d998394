#pragma once
/// Independent cascade (Kempe, Kleinberg & Tardos 2003).
///
/// Update rule: an agent activated at step t gets one chance, at step t, to activate each
/// inactive out-neighbour v (arc u→v: v hears u), succeeding independently with
/// probability T (`transmission`). Active agents stay active. Each arc's draw is keyed by
/// its endpoints' stable ids only (not by step): an arc is tried at most once in a run, so
/// the final active set is that of bond percolation with occupation T from the seeds
/// (Newman 2002), whether generations take one step each or — with `within_step: true` —
/// the whole cascade completes within one step.
///
/// Parameters: transmission T ∈ [0, 1] per arc (one try); initial.count or
/// initial.fraction seeds (default one seed); within_step (bool).
/// Citation: Kempe, Kleinberg & Tardos (2003) KDD "Maximizing the spread of influence
/// through a social network"; Goldenberg, Libai & Muller (2001) Marketing Letters 12(3).
#include "sim/core/model.hpp"

namespace wom::models {
ModelInfo independent_cascade_info();
}
