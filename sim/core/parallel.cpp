#include "sim/core/parallel.hpp"

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

namespace wom {

void for_each_block(std::size_t n, const std::function<void(std::size_t, std::size_t, std::size_t)>& fn,
                    std::size_t block, std::size_t serial_below) {
  const std::size_t nb = num_blocks(n, block);
  if (n < serial_below || nb < 2) {
    for (std::size_t b = 0; b < nb; ++b) fn(b, b * block, std::min(n, (b + 1) * block));
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, nb, 1),
      [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t b = r.begin(); b < r.end(); ++b) fn(b, b * block, std::min(n, (b + 1) * block));
      },
      tbb::auto_partitioner{});
}

ThreadLimit::ThreadLimit(int threads)
    : impl_(threads > 0 ? new tbb::global_control(tbb::global_control::max_allowed_parallelism, std::size_t(threads))
                        : nullptr) {}
ThreadLimit::~ThreadLimit() { delete static_cast<tbb::global_control*>(impl_); }
void isolated(const std::function<void()>& fn) { tbb::this_task_arena::isolate(fn); }

void with_threads(int threads, const std::function<void()>& fn) {
  if (threads <= 0) return fn();
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism,
                         std::size_t(std::max(threads, tbb::info::default_concurrency())));
  tbb::task_arena arena(threads);
  arena.execute(fn);
}

int ThreadLimit::hardware() { return tbb::info::default_concurrency(); }
int ThreadLimit::current() { return tbb::this_task_arena::max_concurrency(); }

}  // namespace wom
