#include "cli/sweep_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "api/wom.hpp"
#include "cli/common.hpp"
#include "cli/sweep_mpi.hpp"
#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/io/progress.hpp"

namespace wom::cli {

namespace {

sweep::Shard parse_shard(const std::string& text) {
  sweep::Shard s;
  if (text.empty()) {
    // A SLURM array job: task IDs may start anywhere (--array=1-8): count from the first.
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    if (!id || !count) return s;
    // Task IDs run MIN, MIN+STEP, ... (--array=1-8 or 0-14:2): the shard is the task's place.
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    const char* step_env = std::getenv("SLURM_ARRAY_TASK_STEP");
    const std::int64_t first = min ? std::int64_t(parse_uint64("SLURM_ARRAY_TASK_MIN", min)) : 0;
    const std::int64_t step = step_env ? std::int64_t(parse_uint64("SLURM_ARRAY_TASK_STEP", step_env)) : 1;
    const std::int64_t task = std::int64_t(parse_uint64("SLURM_ARRAY_TASK_ID", id));
    s.count = std::int64_t(parse_uint64("SLURM_ARRAY_TASK_COUNT", count));
    if (step < 1 || task < first || (task - first) % step != 0 || (task - first) / step >= s.count)
      throw Error(
          fmt::format("SLURM_ARRAY_TASK_ID = {} is not one of the {} tasks {}, {}+{}, ...: give the array as "
                      "a range (--array=0-{}) or run the share with --shard I/N",
                      id, count, first, first, step, s.count - 1));
    s.index = (task - first) / step;
    return s;
  }
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw Error(fmt::format("--shard {}: expected I/N, e.g. 0/4", text));
  s.index = std::int64_t(parse_uint64("--shard", text.substr(0, slash)));
  s.count = std::int64_t(parse_uint64("--shard", text.substr(slash + 1)));
  if (s.count < 1 || s.index >= s.count)
    throw Error(fmt::format("--shard {}: accepted I/N with 0 <= I < N (N >= 1)", text));
  return s;
}

void print_status(const std::string& dir, const sweep::SweepStatus& s) {
  fmt::print("sweep     {}\n", dir);
  fmt::print("points    {} done · {} pending · {} failed (of {})\n", s.points_done, s.points_pending, s.points_failed,
             s.points);
  fmt::print("rows      {} recorded · {} failed runs\n", s.rows, s.failed_rows);
  fmt::print("writers   {}\n",
             s.writers.empty() ? std::string("none yet") : fmt::format("{}", fmt::join(s.writers, ", ")));
  if (s.dropped) fmt::print("dropped   {} damaged records (torn writes; those runs are pending again)\n", s.dropped);
  for (const auto& p : s.problems) fmt::print("note      {}\n", p);
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a parameter sweep from a spec (designs, common random numbers, resumable, sharded)");
  cmd->add_option("SPEC", a.spec, "sweep spec (YAML: base, design, vary, replicates, metrics)");
  cmd->add_option("--out", a.out, "the sweep's folder (design.csv, manifest.json, records/, results.csv)")
      ->check(non_empty());
  cmd->add_flag("--resume", a.resume, "continue the sweep in --out after any interruption");
  cmd->add_flag("--fail-fast", a.fail_fast, "stop at the first failed run (default: record it and go on)");
  cmd->add_flag("--retry-failed", a.retry_failed, "with --resume: run the failed rows again");
  cmd->add_option("--shard", a.shard,
                  "run the fixed share I/N of the points (default: SLURM_ARRAY_TASK_ID/COUNT when set, else all)");
  cmd->add_option("--threads", a.threads, "worker threads (0 = all cores)")
      ->transform(decimal_integer())
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", a.quiet, "no progress bar");
  cmd->add_flag("--no-graph-reuse", a.no_graph_reuse,
                "build every run's graph anew (default: once per graph spec and replicate, shared by the points)");
  a.status = cmd->add_subcommand("status", "Where a sweep stands: done / pending / failed");
  a.status->add_option("DIR", a.dir, "the sweep's folder")->required();
  a.collect = cmd->add_subcommand("collect", "Merge every writer's rows into results.csv and results.jsonl");
  a.collect->add_option("DIR", a.dir, "the sweep's folder")->required();
  a.analyze = cmd->add_subcommand("analyze", "Sensitivity indices of a sobol or morris sweep (sensitivity.csv)");
  a.analyze->add_option("DIR", a.dir, "the sweep's folder")->required();
  cmd->require_subcommand(0, 1);
  return cmd;
}

int run_sweep_command(const SweepArgs& a) {
  if (a.status->parsed()) {
    const auto s = wom::sweep_status(a.dir);
    print_status(a.dir, s);
    return 0;
  }
  if (a.collect->parsed()) {
    for (const auto& f : wom::collect_sweep(a.dir)) fmt::print("wrote {}\n", f);
    return 0;
  }
  if (a.analyze->parsed()) {
    std::vector<std::string> written;
    fmt::print("{}", wom::analyze_sweep(a.dir, &written));
    for (const auto& f : written) fmt::print("wrote {}\n", f);
    return 0;
  }
  if (a.spec.empty()) throw Error("wom sweep: SPEC is required (or one of: status, collect, analyze DIR)");
  if (a.out.empty()) throw Error("wom sweep: --out DIR is required: the sweep's folder");
  if (a.retry_failed && !a.resume) throw Error("--retry-failed: only with --resume");
  sweep::SweepOptions o;
  o.out = a.out;
  o.resume = a.resume;
  o.fail_fast = a.fail_fast;
  o.retry_failed = a.retry_failed;
  o.shard = parse_shard(a.shard);
  o.threads = a.threads;
  o.progress = !a.quiet;
  o.reuse_graphs = !a.no_graph_reuse;
  o.note = [](const std::string& s) { fmt::print(stderr, "wom: {}\n", s); };
  if (started_by_mpi()) return run_sweep_mpi(a.spec, o);
  install_interrupt_handlers();
  sweep::SweepRun r;
  try {
    r = wom::run_sweep(a.spec, o);
  } catch (const Cancelled&) {
    // Every finished row is durable (sweep/store.hpp); the rows in flight are pending again.
    std::int64_t rows = -1;
    try {
      rows = wom::sweep_status(a.out).rows;
    } catch (const std::exception&) {  // stopped before the folder was made
    }
    if (rows < 0) return interrupted_exit("nothing was recorded");
    std::string resume = fmt::format("wom sweep {} --out {}", shell_word(a.spec), shell_word(a.out));
    if (!a.shard.empty()) resume += " --shard " + shell_word(a.shard);
    resume += " --resume";
    if (a.retry_failed) resume += " --retry-failed";
    return interrupted_exit(fmt::format("{} row{} {} recorded; resume with `{}`", rows, rows == 1 ? "" : "s",
                                        rows == 1 ? "is" : "are", resume));
  }
  fmt::print("ran       {} runs in {} ({} already recorded)\n", r.ran, seconds_text(r.wall_seconds), r.skipped);
  if (r.graphs_built > 0) fmt::print("graphs    {} built, {} runs reused one\n", r.graphs_built, r.graphs_reused);
  print_status(a.out, r.status);
  if (r.collected) fmt::print("results   {}/results.csv\n", a.out);
  return r.status.points_failed > 0 ? 2 : 0;
}

}  // namespace wom::cli
