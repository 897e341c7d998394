#include "app/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include "sim/core/error.hpp"

namespace wom {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

/// Keys that define the world a replicate lives in: what-ifs must agree on them to be paired.
/// `params.population` is the model's initial population (shares, attitudes), which the
/// issue counts as part of the world, not of a policy.
const std::vector<std::string> kWorldKeys = {"model", "graph", "followers", "time", "params.population"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

/// The value at a dotted key of a resolved config, or null when absent.
json at_key(const json& config, const std::string& dotted) {
  const json* cur = &config;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const auto dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *cur;
}

/// Numbers compare by value (a config's `6` and `6.0` are the same mean degree).
bool same_value(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

/// The first dotted key under `path` where `a` and `b` differ, with both values; nullopt when
/// they agree.
std::optional<std::tuple<std::string, json, json>> first_difference(const json& a, const json& b,
                                                                    const std::string& path) {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      const json other = b.contains(it.key()) ? b[it.key()] : json(nullptr);
      if (auto d = first_difference(it.value(), other, path + "." + it.key())) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return std::make_tuple(path + "." + it.key(), json(nullptr), it.value());
    return std::nullopt;
  }
  if (same_value(a, b)) return std::nullopt;
  return std::make_tuple(path, a, b);
}

std::string value_text(const json& v) { return v.is_null() ? "(not set)" : v.dump(); }

std::string letter(std::size_t k) {
  std::string s;
  for (std::size_t i = k + 1; i > 0; i = (i - 1) / 26) s.insert(s.begin(), char('A' + (i - 1) % 26));
  return s;
}

/// Per-step estimate of column `col` (of unit `unit`) across replicates; with `base`, of the
/// paired difference run − base.
SeriesSummary series_of(const RunOutput& run, std::size_t col, std::size_t rows, Unit unit,
                        const RunOutput* base = nullptr) {
  SeriesSummary s;
  std::vector<double> v(run.results.size());
  for (std::size_t t = 0; t < rows; ++t) {
    for (std::size_t r = 0; r < run.results.size(); ++r) {
      v[r] = run.results[r].trajectory.at(std::int64_t(t), col);
      if (base) v[r] -= base->results[r].trajectory.at(std::int64_t(t), col);
    }
    const Estimate e = base ? estimate(v) : bounded(estimate(v), unit);  // a difference may be negative
    s.mean.push_back(e.mean);
    s.se.push_back(e.se);
    s.ci_low.push_back(e.ci_low);
    s.ci_high.push_back(e.ci_high);
  }
  return s;
}

json values_json(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(json_number(x));
  return a;
}

/// A cell as "mean [low, high]" for the terminal, the bounds at the mean's precision and without
/// the unit the mean carries.
std::string cell_text(const Estimate& e, FigureFormat f) {
  const auto t = f.texts(e);
  if (e.count < 2) return t[0];
  f.bare = true;
  const auto b = f.texts(e);
  return fmt::format("{} [{}, {}]", t[0], b[1], b[2]);
}

/// "*" marks a paired difference whose 95 % CI excludes 0.
std::string diff_text(const Estimate& e, const FigureFormat& f) {
  std::string s = cell_text(e, f);
  if (e.count >= 2 && (e.ci_low > 0 || e.ci_high < 0)) s += " *";
  return s;
}

const char* kind_of(Aggregate a) {
  switch (a) {
    case Aggregate::Level:
      return "final";
    case Aggregate::Sum:
      return "total";
    case Aggregate::Max:
      return "max";
  }
  return "final";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_number(double v) { return std::isfinite(v) ? number_text(v) : ""; }

}  // namespace

std::vector<std::string> split_vary_values(const std::string& values) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : values) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(trim(cur));
  return out;
}

std::string vary_key(const std::string& vary) {
  const auto eq = vary.find('=');
  return eq == std::string::npos ? std::string() : trim(vary.substr(0, eq));
}

std::vector<WhatIf> load_whatifs(const CompareRequest& rq, const PlanChoice& choice) {
  std::vector<WhatIf> whatifs;
  if (!rq.vary.empty()) {
    const std::string& arg = rq.vary;
    if (rq.configs.size() != 1)
      throw Error(fmt::format(
          "--vary '{}': give exactly one config file with --vary (got {}); without --vary, several config files are "
          "the what-ifs",
          arg, rq.configs.size()));
    const auto eq = arg.find('=');
    const std::string key = vary_key(arg);
    if (eq == std::string::npos || key.empty())
      throw Error(
          fmt::format("--vary '{}': expected key=v1,v2,... (a dotted key and two or more comma-separated "
                      "YAML values), e.g. --vary params.beta=0.05,0.1",
                      arg));
    if (key == "seed" || key == "replicates")
      throw Error(
          fmt::format("--vary '{}': every what-if runs with the same {} (common random numbers pair them); "
                      "vary a model key instead, or use --{}",
                      arg, key, key));
    const std::vector<std::string> values = split_vary_values(arg.substr(eq + 1));
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i].empty())
        throw Error(fmt::format("--vary '{}': value {} is empty (expected key=v1,v2,...)", arg, i + 1));
    if (values.size() < 2)
      throw Error(fmt::format("--vary '{}': expected two or more comma-separated values to compare, got {}", arg,
                              values.size()));
    for (const auto& v : values) {
      std::vector<std::string> sets = rq.sets;
      const std::string set_arg = key + "=" + v;
      sets.push_back(set_arg);
      try {
        Config cfg = load_config(rq.configs[0], sets);
        whatifs.push_back(WhatIf{set_arg, std::move(cfg.scenario), cfg.plan});
      } catch (const Error& e) {
        // The loader names the --set argument it was given; the user typed --vary.
        std::string msg = e.what();
        replace_all(msg, fmt::format("--set '{}'", set_arg), fmt::format("--vary '{}' (value '{}')", arg, v));
        throw Error(msg);
      }
    }
  } else {
    if (rq.configs.size() < 2)
      throw Error(
          fmt::format("compare: expected two or more what-ifs, got {}: give several config files, or one "
                      "config file with --vary key=v1,v2,...",
                      rq.configs.size()));
    for (const auto& c : rq.configs) {
      Config cfg = load_config(c, rq.sets);
      whatifs.push_back(WhatIf{c, std::move(cfg.scenario), cfg.plan});
    }
    // Short labels (file stems) where they are unambiguous; else the paths as given.
    std::map<std::string, int> stems;
    for (const auto& w : whatifs) ++stems[fs::path(w.label).stem().string()];
    for (auto& w : whatifs)
      if (stems[fs::path(w.label).stem().string()] == 1) w.label = fs::path(w.label).stem().string();
    std::map<std::string, int> seen;
    for (auto& w : whatifs)
      if (int n = ++seen[w.label]; n > 1) w.label += fmt::format(" ({})", n);
  }
  check_pairable(whatifs, choice);
  return whatifs;
}

void check_pairable(const std::vector<WhatIf>& whatifs, const PlanChoice& choice) {
  if (whatifs.size() < 2) throw Error(fmt::format("compare: expected two or more what-ifs, got {}", whatifs.size()));
  const WhatIf& base = whatifs.front();
  for (std::size_t k = 1; k < whatifs.size(); ++k) {
    const WhatIf& w = whatifs[k];
    auto refuse = [&](const std::string& key, const std::string& a, const std::string& b) {
      throw Error(fmt::format(
          "what-ifs '{}' and '{}' cannot be paired on common random numbers: {} differs ({} vs {}); compared "
          "what-ifs must share the model, graph, followers, time and population keys and the replicate count",
          base.label, w.label, key, a, b));
    };
    for (const auto& key : kWorldKeys) {
      const json a = at_key(base.scenario.resolved, key), b = at_key(w.scenario.resolved, key);
      if (auto d = first_difference(a, b, key))
        refuse(std::get<0>(*d), value_text(std::get<1>(*d)), value_text(std::get<2>(*d)));
    }
    if (!choice.replicates && base.plan.replicates != w.plan.replicates)
      refuse("replicates", std::to_string(base.plan.replicates), std::to_string(w.plan.replicates));
  }
}

Estimate paired_difference(const std::vector<double>& values, const std::vector<double>& baseline,
                           std::vector<double>* differences) {
  if (values.size() != baseline.size())
    throw Error(fmt::format("compare: cannot pair {} replicates with {}", values.size(), baseline.size()));
  std::vector<double> d(values.size());
  for (std::size_t r = 0; r < values.size(); ++r) d[r] = values[r] - baseline[r];
  const Estimate e = estimate(d);
  if (differences) *differences = std::move(d);
  return e;
}

Comparison run_comparison(std::vector<WhatIf> whatifs, const PlanChoice& choice, const RunOptions& options,
                          const std::string& vary) {
  check_pairable(whatifs, choice);
  Comparison cmp;
  cmp.vary_key = vary;
  cmp.started_at = iso8601_now();
  // One seed for all: the baseline's unless --seed is given. A config file's own seed that
  // differs is replaced, since pairing needs the same random numbers.
  const RunPlan plan = choice.applied_to(whatifs.front().plan);
  for (const auto& w : whatifs) {
    if (!choice.seed && w.plan.seed != plan.seed)
      cmp.warnings.push_back(
          fmt::format("what-if '{}': seed {} replaced by the baseline's seed {} (common random "
                      "numbers); pass --seed to choose it",
                      w.label, w.plan.seed, plan.seed));
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& w : whatifs) cmp.runs.push_back(run_scenario(w.scenario, plan, options));
  cmp.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  cmp.whatifs = std::move(whatifs);

  // The same world must have come out: a guard against a spec that resolves alike but builds
  // differently (it cannot today, but a silent unpaired comparison would mislead).
  const RunOutput& base = cmp.runs.front();
  for (std::size_t k = 1; k < cmp.runs.size(); ++k)
    for (std::size_t r = 0; r < base.results.size(); ++r)
      if (cmp.runs[k].results[r].population != base.results[r].population)
        throw Error(fmt::format("what-ifs '{}' and '{}' cannot be paired: replicate {} has {} vs {} agents",
                                cmp.whatifs[0].label, cmp.whatifs[k].label, r, base.results[r].population,
                                cmp.runs[k].results[r].population));

  cmp.currency = scenario_currency(cmp.whatifs.front().scenario);
  cmp.value = cmp.whatifs.front().scenario.info->offers.value;
  // Every column as its model declares it reads: a stock at the last step, a flow's total over
  // the run, a maximum's maximum.
  std::vector<std::vector<ColumnSummary>> finals;
  for (std::size_t k = 0; k < cmp.runs.size(); ++k) finals.push_back(summarize(cmp.whatifs[k].scenario, cmp.runs[k]));
  for (const auto& c : finals.front()) cmp.columns.push_back(c.name);
  for (std::size_t c = 0; c < cmp.columns.size(); ++c) {
    const Measure& m = finals[0][c].measure;
    const bool level = m.aggregate == Aggregate::Level;
    CompareRow row{cmp.columns[c], kind_of(m.aggregate), m, {}};
    for (std::size_t k = 0; k < cmp.runs.size(); ++k) {
      const ColumnSummary& s = finals[k][c];
      CompareCell cell;
      cell.values = level ? s.final_values : s.run_values;
      cell.estimate = level ? s.value : s.run;
      if (k > 0)
        cell.difference = paired_difference(cell.values, level ? finals[0][c].final_values : finals[0][c].run_values,
                                            &cell.differences);
      row.cells.push_back(std::move(cell));
    }
    cmp.rows.push_back(std::move(row));
  }

  // Model metrics (NPV, retention, ...), then the return of each change beside the NPV.
  std::vector<std::vector<MetricSummary>> metrics;
  for (std::size_t k = 0; k < cmp.runs.size(); ++k)
    metrics.push_back(summarize_metrics(cmp.whatifs[k].scenario, cmp.runs[k]));
  std::vector<CompareRow> metric_rows;
  for (std::size_t m = 0; m < metrics.front().size(); ++m) {
    CompareRow row{metrics.front()[m].name, "metric", metrics.front()[m].measure, {}};
    for (std::size_t k = 0; k < cmp.runs.size(); ++k) {
      CompareCell cell;
      cell.values = metrics[k][m].values;
      cell.estimate = metrics[k][m].value;
      if (k > 0) cell.difference = paired_difference(cell.values, metrics[0][m].values, &cell.differences);
      row.cells.push_back(std::move(cell));
    }
    metric_rows.push_back(std::move(row));
  }
  // The return is a difference only: no level of its own to show beside it.
  auto return_row = [](const CompareRow& from, const char* name, const std::string& meaning) {
    CompareRow ret{name, "return", Measure{name, Unit::Money, Aggregate::Level, meaning, 0}, {}};
    for (std::size_t k = 0; k < from.cells.size(); ++k) {
      CompareCell cell;
      if (k > 0) {
        cell.differences = from.cells[k].differences;
        cell.difference = from.cells[k].difference;
      }
      ret.cells.push_back(std::move(cell));
    }
    return ret;
  };
  auto metric_row = [&](const std::string& name) -> const CompareRow* {
    for (const auto& r : metric_rows)
      if (!name.empty() && r.name == name) return &r;
    return nullptr;
  };
  const ValueSplit& v = cmp.value;
  const CompareRow *cash = metric_row(v.cash_flow), *terminal = metric_row(v.terminal);
  for (const auto& row : metric_rows) {
    cmp.rows.push_back(row);
    if (v.total.empty() || row.name != v.total) continue;
    cmp.rows.push_back(return_row(row, "return", "paired difference in NPV to the baseline, terminal value included"));
    if (cash && terminal) {
      cmp.rows.push_back(
          return_row(*cash, "return_cash_flow",
                     fmt::format("the return's discounted cash flow over the horizon (paired Δ {})", v.cash_flow)));
      cmp.rows.push_back(return_row(
          *terminal, "return_terminal_value",
          fmt::format("the return's terminal value, the customers at the horizon after it (paired Δ {})", v.terminal)));
    }
  }

  // Per-step series for plots.
  std::size_t rows = SIZE_MAX;
  for (const auto& run : cmp.runs)
    for (const auto& r : run.results) rows = std::min(rows, r.trajectory.rows());
  if (rows == SIZE_MAX) rows = 0;
  for (std::size_t k = 0; k < cmp.runs.size(); ++k) {
    std::vector<SeriesSummary> per_column, diff_column;
    for (std::size_t c = 0; c < cmp.columns.size(); ++c) {
      const Unit unit = cmp.rows[c].measure.unit;  // the column rows come first, in column order
      per_column.push_back(series_of(cmp.runs[k], c, rows, unit));
      if (k > 0) diff_column.push_back(series_of(cmp.runs[k], c, rows, unit, &cmp.runs[0]));
    }
    cmp.series.push_back(std::move(per_column));
    cmp.difference_series.push_back(std::move(diff_column));
  }
  return cmp;
}

void write_compare_csv(std::ostream& out, const Comparison& cmp) {
  out << "row,kind,whatif,label,replicates,mean,se,ci_low,ci_high,diff_mean,diff_se,diff_ci_low,diff_ci_high,unit\n";
  for (const auto& row : cmp.rows) {
    for (std::size_t k = 0; k < row.cells.size(); ++k) {
      const CompareCell& c = row.cells[k];
      out << csv_field(row.name) << ',' << row.kind << ',' << letter(k) << ',' << csv_field(cmp.whatifs[k].label) << ','
          << cmp.runs[k].replicates;
      if (c.estimate)
        out << ',' << csv_number(c.estimate->mean) << ',' << csv_number(c.estimate->se) << ','
            << csv_number(c.estimate->ci_low) << ',' << csv_number(c.estimate->ci_high);
      else
        out << ",,,,";
      if (c.difference)
        out << ',' << csv_number(c.difference->mean) << ',' << csv_number(c.difference->se) << ','
            << csv_number(c.difference->ci_low) << ',' << csv_number(c.difference->ci_high);
      else
        out << ",,,,";
      out << ',' << unit_name(row.measure.unit) << '\n';
    }
  }
}

json compare_json(const Comparison& cmp, const ProvenanceExtras& extras) {
  const RunOutput& base = cmp.runs.front();
  const Scenario& sc = cmp.whatifs.front().scenario;
  json doc;
  doc["model"] = sc.model;
  doc["seed"] = base.seed;
  doc["replicates"] = base.replicates;
  doc["steps"] = base.steps;
  doc["vary"] = cmp.vary_key.empty() ? json(nullptr) : json(cmp.vary_key);
  doc["baseline"] = cmp.whatifs.front().label;
  if (!cmp.currency.empty()) doc["currency"] = cmp.currency;
  json whatifs = json::array();
  for (std::size_t k = 0; k < cmp.whatifs.size(); ++k)
    whatifs.push_back(json{{"id", letter(k)}, {"label", cmp.whatifs[k].label}});
  doc["whatifs"] = whatifs;
  doc["pairing"] = fmt::format(
      "replicate r of every what-if uses seed {} and replicate r's graph and initial state (common random numbers); "
      "a difference is the mean of per-replicate differences to the baseline '{}', its SE = sample SD / √R and 95 % "
      "CI = mean ± t(0.975, R−1) × SE (paired t)",
      base.seed, cmp.whatifs.front().label);
  json measures{{"columns", json::object()}, {"metrics", json::object()}, {"returns", json::object()}};
  for (const auto& row : cmp.rows)
    measures[row.kind == "metric"   ? "metrics"
             : row.kind == "return" ? "returns"
                                    : "columns"][row.name] = measure_json(row.measure);
  doc["measures"] = measures;
  json rows = json::array();
  for (const auto& row : cmp.rows) {
    json cells = json::array();
    for (std::size_t k = 0; k < row.cells.size(); ++k) {
      const CompareCell& c = row.cells[k];
      cells.push_back(json{{"id", letter(k)},
                           {"label", cmp.whatifs[k].label},
                           {"estimate", c.estimate ? estimate_object(*c.estimate) : json(nullptr)},
                           {"difference", c.difference ? estimate_object(*c.difference) : json(nullptr)},
                           {"values", values_json(c.values)},
                           {"differences", values_json(c.differences)}});
    }
    json r{{"name", row.name}, {"kind", row.kind}, {"unit", unit_name(row.measure.unit)}};
    if (row.kind == "final") r["step"] = base.steps;
    if (row.kind == "total" || row.kind == "max") r["steps"] = fmt::format("1 to {}", base.steps);
    if (row.kind == "return") r["note"] = row.name == "return" ? cmp.value.return_note : row.measure.meaning;
    r["whatifs"] = cells;
    rows.push_back(r);
  }
  doc["rows"] = rows;

  json ts;
  const std::size_t n_steps =
      cmp.series.empty() || cmp.series.front().empty() ? 0 : cmp.series.front().front().mean.size();
  ts["steps"] = n_steps ? std::int64_t(n_steps) - 1 : 0;
  ts["step_length"] = sc.info && sc.info->step_in_days ? sc.step_days : sc.dt;
  ts["step_unit"] = sc.info && sc.info->step_in_days ? "days" : "time.dt units";
  ts["columns"] = cmp.columns;
  json per = json::array();
  for (std::size_t k = 0; k < cmp.series.size(); ++k) {
    json series, difference;
    for (std::size_t c = 0; c < cmp.columns.size(); ++c) {
      const SeriesSummary& s = cmp.series[k][c];
      series[cmp.columns[c]] =
          json{{"mean", values_json(s.mean)}, {"ci_low", values_json(s.ci_low)}, {"ci_high", values_json(s.ci_high)}};
      if (k > 0) {
        const SeriesSummary& d = cmp.difference_series[k][c];
        difference[cmp.columns[c]] =
            json{{"mean", values_json(d.mean)}, {"ci_low", values_json(d.ci_low)}, {"ci_high", values_json(d.ci_high)}};
      }
    }
    json w{{"id", letter(k)}, {"label", cmp.whatifs[k].label}, {"series", series}};
    // The paired difference to the baseline per step: far tighter than the two bands side by side.
    w["difference"] = k > 0 ? difference : json(nullptr);
    per.push_back(w);
  }
  ts["whatifs"] = per;
  doc["timeseries"] = ts;

  // Everything that may differ between two runs of the same comparison lives below.
  json prov;
  json configs = json::array();
  for (std::size_t k = 0; k < cmp.whatifs.size(); ++k) {
    const Scenario& s = cmp.whatifs[k].scenario;
    configs.push_back(json{{"id", letter(k)},
                           {"label", cmp.whatifs[k].label},
                           {"config", effective_config(s, cmp.runs[k])},
                           {"config_file", s.source_file},
                           {"files", s.files},
                           {"overrides", s.overrides}});
  }
  prov["whatifs"] = configs;
  prov.update(
      provenance_base(base.seed, base.replicates, base.threads, cmp.wall_seconds, cmp.started_at, extras.command));
  if (!base.results.empty()) prov["graph"] = base.results.front().graph.description;
  doc["provenance"] = prov;
  return doc;
}

std::string format_comparison(const Comparison& cmp, bool all) {
  const RunOutput& base = cmp.runs.front();
  std::string s;
  s += fmt::format("compare     {} what-ifs of model {}, paired on seed {} × {} replicate{} × {} steps ({:.3g} s)\n",
                   cmp.whatifs.size(), cmp.whatifs.front().scenario.model, base.seed, base.replicates,
                   base.replicates == 1 ? "" : "s", base.steps, cmp.wall_seconds);
  for (std::size_t k = 0; k < cmp.whatifs.size(); ++k)
    s += fmt::format("  {}  {}{}\n", letter(k), cmp.whatifs[k].label, k == 0 ? "  (baseline)" : "");
  auto find = [&](const char* name) -> const CompareRow* {
    for (const auto& r : cmp.rows)
      if (r.name == name) return &r;
    return nullptr;
  };

  // The verdict on each change: its return, with the split and whether its CI excludes 0.
  const CompareRow* ret = find("return");
  const CompareRow *ret_cash = find("return_cash_flow"), *ret_terminal = find("return_terminal_value");
  const FigureFormat money{Unit::Money, cmp.currency};
  if (ret)
    for (std::size_t k = 1; k < ret->cells.size(); ++k) {
      const Estimate& e = *ret->cells[k].difference;
      std::string line = fmt::format("{} ({}): return {}", letter(k), cmp.whatifs[k].label, money.with_ci(e));
      if (ret_cash && ret_terminal) {
        // The parts at the precision of the return.
        const double cash = ret_cash->cells[k].difference->mean, terminal = ret_terminal->cells[k].difference->mean;
        const int d = money.decimals(std::max({std::fabs(e.mean), std::fabs(e.ci_low), std::fabs(e.ci_high)}));
        line += fmt::format(" = cash flow over the horizon {} + terminal value {}", money.text(cash, d),
                            money.text(terminal, d));
      }
      line += e.count < 2                       ? "; one replicate: no CI"
              : (e.ci_low > 0 || e.ci_high < 0) ? "; the CI excludes 0"
                                                : "; the CI includes 0";
      s += line + "\n";
    }

  // The rows shown: the model's headline figures in its order, then the returns; every row
  // with --all or when the model declares no headline.
  std::vector<const CompareRow*> shown;
  if (!all) {
    for (const auto& r : cmp.rows)
      if (r.kind == "metric" && r.measure.headline > 0) shown.push_back(&r);
    std::stable_sort(shown.begin(), shown.end(), [](const CompareRow* a, const CompareRow* b) {
      return a->measure.headline < b->measure.headline;
    });
    if (!shown.empty())
      for (const auto& r : cmp.rows)
        if (r.kind == "return") shown.push_back(&r);
  }
  if (shown.empty())
    for (const auto& r : cmp.rows) shown.push_back(&r);

  s += "mean [95 % CI]; Δ = paired difference to A over the same replicates; * = CI excludes 0; shares in %, "
       "their differences in percentage points (pp)\n";
  std::vector<std::string> header{"figure"};
  for (std::size_t k = 0; k < cmp.whatifs.size(); ++k) {
    header.push_back(letter(k));
    if (k > 0) header.push_back(fmt::format("Δ {}−A", letter(k)));
  }
  std::vector<std::vector<std::string>> table{header};
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const CompareRow& row = *shown[i];
    // A split right below what it splits reads as its parts: npv = cash flows + terminal value.
    const std::string prev = i > 0 ? shown[i - 1]->name : "", prev2 = i > 1 ? shown[i - 2]->name : "";
    std::string label = row.name;
    if (const std::string mark = split_marker(cmp.value, row.name, prev, prev2); !mark.empty())
      label = "  " + mark + " " + row.name;
    else if (row.kind != "metric" && row.kind != "return")
      label += " (" + row.kind + ")";
    std::vector<std::string> line{label};
    const FigureFormat level = figure_format(row.measure, cmp.currency);
    const FigureFormat diff = figure_format(row.measure, cmp.currency, true);
    for (std::size_t k = 0; k < row.cells.size(); ++k) {
      const CompareCell& c = row.cells[k];
      line.push_back(c.estimate ? cell_text(*c.estimate, level) : "-");
      if (k > 0) line.push_back(c.difference ? diff_text(*c.difference, diff) : "-");
    }
    table.push_back(std::move(line));
  }
  // Column widths in code points: the Δ and − signs are multibyte.
  auto width = [](const std::string& t) {
    std::size_t n = 0;
    for (unsigned char c : t) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<std::size_t> w(header.size(), 0);
  for (const auto& line : table)
    for (std::size_t i = 0; i < line.size(); ++i) w[i] = std::max(w[i], width(line[i]));
  for (const auto& line : table) {
    std::string l = " ";
    for (std::size_t i = 0; i < line.size(); ++i) {
      const std::size_t pad = w[i] - width(line[i]);
      l += ' ';
      if (i == 0)
        l += line[i] + std::string(pad, ' ');
      else
        l += std::string(pad, ' ') + line[i];
      l += ' ';
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    s += l + "\n";
  }
  if (shown.size() < cmp.rows.size())
    s += fmt::format(
        "({} of {} figures shown, the model's headline; all of them with --all, and in compare.csv and "
        "compare.json with --out DIR)\n",
        shown.size(), cmp.rows.size());
  if (ret) s += fmt::format("{}\n", cmp.value.return_note);
  return s;
}

}  // namespace wom
