#pragma once
/// A one-line progress bar with ETA for long work (run, compare, cost).
#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace wom {

/// "12 s", "3 min 04 s", "1 h 05 min".
inline std::string seconds_text(double s) {
  if (s < 60) return fmt::format("{:.0f} s", s);
  if (s < 3600) return fmt::format("{:.0f} min {:02.0f} s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f} h {:02.0f} min", std::floor(s / 3600), std::fmod(s, 3600) / 60);
}

/// A one-line progress bar with ETA on stderr. It draws only when enabled (stderr is a
/// terminal) and only once the run has lasted a second, so short runs and pipes stay silent.
class Progress {
  using Clock = std::chrono::steady_clock;

 public:
  /// `detail`, when given, is appended to the line (e.g. "3 failed"); it is called from the
  /// drawing thread, so it must read only what is safe to read concurrently (atomics).
  Progress(bool enabled, std::int64_t total, std::function<std::string()> detail = {})
      : total_(std::max<std::int64_t>(total, 1)), detail_(std::move(detail)) {
    if (enabled) thread_ = std::thread([this] { loop(); });
  }
  ~Progress() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void tick(std::int64_t n = 1) { done_.fetch_add(n, std::memory_order_relaxed); }
  /// Work found on the way (e.g. cost variants that need full runs after all).
  void add_total(std::int64_t n) { total_.fetch_add(n, std::memory_order_relaxed); }

 private:
  void loop() {
    const auto start = Clock::now();
    bool drawn = false;
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      if (elapsed < 1.0) continue;
      const std::int64_t total = total_.load(std::memory_order_relaxed);
      const std::int64_t done = std::min(done_.load(std::memory_order_relaxed), total);
      const double frac = double(done) / double(total);
      constexpr int kWidth = 30;
      const int filled = int(frac * kWidth);
      std::string bar(std::size_t(filled), '#');
      bar.append(std::size_t(kWidth - filled), '.');
      std::string eta = done > 0 ? "ETA " + seconds_text(elapsed / frac - elapsed) : "building graph";
      const std::string detail = detail_ ? "  " + detail_() : std::string();
      std::fprintf(stderr, "\r\033[K[%s] %3.0f%%  %s elapsed, %s%s", bar.c_str(), 100.0 * frac,
                   seconds_text(elapsed).c_str(), eta.c_str(), detail.c_str());
      std::fflush(stderr);
      drawn = true;
    }
    if (drawn) {
      std::fputs("\r\033[K", stderr);  // leave the terminal as it was
      std::fflush(stderr);
    }
  }

  std::atomic<std::int64_t> total_;
  std::function<std::string()> detail_;
  std::atomic<std::int64_t> done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// Whether progress may be drawn: stderr is a terminal.
bool progress_allowed();

}  // namespace wom
