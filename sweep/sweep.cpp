#include "sweep/sweep.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "app/cost.hpp"
#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"
#include "sim/io/memory_check.hpp"
#include "sim/io/output.hpp"
#include "sim/io/progress.hpp"
#include "sim/io/runner.hpp"
#include "sweep/folder.hpp"
#include "sweep/sensitivity.hpp"
#include "sweep/spec.hpp"
#include "sweep/store.hpp"
#include "wom/version.hpp"

namespace wom::sweep {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using namespace detail;

namespace {

double cost_figure(const json& doc, const std::string& name) {
  auto keys_of = [](const json& node) {
    std::vector<std::string> keys;
    if (node.is_object())
      for (const auto& [k, x] : node.items()) keys.push_back(k);
    return fmt::format("{}", fmt::join(keys, ", "));
  };
  const json* node = &doc;
  std::string part;
  for (std::istringstream in(name.substr(5)); std::getline(in, part, '.');) {
    if (!node->is_object() || !node->contains(part))
      throw Error(fmt::format("metric {}: cost.json has no '{}' here (it has: {})", name, part, keys_of(*node)));
    node = &(*node)[part];
  }
  while (node->is_object() && (node->contains("mean") || node->contains("total")))
    node = &(*node)[node->contains("mean") ? "mean" : "total"];
  if (!node->is_number())
    throw Error(fmt::format("metric {}: not a figure of cost.json; name one of its parts: {}", name, keys_of(*node)));
  return node->get<double>();
}

/// One row's metrics: runs replicate `plan` of the point's scenario (and `wom cost` on it
/// when a metric is a cost figure), then reads each metric: a model metric, else a time-series
/// column's value over the run, else a figure of cost.json. NaN where a run has no value.
std::vector<double> measure_row(const Scenario& sc, const RunPlan& plan, const std::vector<std::string>& names,
                                const RunOptions& run_options) {
  RunOutput run;
  isolated([&] { run = run_scenario(sc, plan, run_options); });
  const auto metrics = summarize_metrics(sc, run);
  const auto columns = summarize(sc, run);
  json cost_doc;  // cost.json of this replicate, when a metric asks for it
  for (const auto& name : names)
    if (name.rfind("cost.", 0) == 0 && cost_doc.is_null()) {
      const CostOptions co;
      CostOutput cost;
      isolated([&] { cost = run_cost(sc, plan, co, run_options); });
      cost_doc = cost_json(sc, plan, cost, co);
    }
  std::vector<double> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    if (name.rfind("cost.", 0) == 0) {
      out.push_back(cost_figure(cost_doc, name));
      continue;
    }
    double v = std::nan("");
    bool found = false;
    for (const auto& ms : metrics)
      if (!found && ms.name == name) v = ms.values.at(0), found = true;
    for (const auto& c : columns)
      if (!found && c.name == name) v = c.run_values.at(0), found = true;
    out.push_back(v);
  }
  return out;
}

json manifest_json(const Spec& spec, const std::vector<Point>& pts) {
  json j;
  j["kind"] = kKind;
  j["spec_hash"] = spec.hash;
  j["spec"] = fs::absolute(spec.path).lexically_normal().string();
  j["spec_text"] = spec.text;
  j["base"] = spec.base_path;
  j["version"] = kVersion;
  j["commit"] = kGitCommit;
#ifdef __VERSION__
  j["compiler"] = __VERSION__;
#endif
#ifdef WOM_BUILD_FLAGS
  j["build"] = WOM_BUILD_FLAGS;
#endif
  j["created_at"] = iso8601_now();
  j["seed"] = spec.seed;
  j["crn"] = spec.crn;
  j["design"] = spec.design;
  if (spec.design == "sobol") j["sobol_n"] = spec.points;
  if (spec.design == "morris") j["levels"] = spec.levels;
  std::vector<std::string> keys;
  for (const auto& f : spec.factors) keys.push_back(f.key);
  j["keys"] = keys;
  j["metrics"] = spec.metrics;
  json r;
  r["min"] = spec.replicates.min;
  r["max"] = spec.replicates.max;
  r["batch"] = spec.replicates.batch;
  if (spec.replicates.target) {
    r["target"] = {{"metric", spec.replicates.target->metric},
                   {"ci_halfwidth", spec.replicates.target->ci_halfwidth},
                   {"relative", spec.replicates.target->relative}};
  }
  j["replicates"] = r;
  j["overrides"] = spec.overrides;
  std::vector<std::uint64_t> seeds;
  std::vector<std::vector<std::string>> values;
  Matrix unit;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    seeds.push_back(point_seed(spec, std::int64_t(i)));
    values.push_back(pts[i].values);
    unit.push_back(pts[i].unit);
  }
  j["seeds"] = seeds;
  j["values"] = values;
  j["unit"] = unit;
  return j;
}

std::string design_csv(const Spec& spec, const std::vector<Point>& pts) {
  std::string s = "point_id";
  for (const auto& f : spec.factors) s += fmt::format(",{}", csv_cell(f.key));
  s += "\n";
  for (std::size_t i = 0; i < pts.size(); ++i) {
    s += std::to_string(i);
    for (const auto& v : pts[i].values) s += fmt::format(",{}", csv_cell(v));
    s += "\n";
  }
  return s;
}

/// Creates DIR with its manifest and design, or joins the one another shard created.
void prepare_folder(const fs::path& dir, const Spec& spec, const std::vector<Point>& pts, const SweepOptions& o) {
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec))
    throw Error(fmt::format("--out {}: exists and is not a folder", dir.string()));
  const fs::path man = dir / "manifest.json";
  if (exists && fs::exists(man, ec)) {
    const Manifest m = read_manifest(dir);
    if (m.hash != spec.hash)
      throw Error(
          fmt::format("--out {}: holds a sweep of another spec (hash {}, this spec {}); refusing to mix "
                      "them: use another --out",
                      dir.string(), m.hash, spec.hash));
    if (!o.resume && o.shard.count == 1)
      throw Error(fmt::format("--out {}: already holds this sweep: add --resume to continue it, or use another --out",
                              dir.string()));
    return;
  }
  if (exists && !fs::is_empty(dir, ec)) {
    if (o.resume)
      throw Error(
          fmt::format("--resume: {} is not a sweep folder (no manifest.json); nothing to resume", dir.string()));
    throw Error(
        fmt::format("--out {}: exists and is not empty (and is not a sweep folder): use another --out", dir.string()));
  }
  // The folder appears whole, manifest included, in one rename of a private sibling: shards that
  // start together (a SLURM array) never see a half-made sweep. rename(2) replaces an empty
  // folder and fails on a non-empty one, which means another shard got there first: join it.
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) throw Error(fmt::format("--out {}: cannot create its parent folder: {}", dir.string(), ec.message()));
  const fs::path tmp = dir.string() + fmt::format(".tmp-{}-{}", hostname(), ::getpid());
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp / "records", ec);
  if (ec || ::access(tmp.c_str(), W_OK) != 0)
    throw Error(fmt::format("--out {}: cannot create the folder{}: the place is not writable", dir.string(),
                            ec ? ": " + ec.message() : ""));
  try {
    fs::create_directories(tmp / "writers");
    write_atomic(tmp / "design.csv", design_csv(spec, pts));
    write_atomic(tmp / "manifest.json", manifest_json(spec, pts).dump(2) + "\n");
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  if (::rename(tmp.c_str(), dir.c_str()) == 0) {
    fsync_path(parent, true);
    return;
  }
  const int err = errno;
  fs::remove_all(tmp, ec);
  if (err != ENOTEMPTY && err != EEXIST)
    throw Error(fmt::format("--out {}: cannot create the folder: {}", dir.string(), std::strerror(err)));
  const Manifest m = read_manifest(dir);  // another shard's, made at the same moment
  if (m.hash != spec.hash)
    throw Error(fmt::format("--out {}: another process created it for another spec", dir.string()));
}

/// Every point must fit in memory, as `wom run` checks for one run: refused before anything
/// runs rather than failing row after row.
void check_points_fit(const Spec& spec, const std::vector<Point>& pts) {
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const Scenario sc = override(spec.base.scenario, point_overrides(spec, pts[i]));
    try {
      check_memory(sc, 1, 1, 1);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: point {} does not fit in memory: {}", spec.path, i, e.what()));
    }
  }
}

}  // namespace

std::vector<std::int64_t> prepare_sweep(const std::string& spec_path, const SweepOptions& o) {
  if (o.out.empty()) throw Error("--out: required: the sweep's folder");
  const Spec spec = load_spec(spec_path);
  const std::vector<Point> pts = make_design(spec);
  check_points_fit(spec, pts);
  const FolderLock lock(o.out, "sweep", true);  // shared by the sweep's writers, refusing run, compare, cost
  prepare_folder(fs::path(o.out), spec, pts, o);
  const Manifest m = read_manifest(o.out);
  const Recorded rec = read_records(o.out, m);
  std::vector<std::int64_t> pending;
  for (std::int64_t p = 0; p < m.points; ++p) {
    bool failed = false;
    if (replicates_wanted(m, prefix_rows(rec, p), &failed) > 0 || (failed && o.retry_failed)) pending.push_back(p);
  }
  return pending;
}

SweepRun run_sweep(const std::string& spec_path, const SweepOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.out.empty()) throw Error("--out: required: the sweep's folder");
  if (o.shard.count < 1 || o.shard.index < 0 || o.shard.index >= o.shard.count)
    throw Error(fmt::format("--shard {}/{}: accepted I/N with 0 <= I < N", o.shard.index, o.shard.count));
  const Spec spec = load_spec(spec_path);
  const std::vector<Point> pts = make_design(spec);
  check_points_fit(spec, pts);
  const fs::path dir(o.out);
  const FolderLock lock(o.out, "sweep", true);  // shared by the sweep's writers, refusing run, compare, cost
  if (!o.join) prepare_folder(dir, spec, pts, o);
  const Manifest m = read_manifest(dir);
  if (m.hash != spec.hash)
    throw Error(fmt::format("--out {}: holds a sweep of another spec (hash {}, this spec {})", dir.string(), m.hash,
                            spec.hash));

  const std::string writer = o.writer.empty() ? fmt::format("shard-{}-of-{}", o.shard.index, o.shard.count) : o.writer;
  StoreWriter store((dir / "records" / (writer + ".log")).string());
  {
    json w;
    w["writer"] = writer;
    w["host"] = hostname();
    w["pid"] = ::getpid();
    w["shard"] = {o.shard.index, o.shard.count};
    w["started_at"] = iso8601_now();
    w["threads"] = o.threads > 0 ? o.threads : ThreadLimit::hardware();
    write_atomic(dir / "writers" / (writer + ".json"), w.dump(2) + "\n");
  }

  SweepRun out;
  Recorded rec = read_records(dir, m);
  std::vector<std::int64_t> mine;
  for (std::int64_t p = o.shard.index; p < m.points; p += o.shard.count) mine.push_back(p);
  if (o.retry_failed) {
    // A failed row is not a result: forget it so it runs again (later rows of the point too).
    for (auto it = rec.rows.begin(); it != rec.rows.end();) {
      const bool drop =
          !it->second.ok && (o.source || std::find(mine.begin(), mine.end(), it->first.first) != mine.end());
      it = drop ? rec.rows.erase(it) : std::next(it);
    }
  }
  if (!o.source)
    for (std::int64_t p : mine) out.skipped += std::int64_t(prefix_rows(rec, p).size());

  std::int64_t planned = 0;
  for (std::int64_t p : mine) {
    bool failed = false;
    planned += replicates_wanted(m, prefix_rows(rec, p), &failed);
  }
  ThreadLimit limit(o.threads);
  std::atomic<std::int64_t> runs_done{0}, runs_failed{0}, points_left{std::int64_t(mine.size())};
  Progress progress(o.progress && ::isatty(STDERR_FILENO), std::max<std::int64_t>(planned, 1), [&] {
    return fmt::format("{} runs, {} failed, {} points to go", runs_done.load(), runs_failed.load(), points_left.load());
  });
  const int threads = o.threads > 0 ? o.threads : ThreadLimit::hardware();
  RunOptions run_options;
  if (o.reuse_graphs) run_options.graphs = std::make_shared<GraphCache>(std::size_t(m.rep_max) + std::size_t(threads));
  std::mutex mu;  // guards rec, the store and out
  std::atomic<bool> stop{false};
  std::string first_error;

  auto run_point = [&](std::int64_t p) {
    const Scenario sc = override(spec.base.scenario, point_overrides(spec, pts[std::size_t(p)]));
    for (;;) {
      if (stop) return;
      std::vector<const Row*> rows;
      std::int64_t want = 0;
      {
        std::lock_guard<std::mutex> lock(mu);
        rows = prefix_rows(rec, p);
        bool failed = false;
        want = replicates_wanted(m, rows, &failed);
      }
      if (want == 0) {
        --points_left;
        return;
      }
      const std::int64_t first = std::int64_t(rows.size());
      std::vector<Row> batch(static_cast<std::size_t>(want));
      for_each_block(
          std::size_t(want),
          [&](std::size_t, std::size_t lo, std::size_t hi) {
            for (std::size_t i = lo; i < hi; ++i) {
              Row& r = batch[i];
              r.point = p;
              r.replicate = first + std::int64_t(i);
              r.seed = m.seeds[std::size_t(p)];
              try {
                r.metrics = measure_row(sc, RunPlan{r.seed, 1, r.replicate, {}}, m.metrics, run_options);
              } catch (const Cancelled&) {
                throw;  // not a failed run: the sweep stops, and the row stays pending
              } catch (const std::exception& e) {
                r.ok = false;
                r.error = e.what();
              }
              ++runs_done;
              if (!r.ok) ++runs_failed;
              progress.tick();
            }
          },
          1, 2);
      std::lock_guard<std::mutex> lock(mu);
      for (Row& r : batch) {
        store.append(row_payload(r, m.metrics));
        ++out.ran;
        if (!r.ok && first_error.empty())
          first_error = fmt::format("point {} replicate {}: {}", r.point, r.replicate, r.error);
        if (!r.ok && o.fail_fast) stop = true;
        rec.rows.emplace(std::pair{r.point, r.replicate}, std::move(r));
      }
    }
  };
  // Points in parallel, and each point's batch of replicates in parallel inside.
  std::exception_ptr fatal;
  PointSource source = o.source;
  if (!source)
    source = [&mine, given = false]() mutable {
      if (given) return std::vector<std::int64_t>{};
      given = true;
      return mine;
    };
  for (std::vector<std::int64_t> chunk = source(); !chunk.empty() && !stop; chunk = source()) {
    for_each_block(
        chunk.size(),
        [&](std::size_t, std::size_t lo, std::size_t hi) {
          for (std::size_t i = lo; i < hi; ++i) {
            try {
              run_point(chunk[i]);
            } catch (...) {  // a store that cannot be written: stop everything
              std::lock_guard<std::mutex> lock(mu);
              if (!fatal) fatal = std::current_exception();
              stop = true;
            }
          }
        },
        1, 2);
  }
  if (fatal) std::rethrow_exception(fatal);

  if (run_options.graphs) {
    out.graphs_built = std::int64_t(run_options.graphs->builds());
    out.graphs_reused = std::int64_t(run_options.graphs->hits());
  }
  const Recorded all = read_records(dir, m);
  out.status = status_of(m, all);
  if (o.fail_fast && !first_error.empty())
    throw Error(fmt::format("--fail-fast: stopped at the first failed run: {}", first_error));
  if (out.status.complete() && o.collect_when_complete) {
    collect(dir.string());
    out.collected = true;
  }
  if (o.note && !first_error.empty()) o.note(fmt::format("first failure: {}", first_error));
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace wom::sweep
