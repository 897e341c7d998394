// Economics and the per-agent ledger (docs/design.md §3 step 12 and §4; docs/economics.md): the
// cash flows of one step (revenue, remedies, CAC, contacts, replies, training, NPV) and the
// discounted per-agent ledger with each customer's terminal value at the horizon.
#include <algorithm>

#include "models/service_wom/model.hpp"

namespace wom::models::swom {

/// Economics of step t: margins accrue to the customers of t+1 for this step; costs, the cash
/// flow and its discounted sum; the customer-years at risk's defections and the current row.
void ServiceWom::accrue(std::int64_t t) {
  const double revenue = double(margin_sum_) / kMarginScale * dt_years_;
  obs_[c_revenue] = revenue;
  obs_[c_cohort_revenue] = double(cohort_margin_sum_) / kMarginScale * dt_years_;
  obs_[c_remedy_cost] = obs_[c_remedies] * c_.remedy_cost;
  obs_[c_acquisition_cost] = obs_[c_acquisitions] * c_.cac;
  obs_[c_contact_cost] = obs_[c_complaints] * c_.contact_cost;
  obs_[c_reply_cost] = obs_[c_review_replies] * c_.review_reply_cost;
  obs_[c_training_cost] = c_.training_cost_per_year * dt_years_;
  const double continuing = obs_[c_remedy_cost] + obs_[c_contact_cost] + obs_[c_reply_cost] + obs_[c_training_cost];
  continuing_cost_ += continuing;
  obs_[c_cash_flow] = revenue - obs_[c_acquisition_cost] - continuing;
  npv_ += obs_[c_cash_flow] * std::pow(1.0 + c_.discount_rate_per_year, -double(t + 1) * dt_years_);
  obs_[c_npv_cash_flows] = npv_;
  defections_total_ += obs_[c_defections];
  rows_ = t + 1;
}

/// Per-agent discounted cash flows up to the current row (docs/design.md §4): closed customer spells
/// plus the open one, remedies, contact and reply costs, CAC, and the terminal value
/// (m − c)·r/(1+i−r) of each customer at the horizon (terminal_rule(): r and c pinned, or the
/// run's own so far, as in the summary). Summed over agents, margins equal the revenue column's
/// discounted total and terminal values the summary's terminal value.
AgentLedger ServiceWom::ledger() const {
  const std::size_t n = std::size_t(n_);
  led_margin_out_.resize(n);
  led_service_out_.resize(n);
  led_acquisition_out_.resize(n);
  led_terminal_out_.assign(n, 0.0);
  const TerminalRule tv = terminal_rule();
  const std::uint8_t* st = status_->now.data();
  for (std::size_t v = 0; v < n; ++v) {
    const PersonRec& r = rec_[v];
    led_margin_out_[v] = r.led_margin;
    led_service_out_[v] = r.led_service;
    led_acquisition_out_[v] = r.led_acquisition;
    if (st[v] == kCustomer) {
      const double m = double(r.margin);
      led_margin_out_[v] += m * dt_years_ * spell(std::max<std::int64_t>(1, r.acquired), rows_);
      led_terminal_out_[v] = tv.value(m);
    }
  }
  AgentLedger l;
  l.margin = led_margin_out_;
  l.service = led_service_out_;
  l.acquisition = led_acquisition_out_;
  l.terminal = led_terminal_out_;
  return l;
}

}  // namespace wom::models::swom
