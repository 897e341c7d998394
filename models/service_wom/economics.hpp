#pragma once
/// service_wom's customer economics (docs/design.md §3 step 12; docs/economics.md): annual retention
/// as a survival probability, the continuing cost of serving a customer, and the terminal value.
/// The summary (service_wom_summary.cpp) and the per-agent ledger (ledger.cpp, cone.cpp) both use
/// these, so the terminal value summed over agents equals the summary's.
#include <algorithm>
#include <cmath>
#include <limits>

namespace wom::models::swom {

/// Annual retention r: the probability that a customer stays a year. From D defections over
/// E customer-years at risk (E = Σ_t C_t·dt over the customers at the start of each step), the
/// per-step defection probability is q = D·dt/E and r = (1 − q)^(1/dt), the one-year survival
/// under that constant per-step hazard — e^(−h) as steps shrink, h = D/E the annual defection
/// rate. Never 1 − h: at h = 1.6 that is 0, while 20 % of customers survive a year. With no
/// customer-years at risk r is undefined: NaN (shown as n/a; a terminal value that needs it is
/// refused).
inline double annual_survival(double defections, double customer_years, double dt_years) {
  if (!(customer_years > 0)) return std::numeric_limits<double>::quiet_NaN();
  const double q = std::clamp(defections * dt_years / customer_years, 0.0, 1.0);
  return std::pow(1.0 - q, 1.0 / dt_years);
}

/// The continuing cost c of serving a customer for a year at the run's rates: remedies,
/// contacts, review replies and (for a policy's terminal value) training, undiscounted, per
/// customer-year at risk.
inline double cost_per_customer_year(double continuing_cost, double customer_years) {
  return customer_years > 0 ? continuing_cost / customer_years : 0.0;
}

/// The terminal value of a customer at the horizon H (Gupta & Lehmann 2003): its margin m, net
/// of the continuing cost c, for as long as it stays — (m − c)·r/(1+i−r), the perpetuity of a
/// yearly net margin that survives each year with probability r, discounted at i — discounted
/// from the horizon to today. economics.discount_rate_per_year ≥ 0.01 bounds the multiple
/// r/(1+i−r) by 1/i ≤ 100.
struct TerminalRule {
  double retention = 1, cost_per_year = 0, multiple = 0, discount = 1;
  static TerminalRule of(double r, double c, double i, double discount_to_today) {
    return TerminalRule{r, c, r / (1.0 + i - r), discount_to_today};
  }
  double value(double margin_per_year) const { return (margin_per_year - cost_per_year) * multiple * discount; }
};

}  // namespace wom::models::swom
