#pragma once
/// Sensitivity indices from the designs of sweep/design.hpp, for any function: `y` holds one
/// output per design row, in the design's row order.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sweep/design.hpp"

namespace wom::sweep {

/// First-order and total Sobol' indices with bootstrap 95 % CIs (percentile, resampling the
/// n base rows).
struct SobolIndex {
  double S1 = 0, S1_low = 0, S1_high = 0;
  double ST = 0, ST_low = 0, ST_high = 0;
};

/// From a saltelli_design(n, k, ·) and its outputs y (n (k + 2) values): first order by
/// Saltelli et al. (2010), S_i = mean(f(B) (f(AB_i) − f(A))) / V; total by Jansen (1999),
/// ST_i = mean((f(A) − f(AB_i))²) / (2 V), with V the variance of f over A and B.
std::vector<SobolIndex> sobol_indices(std::size_t n, std::size_t k, std::span<const double> y,
                                      std::size_t bootstrap = 1000, std::uint64_t seed = 1);

/// Morris elementary-effect statistics per factor.
struct MorrisIndex {
  double mu = 0;       ///< mean elementary effect
  double mu_star = 0;  ///< mean absolute elementary effect (Campolongo et al. 2007)
  double sigma = 0;    ///< standard deviation of the elementary effects (n − 1)
};

/// From a morris_design(r, k, levels, ·) and its outputs y (r (k + 1) values): the elementary
/// effect of the factor that moves between consecutive points of a trajectory is
/// (y_next − y_prev) / (x_next − x_prev), in unit coordinates.
std::vector<MorrisIndex> morris_indices(const Matrix& design, std::span<const double> y, std::size_t k);

}  // namespace wom::sweep
