#include "cli/bench_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "bench/suite/gate.hpp"
#include "bench/suite/suite.hpp"
#include "cli/common.hpp"
#include "sim/core/error.hpp"
#include "sim/io/output.hpp"

namespace wom::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using bench::Verdict;

/// Exit status of a gate that found a regression (1 is an error).
constexpr int kRegression = 2;

std::string bytes_text(double b) { return fmt::format("{:.1f} MiB", b / 1048576.0); }

std::string rate_text(double v) {
  const char* units[] = {"", "k", "M", "G", "T"};
  int k = 0;
  while (v >= 1000 && k < 4) v /= 1000, ++k;
  return fmt::format("{:.3g} {}", v, units[k]);
}

std::string count_text(double v) { return v > 0 ? fmt::format("{:.4g}", v) : "—"; }

std::string metric_text(const std::string& metric, double v) {
  if (metric == "peak memory") return bytes_text(v);
  if (metric == "wall time") return fmt::format("{:.4g} s", v);
  return count_text(v);
}

void print_suite(const json& doc) {
  fmt::print("{:<18} {:>10} {:>24} {:>20} {:>11} {:>12}\n", "case", "wall (s)", "[min – max] over reps", "throughput",
             "peak mem", "instructions");
  for (const auto& [name, c] : doc.at("cases").items()) {
    const json& w = c.at("wall_seconds");
    const double instr = c["instructions"].is_number() ? c["instructions"].get<double>() : 0.0;
    fmt::print("{:<18} {:>10.4g} {:>24} {:>20} {:>11} {:>12}\n", name, w.at("median").get<double>(),
               fmt::format("[{:.4g} – {:.4g}]", w.at("min").get<double>(), w.at("max").get<double>()),
               rate_text(c.at("throughput").get<double>()) + c.at("throughput_unit").get<std::string>(),
               bytes_text(c.at("peak_rss_bytes").get<double>()), count_text(instr));
  }
  const json& m = doc.at("machine");
  fmt::print("{} mode · {} threads · {} repetitions · {} ({} cores) · {} · {}\n", doc.at("mode").get<std::string>(),
             doc.at("threads").get<int>(), doc.at("reps").get<int>(), m.value("cpu", "?"), m.value("cores", 0),
             m.value("compiler", "?"), m.value("commit", "?"));
  if (doc.contains("instructions_note")) fmt::print("note: {}\n", doc["instructions_note"].get<std::string>());
}

std::string gate_table(const bench::GateResult& g, const std::string& against) {
  std::string s = fmt::format("{:<18} {:<13} {:>12} {:>12} {:>7}  {:<11} {}\n", "case", "metric", "baseline", "now",
                              "ratio", "verdict", "how judged");
  for (const auto& r : g.rows)
    s += fmt::format("{:<18} {:<13} {:>12} {:>12} {:>7.4f}  {:<11} {}\n", r.case_name, r.metric,
                     metric_text(r.metric, r.baseline), metric_text(r.metric, r.now), r.ratio,
                     bench::verdict_name(r.verdict), r.note);
  for (const auto& n : g.notes) s += fmt::format("note: {}\n", n);
  std::size_t bad = 0;
  for (const auto& r : g.rows) bad += r.verdict == Verdict::Regression;
  s += g.failed() ? fmt::format("gate: FAILED against {}: {} regression{}\n", against, bad, bad == 1 ? "" : "s")
                  : fmt::format("gate: passed against {}\n", against);
  return s;
}

json read_json(const std::string& path, const std::string& flag) {
  std::ifstream f(path);
  if (!f) throw Error(fmt::format("{} {}: cannot read the file", flag, path));
  json j;
  try {
    j = json::parse(f);
  } catch (const json::exception& e) {
    throw Error(fmt::format("{} {}: not JSON ({})", flag, path, e.what()));
  }
  if (!j.is_object() || j.value("format", "") != "wom-bench 1" || !j.contains("cases"))
    throw Error(
        fmt::format("{} {}: not a wom bench document (format \"wom-bench 1\", from `wom bench --out` or "
                    "--update-baseline)",
                    flag, path));
  return j;
}

/// The selection the baseline was measured with: its mode and cases, unless flags say otherwise.
std::string baseline_filter(const json& baseline) {
  std::string f;
  for (const auto& [name, c] : baseline.at("cases").items()) {
    std::string escaped;
    for (char ch : name) escaped += (ch == '.' ? std::string("\\.") : std::string(1, ch));
    f += (f.empty() ? "^(" : "|") + escaped;
  }
  return f.empty() ? f : f + ")$";
}

}  // namespace

CLI::App* add_bench_command(CLI::App& app, BenchArgs& a) {
  CLI::App* b = app.add_subcommand(
      "bench",
      "Benchmark suite (kernels, SIR, a service_wom year, wom cost, a sweep) and the regression gate: "
      "--compare a stored baseline, or --baseline-binary to time two builds here, interleaved");
  a.cmd = b;
  b->add_flag("--short", a.short_mode, "the CI sizes: the suite in a few minutes on 2 cores (default: full sizes)")
      ->default_str("false");
  b->add_option("--filter", a.filter, "only the cases whose name matches this regular expression (e.g. '^sir')")
      ->default_str("all cases (with --compare: the baseline's)");
  b->add_option("--reps", a.reps, "wall-time repetitions of each case (and binary), 1 to 1000")
      ->check(CLI::Range(1, 1000))
      ->default_str("5; 12 with --baseline-binary");
  b->add_option("--threads", a.threads, "worker threads of each case, 0 = all cores")
      ->check(CLI::Range(0, 4096))
      ->default_str("0 (with --compare: the baseline's)");
  b->add_option("--out", a.out, "write bench.json (and gate.txt, baseline.json when gating) as this new folder")
      ->check(non_empty())
      ->default_str("no files");
  add_force_flag(b, a.force);
  b->add_option("--compare", a.compare, "gate against this stored baseline (bench.json of an earlier run)")
      ->check(non_empty())
      ->default_str("no gate");
  b->add_option("--baseline-binary", a.baseline_binary,
                "gate against another wom build, run here beside this one, interleaved (e.g. the base branch's)")
      ->check(non_empty())
      ->default_str("none");
  b->add_option("--current", a.current,
                "with --compare: judge this stored document (bench.json) instead of running the suite")
      ->check(non_empty())
      ->default_str("run the suite");
  b->add_option("--update-baseline", a.update_baseline,
                "record this run as the baseline FILE (replacing it; say why in the commit)")
      ->check(non_empty())
      ->default_str("none");
  b->add_flag("--no-instructions", a.no_instructions, "skip the callgrind instruction counts")->default_str("false");
  b->add_option("--jobs", a.jobs, "callgrind runs at a time, 1 to 256")->check(CLI::Range(1, 256))->default_str("2");
  b->add_option("--max-instructions", a.thresholds.instructions,
                "gate: largest accepted growth of a case's instruction count, as a fraction, 0 to 10")
      ->check(CLI::Range(0.0, 10.0));
  b->add_option("--max-memory", a.thresholds.memory,
                "gate: largest accepted growth of a case's peak memory, as a fraction, 0 to 10 (and 4 MiB)")
      ->check(CLI::Range(0.0, 10.0));
  b->add_option("--alpha", a.thresholds.alpha,
                "gate: chance that an unchanged build fails on wall time, shared by the cases, (0, 0.5]")
      ->check(CLI::Range(1e-12, 0.5));
  b->add_option("--min-slowdown", a.thresholds.min_slowdown,
                "gate: smallest wall-time slowdown called a regression, as a fraction, 0 to 10")
      ->check(CLI::Range(0.0, 10.0));
  b->add_option("--data", a.data, "folder holding the real graph (facebook_combined.txt)")
      ->default_str("./data, else the source tree's data/");
  b->add_flag("--list", a.list, "list the cases and exit")->default_str("false");
  b->add_flag("--quiet,-q", a.quiet, "print only the gate's verdict line, warnings and errors")->default_str("false");
  b->add_option("--case", a.case_name, "run one case in this process and print its result line (internal)")->group("");
  b->add_option("--persons", a.persons,
                "with --case: persons of the generated graph instead of the mode's (bench/scaling.py)")
      ->check(CLI::Range(1000L, 2'000'000'000L))
      ->group("");
  return b;
}

int run_bench_command(const BenchArgs& a, const char* argv0) {
  if (a.list) {
    for (const bench::Case& c : bench::cases()) fmt::print("{:<18} {} ({})\n", c.name, c.what, c.unit);
    return 0;
  }
  const std::string data = a.data.empty() ? bench::default_data_dir() : a.data;
  if (!a.case_name.empty()) {
    bench::CaseInput in{a.short_mode ? bench::Size::Short : bench::Size::Full, a.threads, data, a.persons};
    fmt::print("wom-bench-case: {}\n", bench::run_case_here(a.case_name, in).dump());
    return 0;
  }
  if (!a.compare.empty() && !a.baseline_binary.empty())
    throw Error("--compare and --baseline-binary: give one (a stored baseline, or a binary to run here)");
  std::optional<json> stored;
  if (!a.compare.empty()) stored = read_json(a.compare, "--compare");
  if (!a.baseline_binary.empty() && access(a.baseline_binary.c_str(), X_OK) != 0)
    throw Error(fmt::format("--baseline-binary {}: not an executable file", a.baseline_binary));
  if (!a.out.empty()) check_output_folder(OutputFolder{a.out, "bench", a.force});

  bench::SuiteOptions o;
  o.size = a.short_mode ? bench::Size::Short : bench::Size::Full;
  o.filter = a.filter;
  o.threads = a.threads;
  if (stored) {
    // Measure what the baseline measured, unless told otherwise.
    if (!a.cmd->count("--short"))
      o.size = stored->value("mode", "") == "short" ? bench::Size::Short : bench::Size::Full;
    if (!a.cmd->count("--threads")) o.threads = stored->value("threads", 0);
    if (a.filter.empty()) o.filter = baseline_filter(*stored);
  }
  o.reps = a.reps > 0 ? a.reps : (a.baseline_binary.empty() ? 5 : 12);
  o.instructions = !a.no_instructions;
  o.jobs = a.jobs;
  o.data_dir = data;
  o.self = bench::self_path(argv0);
  o.baseline_binary = a.baseline_binary.empty() ? "" : fs::absolute(a.baseline_binary).string();
  const bool tty = isatty(STDERR_FILENO) && !a.quiet;
  if (tty)
    o.progress = [](const std::string& line) {
      fmt::print(stderr, "\r\033[2Kbench: {}", line);
      std::fflush(stderr);
    };
  bench::SuiteRun run;
  if (!a.current.empty()) {
    if (!stored) throw Error("--current needs --compare BASELINE.json (the document to judge it against)");
    run.candidate = read_json(a.current, "--current");
  } else {
    run = bench::run_suite(o);
  }
  if (tty) fmt::print(stderr, "\r\033[2K");

  if (!a.quiet) print_suite(run.candidate);
  std::optional<bench::GateResult> gate;
  std::string gate_text;
  if (stored || run.baseline) {
    const json& base = stored ? *stored : *run.baseline;
    gate = bench::compare(base, run.candidate, a.thresholds, !stored);
    gate_text = gate_table(*gate, stored ? a.compare : a.baseline_binary);
    if (!a.quiet) fmt::print("\n");
    if (a.quiet) {
      fmt::print("{}", gate_text.substr(gate_text.rfind("gate: ")));
    } else {
      fmt::print("{}", gate_text);
    }
  }

  if (!a.out.empty()) {
    std::vector<OutputFile> files = {{"bench.json", [&](std::ostream& os) { os << run.candidate.dump(1) << "\n"; }}};
    if (run.baseline)
      files.push_back({"baseline.json", [&](std::ostream& os) { os << run.baseline->dump(1) << "\n"; }});
    if (gate) files.push_back({"gate.txt", [&](std::ostream& os) { os << gate_text; }});
    print_written(a.out, write_output_folder(OutputFolder{a.out, "bench", a.force}, files));
  }
  if (!a.update_baseline.empty()) {
    const fs::path p = fs::absolute(a.update_baseline);
    add_file(p.parent_path().string(),
             {p.filename().string(), [&](std::ostream& os) { os << run.candidate.dump(1) << "\n"; }});
    fmt::print("baseline recorded: {} (commit it with the reason)\n", a.update_baseline);
    return 0;
  }
  return gate && gate->failed() ? kRegression : 0;
}

}  // namespace wom::cli
