#include "bench/suite/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace wom::bench {

using json = nlohmann::ordered_json;

namespace {

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * double(sorted.size() - 1);
  const std::size_t lo = std::size_t(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - double(lo)) * (sorted[hi] - sorted[lo]);
}

double median_of(std::vector<double> v) { return spread_of(std::move(v)).median; }

std::vector<double> numbers(const json& a) {
  std::vector<double> out;
  if (a.is_array())
    for (const auto& x : a)
      if (x.is_number()) out.push_back(x.get<double>());
  return out;
}

std::string machine_line(const json& doc) {
  const json& m = doc.value("machine", json::object());
  return fmt::format("{} · {} · {}", m.value("cpu", "?"), m.value("compiler", "?"), m.value("build", "?"));
}

}  // namespace

Spread spread_of(std::vector<double> v) {
  Spread s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.median = quantile(v, 0.5);
  s.q1 = quantile(v, 0.25);
  s.q3 = quantile(v, 0.75);
  return s;
}

double wilcoxon_greater(std::span<const double> d) {
  std::vector<std::pair<double, bool>> a;  // |d|, positive
  for (double x : d)
    if (x != 0 && std::isfinite(x)) a.emplace_back(std::fabs(x), x > 0);
  const std::size_t n = a.size();
  if (n == 0) return 1;
  std::sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  // Doubled mid-ranks are integers: ranks i+1..j share (i+1+j).
  std::vector<std::size_t> rank2(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && a[j + 1].first == a[i].first) ++j;
    for (std::size_t k = i; k <= j; ++k) rank2[k] = i + 1 + j + 1;
    i = j + 1;
  }
  std::size_t observed = 0, total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += rank2[i];
    if (a[i].second) observed += rank2[i];
  }
  // The null distribution: every sign pattern equally likely; count patterns by their sum.
  std::vector<double> ways(total + 1, 0.0);
  ways[0] = 1;
  std::size_t reach = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = reach + 1; s-- > 0;)
      if (ways[s] != 0) ways[s + rank2[i]] += ways[s];
    reach += rank2[i];
  }
  double tail = 0;
  for (std::size_t s = observed; s <= total; ++s) tail += ways[s];
  return tail / std::ldexp(1.0, int(n));
}

double wilcoxon_floor(std::size_t n) { return std::ldexp(1.0, -int(n)); }

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Ok:
      return "ok";
    case Verdict::Regression:
      return "REGRESSION";
    case Verdict::Improved:
      return "improved";
    case Verdict::Info:
      break;
  }
  return "not judged";
}

bool GateResult::failed() const {
  return std::any_of(rows.begin(), rows.end(), [](const GateRow& r) { return r.verdict == Verdict::Regression; });
}

GateResult compare(const json& baseline, const json& candidate, const Thresholds& t, bool paired) {
  GateResult out;
  const json& bc = baseline.at("cases");
  const json& cc = candidate.at("cases");
  if (baseline.value("mode", "") != candidate.value("mode", ""))
    out.notes.push_back(fmt::format("the baseline was measured in {} mode and this run in {} mode: sizes differ",
                                    baseline.value("mode", "?"), candidate.value("mode", "?")));
  if (baseline.value("threads", 0) != candidate.value("threads", 0))
    out.notes.push_back(
        fmt::format("the baseline ran on {} threads and this run on {}: wall time and memory "
                    "are not comparable",
                    baseline.value("threads", 0), candidate.value("threads", 0)));
  if (!paired && machine_line(baseline) != machine_line(candidate))
    out.notes.push_back(
        fmt::format("the baseline's machine or build differs ({} vs {}): instruction counts "
                    "may differ by that alone",
                    machine_line(baseline), machine_line(candidate)));
  std::size_t judged_wall = 0;
  if (paired)
    for (const auto& [name, c] : cc.items())
      if (bc.contains(name)) ++judged_wall;

  for (const auto& [name, c] : cc.items()) {
    if (!bc.contains(name)) {
      out.notes.push_back(fmt::format("{}: not in the baseline (not judged)", name));
      continue;
    }
    const json& b = bc.at(name);
    if (b.value("work", 0.0) != c.value("work", 0.0))
      out.notes.push_back(fmt::format("{}: the baseline did {} {} of work and this run {}: a changed case", name,
                                      b.value("work", 0.0), c.value("unit", ""), c.value("work", 0.0)));

    // Instructions.
    if (b.contains("instructions") && c.contains("instructions") && b["instructions"].is_number() &&
        c["instructions"].is_number()) {
      GateRow r{
          name, "instructions", b["instructions"].get<double>(), c["instructions"].get<double>(), 0, Verdict::Info, ""};
      r.ratio = r.baseline > 0 ? r.now / r.baseline : 0;
      r.verdict = r.ratio > 1 + t.instructions   ? Verdict::Regression
                  : r.ratio < 1 - t.instructions ? Verdict::Improved
                                                 : Verdict::Ok;
      r.note = fmt::format("limit +{:g} %", 100 * t.instructions);
      out.rows.push_back(r);
    }

    // Peak memory.
    if (b.contains("peak_rss_bytes") && c.contains("peak_rss_bytes")) {
      GateRow r{
          name, "peak memory", b["peak_rss_bytes"].get<double>(), c["peak_rss_bytes"].get<double>(), 0, Verdict::Info,
          ""};
      r.ratio = r.baseline > 0 ? r.now / r.baseline : 0;
      const double grew = r.now - r.baseline;
      r.verdict = r.ratio > 1 + t.memory && grew > t.memory_slack_bytes    ? Verdict::Regression
                  : r.ratio < 1 - t.memory && -grew > t.memory_slack_bytes ? Verdict::Improved
                                                                           : Verdict::Ok;
      r.note = fmt::format("limit +{:g} % and +{:g} MiB", 100 * t.memory, t.memory_slack_bytes / 1048576);
      out.rows.push_back(r);
    }

    // Wall time.
    const std::vector<double> bw = numbers(b.value("wall_samples", json::array()));
    const std::vector<double> cw = numbers(c.value("wall_samples", json::array()));
    if (bw.empty() || cw.empty()) continue;
    GateRow r{name, "wall time", median_of(bw), median_of(cw), 0, Verdict::Info, ""};
    r.ratio = r.baseline > 0 ? r.now / r.baseline : 0;
    if (!paired || bw.size() != cw.size()) {
      r.verdict = Verdict::Info;
      r.note = "not judged: give --baseline-binary to time both here, interleaved";
    } else {
      std::vector<double> d(bw.size()), ratios(bw.size());
      for (std::size_t i = 0; i < bw.size(); ++i) {
        d[i] = std::log(cw[i] / bw[i]);
        ratios[i] = cw[i] / bw[i];
      }
      r.ratio = median_of(ratios);
      const double p_slower = wilcoxon_greater(d);
      std::vector<double> neg(d.size());
      std::transform(d.begin(), d.end(), neg.begin(), [](double x) { return -x; });
      const double p_faster = wilcoxon_greater(neg);
      const double level = t.alpha / double(std::max<std::size_t>(judged_wall, 1));
      if (p_slower < level && r.ratio > 1 + t.min_slowdown)
        r.verdict = Verdict::Regression;
      else if (p_faster < level && r.ratio < 1 - t.min_slowdown)
        r.verdict = Verdict::Improved;
      else
        r.verdict = Verdict::Ok;
      r.note = fmt::format("median of {} paired ratios; p(slower) = {:.2g}, level {:.2g}", d.size(), p_slower, level);
      if (wilcoxon_floor(d.size()) >= level)
        r.note += fmt::format(" (cannot reach it with {} pairs: use more --reps)", d.size());
    }
    out.rows.push_back(r);
  }
  for (const auto& [name, b] : bc.items())
    if (!cc.contains(name)) out.notes.push_back(fmt::format("{}: in the baseline only (not run)", name));
  return out;
}

}  // namespace wom::bench
