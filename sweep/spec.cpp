#include "sweep/spec.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/core/engine.hpp"
#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "sim/io/utf8.hpp"

namespace wom::sweep {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(fmt::format("{}: {} is a folder, not a file", path, what));
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("{}: cannot read the {}: {}", path, what, errno ? std::strerror(errno) : "unreadable"));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// FNV-1a, 64-bit, over several parts (each followed by a separator byte).
std::string digest(const std::vector<std::string>& parts) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string& p : parts) {
    for (unsigned char c : p) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0xFF) * 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

/// The value of a finite double as --set reads it back (shortest round trip).
std::string number_text(double v) { return fmt::format("{}", v); }

struct Reader {
  std::string file;
  std::string at(const YAML::Node& n) const { return fmt::format("{}:{}", file, n.Mark().line + 1); }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const {
    throw Error(fmt::format("{}: {}", at(n), msg));
  }
  double number(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, fmt::format("{}: expected a number", key));
    const std::string& s = n.Scalar();
    try {
      std::size_t used = 0;
      const double v = std::stod(s, &used);
      if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
      return v;
    } catch (const std::exception&) {
      fail(n, fmt::format("{}: expected a finite number, got '{}'", key, s));
    }
  }
  std::int64_t integer(const YAML::Node& n, const std::string& key, std::int64_t lo, std::int64_t hi) const {
    if (!n.IsScalar()) fail(n, fmt::format("{}: expected an integer", key));
    const std::string& s = n.Scalar();
    std::int64_t v = 0;
    try {
      std::size_t used = 0;
      v = std::stoll(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
    } catch (const std::exception&) {
      fail(n, fmt::format("{}: expected an integer, got '{}' (accepted: [{}, {}])", key, s, lo, hi));
    }
    if (v < lo || v > hi) fail(n, fmt::format("{} = {} is out of range: accepted [{}, {}]", key, v, lo, hi));
    return v;
  }
  bool boolean(const YAML::Node& n, const std::string& key) const {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    fail(n, fmt::format("{}: expected true or false", key));
  }
  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar() || n.Scalar().empty()) fail(n, fmt::format("{}: expected a text value", key));
    return n.Scalar();
  }
  /// Rejects keys outside `accepted`, naming the closest.
  void keys(const YAML::Node& map, const std::string& where, const std::vector<std::string>& accepted) const {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (!seen.insert(k).second) fail(kv.first, fmt::format("duplicate key '{}{}'", where, k));
      if (std::find(accepted.begin(), accepted.end(), k) == accepted.end()) {
        std::string best;
        std::size_t best_d = 3;
        for (const auto& a : accepted)
          if (const std::size_t d = edit_distance(k, a); d < best_d) best = a, best_d = d;
        fail(kv.first,
             fmt::format("unknown key '{}{}'{} (accepted: {})", where, k,
                         best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best), fmt::join(accepted, ", ")));
      }
    }
  }
};

const std::vector<std::string> kDesigns = {"grid", "random", "lhs", "sobol", "morris", "csv"};

Factor read_factor(const Reader& rd, const YAML::Node& key, const YAML::Node& v) {
  Factor f;
  f.key = key.Scalar();
  f.at = rd.at(key);
  if (v.IsSequence()) {
    if (v.size() == 0) rd.fail(v, fmt::format("vary: {}: an empty list: give at least one value", f.key));
    std::set<std::string> seen;
    for (const auto& x : v) {
      if (!x.IsScalar())
        rd.fail(x, fmt::format("vary: {}: expected a list of values (numbers or names), got a nested value", f.key));
      if (!seen.insert(x.Scalar()).second)
        rd.fail(x, fmt::format("vary: {}: the value '{}' is listed twice", f.key, x.Scalar()));
      f.values.push_back(x.Scalar());
    }
    return f;
  }
  if (!v.IsMap())
    rd.fail(v, fmt::format("vary: {}: expected a list of values ([a, b, c]) or a range ({{min: a, max: b}})", f.key));
  rd.keys(v, "vary." + f.key + ".", {"min", "max", "log", "integer"});
  if (!v["min"] || !v["max"]) rd.fail(v, fmt::format("vary: {}: a range needs both min and max", f.key));
  f.min = rd.number(v["min"], "vary." + f.key + ".min");
  f.max = rd.number(v["max"], "vary." + f.key + ".max");
  if (v["log"]) f.log = rd.boolean(v["log"], "vary." + f.key + ".log");
  if (v["integer"]) f.integer = rd.boolean(v["integer"], "vary." + f.key + ".integer");
  if (!(f.max > f.min))
    rd.fail(v, fmt::format("vary: {}: the range [{}, {}] is empty or inverted: accepted min < max", f.key,
                           number_text(f.min), number_text(f.max)));
  if (f.log && !(f.min > 0))
    rd.fail(v, fmt::format("vary: {}: log: true needs min > 0, got min = {}", f.key, number_text(f.min)));
  return f;
}

/// Splits one CSV line (no quoting: values are numbers or plain names).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  for (auto& s : out) {
    const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  return out;
}

}  // namespace

std::string Factor::value_at(double u) const {
  if (!is_range()) {
    const std::size_t i = std::min(values.size() - 1, std::size_t(std::max(0.0, u) * double(values.size())));
    return values[i];
  }
  u = std::clamp(u, 0.0, 1.0);
  double v = log ? min * std::pow(max / min, u) : min + u * (max - min);
  v = std::clamp(v, min, max);
  if (integer) return fmt::format("{}", std::int64_t(std::llround(v)));
  return number_text(v);
}

Spec load_spec(const std::string& path) {
  Spec spec;
  spec.path = path;
  spec.text = read_file(path, "sweep spec");
  // The spec's text is kept in manifest.json, which holds UTF-8 only.
  if (const std::size_t bad = utf8_invalid_at(spec.text); bad != std::string::npos)
    throw Error(fmt::format(
        "{}:{}: not UTF-8 text: byte {} is 0x{:02x} (binary data, or text in another encoding: save it as UTF-8)", path,
        1 + std::count(spec.text.begin(), spec.text.begin() + std::ptrdiff_t(bad), '\n'), bad + 1,
        static_cast<unsigned char>(spec.text[bad])));
  const Reader rd{path};
  YAML::Node top;
  try {
    top = YAML::Load(spec.text);
  } catch (const YAML::ParserException& e) {
    throw Error(fmt::format("{}:{}:{}: YAML syntax error: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!top.IsMap())
    throw Error(fmt::format("{}: expected a map of keys at the top level (base:, design:, vary:, ...)", path));
  rd.keys(top, "",
          {"base", "seed", "design", "points", "levels", "file", "vary", "replicates", "metrics", "overrides", "crn"});
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p : (dir / p).lexically_normal().string();
  };

  if (!top["base"]) throw Error(fmt::format("{}: base: missing: name the config the sweep varies", path));
  spec.base_path = resolve(rd.text(top["base"], "base"));
  if (top["seed"])
    spec.seed = std::uint64_t(rd.integer(top["seed"], "seed", 0, std::numeric_limits<std::int64_t>::max()));
  if (top["crn"]) spec.crn = rd.boolean(top["crn"], "crn");
  if (top["design"]) {
    spec.design = rd.text(top["design"], "design");
    if (std::find(kDesigns.begin(), kDesigns.end(), spec.design) == kDesigns.end())
      rd.fail(top["design"],
              fmt::format("design: unknown design '{}' (accepted: {})", spec.design, fmt::join(kDesigns, " | ")));
  }
  const bool sampled =
      spec.design == "random" || spec.design == "lhs" || spec.design == "sobol" || spec.design == "morris";
  if (top["points"]) {
    if (!sampled)
      rd.fail(top["points"],
              fmt::format("points: not used by design '{}' (random, lhs, sobol and morris use it)", spec.design));
    spec.points = rd.integer(top["points"], "points", 1, 1 << 24);
  } else if (sampled) {
    throw Error(fmt::format("{}: points: missing: design '{}' needs it ({})", path, spec.design,
                            spec.design == "sobol"    ? "the base N, a power of 2; N (k + 2) runs"
                            : spec.design == "morris" ? "the number of trajectories; r (k + 1) runs"
                                                      : "the number of points"));
  }
  if (spec.design == "sobol" && (spec.points & (spec.points - 1)) != 0)
    rd.fail(top["points"],
            fmt::format("points = {} is not a power of 2: design sobol accepts 2, 4, 8, 16, ...", spec.points));
  if (top["levels"]) {
    spec.levels = rd.integer(top["levels"], "levels", 2, 1000);
    if (spec.design == "morris" && spec.levels % 2 != 0)
      rd.fail(top["levels"],
              fmt::format("levels = {} is odd: morris accepts an even number of levels (4, 6, 8, ...)", spec.levels));
  }
  if (top["file"]) {
    if (spec.design != "csv") rd.fail(top["file"], "file: only design csv reads a file");
    spec.file = resolve(rd.text(top["file"], "file"));
  } else if (spec.design == "csv") {
    throw Error(fmt::format("{}: file: missing: design csv reads its points from a CSV file", path));
  }

  if (top["vary"]) {
    const YAML::Node v = top["vary"];
    if (!v.IsMap() || v.size() == 0)
      rd.fail(v, "vary: expected a map of keys to lists or ranges (e.g. params.policy.acknowledge_rate: [0, 1])");
    std::set<std::string> seen;
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      if (!seen.insert(k).second) rd.fail(kv.first, fmt::format("vary: duplicate key '{}'", k));
      spec.factors.push_back(read_factor(rd, kv.first, kv.second));
    }
  } else if (spec.design != "csv") {
    throw Error(fmt::format("{}: vary: missing: name the keys the sweep varies", path));
  }
  if (spec.design == "sobol" || spec.design == "morris" || spec.design == "random" || spec.design == "lhs") {
    if (spec.design == "sobol" && 2 * spec.factors.size() > max_sobol_dimensions())
      rd.fail(top["vary"], fmt::format("vary: design sobol accepts at most {} keys, got {}", max_sobol_dimensions() / 2,
                                       spec.factors.size()));
    // As for grid: at most 2^24 design rows, known before any is made (each is checked against
    // the base config and held in memory with its values).
    const std::int64_t k = std::int64_t(spec.factors.size());
    const std::int64_t rows = spec.design == "sobol"    ? spec.points * (k + 2)
                              : spec.design == "morris" ? spec.points * (k + 1)
                                                        : spec.points;
    if (rows > std::int64_t(1) << 24)
      rd.fail(
          top["points"],
          fmt::format("points = {} with {} varied keys makes {} design rows ({}), more than {}: lower points or "
                      "vary fewer keys",
                      spec.points, k, rows, spec.design == "sobol" ? "N (k + 2)" : "r (k + 1)", std::int64_t(1) << 24));
  }

  if (top["overrides"]) {
    const YAML::Node o = top["overrides"];
    if (!o.IsMap()) rd.fail(o, "overrides: expected a map of keys to values (e.g. {time.steps: 365})");
    for (const auto& kv : o) {
      if (!kv.second.IsScalar() && !kv.second.IsSequence())
        rd.fail(kv.second, fmt::format("overrides: {}: expected a value", kv.first.Scalar()));
      YAML::Emitter e;
      e << YAML::Flow << kv.second;
      spec.overrides.push_back(kv.first.Scalar() + "=" + e.c_str());
      for (const auto& f : spec.factors)
        if (f.key == kv.first.Scalar())
          rd.fail(kv.first,
                  fmt::format("overrides: {} is also varied (vary: at {}): give it in one place", f.key, f.at));
    }
  }

  if (top["replicates"]) {
    const YAML::Node r = top["replicates"];
    if (r.IsScalar()) {
      spec.replicates.min = spec.replicates.max = rd.integer(r, "replicates", 1, 1'000'000);
    } else if (r.IsMap()) {
      rd.keys(r, "replicates.", {"min", "max", "batch", "target"});
      if (!r["min"] || !r["max"] || !r["target"])
        rd.fail(r, "replicates: an adaptive count needs min, max and target (batch is optional)");
      spec.replicates.min = rd.integer(r["min"], "replicates.min", 2, 1'000'000);
      spec.replicates.max = rd.integer(r["max"], "replicates.max", spec.replicates.min, 1'000'000);
      spec.replicates.batch = r["batch"] ? rd.integer(r["batch"], "replicates.batch", 1, 1'000'000) : 1;
      const YAML::Node t = r["target"];
      if (!t.IsMap()) rd.fail(t, "replicates.target: expected {metric: NAME, ci_halfwidth: X, relative: true|false}");
      rd.keys(t, "replicates.target.", {"metric", "ci_halfwidth", "relative"});
      if (!t["metric"] || !t["ci_halfwidth"]) rd.fail(t, "replicates.target: needs metric and ci_halfwidth");
      Precision p;
      p.metric = rd.text(t["metric"], "replicates.target.metric");
      p.ci_halfwidth = rd.number(t["ci_halfwidth"], "replicates.target.ci_halfwidth");
      if (!(p.ci_halfwidth > 0)) rd.fail(t["ci_halfwidth"], "replicates.target.ci_halfwidth: accepted a number > 0");
      if (t["relative"]) p.relative = rd.boolean(t["relative"], "replicates.target.relative");
      spec.replicates.target = p;
    } else {
      rd.fail(r, "replicates: expected a number or {min, max, batch, target}");
    }
  }

  // The base config, with the spec's overrides: checked now, so a bad base fails first. Its
  // errors are the base's own (they name its file and line) or an override's: say which key of
  // the spec led there.
  try {
    spec.base = load_config(spec.base_path, spec.overrides);
  } catch (const Error& e) {
    const std::string what = e.what();
    const bool by_override = what.rfind("--set ", 0) == 0 && top["overrides"];
    rd.fail(by_override ? top["overrides"] : top["base"],
            fmt::format("{}: {}", by_override ? "overrides" : "base", what));
  }
  const std::vector<std::string> avail = available_metrics(spec.base.scenario);
  auto check_metric = [&](const std::string& m, const YAML::Node& at) {
    if (m.rfind("cost.", 0) == 0) {  // a figure of cost.json: the sweep runs wom cost for its rows
      if (spec.base.scenario.info->offers.cost.treatment.empty())
        rd.fail(at, fmt::format("metrics: {}: model '{}' offers no cost question, so it has no cost metrics", m,
                                spec.base.scenario.model));
      const std::string top = m.substr(5, m.find('.', 5) == std::string::npos ? std::string::npos : m.find('.', 5) - 5);
      const auto& known = cost_metric_roots();
      if (std::find(known.begin(), known.end(), top) == known.end())
        rd.fail(at, fmt::format("metrics: unknown cost metric '{}' (accepted: cost.X for X a figure of cost.json: {}; "
                                "e.g. cost.total, cost.by_whom.ripple, cost.lost_customer.total)",
                                m, fmt::join(known, ", ")));
      return;
    }
    if (std::find(avail.begin(), avail.end(), m) == avail.end()) {
      std::string best;
      std::size_t best_d = 4;
      for (const auto& a : avail)
        if (const std::size_t d = edit_distance(m, a); d < best_d) best = a, best_d = d;
      rd.fail(at, fmt::format("metrics: unknown metric '{}' of model '{}'{}; accepted: {}", m, spec.base.scenario.model,
                              best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best), fmt::join(avail, ", ")));
    }
  };
  if (top["metrics"]) {
    const YAML::Node m = top["metrics"];
    if (!m.IsSequence() || m.size() == 0) rd.fail(m, "metrics: expected a list of metric names (e.g. [npv])");
    std::set<std::string> seen;
    for (const auto& x : m) {
      const std::string name = rd.text(x, "metrics");
      if (!seen.insert(name).second) rd.fail(x, fmt::format("metrics: '{}' is listed twice", name));
      check_metric(name, x);
      spec.metrics.push_back(name);
    }
  } else {
    // The model's headline figures, in their order; else every metric.
    std::vector<std::pair<int, std::string>> head;
    for (const auto& ms : spec.base.scenario.info->measures)
      if (ms.headline > 0 && std::find(avail.begin(), avail.end(), ms.name) != avail.end())
        head.emplace_back(ms.headline, ms.name);
    std::sort(head.begin(), head.end());
    for (const auto& [h, name] : head)
      if (std::find(spec.metrics.begin(), spec.metrics.end(), name) == spec.metrics.end()) spec.metrics.push_back(name);
    if (spec.metrics.empty()) spec.metrics = avail;
  }
  if (spec.replicates.target) {
    check_metric(spec.replicates.target->metric, top["replicates"]["target"]["metric"]);
    if (std::find(spec.metrics.begin(), spec.metrics.end(), spec.replicates.target->metric) == spec.metrics.end())
      spec.metrics.push_back(spec.replicates.target->metric);
  }
  if (spec.design == "sobol" || spec.design == "morris") {
    for (const auto& f : spec.factors)
      if (!f.is_range())
        throw Error(
            fmt::format("{}: vary: {}: design {} needs a range ({{min, max}}), not a list", f.at, f.key, spec.design));
  }

  std::string csv_text;
  if (spec.design == "csv") {
    csv_text = read_file(spec.file, "csv design");
    if (spec.factors.empty()) {  // no vary: the csv header names the keys
      std::string first = csv_text.substr(0, csv_text.find('\n'));
      if (first.rfind("\xEF\xBB\xBF", 0) == 0) first = first.substr(3);
      for (const auto& h : csv_fields(first)) {
        Factor f;
        f.key = h;
        f.at = spec.file + ":1";
        spec.factors.push_back(f);
      }
    }
  }
  spec.hash = digest({spec.text, spec.base.scenario.resolved.dump(), csv_text});
  return spec;
}

const std::vector<std::string>& cost_metric_roots() {
  static const std::vector<std::string> roots = {"total",
                                                 "ripple",
                                                 "by_whom",
                                                 "partition",
                                                 "by_channel",
                                                 "customers_lost",
                                                 "prospects_not_won",
                                                 "customer_gap",
                                                 "replacement_cost",
                                                 "lost_or_not_won_per_100_argued",
                                                 "others_lost_or_not_won_per_100_argued",
                                                 "lost_customer"};
  return roots;
}

std::vector<std::string> available_metrics(const Scenario& scenario) {
  std::vector<std::string> out;
  const auto model = scenario.info->make(scenario.params);
  const std::vector<std::string> cols = model->columns();
  if (scenario.info->metrics) {
    Trajectory t;
    t.columns = cols;
    t.values.assign(2 * cols.size(), 0.0);
    t.steps_computed = 1;
    try {
      for (const auto& [name, v] : scenario.info->metrics(scenario.params, t, 1.0)) out.push_back(name);
    } catch (const std::exception&) {  // a model that cannot summarise an empty run: columns only
    }
  }
  for (const auto& c : cols)
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

std::vector<std::string> point_overrides(const Spec& spec, const Point& p) {
  std::vector<std::string> o = spec.overrides;
  for (std::size_t i = 0; i < spec.factors.size(); ++i) o.push_back(spec.factors[i].key + "=" + p.values[i]);
  return o;
}

std::uint64_t point_seed(const Spec& spec, std::int64_t point) {
  if (spec.crn) return spec.seed;
  // A keyed hash of (seed, point); kept below 2^53 so every tool reads it back exactly.
  const rng::Stream s(rng::RunKey(spec.seed, std::uint64_t(point)), 0, 0x5EED'5EED'0000'0011ULL);
  return s.bits(0, 0) >> 11;
}

std::vector<Point> make_design(const Spec& spec) {
  std::vector<Point> pts;
  const std::size_t k = spec.factors.size();
  auto from_unit = [&](const Matrix& m) {
    for (const auto& row : m) {
      Point p;
      p.unit = row;
      for (std::size_t i = 0; i < k; ++i) p.values.push_back(spec.factors[i].value_at(row[i]));
      pts.push_back(std::move(p));
    }
  };
  if (spec.design == "grid") {
    std::vector<std::vector<std::string>> levels;
    for (const auto& f : spec.factors) {
      std::vector<std::string> l = f.values;
      if (f.is_range())
        for (std::int64_t i = 0; i < spec.levels; ++i) l.push_back(f.value_at(double(i) / double(spec.levels - 1)));
      levels.push_back(l);
    }
    std::size_t total = 1;
    for (const auto& l : levels) {
      if (total > (std::size_t(1) << 24) / l.size())
        throw Error(fmt::format("{}: design grid: more than {} points: vary fewer keys or values", spec.path,
                                std::size_t(1) << 24));
      total *= l.size();
    }
    for (std::size_t idx = 0; idx < total; ++idx) {  // the last key varies fastest
      Point p;
      p.values.resize(k);
      std::size_t rest = idx;
      for (std::size_t i = k; i-- > 0;) {
        p.values[i] = levels[i][rest % levels[i].size()];
        rest /= levels[i].size();
      }
      pts.push_back(std::move(p));
    }
  } else if (spec.design == "random") {
    from_unit(random_design(std::size_t(spec.points), k, spec.seed));
  } else if (spec.design == "lhs") {
    from_unit(lhs_design(std::size_t(spec.points), k, spec.seed));
  } else if (spec.design == "sobol") {
    from_unit(saltelli_design(std::size_t(spec.points), k, spec.seed));
  } else if (spec.design == "morris") {
    from_unit(morris_design(std::size_t(spec.points), k, std::size_t(spec.levels), spec.seed));
  } else if (spec.design == "csv") {
    std::istringstream in(read_file(spec.file, "csv design"));
    std::string line;
    std::vector<std::string> header;
    std::size_t lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (lineno == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);  // a UTF-8 BOM
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto f = csv_fields(line);
      if (header.empty()) {
        header = f;
        std::set<std::string> seen;
        for (const auto& h : header)
          if (h.empty() || !seen.insert(h).second)
            throw Error(fmt::format("{}:{}: the header names '{}' {}", spec.file, lineno, h,
                                    h.empty() ? "(an empty column name)" : "twice"));
        {
          for (const auto& fac : spec.factors)
            if (!seen.count(fac.key))
              throw Error(fmt::format("{}:{}: missing column '{}' (varied at {}); the columns must be the varied keys",
                                      spec.file, lineno, fac.key, fac.at));
          for (const auto& h : header) {
            bool known = false;
            for (const auto& fac : spec.factors) known |= fac.key == h;
            if (!known) {
              std::vector<std::string> keys;
              for (const auto& fac : spec.factors) keys.push_back(fac.key);
              throw Error(
                  fmt::format("{}:{}: extra column '{}' is not a varied key (the columns must be the keys "
                              "vary: names: {})",
                              spec.file, lineno, h, fmt::join(keys, ", ")));
            }
          }
        }
        continue;
      }
      if (f.size() != header.size())
        throw Error(fmt::format("{}:{}: {} values for {} columns", spec.file, lineno, f.size(), header.size()));
      Point p;
      for (const auto& fac : spec.factors) {
        const std::string& v = f[std::size_t(std::find(header.begin(), header.end(), fac.key) - header.begin())];
        if (v.empty()) throw Error(fmt::format("{}:{}: empty value in column '{}'", spec.file, lineno, fac.key));
        p.values.push_back(v);
      }
      pts.push_back(std::move(p));
    }
    if (header.empty()) throw Error(fmt::format("{}: the csv design is empty: expected a header line", spec.file));
    if (pts.empty()) throw Error(fmt::format("{}: the csv design has a header but no points", spec.file));
  }
  // Every point must make a valid scenario: checked before anything runs.
  for (std::size_t i = 0; i < pts.size(); ++i) {
    try {
      (void) override(spec.base.scenario, point_overrides(spec, pts[i]));
    } catch (const Error& e) {
      throw Error(fmt::format("{}: point {} is not a valid scenario: {}", spec.path, i, e.what()));
    }
  }
  return pts;
}

}  // namespace wom::sweep
