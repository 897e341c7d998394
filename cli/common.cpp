#include "cli/common.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <charconv>
#include <cmath>
#include <csignal>
#include <filesystem>

#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/io/output.hpp"

namespace wom::cli {

namespace {

/// Why `text` is not a whole number in [0, 2^64 − 1] (empty when it is one).
std::string uint64_problem(const std::string& text, std::uint64_t& v) {
  const char* accepted = "accepted: a whole number from 0 to 2^64 - 1 = 18446744073709551615";
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (digits) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size()) return {};
    return fmt::format("{} is out of range; {}", text, accepted);
  }
  if (text.size() > 1 && text[0] == '-' && text.find_first_not_of("0123456789", 1) == std::string::npos)
    return fmt::format("{} is negative; {}", text, accepted);
  return fmt::format("'{}' is not a whole number; {}", text, accepted);
}

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_interrupt(int sig) {
  // Async-signal-safe: a lock-free atomic store and a sig_atomic_t. SA_RESETHAND has already
  // restored the default action, so a second signal ends the process at once.
  if (g_signal == 0) g_signal = sig;
  wom::request_cancel();
}

}  // namespace

void ignore_file_size_signal() { std::signal(SIGXFSZ, SIG_IGN); }

void install_interrupt_handlers() {
  static_assert(std::atomic<bool>::is_always_lock_free, "the cancel flag must be safe to set from a signal handler");
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // no SA_RESTART: a blocking read or wait returns at once
  for (int sig : {SIGINT, SIGTERM}) {
    // A signal ignored at start stays ignored (a background job of a shell, nohup): only its
    // starter may decide that wom should hear it.
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

int interrupted_exit(const std::string& what) {
  const int sig = g_signal != 0 ? int(g_signal) : SIGINT;
  const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
  fmt::print(stderr, "wom: interrupted by {}; {}\n", name, what);
  return 128 + sig;
}

std::uint64_t parse_uint64(const std::string& flag, const std::string& text) {
  std::uint64_t v = 0;
  if (const std::string why = uint64_problem(text, v); !why.empty()) throw Error(fmt::format("{}: {}", flag, why));
  return v;
}

CLI::Validator uint64_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t v = 0;
        std::string why = uint64_problem(text, v);  // CLI11 prefixes "--flag: "
        if (why.empty()) text = std::to_string(v);  // "010" is ten: CLI11 alone would read it as octal
        return why;
      },
      "UINT64");
}

CLI::Validator decimal_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
        std::int64_t v = 0;
        const bool digits = text.size() > start && text.find_first_not_of("0123456789", start) == std::string::npos;
        if (digits) {
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
          if (ec == std::errc() && end == text.data() + text.size()) {
            text = std::to_string(v);  // decimal, so CLI11's conversion cannot read "010" as octal
            return {};
          }
          return fmt::format("{} is out of range for a whole number", text);
        }
        return fmt::format("'{}' is not a whole number in decimal digits", text);
      },
      "INT");
}

PlanChoice PlanFlags::choice() const {
  PlanChoice c;
  if (seed_opt && seed_opt->count()) c.seed = parse_uint64("--seed", seed);
  if (replicates_opt && replicates_opt->count()) c.replicates = replicates;
  return c;
}

void add_plan_flags(CLI::App* cmd, PlanFlags& f, const std::string& seed_help, const std::string& seed_default,
                    const std::string& replicates_help, const std::string& replicates_default) {
  f.seed_opt = cmd->add_option("--seed", f.seed, seed_help)->check(uint64_check())->default_str(seed_default);
  f.replicates_opt = cmd->add_option("--replicates", f.replicates, replicates_help)
                         ->transform(decimal_integer())
                         ->check(CLI::Range(std::int64_t(1), std::int64_t(10'000'000)))
                         ->default_str(replicates_default);
  cmd->add_option("--threads", f.threads, "worker threads; 0 = all cores (results do not depend on it)")
      ->transform(decimal_integer())
      ->check(CLI::Range(0, 65536))
      ->default_str("0");
}

RunOptions out_flag_options(const PlanFlags& plan, const std::string& out, bool force, bool report, bool quiet,
                            const std::string& folder) {
  if (report && out.empty()) throw Error("--report: the report goes into " + folder + "; give --out DIR");
  if (force && out.empty()) throw Error("--force replaces the output folder; give --out DIR");
  RunOptions opt;
  opt.threads = plan.threads;
  opt.progress = !quiet;
  opt.output_dir = out;
  opt.force = force;
  opt.report = report;
  return opt;
}

CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& v) -> std::string { return v.empty() ? "expected a name, got an empty string" : std::string(); },
      "");
}

CLI::Option* add_force_flag(CLI::App* cmd, bool& force) {
  return cmd
      ->add_flag("--force", force,
                 "replace the output folder if it exists: the new folder is built beside it and swapped in whole; "
                 "only an empty folder or a wom output folder is replaced")
      ->default_str("false");
}

std::string shell_word(const std::string& s) {
  const bool safe = !s.empty() && s.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                      "_-+=.,/:@%") == std::string::npos;
  if (safe) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string command_text(const std::vector<std::string>& command) {
  std::string s = "wom";
  for (std::size_t i = 1; i < command.size(); ++i) s += " " + shell_word(command[i]);
  return s;
}

std::string example_vary(const Scenario& sc) {
  if (!sc.info) return {};
  const ParamSpec* pick = nullptr;
  for (const auto& p : sc.info->params)
    if (p.type == ParamType::Real && sc.params.has(p.key) && p.key.rfind("policy.", 0) == 0) {
      pick = &p;
      break;
    }
  if (!pick)
    for (const auto& p : sc.info->params)
      if (p.type == ParamType::Real && sc.params.has(p.key)) {
        pick = &p;
        break;
      }
  if (!pick) return {};
  const double v = sc.params.real(pick->key);
  // A share: 0.9 (or 0.3 when it is already high); anything else: double it, or halve it.
  double other = pick->lo >= 0 && pick->hi <= 1 ? (v < 0.6 ? 0.9 : 0.3) : v != 0 ? 2 * v : 1;
  if (!pick->in_range(other)) other = v / 2;
  if (!pick->in_range(other) || other == v) return {};
  return fmt::format("params.{}={},{}", pick->key, readable_number(v), readable_number(other));
}

void print_written(const std::string& dir, const std::vector<std::string>& written) {
  if (written.empty()) return;
  fmt::print("outputs     {}\n", dir);
  for (const auto& w : written) fmt::print("              {}\n", std::filesystem::path(w).filename().string());
}

void print_next(const std::vector<std::string>& commands) {
  std::string s;
  for (const auto& c : commands)
    if (!c.empty()) s += (s.empty() ? "" : "  |  ") + c;
  if (!s.empty()) fmt::print("next        {}\n", s);
}

}  // namespace wom::cli
