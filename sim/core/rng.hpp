#pragma once
/// Counter-based randomness keyed by meaning (docs/design.md §5).
///
/// A draw is a pure function of (seed, replicate, step, purpose, stable agent id or the
/// arc's (source id, target id), k). No generator state exists, so results do not depend
/// on thread count, block size, process count or vertex order. The mixer is a 64-bit
/// multiply-xorshift finaliser (the "moremur" constants of Pelle Evensen), applied in a
/// chain: each key component passes through a full avalanche before the next is folded in.
#include <cmath>
#include <cstdint>

namespace wom::rng {

inline constexpr std::uint64_t mix(std::uint64_t z) {
  z ^= z >> 27;
  z *= 0x3C79AC492BA7B653ULL;
  z ^= z >> 33;
  z *= 0x1C69B3F74AC4AE35ULL;
  z ^= z >> 27;
  return z;
}

/// Purposes: a model names each kind of draw with its own constant, so two kinds of
/// draw never share a stream. Values are arbitrary but must stay fixed forever.
using Purpose = std::uint64_t;

/// The key of one run: (seed, replicate).
struct RunKey {
  std::uint64_t value = 0;
  RunKey() = default;
  RunKey(std::uint64_t seed, std::uint64_t replicate)
      : value(mix(mix(seed ^ 0x9E3779B97F4A7C15ULL) + 0xD1B54A32D192ED03ULL * (replicate + 1))) {}
};

/// A stream: draws of one purpose at one step of one run.
struct Stream {
  std::uint64_t key = 0;
  Stream() = default;
  Stream(RunKey run, std::uint64_t step, Purpose purpose)
      : key(mix(run.value ^ mix(step * 0xA0761D6478BD642FULL + purpose * 0xE7037ED1A0B428DBULL))) {}

  /// 64 random bits for agent `id`, draw index k.
  std::uint64_t bits(std::uint64_t id, std::uint64_t k = 0) const {
    return mix(key ^ mix(id * 0x8EBC6AF09C88C6E3ULL + k * 0x589965CC75374CC3ULL + 1));
  }
  /// 64 random bits for the arc (source id, target id), draw index k.
  std::uint64_t arc_bits(std::uint64_t src, std::uint64_t dst, std::uint64_t k = 0) const {
    return mix(key ^ mix(src * 0x8EBC6AF09C88C6E3ULL ^ mix(dst * 0x1D8E4E27C47D124FULL + k + 7)));
  }
  double uniform(std::uint64_t id, std::uint64_t k = 0) const { return to_unit(bits(id, k)); }

  static double to_unit(std::uint64_t b) { return double(b >> 11) * 0x1.0p-53; }
};

/// A probability as a 64-bit threshold: bits < threshold(p) happens with probability p
/// (exactly p·2^64 rounded down; p = 1 always fires).
inline std::uint64_t threshold(double p) {
  if (!(p > 0.0)) return 0;
  if (p >= 1.0) return ~std::uint64_t(0);
  return std::uint64_t(std::ldexp(p, 64));
}
inline bool fires(std::uint64_t bits, std::uint64_t thr) { return bits < thr || thr == ~std::uint64_t(0); }

/// Uniform integer in [0, bound) from 64 bits (Lemire's multiply-shift; bias < bound/2^64).
__extension__ typedef unsigned __int128 u128;
inline std::uint64_t below(std::uint64_t bits, std::uint64_t bound) {
  return std::uint64_t((static_cast<u128>(bits) * bound) >> 64);
}

}  // namespace wom::rng
