#pragma once
/// Running a sweep (`wom sweep SPEC --out DIR`), resuming it, reporting on it, merging its
/// writers' records and analysing it.
///
/// The folder DIR holds:
///  - `manifest.json`: spec hash, version, commit, build, seeds, the design's unit points —
///    written once, before any run;
///  - `design.csv`: point_id and the varied values;
///  - `records/<writer>.log`: each writer's append-only store of rows (sweep/store.hpp); a
///    writer is a shard (`--shard i/n`, a SLURM array task) or an MPI rank;
///  - `writers/<writer>.json`: where and when each writer ran (host, pid, rank);
///  - `results.csv` and `results.jsonl`: one row per (point, replicate), in that order,
///    merged by `collect` (the last writer to finish does it on its own); `points.csv`: per
///    point its replicates and status; `failures.csv`: the failed runs and their messages;
///  - `sensitivity.csv` after `analyze` (designs sobol and morris).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wom::sweep {

/// A fixed share of the points: those with point_id % count == index.
struct Shard {
  std::int64_t index = 0, count = 1;
};

/// Where a writer's points come from: each call returns the next chunk of point ids, empty
/// when there are no more (e.g. an MPI worker asking its manager). Called from one thread.
using PointSource = std::function<std::vector<std::int64_t>()>;

struct SweepOptions {
  std::string out;
  bool resume = false;
  bool fail_fast = false;     ///< stop at the first failed run (default: record it and go on)
  bool retry_failed = false;  ///< on resume, run failed rows again
  Shard shard;
  int threads = 0;  ///< 0 = all cores
  bool progress = false;
  std::string writer;                            ///< this writer's name (default: "shard-I-of-N")
  std::function<void(const std::string&)> note;  ///< one-line notes for the terminal (may be empty)
  /// The points to run; empty: the shard's points, in one chunk.
  PointSource source;
  /// The folder was prepared by another process of this run (an MPI manager): join it.
  bool join = false;
  /// Merge results.csv when the sweep is complete at the end (the last writer to finish).
  bool collect_when_complete = true;
  /// Build each generated graph once per (graph spec, replicate) and share it between the
  /// points (off: every run builds its own; the results are the same).
  bool reuse_graphs = true;
};

/// Checks the spec and every point, then creates the folder (or, with `resume` or a shard,
/// joins the one that holds this sweep). Returns the ids of the points not yet complete.
std::vector<std::int64_t> prepare_sweep(const std::string& spec_path, const SweepOptions& options);

/// Where a sweep stands.
struct SweepStatus {
  std::int64_t points = 0;
  std::int64_t points_done = 0;     ///< every replicate recorded (or the precision target met)
  std::int64_t points_failed = 0;   ///< a run of the point failed
  std::int64_t points_pending = 0;  ///< neither
  std::int64_t rows = 0;            ///< ok rows recorded
  std::int64_t failed_rows = 0;
  std::int64_t dropped = 0;  ///< damaged records dropped (torn tails)
  std::vector<std::string> writers;
  std::vector<std::string> problems;
  bool complete() const { return points_pending == 0; }
};

/// What run_sweep did.
struct SweepRun {
  SweepStatus status;              ///< after the run, over all writers
  std::int64_t ran = 0;            ///< runs done by this call
  std::int64_t skipped = 0;        ///< rows already recorded (resume)
  std::int64_t graphs_built = 0;   ///< generated graphs this call built (with reuse_graphs)
  std::int64_t graphs_reused = 0;  ///< runs that used a graph built for another point
  bool collected = false;          ///< this call wrote results.csv
  double wall_seconds = 0;
};

/// Runs (or resumes) the sweep of `spec_path` into options.out. Validates the whole spec and
/// every point first; refuses an existing folder without `resume` (and, with it, one whose
/// spec hash differs or that is not a sweep). Throws wom::Error.
SweepRun run_sweep(const std::string& spec_path, const SweepOptions& options);

/// Reads the folder (all writers) without changing it.
SweepStatus sweep_status(const std::string& dir);

/// Merges every writer's rows into results.csv, results.jsonl, points.csv and failures.csv
/// (each written whole: temp, then rename). Returns the files written.
std::vector<std::string> collect(const std::string& dir);

/// Sensitivity indices of a sobol or morris sweep, per metric and key, from the replicate
/// means of each design row; writes DIR/sensitivity.csv and returns the ranking as text.
std::string analyze(const std::string& dir, std::vector<std::string>* written = nullptr);

}  // namespace wom::sweep
