#pragma once
/// Running the built `wom` as a child process that a test controls: signals, a file-size limit
/// (RLIMIT_FSIZE), stderr on a pseudo-terminal (so the progress bar draws, as for a user), and
/// waiting for what it does — never for a fixed time.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

namespace wom::test {

struct SpawnOptions {
  bool terminal = false;                 ///< stderr on a pseudo-terminal (the progress bar draws)
  rlim_t file_size = RLIM_INFINITY;      ///< RLIMIT_FSIZE, bytes
  std::vector<std::string> environment;  ///< extra NAME=VALUE
  std::vector<int> ignored;              ///< signals ignored at start (as a shell does for a background job)
};

/// A running `wom`; killed (SIGKILL) and reaped when destroyed if it is still running.
class Child {
 public:
  pid_t pid = -1;
  std::filesystem::path out, err;  ///< its stdout and (off the terminal) its stderr
  std::string screen;              ///< what it has drawn on the terminal so far

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid > 0 && !reaped_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status_, 0);
    }
    if (pty_ >= 0) ::close(pty_);
  }

  /// Reads what the terminal shows until `text` appears (true) or `timeout_s` passes (false).
  bool wait_for_screen(const std::string& text, double timeout_s = 120) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (screen.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end || closed_) return false;
      drain(50);
    }
    return true;
  }

  /// Waits until it exits (true), or kills it after `timeout_s` (false). Drains the terminal
  /// meanwhile, so it never blocks writing to it.
  bool wait(double timeout_s = 120) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!reaped_) {
      if (::waitpid(pid, &status_, WNOHANG) == pid) {
        reaped_ = true;
        break;
      }
      if (std::chrono::steady_clock::now() > end) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status_, 0);
        reaped_ = true;
        return false;
      }
      if (!drain(20)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    while (drain(0)) {
    }
    return true;
  }

  /// The exit status (-1 when killed by a signal or still running).
  int exit_code() const { return reaped_ && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }
  /// The signal that killed it (0 when it exited).
  int killed_by() const { return reaped_ && WIFSIGNALED(status_) ? WTERMSIG(status_) : 0; }
  /// Whether it has exited (reaps it when it has).
  bool finished() {
    if (!reaped_ && ::waitpid(pid, &status_, WNOHANG) == pid) reaped_ = true;
    return reaped_;
  }
  /// Its stderr: the terminal's text, else the file.
  std::string stderr_text() const { return pty_ >= 0 ? screen : slurp(err); }
  std::string stdout_text() const { return slurp(out); }

  void attach_terminal(int fd) { pty_ = fd; }

 private:
  /// Reads what is waiting on the terminal (up to `ms` for it); false when nothing came.
  bool drain(int ms) {
    if (pty_ < 0 || closed_) return false;
    pollfd p{pty_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char buf[4096];
    const ssize_t n = ::read(pty_, buf, sizeof buf);
    if (n <= 0) {  // EIO: the child closed the terminal
      closed_ = true;
      return false;
    }
    screen.append(buf, std::size_t(n));
    return true;
  }

  int pty_ = -1;
  bool closed_ = false;
  int status_ = 0;
  bool reaped_ = false;
};

/// Starts `wom ARGS...` in `dir`: stdout to a file, stderr to a file or a pseudo-terminal;
/// SIGINT, SIGTERM and SIGXFSZ at their default actions and no signal blocked, whatever the
/// test runner set.
inline std::unique_ptr<Child> spawn_wom(const TempDir& dir, const std::vector<std::string>& args,
                                        const SpawnOptions& o = {}) {
  static int serial = 0;
  auto c = std::make_unique<Child>();
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++serial);
  c->out = dir.path / (".child-" + tag + ".out");
  c->err = dir.path / (".child-" + tag + ".err");
  int master = -1, slave = -1;
  if (o.terminal && ::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return nullptr;
  std::vector<std::string> argv{kWom};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid < 0) return nullptr;
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGXFSZ}) ::signal(sig, SIG_DFL);
    for (int sig : o.ignored) ::signal(sig, SIG_IGN);
    if (::chdir(dir.path.c_str()) != 0) ::_exit(126);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(c->out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = o.terminal ? slave : ::open(c->err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (master >= 0) ::close(master);
    if (o.file_size != RLIM_INFINITY) {
      const rlimit lim{o.file_size, o.file_size};
      if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(126);
    }
    for (const auto& e : o.environment) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  c->pid = pid;
  if (o.terminal) {
    ::close(slave);
    c->attach_terminal(master);
  }
  return c;
}

/// Polls `done` every few milliseconds until it holds (true) or `timeout_s` passes (false).
inline bool wait_until(const std::function<bool()>& done, double timeout_s = 120) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

/// Whether process `pid` holds an flock(2) lock (from /proc/locks: "1: FLOCK ADVISORY WRITE PID ...").
inline bool holds_flock(pid_t pid) {
  std::ifstream in("/proc/locks");
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string n, kind, advisory, mode;
    long p = 0;
    if (f >> n >> kind >> advisory >> mode >> p && kind == "FLOCK" && p == long(pid)) return true;
  }
  return false;
}

/// The entries of `dir` whose name contains `part` (e.g. ".tmp-" staging folders, ".wom-lock").
inline std::vector<std::string> entries_with(const std::filesystem::path& dir, const std::string& part) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename().string().find(part) != std::string::npos) found.push_back(e.path().filename().string());
  return found;
}

}  // namespace wom::test
