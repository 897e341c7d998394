#include "sweep/design.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"

namespace wom::sweep {

namespace {

// Purposes of the designs' keyed draws (fixed forever: a design is a function of its seed).
constexpr rng::Purpose kRandom = 0x5357'4545'5001'0001ULL;         // random_design: coordinates
constexpr rng::Purpose kLhsOrder = 0x5357'4545'5002'0001ULL;       // lhs_design: strata permutation
constexpr rng::Purpose kLhsJitter = 0x5357'4545'5002'0002ULL;      // lhs_design: place in the stratum
constexpr rng::Purpose kSobolScramble = 0x5357'4545'5003'0001ULL;  // sobol_sequence: matrix and shift
constexpr rng::Purpose kMorris = 0x5357'4545'5004'0001ULL;         // morris_design: trajectories

// ---------------------------------------------------------------------------------------------
// Sobol' direction numbers: S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
// two-dimensional projections", SIAM J. Sci. Comput. 30, 2635–2654 (2008), file
// new-joe-kuo-6.21201 (https://web.maths.unsw.edu.au/~fkuo/sobol/), rows d = 2 … 128. Each row
// is (s, a, m_1 … m_s) as in the file's columns "d s a m_i": s the degree of the primitive
// polynomial, a its inner coefficients, m the initial direction numbers. Transcribed from the
// copy in Boost.Random (boost/random/detail/sobol_table.hpp, which stores the polynomial with
// its outer 1 bits) and checked against the unscrambled points of SciPy's qmc.Sobol (same file).
// Dimension 1 is van der Corput's (all m_j = 1) and has no row.
struct JoeKuoRow {
  unsigned s;
  unsigned a;
  std::array<std::uint16_t, 10> m;
};

constexpr JoeKuoRow kJoeKuo[] = {
    {1, 0, {1}},                                          // d = 2
    {2, 1, {1, 3}},                                       // d = 3
    {3, 1, {1, 3, 1}},                                    // d = 4
    {3, 2, {1, 1, 1}},                                    // d = 5
    {4, 1, {1, 1, 3, 3}},                                 // d = 6
    {4, 4, {1, 3, 5, 13}},                                // d = 7
    {5, 2, {1, 1, 5, 5, 17}},                             // d = 8
    {5, 4, {1, 1, 5, 5, 5}},                              // d = 9
    {5, 7, {1, 1, 7, 11, 19}},                            // d = 10
    {5, 11, {1, 1, 5, 1, 1}},                             // d = 11
    {5, 13, {1, 1, 1, 3, 11}},                            // d = 12
    {5, 14, {1, 3, 5, 5, 31}},                            // d = 13
    {6, 1, {1, 3, 3, 9, 7, 49}},                          // d = 14
    {6, 13, {1, 1, 1, 15, 21, 21}},                       // d = 15
    {6, 16, {1, 3, 1, 13, 27, 49}},                       // d = 16
    {6, 19, {1, 1, 1, 15, 7, 5}},                         // d = 17
    {6, 22, {1, 3, 1, 15, 13, 25}},                       // d = 18
    {6, 25, {1, 1, 5, 5, 19, 61}},                        // d = 19
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},                   // d = 20
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},                    // d = 21
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},                     // d = 22
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},                      // d = 23
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},                   // d = 24
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},                    // d = 25
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},                   // d = 26
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},                     // d = 27
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},                     // d = 28
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},                    // d = 29
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},                    // d = 30
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},                    // d = 31
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},                    // d = 32
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},                     // d = 33
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},                    // d = 34
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},                    // d = 35
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},                    // d = 36
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},                     // d = 37
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},              // d = 38
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},               // d = 39
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},              // d = 40
    {8, 38, {1, 3, 1, 11, 27, 43, 71, 9}},                // d = 41
    {8, 47, {1, 1, 7, 15, 21, 11, 81, 45}},               // d = 42
    {8, 49, {1, 3, 7, 3, 25, 31, 65, 79}},                // d = 43
    {8, 50, {1, 3, 1, 1, 19, 11, 3, 205}},                // d = 44
    {8, 52, {1, 1, 5, 9, 19, 21, 29, 157}},               // d = 45
    {8, 56, {1, 3, 7, 11, 1, 33, 89, 185}},               // d = 46
    {8, 67, {1, 3, 3, 3, 15, 9, 79, 71}},                 // d = 47
    {8, 70, {1, 3, 7, 11, 15, 39, 119, 27}},              // d = 48
    {8, 84, {1, 1, 3, 1, 11, 31, 97, 225}},               // d = 49
    {8, 97, {1, 1, 1, 3, 23, 43, 57, 177}},               // d = 50
    {8, 103, {1, 3, 7, 7, 17, 17, 37, 71}},               // d = 51
    {8, 115, {1, 3, 1, 5, 27, 63, 123, 213}},             // d = 52
    {8, 122, {1, 1, 3, 5, 11, 43, 53, 133}},              // d = 53
    {9, 8, {1, 3, 5, 5, 29, 17, 47, 173, 479}},           // d = 54
    {9, 13, {1, 3, 3, 11, 3, 1, 109, 9, 69}},             // d = 55
    {9, 16, {1, 1, 1, 5, 17, 39, 23, 5, 343}},            // d = 56
    {9, 22, {1, 3, 1, 5, 25, 15, 31, 103, 499}},          // d = 57
    {9, 25, {1, 1, 1, 11, 11, 17, 63, 105, 183}},         // d = 58
    {9, 44, {1, 1, 5, 11, 9, 29, 97, 231, 363}},          // d = 59
    {9, 47, {1, 1, 5, 15, 19, 45, 41, 7, 383}},           // d = 60
    {9, 52, {1, 3, 7, 7, 31, 19, 83, 137, 221}},          // d = 61
    {9, 55, {1, 1, 1, 3, 23, 15, 111, 223, 83}},          // d = 62
    {9, 59, {1, 1, 5, 13, 31, 15, 55, 25, 161}},          // d = 63
    {9, 62, {1, 1, 3, 13, 25, 47, 39, 87, 257}},          // d = 64
    {9, 67, {1, 1, 1, 11, 21, 53, 125, 249, 293}},        // d = 65
    {9, 74, {1, 1, 7, 11, 11, 7, 57, 79, 323}},           // d = 66
    {9, 81, {1, 1, 5, 5, 17, 13, 81, 3, 131}},            // d = 67
    {9, 82, {1, 1, 7, 13, 23, 7, 65, 251, 475}},          // d = 68
    {9, 87, {1, 3, 5, 1, 9, 43, 3, 149, 11}},             // d = 69
    {9, 91, {1, 1, 3, 13, 31, 13, 13, 255, 487}},         // d = 70
    {9, 94, {1, 3, 3, 1, 5, 63, 89, 91, 127}},            // d = 71
    {9, 103, {1, 1, 3, 3, 1, 19, 123, 127, 237}},         // d = 72
    {9, 104, {1, 1, 5, 7, 23, 31, 37, 243, 289}},         // d = 73
    {9, 109, {1, 1, 5, 11, 17, 53, 117, 183, 491}},       // d = 74
    {9, 122, {1, 1, 1, 5, 1, 13, 13, 209, 345}},          // d = 75
    {9, 124, {1, 1, 3, 15, 1, 57, 115, 7, 33}},           // d = 76
    {9, 137, {1, 3, 1, 11, 7, 43, 81, 207, 175}},         // d = 77
    {9, 138, {1, 3, 1, 1, 15, 27, 63, 255, 49}},          // d = 78
    {9, 143, {1, 3, 5, 3, 27, 61, 105, 171, 305}},        // d = 79
    {9, 145, {1, 1, 5, 3, 1, 3, 57, 249, 149}},           // d = 80
    {9, 152, {1, 1, 3, 5, 5, 57, 15, 13, 159}},           // d = 81
    {9, 157, {1, 1, 1, 11, 7, 11, 105, 141, 225}},        // d = 82
    {9, 167, {1, 3, 3, 5, 27, 59, 121, 101, 271}},        // d = 83
    {9, 173, {1, 3, 5, 9, 11, 49, 51, 59, 115}},          // d = 84
    {9, 176, {1, 1, 7, 1, 23, 45, 125, 71, 419}},         // d = 85
    {9, 181, {1, 1, 3, 5, 23, 5, 105, 109, 75}},          // d = 86
    {9, 182, {1, 1, 7, 15, 7, 11, 67, 121, 453}},         // d = 87
    {9, 185, {1, 3, 7, 3, 9, 13, 31, 27, 449}},           // d = 88
    {9, 191, {1, 3, 1, 15, 19, 39, 39, 89, 15}},          // d = 89
    {9, 194, {1, 1, 1, 1, 1, 33, 73, 145, 379}},          // d = 90
    {9, 199, {1, 3, 1, 15, 15, 43, 29, 13, 483}},         // d = 91
    {9, 218, {1, 1, 7, 3, 19, 27, 85, 131, 431}},         // d = 92
    {9, 220, {1, 3, 3, 3, 5, 35, 23, 195, 349}},          // d = 93
    {9, 227, {1, 3, 3, 7, 9, 27, 39, 59, 297}},           // d = 94
    {9, 229, {1, 1, 3, 9, 11, 17, 13, 241, 157}},         // d = 95
    {9, 230, {1, 3, 7, 15, 25, 57, 33, 189, 213}},        // d = 96
    {9, 234, {1, 1, 7, 1, 9, 55, 73, 83, 217}},           // d = 97
    {9, 236, {1, 3, 3, 13, 19, 27, 23, 113, 249}},        // d = 98
    {9, 241, {1, 3, 5, 3, 23, 43, 3, 253, 479}},          // d = 99
    {9, 244, {1, 1, 5, 5, 11, 5, 45, 117, 217}},          // d = 100
    {9, 253, {1, 3, 3, 7, 29, 37, 33, 123, 147}},         // d = 101
    {10, 4, {1, 3, 1, 15, 5, 5, 37, 227, 223, 459}},      // d = 102
    {10, 13, {1, 1, 7, 5, 5, 39, 63, 255, 135, 487}},     // d = 103
    {10, 19, {1, 3, 1, 7, 9, 7, 87, 249, 217, 599}},      // d = 104
    {10, 22, {1, 1, 3, 13, 9, 47, 7, 225, 363, 247}},     // d = 105
    {10, 50, {1, 3, 7, 13, 19, 13, 9, 67, 9, 737}},       // d = 106
    {10, 55, {1, 3, 5, 5, 19, 59, 7, 41, 319, 677}},      // d = 107
    {10, 64, {1, 1, 5, 3, 31, 63, 15, 43, 207, 789}},     // d = 108
    {10, 69, {1, 1, 7, 9, 13, 39, 3, 47, 497, 169}},      // d = 109
    {10, 98, {1, 3, 1, 7, 21, 17, 97, 19, 415, 905}},     // d = 110
    {10, 107, {1, 3, 7, 1, 3, 31, 71, 111, 165, 127}},    // d = 111
    {10, 115, {1, 1, 5, 11, 1, 61, 83, 119, 203, 847}},   // d = 112
    {10, 121, {1, 3, 3, 13, 9, 61, 19, 97, 47, 35}},      // d = 113
    {10, 127, {1, 1, 7, 7, 15, 29, 63, 95, 417, 469}},    // d = 114
    {10, 134, {1, 3, 1, 9, 25, 9, 71, 57, 213, 385}},     // d = 115
    {10, 140, {1, 3, 5, 13, 31, 47, 101, 57, 39, 341}},   // d = 116
    {10, 145, {1, 1, 3, 3, 31, 57, 125, 173, 365, 551}},  // d = 117
    {10, 152, {1, 3, 7, 1, 13, 57, 67, 157, 451, 707}},   // d = 118
    {10, 158, {1, 1, 1, 7, 21, 13, 105, 89, 429, 965}},   // d = 119
    {10, 161, {1, 1, 5, 9, 17, 51, 45, 119, 157, 141}},   // d = 120
    {10, 171, {1, 3, 7, 7, 13, 45, 91, 9, 129, 741}},     // d = 121
    {10, 181, {1, 3, 7, 1, 23, 57, 67, 141, 151, 571}},   // d = 122
    {10, 194, {1, 1, 3, 11, 17, 47, 93, 107, 375, 157}},  // d = 123
    {10, 199, {1, 3, 3, 5, 11, 21, 43, 51, 169, 915}},    // d = 124
    {10, 203, {1, 1, 5, 3, 15, 55, 101, 67, 455, 625}},   // d = 125
    {10, 208, {1, 3, 5, 9, 1, 23, 29, 47, 345, 595}},     // d = 126
    {10, 227, {1, 3, 7, 7, 5, 49, 29, 155, 323, 589}},    // d = 127
    {10, 242, {1, 3, 3, 7, 5, 41, 127, 61, 261, 717}},    // d = 128
};

constexpr std::size_t kSobolDims = 1 + std::size(kJoeKuo);
constexpr unsigned kSobolBits = 32;  // direction numbers of 32 bits: up to 2^32 points

constexpr bool table_is_valid() {
  for (const JoeKuoRow& row : kJoeKuo) {
    if (row.s < 1 || row.s > row.m.size() || row.a >= (1u << (row.s - 1))) return false;
    for (unsigned j = 0; j < row.m.size(); ++j) {
      const unsigned m = row.m[j];
      if (j < row.s ? (m % 2 == 0 || m >= (2u << j)) : m != 0) return false;  // odd, < 2^j
    }
  }
  return true;
}
static_assert(table_is_valid(), "Joe–Kuo rows: m_j odd and < 2^j, a of s − 1 bits");

/// Direction numbers v_1 … v_32 of dimension `dim` (0-based), left-aligned in 32 bits:
/// v_j = m_j / 2^j. For j > s, Bratley & Fox (1988) / Joe & Kuo's recurrence
/// m_j = 2 a_1 m_{j−1} ⊕ 4 a_2 m_{j−2} ⊕ … ⊕ 2^s m_{j−s} ⊕ m_{j−s}.
std::array<std::uint32_t, kSobolBits> direction_numbers(std::size_t dim) {
  std::array<std::uint32_t, kSobolBits> v{};
  if (dim == 0) {
    for (unsigned j = 0; j < kSobolBits; ++j) v[j] = 1u << (kSobolBits - 1 - j);
    return v;
  }
  const JoeKuoRow& row = kJoeKuo[dim - 1];
  const unsigned s = row.s;
  for (unsigned j = 0; j < kSobolBits; ++j) {
    if (j < s) {
      v[j] = std::uint32_t(row.m[j]) << (kSobolBits - 1 - j);
      continue;
    }
    v[j] = v[j - s] ^ (v[j - s] >> s);
    for (unsigned q = 1; q < s; ++q)
      if ((row.a >> (s - 1 - q)) & 1u) v[j] ^= v[j - q];
  }
  return v;
}

/// Multiplies a 64-digit binary fraction x (digit 1 = most significant bit) by a lower-
/// triangular binary matrix given by its rows: digit r of the result is parity(row[r] & x).
std::uint64_t apply_lower(const std::array<std::uint64_t, 64>& rows, std::uint64_t x) {
  std::uint64_t y = 0;
  for (unsigned r = 0; r < 64; ++r) y |= std::uint64_t(std::popcount(rows[r] & x) & 1) << (63 - r);
  return y;
}

/// A value in [lo/n, (lo+1)/n) from u in [0, 1), such that floor(x n) == lo exactly in double
/// arithmetic (the rounding of (lo + u) / n could otherwise land on the next stratum or on 1).
double in_stratum(std::size_t lo, std::size_t n, double u) {
  const double dn = double(n), dlo = double(lo);
  double x = (dlo + u) / dn;
  while (x > 0 && (x >= 1.0 || std::floor(x * dn) > dlo)) x = std::nextafter(x, 0.0);
  while (std::floor(x * dn) < dlo) x = std::nextafter(x, 1.0);
  return x;
}

bool is_power_of_two(std::size_t n) { return n >= 1 && (n & (n - 1)) == 0; }

}  // namespace

Matrix random_design(std::size_t n, std::size_t k, std::uint64_t seed) {
  const rng::Stream draw(rng::RunKey(seed, 0), 0, kRandom);
  Matrix x(n, std::vector<double>(k));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < k; ++j) x[i][j] = draw.uniform(i, j);
  return x;
}

// McKay, Beckman & Conover (1979): per column an independent random permutation of the n
// strata (Fisher–Yates on keyed draws) and a uniform jitter inside each stratum.
Matrix lhs_design(std::size_t n, std::size_t k, std::uint64_t seed) {
  const rng::Stream order(rng::RunKey(seed, 0), 0, kLhsOrder);
  const rng::Stream jitter(rng::RunKey(seed, 0), 0, kLhsJitter);
  Matrix x(n, std::vector<double>(k));
  std::vector<std::size_t> stratum(n);
  for (std::size_t j = 0; j < k; ++j) {
    std::iota(stratum.begin(), stratum.end(), std::size_t(0));
    for (std::size_t i = n; i-- > 1;) std::swap(stratum[i], stratum[rng::below(order.bits(j, i), i + 1)]);
    for (std::size_t i = 0; i < n; ++i) x[i][j] = in_stratum(stratum[i], n, jitter.uniform(i, j));
  }
  return x;
}

std::size_t max_sobol_dimensions() { return kSobolDims; }

// Sobol' (1967) points in Gray-code order (Antonov & Saleev 1979): x_i = x_{i−1} ⊕ v_c with c
// the lowest set bit of i. Scramble per dimension (Matoušek 1998, "random linear scrambling",
// with Owen's 1998 digital shift): y = L x ⊕ e over 64 binary digits, L lower triangular with
// unit diagonal and random digits below it, e a random shift. L is applied to the direction
// numbers once (L is linear). The scrambled set is still a (t, m, s)-net in base 2, and each
// coordinate is uniform on [0, 1). Output: the top 52 digits plus half a unit of the last
// one, so no coordinate is exactly 0 or 1.
Matrix sobol_sequence(std::size_t n, std::size_t k, std::uint64_t seed) {
  if (k < 1 || k > kSobolDims) throw Error(fmt::format("sobol: dimensions = {}: accepted 1 to {}", k, kSobolDims));
  if (n > (std::size_t(1) << kSobolBits))
    throw Error(fmt::format("sobol: points = {}: at most 2^{} are supported", n, kSobolBits));
  const rng::Stream draw(rng::RunKey(seed, 0), 0, kSobolScramble);
  Matrix x(n, std::vector<double>(k));
  for (std::size_t d = 0; d < k; ++d) {
    std::array<std::uint64_t, 64> rows{};
    for (unsigned r = 0; r < 64; ++r) {
      const std::uint64_t above = r == 0 ? 0 : ~std::uint64_t(0) << (64 - r);  // digits 1 … r
      rows[r] = (draw.bits(d, r) & above) | (std::uint64_t(1) << (63 - r));
    }
    const std::uint64_t shift = draw.bits(d, 64);
    const auto v = direction_numbers(d);
    std::array<std::uint64_t, kSobolBits> w{};
    for (unsigned j = 0; j < kSobolBits; ++j) w[j] = apply_lower(rows, std::uint64_t(v[j]) << 32);
    std::uint64_t point = 0;  // L x_i, x_0 = 0
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) point ^= w[std::countr_zero(i)];
      x[i][d] = (double((point ^ shift) >> 12) + 0.5) * 0x1.0p-52;
    }
  }
  return x;
}

Matrix saltelli_design(std::size_t n, std::size_t k, std::uint64_t seed) {
  if (n < 2 || !is_power_of_two(n))
    throw Error(fmt::format("sobol: points = {} is not a power of 2: accepted 2, 4, 8, …", n));
  if (k < 1 || 2 * k > kSobolDims)
    throw Error(fmt::format("sobol: factors = {}: accepted 1 to {} (the design takes 2 Sobol' dimensions per factor)",
                            k, kSobolDims / 2));
  const Matrix ab = sobol_sequence(n, 2 * k, seed);
  Matrix x;
  x.reserve(n * (k + 2));
  for (std::size_t i = 0; i < n; ++i) x.emplace_back(ab[i].begin(), ab[i].begin() + std::ptrdiff_t(k));  // A
  for (std::size_t i = 0; i < n; ++i) x.emplace_back(ab[i].begin() + std::ptrdiff_t(k), ab[i].end());    // B
  for (std::size_t f = 0; f < k; ++f)
    for (std::size_t i = 0; i < n; ++i) {  // AB_f: A with column f from B
      x.push_back(x[i]);
      x.back()[f] = ab[i][k + f];
    }
  return x;
}

// Morris (1991): each trajectory starts at a random grid point and moves every factor once, in
// a random order, by Δ = p / (2 (p − 1)) = (p/2) grid steps. Equivalently: a base x* on the
// grid values {0, …, 1 − Δ}, a random sign per factor, the start at x* (sign +) or x* + Δ
// (sign −); every start value is then one of the p levels with probability 1/p and every
// point stays in [0, 1]. Values are computed from integer grid indices g / (p − 1).
Matrix morris_design(std::size_t r, std::size_t k, std::size_t levels, std::uint64_t seed) {
  if (k < 1) throw Error("morris: factors = 0: need at least 1");
  if (r < 1) throw Error("morris: trajectories = 0: need at least 1");
  if (levels < 2 || levels % 2 != 0)
    throw Error(fmt::format("morris: levels = {}: accepted an even number of levels, 2, 4, 6, …", levels));
  const rng::Stream draw(rng::RunKey(seed, 0), 0, kMorris);
  const std::size_t half = levels / 2;  // Δ in grid steps
  Matrix x;
  x.reserve(r * (k + 1));
  std::vector<std::size_t> g(k), order(k);
  std::vector<bool> down(k);
  for (std::size_t t = 0; t < r; ++t) {
    for (std::size_t f = 0; f < k; ++f) {
      down[f] = (draw.bits(t, k + f) >> 63) != 0;
      g[f] = rng::below(draw.bits(t, f), half) + (down[f] ? half : 0);
    }
    std::iota(order.begin(), order.end(), std::size_t(0));
    for (std::size_t i = k; i-- > 1;) std::swap(order[i], order[rng::below(draw.bits(t, 2 * k + i), i + 1)]);
    auto row = [&] {
      std::vector<double> p(k);
      for (std::size_t f = 0; f < k; ++f) p[f] = double(g[f]) / double(levels - 1);
      return p;
    };
    x.push_back(row());
    for (const std::size_t f : order) {
      g[f] = down[f] ? g[f] - half : g[f] + half;
      x.push_back(row());
    }
  }
  return x;
}

}  // namespace wom::sweep
