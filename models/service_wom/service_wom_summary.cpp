// Summary metrics of one service_wom trajectory (docs/design.md §3 step 12 and §4).
//
// Conventions (docs/economics.md; formulas in economics.hpp):
//   * annual defection rate h = defections / customer-years at risk, customer-years = Σ_t C_t·dt
//     over the customers at the start of each step (for a whole year: defections / mean
//     customers); retention r = the one-year survival (1 − h·dt)^(1/dt) ≈ e^(−h), never 1 − h;
//   * CLV (Gupta & Lehmann) = m·r/(1+i−r), m = mean annual margin of customers;
//   * terminal value = customers at the horizon × (their mean margin − c) × r/(1+i−r),
//     discounted from the horizon, c = the continuing cost per customer-year (remedies,
//     contacts, replies, training) at the run's rates; NPV = discounted cash flows + terminal
//     value, and both parts are reported;
//   * empirical CLV = discounted margins the customers of step 0 earned while they stayed,
//     per initial customer (the cohort is followed until it first lapses).
#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/service_wom/config.hpp"
#include "models/service_wom/economics.hpp"
#include "models/service_wom/service_wom.hpp"

namespace wom::models {

namespace {
/// A ratio whose denominator is 0 (no customers, no stories): undefined, shown as n/a and
/// written as null, never as a 0 that reads like a measurement.
constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::vector<Measure> service_wom_measures() {
  using U = Unit;
  using A = Aggregate;
  auto persons = [](const char* name, const char* meaning) { return Measure{name, U::Persons, A::Level, meaning, 0}; };
  auto flow = [](const char* name, U u, const char* meaning) { return Measure{name, u, A::Sum, meaning, 0}; };
  auto metric = [](const char* name, U u, const char* meaning, int headline = 0) {
    return Measure{name, u, A::Level, meaning, headline};
  };
  return {
      // --- time-series columns: stocks and levels at the step
      persons("prospects", "persons who are not customers and never were (or rejected the brand)"),
      persons("customers", "customers at the step"),
      persons("lapsed", "former customers"),
      persons("cohort_customers", "customers of step 0 who have not lapsed since"),
      Measure{"rating", U::Stars, A::Level, "public rating: Bayesian average of the reviews in the window", 0},
      Measure{"mean_attitude", U::Attitude, A::Level, "mean attitude of all persons toward the firm", 0},
      Measure{"npv_cash_flows", U::Money, A::Level, "discounted cash flows from step 1 to the step (no terminal value)",
              0},
      Measure{"largest_cascade", U::Count, A::Max, "persons reached by the largest tweet cascade of the step", 0},
      // --- time-series columns: flows per step (their totals over the run)
      flow("acquisitions", U::Persons, "prospects who became customers"),
      flow("winbacks", U::Persons, "lapsed customers who came back"),
      flow("defections*", U::Persons, "customers who left (total, or by cause)"),
      flow("rejections", U::Persons, "prospects who rejected the brand after a negative story"),
      flow("problems*", U::Count, "problems customers had with the firm"),
      flow("repeat_failures", U::Count, "problems while another was unresolved"),
      flow("silent_problems", U::Count, "problems not voiced to the firm"),
      flow("complaints*", U::Count, "problems voiced to the firm (total, or by handling path)"),
      flow("clarified", U::Count, "misunderstandings cleared up by clarification"),
      flow("remedies", U::Count, "refunds or credits given"),
      flow("stories*", U::Count, "stories started (positive, negative) or retold"),
      flow("recommendations", U::Count, "positive stories started by satisfied customers"),
      flow("listeners*", U::Count, "listeners reached, by channel and valence"),
      flow("tweets", U::Count, "tweets posted by complainants"),
      flow("cascades", U::Count, "tweet cascades with at least one retweet"),
      flow("cascades_100", U::Count, "tweet cascades reaching 100 or more persons"),
      flow("retweets", U::Count, "retweets"),
      flow("reviews", U::Count, "reviews posted"),
      flow("reviews_negative", U::Count, "reviews of 1 or 2 stars"),
      flow("review_replies", U::Count, "public replies to negative reviews"),
      flow("revenue", U::Money, "margins earned (undiscounted)"),
      flow("cohort_revenue", U::Money, "margins earned from the step-0 cohort (undiscounted)"),
      flow("remedy_cost", U::Money, "cost of remedies (undiscounted)"),
      flow("acquisition_cost", U::Money, "acquisition spend, CAC per acquisition (undiscounted)"),
      flow("contact_cost", U::Money, "cost of handling complaints (undiscounted)"),
      flow("reply_cost", U::Money, "cost of replies to reviews (undiscounted)"),
      flow("training_cost", U::Money, "cost of the service policy's training (undiscounted)"),
      flow("cash_flow", U::Money, "revenue minus every cost (undiscounted)"),
      // --- summary metrics, the headline first
      metric("retention_per_year", U::Share, "probability a customer stays a year (one-year survival)", 1),
      metric("annual_defection_rate", U::PerYear, "defections per customer-year at risk", 2),
      metric("customers_start", U::Persons, "customers at step 0", 3),
      metric("customers_end", U::Persons, "customers at the horizon", 4),
      metric("acquisitions", U::Persons, "prospects who became customers over the run", 5),
      metric("npv", U::Money, "net present value: discounted cash flows plus terminal value", 6),
      metric("npv_cash_flows", U::Money, "discounted cash flows over the horizon", 7),
      metric("terminal_value", U::Money,
             "value of the customers at the horizon after it, net of continuing costs, discounted to today", 8),
      metric("share_positive_stories", U::Share, "share of first-hand stories started that were positive", 9),
      metric("rating_end", U::Stars, "public rating at the horizon", 10),
      metric("retention_year_*", U::Share, "one-year survival measured over that year of the horizon"),
      metric("winbacks", U::Persons, "lapsed customers who came back over the run"),
      metric("defections*", U::Persons, "customers who left over the run (total, or by cause)"),
      metric("rejections", U::Persons, "prospects who rejected the brand over the run"),
      metric("problems", U::Count, "problems over the run"),
      metric("complaints*", U::Count, "complaints over the run (total, or by handling path)"),
      metric("remedies", U::Count, "remedies given over the run"),
      metric("tweets", U::Count, "tweets over the run"),
      metric("reviews", U::Count, "reviews over the run"),
      metric("stories*", U::Count, "stories over the run"),
      metric("largest_cascade", U::Count, "persons reached by the largest tweet cascade of the run"),
      metric("base_change_per_year", U::PerYear, "growth of the customer base per year (negative: shrinking)"),
      metric("margin_per_customer_year", U::Money, "mean margin per customer-year"),
      metric("clv_analytic", U::Money,
             "customer lifetime value of the gross margin, m r/(1+i-r) (the terminal value nets continuing costs)"),
      metric("clv_empirical", U::Money, "discounted margins per step-0 customer over the horizon"),
      metric("clv_empirical_with_tail", U::Money, "clv_empirical plus the cohort's terminal value"),
      metric("cohort_survival", U::Share, "share of step-0 customers who never lapsed"),
      metric("continuing_cost_per_customer_year", U::Money,
             "continuing cost per customer-year measured over the run: remedies, contacts, replies and training"),
      metric("service_cost_per_customer_year", U::Money,
             "service cost per customer-year measured over the run: remedies, contacts and replies (no training)"),
      metric("terminal_retention", U::Share, "the retention r the terminal value used (measured, or pinned)"),
      metric("terminal_cost_per_customer_year", U::Money,
             "the continuing cost c the terminal value used (measured, or pinned)"),
      metric("remedy_cost", U::Money, "cost of remedies over the run (undiscounted)"),
      metric("contact_cost", U::Money, "cost of complaint handling over the run (undiscounted)"),
      metric("reply_cost", U::Money, "cost of review replies over the run (undiscounted)"),
      metric("training_cost", U::Money, "training cost over the run (undiscounted)"),
      metric("acquisition_cost", U::Money, "acquisition spend over the run (undiscounted)"),
      metric("revenue", U::Money, "margins earned over the run (undiscounted)"),
  };
}

std::map<std::string, double> service_wom_summary(const Params& params, const Trajectory& tr, double step_days) {
  const swom::Config c = swom::read_config(params);
  auto col = [&](const char* name) {
    const auto it = std::find(tr.columns.begin(), tr.columns.end(), name);
    if (it == tr.columns.end()) throw Error(fmt::format("service_wom_summary: no column '{}'", name));
    return std::size_t(it - tr.columns.begin());
  };
  const std::int64_t H = std::int64_t(tr.rows()) - 1;
  if (H < 1) throw Error("service_wom_summary: the trajectory has no step");
  const double dt = step_days / 365.0, i = c.discount_rate_per_year;
  auto sum = [&](const char* name, std::int64_t from = 1, std::int64_t to = -1) {
    const std::size_t k = col(name);
    double s = 0;
    for (std::int64_t t = from; t <= (to < 0 ? H : to); ++t) s += tr.at(t, k);
    return s;
  };
  auto disc = [&](std::int64_t t) { return std::pow(1.0 + i, -double(t) * dt); };
  auto multiple = [&](double r) { return r / (1.0 + i - r); };
  const std::size_t kc = col("customers"), kd = col("defections"), krev = col("revenue");

  std::map<std::string, double> s;
  // Retention: overall and per year of the horizon (the last year may be partial).
  double exposure = 0, defections = 0;
  for (std::int64_t t = 0; t < H; ++t) {
    exposure += tr.at(t, kc) * dt;
    defections += tr.at(t + 1, kd);
  }
  const double rate = exposure > 0 ? defections / exposure : kUndefined;
  const double r = swom::annual_survival(defections, exposure, dt);
  s["annual_defection_rate"] = rate;
  s["retention_per_year"] = r;
  const std::int64_t per_year = std::max<std::int64_t>(1, std::llround(1.0 / dt));
  for (std::int64_t y = 0; y * per_year < H; ++y) {
    double e = 0, d = 0;
    for (std::int64_t t = y * per_year; t < std::min(H, (y + 1) * per_year); ++t) {
      e += tr.at(t, kc) * dt;
      d += tr.at(t + 1, kd);
    }
    s[fmt::format("retention_year_{}", y + 1)] = swom::annual_survival(d, e, dt);
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
  s["share_positive_stories"] = pos + neg > 0 ? pos / (pos + neg) : kUndefined;

  const double c0 = tr.at(0, kc), cH = tr.at(H, kc), years = double(H) * dt;
  s["customers_start"] = c0;
  s["customers_end"] = cH;
  s["base_change_per_year"] = c0 > 0 ? std::pow(cH / c0, 1.0 / years) - 1.0 : kUndefined;
  s["rating_end"] = tr.at(H, col("rating"));

  // Value: mean annual margin of customers over the run, CLV, NPV with terminal value.
  double cust_years_end = 0;
  for (std::int64_t t = 1; t <= H; ++t) cust_years_end += tr.at(t, kc) * dt;
  const double m = cust_years_end > 0 ? sum("revenue") / cust_years_end : c.margin_per_year;
  s["margin_per_customer_year"] = m;
  s["clv_analytic"] = m * multiple(r);
  const double m_end = cH > 0 ? tr.at(H, krev) / (cH * dt) : 0.0;
  // The terminal rule (economics.hpp): r and c are the run's own unless pinned (wom cost pins
  // both to its baseline's, so one focal event does not revalue every customer).
  double service = 0;
  for (const char* k : {"remedy_cost", "contact_cost", "reply_cost"}) service += sum(k);
  const double c_service = swom::cost_per_customer_year(service, exposure),
               c_measured = swom::cost_per_customer_year(service + sum("training_cost"), exposure);
  const swom::TerminalRule tv = swom::TerminalRule::of(
      c.terminal_retention >= 0 ? c.terminal_retention : r,
      c.terminal_cost_per_customer_year >= 0 ? c.terminal_cost_per_customer_year : c_measured, i, disc(H));
  const double terminal = cH > 0 ? cH * tv.value(m_end) : 0.0;
  // What the run measured, and what its terminal value used (the same unless pinned).
  s["service_cost_per_customer_year"] = c_service;
  s["continuing_cost_per_customer_year"] = c_measured;
  s["terminal_retention"] = tv.retention;
  s["terminal_cost_per_customer_year"] = tv.cost_per_year;
  s["npv_cash_flows"] = tr.at(H, col("npv_cash_flows"));
  s["terminal_value"] = terminal;
  s["npv"] = s["npv_cash_flows"] + terminal;
  for (const char* k : {"npv", "npv_cash_flows", "terminal_value"})
    if (!std::isfinite(s[k]))
      throw Error(
          fmt::format("service_wom: {} is not a finite number ({}): the money figures cannot be trusted", k, s[k]));
  const std::size_t kcohort = col("cohort_customers"), kcrev = col("cohort_revenue");
  const double cohort0 = tr.at(0, kcohort);
  double realized = 0;
  for (std::int64_t t = 1; t <= H; ++t) realized += tr.at(t, kcrev) * disc(t);
  const double cohortH = tr.at(H, kcohort);
  const double tail = cohortH > 0 ? tr.at(H, kcrev) / dt * multiple(r) * disc(H) : 0.0;
  s["clv_empirical"] = cohort0 > 0 ? realized / cohort0 : kUndefined;
  s["clv_empirical_with_tail"] = cohort0 > 0 ? (realized + tail) / cohort0 : kUndefined;
  s["cohort_survival"] = cohort0 > 0 ? cohortH / cohort0 : kUndefined;
  s["remedy_cost"] = sum("remedy_cost");
  s["contact_cost"] = sum("contact_cost");
  s["reply_cost"] = sum("reply_cost");
  s["training_cost"] = sum("training_cost");
  s["acquisition_cost"] = sum("acquisition_cost");
  s["revenue"] = sum("revenue");
  return s;
}

}  // namespace wom::models
