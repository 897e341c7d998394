#include "bench/suite/suite.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "bench/suite/gate.hpp"
#include "bench/suite/temp_dir.hpp"
#include "sim/core/error.hpp"
#include "sim/io/runner.hpp"
#include "wom/version.hpp"

extern char** environ;

namespace wom::bench {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr const char* kLinePrefix = "wom-bench-case: ";

/// A child process whose stdout is a pipe.
struct Child {
  pid_t pid = -1;
  int out = -1;
  std::string what;  ///< for messages
};

Child spawn(const std::vector<std::string>& argv, const std::string& what) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("{}: pipe: {}", what, std::strerror(errno)));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw Error(fmt::format("{}: cannot start {}: {}", what, argv[0], std::strerror(rc)));
  }
  return Child{pid, fds[0], what};
}

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  for (ssize_t k; (k = read(fd, buf, sizeof buf)) != 0;) {
    if (k < 0) {
      if (errno == EINTR) continue;
      break;
    }
    s.append(buf, std::size_t(k));
  }
  close(fd);
  return s;
}

struct Finished {
  std::string out;
  int status = 0;
  double peak_rss_bytes = 0;
};

/// Waits for `c` (its stdout is small: a line, so the pipe never fills).
Finished finish(const Child& c, int status, const rusage& ru) {
  Finished f;
  f.out = read_all(c.out);
  f.status = status;
  f.peak_rss_bytes = double(ru.ru_maxrss) * 1024.0;
  return f;
}

Finished wait_for(const Child& c) {
  int status = 0;
  rusage ru{};
  while (wait4(c.pid, &status, 0, &ru) < 0)
    if (errno != EINTR) throw Error(fmt::format("{}: wait: {}", c.what, std::strerror(errno)));
  return finish(c, status, ru);
}

json parse_line(const Finished& f, const std::string& what) {
  if (!WIFEXITED(f.status) || WEXITSTATUS(f.status) != 0)
    throw Error(fmt::format("{} failed ({}); its messages are above", what,
                            WIFSIGNALED(f.status) ? fmt::format("killed by signal {}", WTERMSIG(f.status))
                                                  : fmt::format("exit status {}", WEXITSTATUS(f.status))));
  std::istringstream in(f.out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(kLinePrefix, 0) == 0) return json::parse(line.substr(std::strlen(kLinePrefix)));
  throw Error(fmt::format("{} printed no result line: is that binary a wom with `wom bench`?", what));
}

std::vector<std::string> case_argv(const std::string& binary, const std::string& name, const SuiteOptions& o,
                                   int threads) {
  std::vector<std::string> a = {binary, "bench", "--case", name, "--threads", std::to_string(threads)};
  if (o.size == Size::Short) a.push_back("--short");
  if (!o.data_dir.empty()) a.insert(a.end(), {"--data", o.data_dir});
  return a;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string d; std::getline(dirs, d, ':');) {
    const fs::path p = fs::path(d.empty() ? "." : d) / name;
    if (access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

/// The instruction count of the measured region in the callgrind output files `stem`*.
double region_instructions(const fs::path& dir, const std::string& stem, const std::string& what) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(stem, 0) != 0) continue;
    std::ifstream f(e.path());
    // "totals:" sums the functions' own costs: the calling thread's work in the region. The
    // "summary:" line also holds idle worker threads' spinning, which varies by ±0.5 %.
    bool region = false;
    for (std::string line; std::getline(f, line);) {
      if (line.rfind("desc: Trigger:", 0) == 0) region = line.find("wom-bench-region") != std::string::npos;
      if (region && line.rfind("totals:", 0) == 0) return std::stod(line.substr(line.find(':') + 1));
    }
  }
  throw Error(fmt::format("{}: callgrind wrote no count of the measured region (in {})", what, dir.string()));
}

struct Binary {
  std::string label;  ///< "candidate", "baseline"
  std::string path;
};

json summarize_case(const Case& c, const std::vector<json>& lines, const std::vector<double>& rss) {
  std::vector<double> wall;
  wall.reserve(lines.size());
  for (const json& l : lines) wall.push_back(l.at("seconds").get<double>());
  const Spread w = spread_of(wall);
  const Spread m = spread_of(rss);
  const double work = lines.front().at("work").get<double>();
  json j;
  j["what"] = c.what;
  j["unit"] = c.unit;
  j["work"] = work;
  j["facts"] = lines.front().at("facts");
  j["wall_seconds"] = json{{"median", w.median}, {"min", w.min}, {"max", w.max}, {"q1", w.q1}, {"q3", w.q3}};
  j["wall_samples"] = wall;
  j["throughput"] = w.median > 0 ? work / w.median : 0.0;
  j["throughput_unit"] = c.unit + "/s";
  j["peak_rss_bytes"] = m.median;
  j["peak_rss_max"] = m.max;
  j["instructions"] = nullptr;
  return j;
}

}  // namespace

std::vector<std::string> select_cases(const std::string& filter) {
  std::regex re;
  try {
    re = std::regex(filter.empty() ? std::string(".*") : filter);
  } catch (const std::regex_error& e) {
    throw Error(fmt::format("--filter {}: not a regular expression ({})", filter, e.what()));
  }
  std::vector<std::string> out;
  std::string all;
  for (const Case& c : cases()) {
    all += (all.empty() ? "" : ", ") + c.name;
    if (std::regex_search(c.name, re)) out.push_back(c.name);
  }
  if (out.empty()) throw Error(fmt::format("--filter {} selects no case (cases: {})", filter, all));
  return out;
}

json run_case_here(const std::string& name, const CaseInput& input) {
  const Case* c = find_case(name);
  if (!c) throw Error(fmt::format("--case {}: no such case", name));
  const CaseResult r = c->run(input);
  return json{{"case", name}, {"seconds", r.seconds}, {"work", r.work}, {"facts", r.facts}};
}

std::string self_path(const char* argv0) {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

json machine_fingerprint() {
  json m;
  std::string cpu = "unknown";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  m["cpu"] = cpu;
  m["cores"] = std::thread::hardware_concurrency();
  m["memory_bytes"] = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  utsname u{};
  if (uname(&u) == 0) m["kernel"] = fmt::format("{} {}", u.sysname, u.release);
#ifdef __clang__
  m["compiler"] = fmt::format("clang {}", __clang_version__);
#else
  m["compiler"] = fmt::format("gcc {}", __VERSION__);
#endif
#ifdef WOM_BUILD_FLAGS
  m["build"] = WOM_BUILD_FLAGS;
#endif
  m["commit"] = kGitCommit;
  m["version"] = kVersion;
  if (const std::string vg = find_program("valgrind"); !vg.empty()) {
    try {
      std::string v = wait_for(spawn({vg, "--version"}, "valgrind --version")).out;
      while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
      m["valgrind"] = v;
    } catch (const Error&) {
    }
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  m["host"] = host;
  m["date"] = iso8601_now();
  return m;
}

SuiteRun run_suite(const SuiteOptions& o) {
  const std::vector<std::string> names = select_cases(o.filter);
  std::vector<Binary> binaries = {{"candidate", o.self}};
  if (!o.baseline_binary.empty()) binaries.push_back({"baseline", o.baseline_binary});
  const int threads = o.threads > 0 ? o.threads : int(std::thread::hardware_concurrency());
  const int reps = std::max(o.reps, 1);

  // lines[binary][case] and peak memory per repetition.
  std::vector<std::map<std::string, std::vector<json>>> lines(binaries.size());
  std::vector<std::map<std::string, std::vector<double>>> rss(binaries.size());
  const std::size_t total = std::size_t(reps) * names.size() * binaries.size();
  std::size_t done = 0;
  for (int r = 0; r < reps; ++r)
    for (std::size_t i = 0; i < names.size(); ++i)
      for (std::size_t k = 0; k < binaries.size(); ++k) {
        // A B, then B A: neither binary always goes first.
        const std::size_t b = (std::size_t(r) + i) % 2 == 0 ? k : binaries.size() - 1 - k;
        const std::string what = fmt::format("{} {} (repetition {})", binaries[b].label, names[i], r + 1);
        const Finished f = wait_for(spawn(case_argv(binaries[b].path, names[i], o, threads), what));
        lines[b][names[i]].push_back(parse_line(f, what));
        rss[b][names[i]].push_back(f.peak_rss_bytes);
        if (o.progress) o.progress(fmt::format("{}/{} runs · {}", ++done, total, what));
      }

  std::vector<json> docs(binaries.size());
  for (std::size_t b = 0; b < binaries.size(); ++b) {
    json& d = docs[b];
    d["format"] = "wom-bench 1";
    d["mode"] = o.size == Size::Short ? "short" : "full";
    d["threads"] = threads;
    d["reps"] = reps;
    d["binary"] = binaries[b].path;
    d["machine"] = machine_fingerprint();
    d["cases"] = json::object();
    for (const auto& n : names) d["cases"][n] = summarize_case(*find_case(n), lines[b][n], rss[b][n]);
  }

  if (o.instructions) {
    const std::string valgrind = find_program("valgrind");
    if (valgrind.empty()) {
      for (json& d : docs) d["instructions_note"] = "valgrind not found: instructions not counted";
    } else {
      // One callgrind run per (case, binary), `jobs` at a time; one thread, so the count is
      // the work's alone (no spinning workers).
      const TempDir scratch("wom-bench-cg");
      struct Job {
        std::size_t b;
        std::string name, stem;
      };
      std::vector<Job> jobs;
      for (const auto& n : names)
        for (std::size_t b = 0; b < binaries.size(); ++b) jobs.push_back({b, n, fmt::format("cg.{}.{}.", b, n)});
      std::map<pid_t, std::pair<Child, std::size_t>> running;
      std::size_t next = 0, counted = 0;
      const auto start = [&](std::size_t j) {
        const Job& job = jobs[j];
        std::vector<std::string> a = {
            valgrind, "--tool=callgrind", "-q", "--compress-strings=no",
            fmt::format("--callgrind-out-file={}", (scratch.path() / job.stem).string() + "%p")};
        const auto inner = case_argv(binaries[job.b].path, job.name, o, 1);
        a.insert(a.end(), inner.begin(), inner.end());
        const std::string what = fmt::format("callgrind of {} {}", binaries[job.b].label, job.name);
        Child c = spawn(a, what);
        running.emplace(c.pid, std::make_pair(c, j));
      };
      while (next < jobs.size() || !running.empty()) {
        while (next < jobs.size() && running.size() < std::size_t(std::max(o.jobs, 1))) start(next++);
        int status = 0;
        rusage ru{};
        const pid_t pid = wait4(-1, &status, 0, &ru);
        if (pid < 0) {
          if (errno == EINTR) continue;
          throw Error(fmt::format("waiting for callgrind: {}", std::strerror(errno)));
        }
        const auto it = running.find(pid);
        if (it == running.end()) continue;
        const auto [child, j] = it->second;
        running.erase(it);
        const Finished f = finish(child, status, ru);
        parse_line(f, child.what);
        const Job& job = jobs[j];
        docs[job.b]["cases"][job.name]["instructions"] = region_instructions(scratch.path(), job.stem, child.what);
        if (o.progress) o.progress(fmt::format("{}/{} instruction counts · {}", ++counted, jobs.size(), child.what));
      }
    }
  }
  SuiteRun out;
  out.candidate = docs[0];
  if (docs.size() > 1) out.baseline = docs[1];
  return out;
}

}  // namespace wom::bench
