// What service_wom offers the applications above the engine (sim/core/offers.hpp): the
// interventions `wom cost` injects, the ledger, roles and channels it partitions by, the value
// split `wom compare` returns, and the words that name them.
#include "models/service_wom/service_wom.hpp"

namespace wom::models {

Offers service_wom_offers() {
  Offers o;
  o.interventions = {
      {"argue", "a complaint by the agent at the step, handled argue (first contact as configured)"},
      {"acknowledge", "a complaint by the agent at the step, handled acknowledge (first contact as configured)"},
      {"lose", "the customer is lost outright at the step (defects, no story)"}};
  o.options = {{"severity",
                "the complaint's severity: drawn from the mix of complaints as they arrive (~78 % large), or fixed",
                {{"mix", "mix of complaints"}, {"small", "small"}, {"large", "large"}},
                true},
               {"misunderstanding",
                "the customer is wrong (a misunderstanding) instead of having a valid complaint",
                {{"false", "valid"}, {"true", "misunderstanding"}},
                false}};
  o.roles = {{kRoleProspect, "prospect", "not a customer yet (may adopt)"},
             {kRoleCustomer, "customer", "buys and earns a margin"},
             {kRoleLapsed, "lapsed", "a former customer (may be won back)"}};
  o.ledger = {{"margin", "margins earned from the person, discounted", "margins"},
              {"service", "remedies, complaint contacts and review replies", "remedies, contacts and review replies"},
              {"acquisition", "acquisition spend (CAC) to win the person, or win them back", "acquisition spend"},
              {"terminal", "value after the horizon of a customer at the horizon", "terminal value"}};
  o.channels = {{"talk", "strong-tie talk on the graph", "channels.talk"},
                {"weak_ties", "weak-tie talk to random contacts", "channels.weak_ties"},
                {"tweets", "tweets and retweet cascades", "channels.tweets"},
                {"reviews", "public reviews and the rating's effect on acquisition and churn", "channels.reviews"}};
  CostQuestion& q = o.cost;
  q.treatment = "argue";
  q.control = "acknowledge";
  q.removal = "lose";
  q.customer_role = kRoleCustomer;
  q.focal = "complainant";
  q.focal_parts = "own margin, own terminal value, remedy";
  q.event = "argued interaction";
  q.an_event = "an argued interaction";
  q.events = "argued complaints";
  q.injected = "complaint";
  q.gerund = "arguing";
  q.participle = "argued";
  q.control_gerund = "acknowledging";
  o.value = {"npv", "npv_cash_flows", "terminal_value",
             "return = paired difference in NPV to the baseline, terminal value included, split exactly into "
             "return_cash_flow (the discounted cash flow over the horizon) + return_terminal_value (the value of the "
             "customers at the horizon after it); the cash flow already nets remedies, review replies, training, "
             "contacts and acquisition spend, and the terminal value nets each what-if's continuing costs per "
             "customer-year (remedies, contacts, replies and training at its own rates), so nothing is subtracted "
             "twice or left out"};
  o.currency_param = "economics.currency";
  o.acquisition_cost_param = "economics.cac";
  // The terminal rule's measured inputs: the continuing cost pinned is the service cost alone
  // (one customer more or less changes remedies, contacts and replies, not the training
  // budget; docs/economics.md).
  o.pins = {{"economics.terminal_retention", "retention_per_year"},
            {"economics.terminal_cost_per_customer_year", "service_cost_per_customer_year"}};
  o.reach_prefix = "listeners_";
  o.plotted = {"customers", "prospects", "lapsed",      "acquisitions",
               "rating",    "revenue",   "remedy_cost", "npv_cash_flows"};
  return o;
}

}  // namespace wom::models
