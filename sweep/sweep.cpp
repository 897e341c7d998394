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
#include "sim/io/output.hpp"
#include "sim/io/progress.hpp"
#include "sim/io/runner.hpp"
#include "sweep/sensitivity.hpp"
#include "sweep/spec.hpp"
#include "sweep/store.hpp"
#include "wom/version.hpp"

namespace wom::sweep {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kKind = "wom sweep";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot read", p.string()));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// Writes `text` as `path`, whole or not at all: a temporary sibling, fsync, rename.
void write_atomic(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + fmt::format(".tmp-{}", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error(fmt::format("{}: could not write (disk full or not writable?)", path.string()));
    }
  }
  fsync_path(tmp, false);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(fmt::format("{}: could not write: {}", path.string(), ec.message()));
  }
  fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path(), true);
}

std::string hostname() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "";
  return fmt::format("{}", v);
}

/// What the manifest says about the sweep: enough for status, collect and analyze.
struct Manifest {  // NOLINT(bugprone-exception-escape): clang-tidy 14 flags the implicit members of a json holder
  json doc;
  std::string hash, design;
  std::vector<std::string> keys, metrics;
  std::vector<std::vector<std::string>> values;  ///< per point
  Matrix unit;                                   ///< per point (sampled designs)
  std::int64_t points = 0, rep_min = 1, rep_max = 1, sobol_n = 0, levels = 0;
  std::optional<Precision> target;
  std::vector<std::uint64_t> seeds;  ///< per point
};

Manifest read_manifest(const fs::path& dir) {
  const fs::path p = dir / "manifest.json";
  std::error_code ec;
  if (!fs::exists(p, ec))
    throw Error(
        fmt::format("{}: not a sweep folder (no manifest.json): give the --out folder of 'wom sweep'", dir.string()));
  Manifest m;
  try {
    m.doc = json::parse(read_text(p));
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: damaged manifest: {}", p.string(), e.what()));
  }
  if (m.doc.value("kind", "") != kKind) throw Error(fmt::format("{}: not a sweep manifest", p.string()));
  m.hash = m.doc.at("spec_hash").get<std::string>();
  m.design = m.doc.at("design").get<std::string>();
  m.keys = m.doc.at("keys").get<std::vector<std::string>>();
  m.metrics = m.doc.at("metrics").get<std::vector<std::string>>();
  m.values = m.doc.at("values").get<std::vector<std::vector<std::string>>>();
  m.unit = m.doc.at("unit").get<Matrix>();
  m.points = std::int64_t(m.values.size());
  m.rep_min = m.doc.at("replicates").at("min").get<std::int64_t>();
  m.rep_max = m.doc.at("replicates").at("max").get<std::int64_t>();
  if (m.doc.at("replicates").contains("target")) {
    const json& t = m.doc["replicates"]["target"];
    m.target =
        Precision{t.at("metric").get<std::string>(), t.at("ci_halfwidth").get<double>(), t.at("relative").get<bool>()};
  }
  m.sobol_n = m.doc.value("sobol_n", std::int64_t(0));
  m.levels = m.doc.value("levels", std::int64_t(0));
  m.seeds = m.doc.at("seeds").get<std::vector<std::uint64_t>>();
  return m;
}

/// One recorded row.
struct Row {
  std::int64_t point = 0, replicate = 0;
  std::uint64_t seed = 0;
  bool ok = true;
  std::vector<double> metrics;
  std::string error;
};

std::string row_payload(const Row& r, const std::vector<std::string>& names) {
  json j;
  j["point"] = r.point;
  j["replicate"] = r.replicate;
  j["seed"] = r.seed;
  if (r.ok) {
    json m = json::object();
    for (std::size_t i = 0; i < names.size(); ++i)
      m[names[i]] = std::isfinite(r.metrics[i]) ? json(r.metrics[i]) : json();
    j["metrics"] = m;
  } else {
    j["error"] = r.error;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Every writer's rows: the first record of each (point, replicate) wins (rows are pure
/// functions of their inputs, so a repeat is identical), except that an ok row replaces a
/// failed one.
struct Recorded {
  std::map<std::pair<std::int64_t, std::int64_t>, Row> rows;
  std::vector<std::string> writers, problems;
  std::int64_t dropped = 0;
};

Recorded read_records(const fs::path& dir, const Manifest& m) {
  Recorded out;
  const fs::path rec = dir / "records";
  std::error_code ec;
  if (!fs::is_directory(rec, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(rec))
    if (e.path().extension() == ".log") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    out.writers.push_back(f.stem().string());
    StoreContents c = read_store(f.string());
    out.dropped += std::int64_t(c.dropped);
    if (!c.problem.empty()) out.problems.push_back(c.problem);
    for (const std::string& payload : c.records) {
      Row r;
      try {
        const json j = json::parse(payload);
        r.point = j.at("point").get<std::int64_t>();
        r.replicate = j.at("replicate").get<std::int64_t>();
        r.seed = j.at("seed").get<std::uint64_t>();
        r.ok = j.contains("metrics");
        if (r.ok) {
          for (const auto& name : m.metrics) {
            const json& v = j["metrics"].value(name, json());
            r.metrics.push_back(v.is_number() ? v.get<double>() : std::nan(""));
          }
        } else {
          r.error = j.value("error", "");
        }
      } catch (const json::exception&) {
        out.problems.push_back(fmt::format("{}: a record that is not a row was skipped", f.string()));
        continue;
      }
      if (r.point < 0 || r.point >= m.points) continue;
      // An ok row replaces a failed one (a failure retried with --retry-failed); otherwise the
      // first record stands (rows are pure functions of their inputs: a repeat is identical).
      auto [it, fresh] = out.rows.try_emplace(std::pair{r.point, r.replicate}, r);
      if (!fresh && !it->second.ok && r.ok) it->second = std::move(r);
    }
  }
  return out;
}

/// Student-t 95 % half-width of the values (infinite with fewer than two).
double halfwidth(const std::vector<double>& v, double* mean) {
  const Estimate e = estimate(v);
  if (mean) *mean = e.mean;
  return v.size() < 2 ? INFINITY : (e.ci_high - e.ci_low) / 2;
}

/// How many replicates point p still needs, given its recorded rows 0..have-1: 0 when done.
/// `failed`: a row of the point failed (then nothing more is run).
std::int64_t replicates_wanted(const Manifest& m, const std::vector<const Row*>& rows, bool* failed) {
  *failed = false;
  for (const Row* r : rows)
    if (!r->ok) *failed = true;
  if (*failed) return 0;
  const std::int64_t have = std::int64_t(rows.size());
  if (have < m.rep_min) return m.rep_min - have;
  if (!m.target || have >= m.rep_max) return 0;
  const auto it = std::find(m.metrics.begin(), m.metrics.end(), m.target->metric);
  std::vector<double> v;
  v.reserve(rows.size());
  for (const Row* r : rows) v.push_back(r->metrics[std::size_t(it - m.metrics.begin())]);
  double mean = 0;
  const double hw = halfwidth(v, &mean);
  const double goal = m.target->relative ? m.target->ci_halfwidth * std::abs(mean) : m.target->ci_halfwidth;
  if (hw <= goal) return 0;
  const std::int64_t batch = m.doc["replicates"].value("batch", std::int64_t(1));
  return std::min(batch, m.rep_max - have);
}

/// The rows of point p in replicate order, stopping at the first missing replicate.
std::vector<const Row*> prefix_rows(const Recorded& rec, std::int64_t p) {
  std::vector<const Row*> out;
  for (std::int64_t r = 0;; ++r) {
    const auto it = rec.rows.find({p, r});
    if (it == rec.rows.end()) break;
    out.push_back(&it->second);
  }
  return out;
}

SweepStatus status_of(const Manifest& m, const Recorded& rec) {
  SweepStatus s;
  s.points = m.points;
  s.writers = rec.writers;
  s.problems = rec.problems;
  s.dropped = rec.dropped;
  for (const auto& [key, r] : rec.rows) (r.ok ? s.rows : s.failed_rows)++;
  for (std::int64_t p = 0; p < m.points; ++p) {
    bool failed = false;
    const std::int64_t want = replicates_wanted(m, prefix_rows(rec, p), &failed);
    if (failed)
      ++s.points_failed;
    else if (want == 0)
      ++s.points_done;
    else
      ++s.points_pending;
  }
  return s;
}

/// The figure of cost.json that a `cost.X.Y` metric names: an estimate reads as its mean, a
/// group of parts as its total.
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

}  // namespace

SweepStatus sweep_status(const std::string& dir) {
  const Manifest m = read_manifest(dir);
  return status_of(m, read_records(dir, m));
}

std::vector<std::string> collect(const std::string& dir_s) {
  const fs::path dir(dir_s);
  const Manifest m = read_manifest(dir);
  const Recorded rec = read_records(dir, m);
  std::string csv = "point_id,replicate,seed";
  for (const auto& k : m.keys) csv += fmt::format(",{}", csv_cell(k));
  for (const auto& k : m.metrics) csv += fmt::format(",{}", csv_cell(k));
  csv += "\n";
  std::string jsonl, failures = "point_id,replicate,seed,error\n";
  std::string points = "point_id";
  for (const auto& k : m.keys) points += fmt::format(",{}", csv_cell(k));
  points += ",replicates,status\n";
  for (std::int64_t p = 0; p < m.points; ++p) {
    const auto rows = prefix_rows(rec, p);
    for (const Row* r : rows) {
      if (!r->ok) {
        failures += fmt::format("{},{},{},{}\n", r->point, r->replicate, r->seed, csv_cell(r->error));
        continue;
      }
      csv += fmt::format("{},{},{}", r->point, r->replicate, r->seed);
      json j;
      j["point_id"] = r->point;
      j["replicate"] = r->replicate;
      j["seed"] = r->seed;
      for (std::size_t i = 0; i < m.keys.size(); ++i) {
        csv += fmt::format(",{}", csv_cell(m.values[std::size_t(p)][i]));
        j[m.keys[i]] = m.values[std::size_t(p)][i];
      }
      for (std::size_t i = 0; i < m.metrics.size(); ++i) {
        csv += fmt::format(",{}", number(r->metrics[i]));
        j[m.metrics[i]] = std::isfinite(r->metrics[i]) ? json(r->metrics[i]) : json();
      }
      csv += "\n";
      jsonl += j.dump() + "\n";
    }
    bool failed = false;
    const std::int64_t want = replicates_wanted(m, rows, &failed);
    std::int64_t ok = 0;
    for (const Row* r : rows) ok += r->ok;
    points += std::to_string(p);
    for (const auto& v : m.values[std::size_t(p)]) points += fmt::format(",{}", csv_cell(v));
    points += fmt::format(",{},{}\n", ok, failed ? "failed" : want == 0 ? "done" : "pending");
  }
  std::vector<std::string> written;
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"results.csv", csv}, {"results.jsonl", jsonl}, {"points.csv", points}, {"failures.csv", failures}}) {
    write_atomic(dir / name, text);
    written.push_back((dir / name).string());
  }
  return written;
}

std::vector<std::int64_t> prepare_sweep(const std::string& spec_path, const SweepOptions& o) {
  if (o.out.empty()) throw Error("--out: required: the sweep's folder");
  const Spec spec = load_spec(spec_path);
  const std::vector<Point> pts = make_design(spec);
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
  const fs::path dir(o.out);
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

std::string analyze(const std::string& dir_s, std::vector<std::string>* written) {
  const fs::path dir(dir_s);
  const Manifest m = read_manifest(dir);
  if (m.design != "sobol" && m.design != "morris")
    throw Error(fmt::format("{}: design '{}' has no sensitivity indices: analyze reads designs sobol and morris", dir_s,
                            m.design));
  const Recorded rec = read_records(dir, m);
  const std::size_t k = m.keys.size();
  // Per design row, the mean over its replicates.
  std::vector<std::vector<double>> y(m.metrics.size(), std::vector<double>(std::size_t(m.points)));
  std::vector<std::int64_t> missing;
  for (std::int64_t p = 0; p < m.points; ++p) {
    const auto rows = prefix_rows(rec, p);
    std::vector<const Row*> ok;
    for (const Row* r : rows)
      if (r->ok) ok.push_back(r);
    if (ok.empty() || ok.size() != rows.size()) {
      missing.push_back(p);
      continue;
    }
    for (std::size_t j = 0; j < m.metrics.size(); ++j) {
      double s = 0;
      for (const Row* r : ok) s += r->metrics[j];
      y[j][std::size_t(p)] = s / double(ok.size());
    }
  }
  if (!missing.empty())
    throw Error(
        fmt::format("{}: {} design points have no complete results (first: point {}); finish the sweep "
                    "(wom sweep SPEC --out DIR --resume) or see failures.csv",
                    dir_s, missing.size(), missing.front()));
  std::string csv, text;
  if (m.design == "sobol") {
    csv = "metric,key,S1,S1_low,S1_high,ST,ST_low,ST_high\n";
    for (std::size_t j = 0; j < m.metrics.size(); ++j) {
      const auto idx = sobol_indices(std::size_t(m.sobol_n), k, y[j]);
      std::vector<std::size_t> order(k);
      for (std::size_t i = 0; i < k; ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](auto a, auto b) { return idx[a].ST > idx[b].ST; });
      text += fmt::format("{}: total-order ranking (ST, first order S1, 95 % bootstrap CIs)\n", m.metrics[j]);
      for (std::size_t i : order) {
        const auto& s = idx[i];
        csv += fmt::format("{},{},{},{},{},{},{},{}\n", csv_cell(m.metrics[j]), csv_cell(m.keys[i]), s.S1, s.S1_low,
                           s.S1_high, s.ST, s.ST_low, s.ST_high);
        text += fmt::format("  {:<44} ST {:6.3f} [{:6.3f}, {:6.3f}]   S1 {:6.3f} [{:6.3f}, {:6.3f}]\n", m.keys[i], s.ST,
                            s.ST_low, s.ST_high, s.S1, s.S1_low, s.S1_high);
      }
    }
  } else {
    csv = "metric,key,mu,mu_star,sigma\n";
    for (std::size_t j = 0; j < m.metrics.size(); ++j) {
      const auto idx = morris_indices(m.unit, y[j], k);
      std::vector<std::size_t> order(k);
      for (std::size_t i = 0; i < k; ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](auto a, auto b) { return idx[a].mu_star > idx[b].mu_star; });
      text += fmt::format("{}: Morris ranking (mu*, mu, sigma; per unit of each key's range)\n", m.metrics[j]);
      for (std::size_t i : order) {
        csv += fmt::format("{},{},{},{},{}\n", csv_cell(m.metrics[j]), csv_cell(m.keys[i]), idx[i].mu, idx[i].mu_star,
                           idx[i].sigma);
        text += fmt::format("  {:<44} mu* {:.6g}   mu {:.6g}   sigma {:.6g}\n", m.keys[i], idx[i].mu_star, idx[i].mu,
                            idx[i].sigma);
      }
    }
  }
  write_atomic(dir / "sensitivity.csv", csv);
  if (written) written->push_back((dir / "sensitivity.csv").string());
  return text;
}

}  // namespace wom::sweep
