#pragma once
/// Experimental designs in the unit hypercube [0, 1)^k: one row per run, in the order the
/// estimators of sweep/sensitivity.hpp expect. Each design is a pure function of its sizes
/// and seed (counter-based draws, never a thread's stream). sweep/spec.cpp maps the unit
/// coordinates to parameter values (linear or log ranges).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wom::sweep {

/// Rows of points; every row has the same number of columns.
using Matrix = std::vector<std::vector<double>>;

/// n points, each coordinate uniform on [0, 1), drawn from keys (seed, row, column).
Matrix random_design(std::size_t n, std::size_t k, std::uint64_t seed);

/// Latin hypercube: in each column the n points fall one in each stratum [i/n, (i+1)/n), in a
/// random order, uniform within the stratum.
Matrix lhs_design(std::size_t n, std::size_t k, std::uint64_t seed);

/// The first n points of the k-dimensional Sobol' sequence (Joe–Kuo direction numbers),
/// scrambled by `seed` (a random linear scramble plus digital shift, Owen 1998 / Matoušek
/// 1998), so each coordinate is uniform and the set keeps its low discrepancy. Accepts
/// 1 <= k <= max_sobol_dimensions().
Matrix sobol_sequence(std::size_t n, std::size_t k, std::uint64_t seed);
std::size_t max_sobol_dimensions();

/// Saltelli (2010) design for first-order and total Sobol' indices: A and B are the first
/// and last k columns of a 2k-dimensional scrambled Sobol' sequence of n points (n a power
/// of 2); AB_i is A with column i taken from B. Rows: A (n rows), B (n), AB_1 (n), …, AB_k
/// (n): n (k + 2) in all.
Matrix saltelli_design(std::size_t n, std::size_t k, std::uint64_t seed);

/// Morris (1991) elementary-effects design: r random trajectories of k + 1 points on the
/// p-level grid {0, 1/(p−1), …, 1} (so, unlike the other designs, values may be 1) with step
/// Δ = p / (2 (p − 1)) (p even); between consecutive points of a trajectory one factor moves
/// by ±Δ, each factor once, in a random order. (Campolongo et al.'s 2007 selection of the
/// most spread-out trajectories among many is not done; their μ* is, in sensitivity.hpp.)
/// Rows trajectory-major: r (k + 1) in all.
Matrix morris_design(std::size_t r, std::size_t k, std::size_t levels, std::uint64_t seed);

}  // namespace wom::sweep
