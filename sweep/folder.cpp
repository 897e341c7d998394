#include "sweep/folder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/io/output.hpp"
#include "sweep/store.hpp"

namespace wom::sweep {

namespace detail {

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

void write_atomic(const fs::path& path, const std::string& text) {
  add_file(path.has_parent_path() ? path.parent_path().string() : ".",
           OutputFile{path.filename().string(), [&](std::ostream& os) { os << text; }});
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

namespace {

/// `j` as an integer, refusing what get<std::int64_t>() would convert with undefined behaviour
/// (a float out of range, such as 1e300) or wrap (an unsigned above 2^63 - 1): throws
/// json::type_error, as get() does for a value of the wrong type.
std::int64_t json_int(const json& j) {
  if (j.is_number_integer() &&
      !(j.is_number_unsigned() && j.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())))
    return j.get<std::int64_t>();
  throw json::type_error::create(302, fmt::format("expected an integer, got {}", j.dump()), &j);
}

/// `j` as a non-negative integer up to 2^64 - 1 (a seed).
std::uint64_t json_uint(const json& j) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  throw json::type_error::create(302, fmt::format("expected a non-negative integer, got {}", j.dump()), &j);
}

}  // namespace

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
  if (!m.doc.is_object() || !m.doc.contains("kind") || m.doc["kind"] != kKind)
    throw Error(fmt::format("{}: not a sweep manifest", p.string()));
  // wom writes the manifest; one that was edited or damaged is refused whole, naming what is
  // wrong, rather than read partly (a metric index or a seed out of range).
  auto damaged = [&](const std::string& what) {
    return Error(
        fmt::format("{}: damaged manifest: {} (it is written by wom sweep; restore it, or run the sweep "
                    "again into a new folder)",
                    p.string(), what));
  };
  try {
    m.hash = m.doc.at("spec_hash").get<std::string>();
    m.design = m.doc.at("design").get<std::string>();
    m.keys = m.doc.at("keys").get<std::vector<std::string>>();
    m.metrics = m.doc.at("metrics").get<std::vector<std::string>>();
    m.values = m.doc.at("values").get<std::vector<std::vector<std::string>>>();
    m.unit = m.doc.at("unit").get<Matrix>();
    m.points = std::int64_t(m.values.size());
    const json& reps = m.doc.at("replicates");
    m.rep_min = json_int(reps.at("min"));
    m.rep_max = json_int(reps.at("max"));
    if (reps.contains("batch")) m.rep_batch = json_int(reps.at("batch"));
    if (m.rep_batch < 1) throw damaged(fmt::format("replicates.batch = {}: expected 1 or more", m.rep_batch));
    if (reps.contains("target")) {
      const json& t = reps.at("target");
      m.target = Precision{t.at("metric").get<std::string>(), t.at("ci_halfwidth").get<double>(),
                           t.at("relative").get<bool>()};
    }
    if (m.doc.contains("sobol_n")) m.sobol_n = json_int(m.doc.at("sobol_n"));
    if (m.doc.contains("levels")) m.levels = json_int(m.doc.at("levels"));
    const json& seeds = m.doc.at("seeds");
    if (!seeds.is_array()) throw damaged(fmt::format("seeds: expected a list, got {}", seeds.dump()));
    for (const json& s : seeds) m.seeds.push_back(json_uint(s));
  } catch (const json::exception& e) {
    throw damaged(e.what());
  }
  if (m.rep_min < 1 || m.rep_max < m.rep_min)
    throw damaged(fmt::format("replicates min = {}, max = {}: expected 1 <= min <= max", m.rep_min, m.rep_max));
  if (m.target && std::find(m.metrics.begin(), m.metrics.end(), m.target->metric) == m.metrics.end())
    throw damaged(fmt::format("the precision target's metric '{}' is not among its metrics", m.target->metric));
  if (m.seeds.size() != m.values.size())
    throw damaged(fmt::format("{} seeds for {} points", m.seeds.size(), m.values.size()));
  for (std::size_t i = 0; i < m.values.size(); ++i)
    if (m.values[i].size() != m.keys.size())
      throw damaged(fmt::format("point {} has {} values for {} keys", i, m.values[i].size(), m.keys.size()));
  return m;
}

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
        r.point = json_int(j.at("point"));
        r.replicate = json_int(j.at("replicate"));
        r.seed = json_uint(j.at("seed"));
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
  return std::min(m.rep_batch, m.rep_max - have);
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

}  // namespace detail

using namespace detail;

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

}  // namespace wom::sweep
