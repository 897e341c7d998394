#pragma once
/// The one parallel loop of wom. Models never include TBB.
///
/// Work is cut into fixed blocks of `kBlock` agents; block boundaries depend only on n,
/// never on the thread count, so per-block partial results merged in block order are
/// deterministic. Small inputs run serially.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace wom {

inline constexpr std::size_t kBlock = 4096;         ///< agents per block
inline constexpr std::size_t kSerialBelow = 16384;  ///< below this, run on the calling thread

/// Calls fn(block_index, begin, end) for every block of [0, n), in parallel when n is at
/// least `serial_below` and there are two blocks or more.
void for_each_block(std::size_t n, const std::function<void(std::size_t, std::size_t, std::size_t)>& fn,
                    std::size_t block = kBlock, std::size_t serial_below = kSerialBelow);

inline std::size_t num_blocks(std::size_t n, std::size_t block = kBlock) { return (n + block - 1) / block; }

/// Sums per-block partials in block order (deterministic for floating point too).
template <class T, class F>
T block_reduce(std::size_t n, F&& fn, std::size_t block = kBlock) {
  std::vector<T> part(num_blocks(n, block));
  for_each_block(
      n, [&](std::size_t b, std::size_t lo, std::size_t hi) { part[b] = fn(lo, hi); }, block);
  T total{};
  for (const T& p : part) total += p;
  return total;
}

/// Runs fn so that a thread waiting inside it only takes work spawned by fn (no unrelated
/// outer task is started on its stack): bounds memory when whole runs nest in a parallel loop.
void isolated(const std::function<void()>& fn);

/// Runs fn with exactly `threads` threads available to parallel loops (0 = all cores; more
/// than the core count oversubscribes, which the determinism tests use on purpose).
void with_threads(int threads, const std::function<void()>& fn);

/// Runs a job with at most `threads` worker threads (0 = all cores). Scoped: the limit
/// holds only while the returned object lives.
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads);
  ~ThreadLimit();
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;
  static int hardware();
  /// Threads available to parallel loops started from here.
  static int current();

 private:
  void* impl_;
};

}  // namespace wom
