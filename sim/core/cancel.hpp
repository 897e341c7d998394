#pragma once
/// Cooperative cancellation: a front end (Python's Ctrl-C, a signal handler) asks, and the
/// step loops stop at their next step by throwing `Cancelled`. Outputs are written whole or
/// not at all, so a cancelled command leaves nothing half-written.
#include <atomic>

#include "sim/core/error.hpp"

namespace wom {

/// The error a cancelled run throws.
struct Cancelled : Error {
  Cancelled() : Error("interrupted") {}
};

inline std::atomic<bool> g_cancel_requested{false};

/// Asks every running step loop of this process to stop (safe from a signal handler).
inline void request_cancel() noexcept { g_cancel_requested.store(true, std::memory_order_relaxed); }
/// Lets new runs start again.
inline void clear_cancel() noexcept { g_cancel_requested.store(false, std::memory_order_relaxed); }
inline bool cancel_requested() noexcept { return g_cancel_requested.load(std::memory_order_relaxed); }
/// Throws Cancelled when cancellation was asked for.
inline void throw_if_cancelled() {
  if (cancel_requested()) throw Cancelled();
}

}  // namespace wom
