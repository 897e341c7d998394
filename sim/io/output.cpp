#include "sim/io/output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/students_t.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <utility>

#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "wom/version.hpp"

namespace wom {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

/// Integral values (counts) without decimals; anything else in the shortest round-trip form.
void append_number(fmt::memory_buffer& buf, double v) {
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9007199254740992.0) {
    fmt::format_to(std::back_inserter(buf), "{}", std::int64_t(v));
  } else {
    fmt::format_to(std::back_inserter(buf), "{}", v);
  }
}

json number(double v) { return json_number(v); }

json estimate_json(const Estimate& e) {
  return json{
      {"mean", number(e.mean)}, {"se", number(e.se)}, {"ci95", json::array({number(e.ci_low), number(e.ci_high)})}};
}

/// The folder as given, without a trailing separator ("out/" → "out").
fs::path clean(const std::string& dir) {
  fs::path d = fs::path(dir).lexically_normal();
  // ("/" is its own parent: stop there.)
  while (d.has_parent_path() && d.filename().empty() && d.parent_path() != d) d = d.parent_path();
  return d;
}

/// A sibling of `dir` named `dir<suffix>-<pid>`: on the same file system, so a rename between
/// the two is atomic.
fs::path sibling(const fs::path& dir, const char* suffix) {
  return dir.parent_path() / (dir.filename().string() + suffix + std::to_string(::getpid()));
}

/// The files each command writes; a folder holding one of them holds that command's outputs.
struct CommandFiles {
  const char* command;
  std::vector<std::string> files;
};
const std::vector<CommandFiles>& command_files() {
  static const std::vector<CommandFiles> table = {{"run", {"summary.json", "timeseries.csv"}},
                                                  {"compare", {"compare.json", "compare.csv"}},
                                                  {"cost", {"cost.json", "cost_events.csv"}}};
  return table;
}

/// Every name a wom command has written into an output folder (folders written before the
/// marker existed hold only these).
bool wom_file_name(const std::string& name) {
  if (name == kOutputMarker || name == "report.html" || name == "config.yaml") return true;
  for (const auto& c : command_files())
    if (std::find(c.files.begin(), c.files.end(), name) != c.files.end()) return true;
  return false;
}

/// The marker's lines: "wom COMMAND", then the files the command wrote, one a line (after a
/// comment line). Empty when there is no marker.
std::vector<std::string> marker_lines(const fs::path& dir) {
  std::vector<std::string> lines;
  std::ifstream in(dir / kOutputMarker);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') lines.push_back(l);
  return lines;
}

/// Why `--force` may not replace the existing folder `d` (empty when it may): it must be an
/// empty folder or hold only what wom wrote there — the files its marker lists, or, in a
/// folder written before markers, only names wom writes — and no folder.
std::string why_not_replaceable(const fs::path& d) {
  std::error_code ec;
  if (fs::is_symlink(d, ec)) return "it is a symbolic link; --force replaces only a real folder";
  const auto marker = marker_lines(d);
  const bool marked = !marker.empty() && marker.front().rfind("wom ", 0) == 0;
  std::vector<std::string> foreign;
  bool any = false;
  for (const auto& e : fs::directory_iterator(d, ec)) {
    any = true;
    const std::string name = e.path().filename().string();
    const bool listed = marked && std::find(marker.begin() + 1, marker.end(), name) != marker.end();
    if (e.is_directory(ec) || e.is_symlink(ec) || !(listed || wom_file_name(name))) foreign.push_back(name);
  }
  if (ec) return ec.message();
  if (!any || foreign.empty()) {
    if (any && !marked && output_commands(d.string()).empty()) return "it holds no wom outputs";
    return {};
  }
  std::string names;
  for (std::size_t i = 0; i < foreign.size() && i < 3; ++i) names += (i ? ", '" : "'") + foreign[i] + "'";
  if (foreign.size() > 3) names += fmt::format(" and {} more", foreign.size() - 3);
  return fmt::format("it holds {}, which wom did not write", names);
}

/// What a failed write means to a user, for the errors of a full disk or a file-size limit.
std::string full_disk_hint(int err) {
  return err == ENOSPC || err == EDQUOT || err == EFBIG ? " (the disk is full or a file-size limit was hit)" : "";
}

Error write_error(const std::string& shown, int err) {
  return Error(fmt::format("writing {}: {}{}", shown, std::strerror(err), full_disk_hint(err)));
}

/// A stream buffer on a file descriptor that keeps the errno of the first failed write(2), so a
/// failure is reported with its real cause however late the stream notices it (an ofstream only
/// says that something failed, and errno may be overwritten by then).
class FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
  int error() const { return err_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* p = pbase();
    std::size_t left = std::size_t(pptr() - pbase());
    while (left > 0 && err_ == 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err_ = n < 0 ? errno : EIO;
        break;
      }
      p += n;
      left -= std::size_t(n);
    }
    setp(buf_, buf_ + sizeof buf_);
    return err_ == 0;
  }

  int fd_;
  int err_ = 0;
  char buf_[1 << 16];
};

/// Writes what `fill` streams as the file `path` (created or truncated) and makes it durable
/// (fsync). Every write, the fsync and the close are checked; a failure throws "writing SHOWN:
/// why" (`shown`: the name the user knows, not the temporary one).
void write_durable(const fs::path& path, const std::string& shown, const std::function<void(std::ostream&)>& fill) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw write_error(shown, errno);
  int err = 0;
  try {
    FdBuf buf(fd);
    std::ostream os(&buf);
    fill(os);
    os.flush();
    err = buf.error();
    if (err == 0 && !os) err = EIO;
  } catch (...) {
    ::close(fd);
    throw;
  }
  int rc;
  do rc = ::fsync(fd);
  while (rc != 0 && errno == EINTR);
  if (err == 0 && rc != 0 && errno != EINVAL) err = errno;  // EINVAL: a file system without fsync
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err != 0) throw write_error(shown, err);
}

/// Flushes a file's or a folder's data to the disk (fsync), so that a folder renamed into place
/// after a crash holds complete files; a path that cannot be opened is reported.
void sync_to_disk(const fs::path& p, bool folder) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0));
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    throw Error(fmt::format("cannot flush '{}' to disk: {}", p.string(), std::strerror(err)));
  }
  ::close(fd);
}

/// Owns the temporary folder beside the output folder: removed on destruction unless it became
/// the output folder.
class Staging {
 public:
  explicit Staging(fs::path dir) : dir_(std::move(dir)), tmp_(sibling(dir_, ".tmp-")) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);  // a stale folder of a killed run that had our pid
    if (!fs::create_directories(tmp_, ec) || ec)
      throw Error(
          fmt::format("cannot create output folder '{}': {}", tmp_.string(), ec ? ec.message() : "it already exists"));
  }
  ~Staging() {
    std::error_code ec;
    if (!tmp_.empty()) fs::remove_all(tmp_, ec);  // best effort; nothing half-written stays behind
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  /// Writes one file into the temporary folder; `fill` streams its content. A failure (a full
  /// disk, a file-size limit) names the file by its place in the output folder; the folder is
  /// then never made (the destructor removes the temporary one).
  void write(const std::string& name, const std::function<void(std::ostream&)>& fill) {
    if (name.empty() || name.find('/') != std::string::npos || name == kOutputMarker)
      throw Error(fmt::format("output file name '{}' is not a plain file name", name));
    throw_if_cancelled();  // a signal while the outputs are written: none of them appears
    try {
      write_durable(tmp_ / name, (dir_ / name).string(), fill);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + "; nothing was written");
    }
    names_.push_back(name);
  }

  /// Writes the marker, then makes the temporary folder the output folder: one rename when
  /// there is none, else (`force`) an atomic exchange with the old folder, which is then
  /// deleted. Where the file system cannot exchange, the old folder is renamed away first and
  /// renamed back if the new one cannot take its place; at every moment each of the two is
  /// complete under one of the three names.
  std::vector<std::string> commit(const std::string& command, bool force) {
    std::string marker = fmt::format(
        "wom {0}\n# The outputs of one `wom {0}`, written as a whole folder: wom adds nothing to it later but\n"
        "# report.html (`wom report`), and `--force` replaces it whole. The files `wom {0}` wrote:\n",
        command);
    for (const auto& n : names_) marker += n + "\n";
    try {
      write_durable(tmp_ / kOutputMarker, (dir_ / kOutputMarker).string(), [&](std::ostream& os) { os << marker; });
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + "; nothing was written");
    }
    sync_to_disk(tmp_, true);
    throw_if_cancelled();  // the last moment at which stopping leaves nothing
    std::error_code ec;
    if (!fs::exists(dir_, ec)) {
      fs::rename(tmp_, dir_, ec);
      if (ec) throw Error(fmt::format("cannot move '{}' to '{}': {}", tmp_.string(), dir_.string(), ec.message()));
      tmp_.clear();  // it is the output folder now
    } else {
      if (!force)
        throw Error(
            fmt::format("output folder '{}' appeared while wom was running; nothing was written there", dir_.string()));
      if (const std::string why = why_not_replaceable(dir_); !why.empty())
        throw Error(fmt::format("cannot replace output folder '{}': {}", dir_.string(), why));
      if (::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, dir_.c_str(), RENAME_EXCHANGE) != 0) {
        // No exchange here (e.g. an overlay or network file system): two renames.
        const fs::path old = sibling(dir_, ".old-");
        fs::remove_all(old, ec);
        fs::rename(dir_, old, ec);
        if (ec) throw Error(fmt::format("cannot replace output folder '{}': {}", dir_.string(), ec.message()));
        fs::rename(tmp_, dir_, ec);
        if (ec) {
          std::error_code back;
          fs::rename(old, dir_, back);
          if (back)  // the old outputs are safe, under another name: say where
            throw Error(fmt::format("cannot replace output folder '{}': {}; its previous contents are in '{}'",
                                    dir_.string(), ec.message(), old.string()));
          throw Error(fmt::format("cannot replace output folder '{}': {}", dir_.string(), ec.message()));
        }
        tmp_ = old;  // the destructor deletes the old folder
      }
      // After the exchange the temporary name holds the old folder: the destructor deletes it.
    }
    // The rename itself reaches the disk with the parent folder.
    sync_to_disk(dir_.has_parent_path() ? dir_.parent_path() : fs::path("."), true);
    std::vector<std::string> written;
    for (const auto& name : names_) written.push_back((dir_ / name).string());
    return written;
  }

 private:
  fs::path dir_;
  fs::path tmp_;
  std::vector<std::string> names_;
};

}  // namespace

json json_number(double v) {
  if (!std::isfinite(v)) return nullptr;  // JSON has no NaN or infinity
  if (std::floor(v) == v && std::fabs(v) < 9007199254740992.0) return std::int64_t(v);
  return v;
}

json estimate_object(const Estimate& e) {
  return json{{"mean", json_number(e.mean)},
              {"se", json_number(e.se)},
              {"ci_low", json_number(e.ci_low)},
              {"ci_high", json_number(e.ci_high)},
              {"count", e.count}};
}

std::string number_text(double v) {
  fmt::memory_buffer buf;
  append_number(buf, v);
  return fmt::to_string(buf);
}

std::string readable_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 1e7 || a < 1e-3) return fmt::format("{:.4g}", v);
  const int decimals = std::max(0, 3 - int(std::floor(std::log10(a))));
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find('.') != std::string::npos) {  // 12.50 → 12.5, 3.000 → 3
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string group_thousands(const std::string& s) {
  if (s.find_first_of("eE") != std::string::npos) return s;
  const std::size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  std::string out = s.substr(0, start);
  const std::string digits = s.substr(start, end - start);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out + s.substr(end);
}

std::string money_text(double v, const std::string& currency) { return FigureFormat{Unit::Money, currency}.text(v); }

const char* split_marker(const ValueSplit& v, const std::string& name, const std::string& prev,
                         const std::string& prev2) {
  const bool declared = !v.total.empty();
  if ((declared && name == v.cash_flow && prev == v.total) || (name == "return_cash_flow" && prev == "return"))
    return "=";
  if ((declared && name == v.terminal && prev == v.cash_flow && prev2 == v.total) ||
      (name == "return_terminal_value" && prev == "return_cash_flow" && prev2 == "return"))
    return "+";
  return "";
}

Estimate bounded(Estimate e, Unit u) {
  if (u == Unit::Persons || u == Unit::Count) {
    e.ci_low = std::max(e.ci_low, 0.0);
    e.ci_high = std::max(e.ci_high, 0.0);
  }
  return e;
}

const char* aggregate_name(Aggregate a) {
  switch (a) {
    case Aggregate::Level:
      return "level";
    case Aggregate::Sum:
      return "sum";
    case Aggregate::Max:
      return "max";
  }
  return "level";
}

Unit unit_of_name(const std::string& name) {
  for (Unit u :
       {Unit::Persons, Unit::Count, Unit::Share, Unit::PerYear, Unit::Money, Unit::Stars, Unit::Attitude, Unit::Number})
    if (name == unit_name(u)) return u;
  return Unit::Number;
}

Aggregate aggregate_of_name(const std::string& name) {
  for (Aggregate a : {Aggregate::Level, Aggregate::Sum, Aggregate::Max})
    if (name == aggregate_name(a)) return a;
  return Aggregate::Level;
}

json measure_json(const Measure& m) {
  json j{{"unit", unit_name(m.unit)}, {"aggregate", aggregate_name(m.aggregate)}, {"meaning", m.meaning}};
  if (m.headline > 0) j["headline"] = m.headline;
  return j;
}

json measures_json(const std::vector<ColumnSummary>& columns, const std::vector<MetricSummary>& metrics) {
  json cols = json::object(), mets = json::object();
  for (const auto& c : columns) cols[c.name] = measure_json(c.measure);
  for (const auto& m : metrics) mets[m.name] = measure_json(m.measure);
  return json{{"columns", cols}, {"metrics", mets}};
}

std::string scenario_currency(const Scenario& scenario) {
  const std::string key = scenario.info ? scenario.info->offers.currency_param : std::string();
  return !key.empty() && scenario.params.has(key) ? scenario.params.str(key) : std::string();
}

namespace {

/// Decimals that give `sig` significant digits to figures of magnitude `a`, in [0, most].
int significant_decimals(double a, int sig, int most) {
  if (!(a > 0) || !std::isfinite(a)) return 0;
  return std::clamp(sig - 1 - int(std::floor(std::log10(a))), 0, most);
}

bool integral(double v) { return std::isfinite(v) && std::floor(v) == v; }

/// Width of UTF-8 text in code points ("−" and "★" are one each).
std::size_t code_points(const std::string& t) {
  std::size_t n = 0;
  for (unsigned char c : t) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

int FigureFormat::decimals(double reference, bool whole) const {
  const double a = std::fabs(reference);
  switch (unit) {
    case Unit::Money:
      return a >= 10 ? 0 : 2;  // cents are noise to a reader from 10 up
    case Unit::Share:
    case Unit::PerYear:
      return significant_decimals(100 * a, 3, 4);
    case Unit::Persons:
    case Unit::Count:
      if (whole || a >= 1000) return 0;
      return a >= 1 ? 1 : std::max(1, significant_decimals(a, 2, 4));
    case Unit::Stars:
      return 2;
    case Unit::Attitude:
      return 3;
    case Unit::Number:
      return whole ? 0 : significant_decimals(a, 4, 6);
  }
  return 0;
}

std::string FigureFormat::text(double v, int decimals) const {
  if (!std::isfinite(v)) return "n/a";
  const bool percent = unit == Unit::Share || unit == Unit::PerYear;
  const double a = std::fabs(percent ? 100 * v : v);
  const std::string body = group_thousands(fmt::format("{:.{}f}", a, std::max(decimals, 0)));
  const bool zero = body.find_first_not_of("0.,") == std::string::npos;
  const std::string sign = v < 0 && !zero ? "−" : "";
  if (bare) return sign + body;
  switch (unit) {
    case Unit::Money: {
      const bool word =
          std::any_of(currency.begin(), currency.end(), [](unsigned char c) { return std::isalpha(c); }) &&
          currency.size() > 1;  // "EUR 12", but "$12"
      return sign + currency + (word ? " " : "") + body;
    }
    case Unit::Share:
      return sign + body + (difference ? " pp" : " %");
    case Unit::PerYear:
      return sign + body + (difference ? " pp/yr" : " %/yr");
    case Unit::Stars:
      return sign + body + " ★";
    default:
      return sign + body;
  }
}

std::string FigureFormat::text(double v) const { return text(v, decimals(v, integral(v))); }

std::vector<std::string> FigureFormat::texts(const Estimate& e) const {
  double ref = 0;
  bool whole = true;
  for (double v : {e.mean, e.ci_low, e.ci_high})
    if (std::isfinite(v)) {
      ref = std::max(ref, std::fabs(v));
      whole = whole && integral(v);
    }
  const int d = decimals(ref, whole);
  return {text(e.mean, d), text(e.ci_low, d), text(e.ci_high, d)};
}

std::string FigureFormat::with_ci(const Estimate& e) const {
  const auto t = texts(e);
  if (e.count < 2 || e.ci_low == e.ci_high) return t[0];
  return fmt::format("{} (95 % CI {} to {})", t[0], t[1], t[2]);
}

FigureFormat figure_format(const Measure& m, const std::string& currency, bool difference) {
  FigureFormat f;
  f.unit = m.unit;
  f.currency = currency;
  f.difference = difference;
  return f;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

json provenance_base(std::uint64_t seed, std::int64_t replicates, int threads, double wall_seconds,
                     const std::string& started_at, const std::vector<std::string>& command) {
  json p;
  p["seed"] = seed;
  p["replicates"] = replicates;
  p["version"] = kVersion;
  p["git_commit"] = kGitCommit;
  p["threads"] = threads;
  p["wall_time_seconds"] =
      std::isfinite(wall_seconds) && wall_seconds > 0 ? std::stod(fmt::format("{:.3g}", wall_seconds)) : wall_seconds;
  p["hostname"] = host_name();
  p["started_at"] = started_at;
  if (!command.empty()) p["command"] = command;
  return p;
}

double t_quantile_975(std::int64_t df) {
  if (df < 1) return std::numeric_limits<double>::quiet_NaN();
  const boost::math::students_t dist{static_cast<double>(df)};
  return boost::math::quantile(dist, 0.975);
}

Estimate estimate(std::span<const double> values) {
  Estimate e;
  e.count = std::int64_t(values.size());
  if (values.empty()) return e;
  double sum = 0;
  for (double v : values) sum += v;
  e.mean = sum / double(values.size());
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - e.mean) * (v - e.mean);
    const double sd = std::sqrt(ss / double(values.size() - 1));
    e.se = sd / std::sqrt(double(values.size()));
  }
  const double half = values.size() > 1 ? t_quantile_975(e.count - 1) * e.se : 0.0;
  e.ci_low = e.mean - half;
  e.ci_high = e.mean + half;
  return e;
}

Estimate estimate_clustered(std::span<const double> values, std::span<const std::uint64_t> cluster) {
  std::vector<std::uint64_t> ids(cluster.begin(), cluster.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() < 2 || values.size() != cluster.size()) return estimate(values);
  Estimate e;
  e.count = std::int64_t(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  e.mean = sum / double(values.size());
  const std::size_t R = ids.size(), N = values.size();
  std::vector<double> csum(R, 0.0), cnum(R, 0.0);
  std::vector<std::size_t> which(N);
  for (std::size_t i = 0; i < N; ++i) {
    which[i] = std::size_t(std::lower_bound(ids.begin(), ids.end(), cluster[i]) - ids.begin());
    csum[which[i]] += values[i];
    cnum[which[i]] += 1;
  }
  // Between clusters (CR1): per-cluster sums of residuals, scaled by R/(R−1); R − 1 df.
  double ss_b = 0;
  for (std::size_t r = 0; r < R; ++r) {
    const double res = csum[r] - cnum[r] * e.mean;
    ss_b += res * res;
  }
  const double var_between = double(R) / double(R - 1) * ss_b / (double(N) * double(N));
  // Within clusters: the variance of the mean can be no smaller than the within-cluster
  // sampling noise (its between-cluster component is ≥ 0); N − R df.
  double ss_w = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const double d = values[i] - csum[which[i]] / cnum[which[i]];
    ss_w += d * d;
  }
  const double var_within = N > R ? ss_w / double(N - R) / double(N) : 0.0;
  const bool between = var_between >= var_within;
  e.se = std::sqrt(between ? var_between : var_within);
  const double half = t_quantile_975(std::int64_t(between ? R - 1 : N - R)) * e.se;
  e.ci_low = e.mean - half;
  e.ci_high = e.mean + half;
  return e;
}

std::vector<ColumnSummary> summarize(const Scenario& scenario, const RunOutput& run) {
  std::vector<ColumnSummary> out;
  if (run.results.empty()) return out;
  static const ModelInfo undeclared;  // a scenario without a model: every column by the default rules
  const ModelInfo& info = scenario.info ? *scenario.info : undeclared;
  const auto& columns = run.results.front().trajectory.columns;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    ColumnSummary s;
    s.name = columns[c];
    s.measure = info.measure(s.name, true);
    for (const auto& r : run.results) {
      const Trajectory& tr = r.trajectory;
      const std::int64_t rows = std::int64_t(tr.rows());
      const double v = rows ? tr.at(rows - 1, c) : 0.0;
      s.final_values.push_back(v);
      if (s.has_fraction()) s.final_fractions.push_back(r.population ? v / double(r.population) : 0.0);
      double over = v;
      if (s.measure.aggregate != Aggregate::Level && rows > 1) {
        // Steps 1..H: row 0 is the initial state, before any step has run.
        over = s.measure.aggregate == Aggregate::Sum ? 0.0 : -std::numeric_limits<double>::infinity();
        for (std::int64_t t = 1; t < rows; ++t)
          over = s.measure.aggregate == Aggregate::Sum ? over + tr.at(t, c) : std::max(over, tr.at(t, c));
      }
      s.run_values.push_back(over);
    }
    s.value = bounded(estimate(s.final_values), s.measure.unit);
    if (s.has_fraction()) {  // a share of the population: its CI within [0, 1]
      s.fraction = estimate(s.final_fractions);
      s.fraction.ci_low = std::clamp(s.fraction.ci_low, 0.0, 1.0);
      s.fraction.ci_high = std::clamp(s.fraction.ci_high, 0.0, 1.0);
    }
    s.run = bounded(estimate(s.run_values), s.measure.unit);
    out.push_back(std::move(s));
  }
  return out;
}

void write_timeseries_csv(std::ostream& out, const RunOutput& run) {
  fmt::memory_buffer buf;
  buf.append(std::string_view("replicate,step"));
  if (!run.results.empty())
    for (const auto& c : run.results.front().trajectory.columns) fmt::format_to(std::back_inserter(buf), ",{}", c);
  buf.push_back('\n');
  for (const auto& r : run.results) {
    const Trajectory& tr = r.trajectory;
    const std::size_t nc = tr.columns.size();
    for (std::size_t row = 0; row < tr.rows(); ++row) {
      fmt::format_to(std::back_inserter(buf), "{},{}", r.replicate, row);
      for (std::size_t c = 0; c < nc; ++c) {
        buf.push_back(',');
        append_number(buf, tr.values[row * nc + c]);
      }
      buf.push_back('\n');
      if (buf.size() > (1u << 20)) {  // stream in chunks: a long run's table need not fit twice in memory
        out.write(buf.data(), std::streamsize(buf.size()));
        buf.clear();
      }
    }
  }
  out.write(buf.data(), std::streamsize(buf.size()));
}

json effective_config(const Scenario& scenario, const RunOutput& run) {
  json config = scenario.resolved;
  config["seed"] = run.seed;
  config["replicates"] = run.replicates;
  return config;
}

namespace {

/// The config saved in a run's output folder (config.yaml, summary.json's provenance): output.dir
/// resolves from the config file's folder, so "." is the folder it was written to, wherever that
/// folder is later moved or copied; `wom run DIR/config.yaml` targets DIR again.
json saved_config(const Scenario& scenario, const RunOutput& run) {
  json config = effective_config(scenario, run);
  config["output"] = json{{"dir", "."}};
  return config;
}

}  // namespace

std::vector<MetricSummary> summarize_metrics(const Scenario& scenario, const RunOutput& run) {
  std::vector<MetricSummary> out;
  if (!scenario.info || !scenario.info->metrics) return out;
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    const auto& r = run.results[i];
    const double dt = scenario.info->step_in_days ? scenario.step_days : scenario.dt;
    const auto m = scenario.info->metrics(scenario.params, r.trajectory, dt);
    if (i == 0)
      for (const auto& [name, v] : m) out.push_back(MetricSummary{name, scenario.info->measure(name, false), {}, {}});
    for (std::size_t k = 0; k < m.size() && k < out.size(); ++k) out[k].values.push_back(m[k].second);
  }
  for (auto& e : out) e.value = bounded(estimate(e.values), e.measure.unit);
  return out;
}

namespace {

/// The key of a column's figure: "count" for persons and counts, "value" for anything else
/// (money, a rating).
const char* value_key(const ColumnSummary& c) {
  return c.measure.unit == Unit::Persons || c.measure.unit == Unit::Count ? "count" : "value";
}

/// The key of a column's figure over the run: "total" for a flow, "max" for a maximum.
const char* over_run_key(const ColumnSummary& c) { return c.measure.aggregate == Aggregate::Sum ? "total" : "max"; }

}  // namespace

json summary_json(const Scenario& scenario, const RunOutput& run, const ProvenanceExtras& extras) {
  const auto columns = summarize(scenario, run);
  const auto metrics = summarize_metrics(scenario, run);
  const std::string currency = scenario_currency(scenario);
  json doc;
  doc["model"] = scenario.model;
  doc["seed"] = run.seed;
  doc["replicates"] = run.replicates;
  doc["steps"] = run.steps;
  if (!currency.empty()) doc["currency"] = currency;
  json names = json::array();
  for (const auto& c : columns) names.push_back(c.name);
  doc["columns"] = names;
  doc["measures"] = measures_json(columns, metrics);
  const bool days = scenario.info && scenario.info->step_in_days;
  const double step_length = days ? scenario.step_days : scenario.dt;
  doc["over_run_period"] = json{{"first_step", run.steps > 0 ? 1 : 0},
                                {"last_step", run.steps},
                                {"length", number(double(run.steps) * step_length)},
                                {"unit", days ? "days" : "time.dt units"}};

  json reps = json::array();
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    const ReplicateResult& r = run.results[i];
    json final_state, over_run = json::object();
    for (const auto& c : columns) {
      json f{{value_key(c), number(c.final_values[i])}};
      if (c.has_fraction()) f["fraction"] = number(c.final_fractions[i]);
      final_state[c.name] = f;
      if (c.measure.aggregate != Aggregate::Level) over_run[c.name] = json{{over_run_key(c), number(c.run_values[i])}};
    }
    json rep{{"replicate", r.replicate}, {"population", r.population},
             {"arcs", r.arcs},           {"steps_computed", r.trajectory.steps_computed},
             {"final", final_state},     {"over_run", over_run}};
    if (!metrics.empty()) {
      json m;
      for (const auto& e : metrics) m[e.name] = number(e.values[i]);
      rep["metrics"] = m;
    }
    reps.push_back(rep);
  }
  doc["per_replicate"] = reps;

  json across;
  across["replicates"] = run.replicates;
  across["interval"] =
      (run.replicates > 1 ? fmt::format("95 % CI = mean ± t(0.975, df = {}) × SE, t = {:.6g}; SE = sample SD / √R",
                                        run.replicates - 1, t_quantile_975(run.replicates - 1))
                          : std::string("one replicate: SE = 0 and the CI is [mean, mean] (no spread estimable)")) +
      "; the CI of persons and counts is cut at 0";
  json cols, over = json::object();
  for (const auto& c : columns) {
    json f{{value_key(c), estimate_json(c.value)}};
    if (c.has_fraction()) f["fraction"] = estimate_json(c.fraction);
    cols[c.name] = f;
    if (c.measure.aggregate != Aggregate::Level) over[c.name] = json{{over_run_key(c), estimate_json(c.run)}};
  }
  across["final"] = cols;
  across["over_run"] = over;
  if (!metrics.empty()) {
    json m;
    for (const auto& e : metrics) m[e.name] = estimate_json(e.value);
    across["metrics"] = m;
  }
  doc["across_replicates"] = across;

  // Everything that may differ between two runs of the same scenario lives below.
  json prov;
  prov["config"] = saved_config(scenario, run);
  prov["config_file"] = scenario.source_file;
  prov["files"] = scenario.files;
  prov["overrides"] = scenario.overrides;
  prov.update(provenance_base(run.seed, run.replicates, run.threads, run.wall_seconds, run.started_at, extras.command));
  json graphs = json::array();
  for (const auto& r : run.results) {
    graphs.push_back(json{{"replicate", r.replicate},
                          {"description", r.graph.description},
                          {"vertices", r.population},
                          {"arcs", r.arcs},
                          {"directed", r.directed},
                          {"build",
                           {{"input_arcs", r.graph.build.input_arcs},
                            {"self_loops_dropped", r.graph.build.self_loops},
                            {"duplicates_dropped", r.graph.build.duplicates}}}});
  }
  prov["graphs"] = graphs;
  doc["provenance"] = prov;
  return doc;
}

std::vector<std::string> output_commands(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return found;
  const fs::path d(dir);
  const auto marker = marker_lines(d);
  const std::string marked = !marker.empty() && marker.front().rfind("wom ", 0) == 0 ? marker.front().substr(4) : "";
  for (const auto& c : command_files()) {
    bool has = marked == c.command;
    for (const auto& f : c.files) has = has || fs::exists(d / f, ec);
    if (has) found.push_back(c.command);
  }
  if (!marked.empty() && std::find(found.begin(), found.end(), marked) == found.end()) found.push_back(marked);
  return found;
}

void check_output_folder(const OutputFolder& out) {
  if (out.dir.empty()) throw Error("--out: expected a folder name, got an empty string");
  // No side effects: nothing is created before the work has succeeded.
  const fs::path d = clean(out.dir);
  std::error_code ec;
  // Compared as real paths (symbolic links resolved), so no spelling of the current folder or
  // of one above it gets through.
  const fs::path here = fs::weakly_canonical(fs::current_path(ec), ec);
  const fs::path abs = fs::weakly_canonical(fs::absolute(d, ec), ec).lexically_normal();
  if (d.filename() == "." || d.filename() == ".." || !abs.has_relative_path() ||
      std::mismatch(abs.begin(), abs.end(), here.begin(), here.end()).first == abs.end())
    throw Error(fmt::format(
        "output folder '{}' is the current folder or one above it, which wom would replace whole: name a new folder, "
        "e.g. --out out/run1",
        out.dir));
  if (fs::is_symlink(d, ec) || fs::exists(d, ec)) {
    if (!fs::is_directory(d, ec)) throw Error(fmt::format("output folder '{}' exists and is not a folder", d.string()));
    if (!out.force)
      throw Error(fmt::format(
          "output folder '{}' already exists: wom writes each command's outputs as a new folder and never adds to "
          "one; --force replaces it whole (its files are deleted), or choose another folder",
          d.string()));
    if (const std::string why = why_not_replaceable(d); !why.empty())
      throw Error(fmt::format(
          "--force: will not replace output folder '{}': {}; --force replaces only an empty folder or an output "
          "folder of wom (move it away, or choose another folder)",
          d.string(), why));
  }
  // The temporary folder goes beside DIR, so DIR's parent (or, when missing, its nearest
  // existing ancestor, where the missing folders will be created) must be writable.
  fs::path probe = d.has_parent_path() ? d.parent_path() : fs::path(".");
  while (!probe.empty() && !fs::exists(probe, ec))
    probe = probe.has_parent_path() ? probe.parent_path() : fs::path(".");
  if (probe.empty()) probe = ".";
  if (!fs::is_directory(probe, ec))
    throw Error(fmt::format("cannot create output folder '{}': '{}' is not a folder", d.string(), probe.string()));
  if (::access(probe.c_str(), W_OK | X_OK) != 0)
    throw Error(
        fmt::format("cannot create output folder '{}': '{}': {}", d.string(), probe.string(), std::strerror(errno)));
}

namespace {

/// The lock file of output folder `d`: `.NAME.wom-lock` in its parent, or, while the parent does
/// not exist, `.A%B%NAME.wom-lock` in the nearest existing folder above it (A/B/NAME).
fs::path lock_file_of(const fs::path& d) {
  std::error_code ec;
  std::string name = d.filename().string();
  fs::path at = d.parent_path();
  while (!at.empty() && !fs::is_directory(at, ec) && at.has_filename()) {
    name = at.filename().string() + "%" + name;
    at = at.parent_path();
  }
  const fs::path file = "." + name + ".wom-lock";
  return at.empty() ? file : at / file;
}

/// "pid 1234, `wom run`" from a lock file's text ("1234 run"), or "" when it holds none.
std::string holder_text(int fd) {
  char buf[128] = {0};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  std::string text(buf, std::size_t(n));
  const auto space = text.find(' ');
  const auto nl = text.find('\n');
  if (space == std::string::npos || nl == std::string::npos || nl < space) return {};
  return fmt::format(" (pid {}, `wom {}`)", text.substr(0, space), text.substr(space + 1, nl - space - 1));
}

}  // namespace

FolderLock::FolderLock(const std::string& dir, const std::string& command, bool shared) : shared_(shared) {
  const fs::path d = clean(dir);
  const fs::path file = lock_file_of(d);
  // A holder removes the file when it is done; one that opened it just before may then lock a
  // file that no longer has the name. Locking is retried until the locked file is the named one.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      const int err = errno;
      throw Error(
          fmt::format("cannot create output folder '{}': '{}' is not writable (creating a file there "
                      "failed: {})",
                      d.string(), file.has_parent_path() ? file.parent_path().string() : ".", std::strerror(err)));
    }
    int rc;
    do rc = ::flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      const std::string holder = holder_text(fd);
      ::close(fd);
      if (err == EWOULDBLOCK)
        throw Error(fmt::format(
            "output folder '{}' is in use: another wom process{} is writing it (it holds the lock '{}'); wait for it "
            "to finish, or choose another folder",
            d.string(), holder, file.string()));
      throw Error(fmt::format("output folder '{}': cannot lock '{}': {} (this file system may not support file locks)",
                              d.string(), file.string(), std::strerror(err)));
    }
    struct stat held = {};
    struct stat named = {};
    if (::fstat(fd, &held) == 0 && ::stat(file.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      fd_ = fd;
      path_ = file.string();
      // Who holds it, for the message a second process gets (best effort: a full disk only
      // loses the name; of several sweep writers, the last to start is named).
      const std::string who = fmt::format("{} {}\n", ::getpid(), command);
      if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, who.data(), who.size(), 0);
      return;
    }
    ::close(fd);  // the file was removed or replaced meanwhile: lock the one that has the name
  }
  throw Error(fmt::format("output folder '{}': cannot lock '{}': it keeps being replaced", d.string(), file.string()));
}

FolderLock::FolderLock(FolderLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), shared_(other.shared_) {
  other.path_.clear();
}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    other.path_.clear();
    fd_ = std::exchange(other.fd_, -1);
    shared_ = other.shared_;
  }
  return *this;
}

void FolderLock::release() noexcept {
  if (fd_ < 0) return;
  // Only a sole holder removes the file (a shared one first makes sure it is alone); it is
  // removed while locked, so whoever opened it meanwhile sees it is gone and tries again.
  if (!shared_ || ::flock(fd_, LOCK_EX | LOCK_NB) == 0) ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
  path_.clear();
}

FolderLock lock_output_folder(const OutputFolder& out) {
  check_output_folder(out);
  FolderLock lock(out.dir, out.command);
  check_output_folder(out);
  return lock;
}

std::vector<std::string> write_output_folder(const OutputFolder& out, const std::vector<OutputFile>& files) {
  check_output_folder(out);  // again: the folder may have changed while the command ran
  Staging stage(clean(out.dir));
  for (const auto& f : files) stage.write(f.name, f.write);
  return stage.commit(out.command, out.force);
}

std::string add_file(const std::string& dir, const OutputFile& file) {
  const fs::path d = clean(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec)) throw Error(fmt::format("'{}' is not a folder", d.string()));
  const fs::path to = d / file.name, tmp = d / ("." + file.name + ".tmp-" + std::to_string(::getpid()));
  if (fs::is_directory(to, ec))
    throw Error(fmt::format("cannot write '{}': a folder of that name is in the way", to.string()));
  try {
    // Durable before it takes the name: a crash leaves the old file or the whole new one.
    write_durable(tmp, to.string(), file.write);
    fs::rename(tmp, to, ec);
    if (ec) throw Error(fmt::format("cannot move '{}' to '{}': {}", tmp.string(), to.string(), ec.message()));
    if (const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  return to.string();
}

std::vector<std::string> write_outputs(const OutputFolder& out, const Scenario& scenario, const RunOutput& run,
                                       const ProvenanceExtras& extras, const std::vector<OutputFile>& extra) {
  std::vector<OutputFile> files{
      {"timeseries.csv", [&](std::ostream& os) { write_timeseries_csv(os, run); }},
      {"summary.json", [&](std::ostream& os) { os << summary_json(scenario, run, extras).dump(2) << '\n'; }},
      {"config.yaml", [&](std::ostream& os) {
         os << "# Resolved config of this run (defaults filled in, paths absolute; output.dir '.' is this folder):\n"
               "# `wom run` on it repeats the run (here with --force, which replaces this folder).\n"
            << to_yaml(saved_config(scenario, run));
       }}};
  files.insert(files.end(), extra.begin(), extra.end());
  return write_output_folder(out, files);
}

std::string format_run_summary(const Scenario& scenario, const RunOutput& run, bool files_written) {
  std::string s;
  auto line = [&](const std::string& label, const std::string& text) { s += fmt::format("{:<12}{}\n", label, text); };
  line("model", scenario.info ? fmt::format("{} — {}", scenario.model, scenario.info->summary) : scenario.model);
  if (!run.results.empty()) {
    std::string g = run.results.front().graph.description;
    const std::string& gen = scenario.graph.generator;
    if (run.results.size() > 1 && gen != "file" && gen != "complete")
      g += " (replicate 0; each replicate draws its own)";
    line("graph", g);
  }
  line("run", fmt::format("{} replicate{} × {} steps, seed {}, {} thread{}, {:.3g} s", run.replicates,
                          run.replicates == 1 ? "" : "s", run.steps, run.seed, run.threads, run.threads == 1 ? "" : "s",
                          run.wall_seconds));
  const auto metrics = summarize_metrics(scenario, run);
  const bool spread = run.replicates > 1;
  const std::string cur = scenario_currency(scenario);
  if (!metrics.empty()) {
    // A model with derived figures: its headline figures, in the order and units
    // it declares; every figure and every column is in summary.json / timeseries.csv.
    std::vector<const MetricSummary*> headline;
    for (const auto& e : metrics)
      if (e.measure.headline > 0) headline.push_back(&e);
    std::stable_sort(headline.begin(), headline.end(), [](const MetricSummary* a, const MetricSummary* b) {
      return a->measure.headline < b->measure.headline;
    });
    if (headline.empty())
      for (const auto& e : metrics) headline.push_back(&e);
    auto find = [&](const std::string& name) -> const MetricSummary* {
      for (const auto& e : metrics)
        if (!name.empty() && e.name == name) return &e;
      return nullptr;
    };
    // The model's value is shown with its split: cash flow over the horizon + terminal value.
    const ValueSplit& v = scenario.info->offers.value;
    const MetricSummary *npv = find(v.total), *cash = find(v.cash_flow), *terminal = find(v.terminal);
    const bool split = npv && cash && terminal;
    auto figure = [&](const MetricSummary& e) { return figure_format(e.measure, cur).with_ci(e.value); };
    s += fmt::format("figures (mean over {} replicate{}{}):\n", run.replicates, spread ? "s" : "",
                     spread ? ", 95 % CI across replicates" : "");
    std::size_t shown = 0;
    for (const MetricSummary* e : headline) {
      if (split && (e == cash || e == terminal)) continue;
      s += fmt::format("  {:<26}{}\n", e->name, figure(*e));
      ++shown;
      if (split && e == npv) {
        s += fmt::format("    = {:<22}{}  cash flow over the horizon\n", cash->name, figure(*cash));
        s += fmt::format("    + {:<22}{}  after the horizon\n", terminal->name, figure(*terminal));
        shown += 2;
      }
    }
    if (shown < metrics.size())
      s += fmt::format("  ({} more figures and {} time series in summary.json and timeseries.csv{})\n",
                       metrics.size() - shown, run.results.empty() ? 0 : run.results.front().trajectory.columns.size(),
                       files_written ? "" : ": --out DIR");
    return s;
  }
  const auto columns = summarize(scenario, run);
  if (columns.empty()) return s;

  // A model without metrics: every column as it reads, stocks at the end and flows over the run.
  std::size_t w = 6;
  for (const auto& c : columns) w = std::max(w, c.name.size());
  auto pm = [&](const FigureFormat& f, const Estimate& e) {
    // The mean and its standard error at one precision.
    const bool whole = integral(e.mean) && (!spread || integral(e.se));
    const int d = f.decimals(std::max(std::fabs(e.mean), e.se), whole);
    if (!spread) return f.text(e.mean, d);
    FigureFormat spread_format = f;  // a share's SE in percentage points, a count's bare
    spread_format.bare = f.unit != Unit::Share && f.unit != Unit::PerYear;
    spread_format.difference = true;
    return fmt::format("{} ± {}", f.text(e.mean, d), spread_format.text(e.se, d));
  };
  const std::string how = spread ? fmt::format(" (mean ± standard error over {} replicates)", run.replicates) : "";
  // (name, figure, share of the population) per stock; (name, figure) per flow or maximum.
  std::vector<std::array<std::string, 3>> level;
  std::vector<std::pair<std::string, std::string>> over;
  std::size_t wv = 0;
  for (const auto& c : columns) {
    const FigureFormat f = figure_format(c.measure, cur);
    if (c.measure.aggregate == Aggregate::Level) {
      const std::string share =
          c.has_fraction() ? pm(FigureFormat{Unit::Share, "", false, false}, c.fraction) + " of the population" : "";
      level.push_back({c.name, pm(f, c.value), share});
      wv = std::max(wv, code_points(level.back()[1]));
    } else {
      over.emplace_back(c.name, (c.measure.aggregate == Aggregate::Sum ? "total " : "maximum ") + pm(f, c.run));
    }
  }
  if (!level.empty()) {
    s += fmt::format("final state at step {}{}:\n", run.steps, how);
    for (const auto& [name, text, share] : level) {
      std::string l =
          fmt::format("  {:<{}}  {}{}   {}", name, w, text, std::string(wv - code_points(text), ' '), share);
      while (!l.empty() && l.back() == ' ') l.pop_back();
      s += l + "\n";
    }
  }
  if (!over.empty()) {
    s += fmt::format("over the run (steps 1 to {}){}:\n", run.steps, level.empty() ? how : "");
    for (const auto& [name, text] : over) s += fmt::format("  {:<{}}  {}\n", name, w, text);
  }
  return s;
}

}  // namespace wom
