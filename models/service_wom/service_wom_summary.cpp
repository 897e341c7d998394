// Summary metrics of one service_wom trajectory (DESIGN §3 step 12 and §4).
//
// Conventions (README.md, "Economics"):
//   * annual defection rate = defections / customer-years at risk, customer-years = Σ_t C_t·dt
//     over the customers at the start of each step (for a whole year: defections / mean
//     customers); retention r = 1 − rate;
//   * CLV (Gupta & Lehmann) = m·r/(1+i−r), m = mean annual margin of customers;
//   * terminal value = customers at the horizon × their mean margin × r/(1+i−r), discounted
//     from the horizon; NPV = discounted cash flows + terminal value;
//   * empirical CLV = discounted margins the customers of step 0 earned while they stayed,
//     per initial customer (the cohort is followed until it first lapses).
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "config.hpp"
#include "service_wom.hpp"

namespace wom::models {

std::map<std::string, double> service_wom_summary(const Params& params, const Trajectory& tr, double step_days) {
  const swom::Config c = swom::read_config(params);
  auto col = [&](const char* name) {
    const auto it = std::find(tr.columns.begin(), tr.columns.end(), name);
    if (it == tr.columns.end()) throw Error(fmt::format("service_wom_summary: no column '{}'", name));
    return std::size_t(it - tr.columns.begin());
  };
  const std::int64_t H = std::int64_t(tr.rows()) - 1;
  if (H < 1) throw Error("service_wom_summary: the trajectory has no step");
  const double dt = step_days / 365.0, i = c.discount_rate;
  auto sum = [&](const char* name, std::int64_t from = 1, std::int64_t to = -1) {
    const std::size_t k = col(name);
    double s = 0;
    for (std::int64_t t = from; t <= (to < 0 ? H : to); ++t) s += tr.at(t, k);
    return s;
  };
  auto disc = [&](std::int64_t t) { return std::pow(1.0 + i, -double(t) * dt); };
  auto multiple = [&](double r) { return r / std::max(1e-12, 1.0 + i - r); };
  const std::size_t kc = col("customers"), kd = col("defections"), krev = col("revenue");

  std::map<std::string, double> s;
  // Retention: overall and per year of the horizon (the last year may be partial).
  double exposure = 0, defections = 0;
  for (std::int64_t t = 0; t < H; ++t) {
    exposure += tr.at(t, kc) * dt;
    defections += tr.at(t + 1, kd);
  }
  const double rate = exposure > 0 ? defections / exposure : 0.0;
  const double r = std::clamp(1.0 - rate, 0.0, 1.0);
  s["annual_defection_rate"] = rate;
  s["retention_per_year"] = r;
  // The terminal value uses economics.terminal_retention when set (wom cost pins it).
  const double r_terminal = c.terminal_retention >= 0 ? c.terminal_retention : r;
  const std::int64_t per_year = std::max<std::int64_t>(1, std::llround(1.0 / dt));
  for (std::int64_t y = 0; y * per_year < H; ++y) {
    double e = 0, d = 0;
    for (std::int64_t t = y * per_year; t < std::min(H, (y + 1) * per_year); ++t) {
      e += tr.at(t, kc) * dt;
      d += tr.at(t + 1, kd);
    }
    s[fmt::format("retention_year_{}", y + 1)] = e > 0 ? std::clamp(1.0 - d / e, 0.0, 1.0) : 0.0;
  }
  for (const char* k : {"acquisitions",
                        "winbacks",
                        "defections",
                        "defections_silent",
                        "defections_argue",
                        "defections_acknowledge_unresolved",
                        "defections_acknowledge_resolved",
                        "defections_base",
                        "defections_wom",
                        "rejections",
                        "problems",
                        "complaints",
                        "complaints_argue",
                        "complaints_acknowledge",
                        "complaints_acknowledge_quick",
                        "remedies",
                        "tweets",
                        "reviews",
                        "stories_positive",
                        "stories_negative",
                        "stories_retold"})
    s[k] = sum(k);
  double largest = 0;
  for (std::int64_t t = 1; t <= H; ++t) largest = std::max(largest, tr.at(t, col("largest_cascade")));
  s["largest_cascade"] = largest;
  const double pos = s["stories_positive"], neg = s["stories_negative"];
  s["share_positive_stories"] = pos + neg > 0 ? pos / (pos + neg) : 0.0;

  const double c0 = tr.at(0, kc), cH = tr.at(H, kc), years = double(H) * dt;
  s["customers_start"] = c0;
  s["customers_end"] = cH;
  s["base_change_per_year"] = c0 > 0 && cH > 0 ? std::pow(cH / c0, 1.0 / years) - 1.0 : 0.0;
  s["rating_end"] = tr.at(H, col("rating"));

  // Value: mean annual margin of customers over the run, CLV, NPV with terminal value.
  double cust_years_end = 0;
  for (std::int64_t t = 1; t <= H; ++t) cust_years_end += tr.at(t, kc) * dt;
  const double m = cust_years_end > 0 ? sum("revenue") / cust_years_end : c.margin_per_year;
  s["margin_per_customer_year"] = m;
  s["clv_analytic"] = m * multiple(r);
  const double m_end = cH > 0 ? tr.at(H, krev) / (cH * dt) : 0.0;
  const double terminal = cH * m_end * multiple(r_terminal) * disc(H);
  s["npv_cash_flows"] = tr.at(H, col("npv"));
  s["terminal_value"] = terminal;
  s["npv"] = s["npv_cash_flows"] + terminal;
  const std::size_t kcohort = col("cohort_customers"), kcrev = col("cohort_revenue");
  const double cohort0 = tr.at(0, kcohort);
  double realized = 0;
  for (std::int64_t t = 1; t <= H; ++t) realized += tr.at(t, kcrev) * disc(t);
  const double cohortH = tr.at(H, kcohort);
  const double tail = cohortH > 0 ? tr.at(H, kcrev) / dt * multiple(r) * disc(H) : 0.0;
  s["clv_empirical"] = cohort0 > 0 ? realized / cohort0 : 0.0;
  s["clv_empirical_with_tail"] = cohort0 > 0 ? (realized + tail) / cohort0 : 0.0;
  s["cohort_survival"] = cohort0 > 0 ? cohortH / cohort0 : 0.0;
  s["remedy_cost"] = sum("remedy_cost");
  s["acquisition_cost"] = sum("acquisition_cost");
  s["revenue"] = sum("revenue");
  return s;
}

}  // namespace wom::models
