#pragma once
/// `wom cost`: what one treated event (service_wom: an argued interaction), or one lost
/// customer, costs — counting everyone the story reaches (docs/design.md §4).
///
/// The question is the model's (Offers::cost): a focal event on customer i at step t0 is
/// injected into the same world twice on common random numbers (same seed and replicate, so
/// the same graph, population and every draw not downstream of the event): as the model's
/// *treatment* intervention in one run and its *control* in the other (service_wom: a
/// complaint handled argue, and acknowledge); a third run applies its *removal* (losing
/// customer i outright at t0). The total is
/// the paired NPV difference, terminal value included, partitioned exactly — agent by
/// agent, from the model's per-agent ledger — into the focal customer's own margin, the
/// margins of other customers at t0 (retention ripple), of prospects and lapsed at t0
/// (acquisition ripple), service cost (remedies, contacts), acquisition spend and terminal
/// value. Focal customers are drawn uniformly among customers at t0 (keyed draws) for the
/// headline figures, and — with `by_degree` — separately stratified by out-degree decile
/// among all customers at t0 (ranked by degree, ties by keyed draw) for the by-degree table;
/// without it the table groups the uniform sample by decile.
///
/// Efficiency (docs/design.md §5): each world (the scenario, and each channel switched off) runs
/// once and carries its variants, which the model re-simulates only over their causal cones
/// (Model::add_variant); a variant whose cone outgrows `max_cone` of the persons, or a model
/// without cones, is priced by a full run. Both paths give the same numbers bit for bit.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "sim/io/config.hpp"
#include "sim/io/output.hpp"
#include "sim/io/plan.hpp"

namespace wom {

/// What to price (the scenario is what to simulate, the RunPlan which replicates, RunOptions
/// how): the focal events and how they are priced.
struct CostOptions {
  std::int64_t focal = 250;         ///< focal events per replicate
  std::int64_t channel_focal = -1;  ///< focal events per replicate also priced with each channel off (−1: all)
  std::int64_t t0_days = 90;        ///< injection time (burn-in), days; converted with time.step_days
  /// Options of the injected interventions (declared by the model, Offers::options), e.g.
  /// {"severity", "large"}; an option not given takes its first choice.
  std::vector<std::pair<std::string, std::string>> options;
  bool lost = true;            ///< also price losing each focal customer outright (when the model offers it)
  std::int64_t by_degree = 0;  ///< extra focal customers per degree decile for the by-degree table
  bool cone = true;            ///< price variants through causal cones (false: full paired runs)
  double max_cone = 0.05;      ///< a cone larger than this share of persons falls back to a full run
};

/// A paired difference K − A of two runs (for the cost of treating: control minus treatment; for
/// a lost customer: baseline minus lost), split exactly — agent by agent, in fixed point, so
/// the parts add up to the total and a part that did not change is exactly 0 — two ways:
///  * by kind: own margin + retention ripple + acquisition ripple + service + acquisition
///    spend + terminal value;
///  * by whom: the focal agent (its margin, terminal value, service cost, any win-back
///    acquisition spend) + the ripple, everyone else (their margins, terminal values, service
///    costs and acquisition spend). "The ripple" means everyone but the focal agent.
/// Service and acquisition spend are costs: a positive figure means K spent less.
struct CostSplit {
  double total = 0;
  double own_margin = 0, retention_ripple = 0, acquisition_ripple = 0, service = 0, acquisition_spend = 0, terminal = 0;
  double focal = 0, focal_terminal = 0, focal_service = 0, focal_acquisition = 0;
  double ripple = 0, others_margin = 0, others_terminal = 0, others_service = 0, others_acquisition = 0;
  double focal_kept = 0;         ///< the focal agent a customer at the horizon: K − A (0 or ±1)
  double customers_lost = 0;     ///< other customers at t0 who are customers at the horizon: K − A
  double prospects_not_won = 0;  ///< prospects/lapsed at t0 who are customers at the horizon: K − A
  double customer_gap = 0;       ///< customers at the horizon: K − A (the three above)
};

/// One focal event's paired results.
struct FocalCost {
  std::uint64_t replicate = 0;
  vid agent = 0;
  std::uint64_t agent_id = 0;
  vid degree = 0;
  int decile = 0;            ///< 1..10: out-degree decile among all customers at t0 (this replicate)
  bool stratified = false;   ///< drawn for the by-degree table (argue vs acknowledge only)
  CostSplit treated;         ///< the cost of treating: NPV(control) − NPV(treatment)
  CostSplit lost;            ///< the cost of losing the customer: NPV(baseline) − NPV(lost at t0)
  bool lost_priced = false;  ///< `lost` was computed (not for stratified events or without losses)
  /// Customers lost or not won by the treatment, against the baseline without the event:
  /// customers(baseline) − customers(treatment) at the horizon, focal agent included, and others only.
  double lost_or_not_won = 0, lost_or_not_won_others = 0;
  /// The ripple through each channel: ripple(all channels) − ripple(channel off from t0).
  std::vector<double> by_channel;
};

struct CostOutput {
  std::string currency = "$";
  std::int64_t t0 = 0;  ///< step
  std::vector<std::string> channels;
  std::vector<FocalCost> events;
  double wall_seconds = 0;
  std::int64_t runs = 0;               ///< full model runs made (baselines and fallbacks)
  std::int64_t cone_variants = 0;      ///< variants priced through their causal cone
  std::int64_t full_variants = 0;      ///< variants priced by a full run
  std::uint64_t cone_agent_steps = 0;  ///< persons re-simulated in cones, summed over steps
  std::uint64_t cone_peak = 0;         ///< largest cone
  double baseline_seconds = 0;         ///< mean wall time of one full run (for the efficiency figure)
  /// pinned[k]: per replicate, the value of Offers::pins[k]'s parameter (the baseline's metric, or
  /// the config's value), e.g. the terminal value's retention r and continuing cost c.
  std::vector<std::vector<double>> pinned;
  CostQuestion question;                  ///< the model's question and its words
  nlohmann::ordered_json wom_by_channel;  ///< listeners by channel and valence in the baselines
};

/// Prices focal events of a scenario in each replicate of `plan` (its model must offer a cost
/// question, a ledger and roles: Offers). `run.threads` and `run.progress` say how to run.
CostOutput run_cost(const Scenario& scenario, const RunPlan& plan, const CostOptions& options,
                    const RunOptions& run = {});

/// The `cost.json` document (schema in README.md and report.cpp).
nlohmann::ordered_json cost_json(const Scenario& scenario, const RunPlan& plan, const CostOutput& out,
                                 const CostOptions& options);

/// `cost_events.csv`: one row per focal event (replicate, agent, degree, decile, whether it was
/// drawn for the by-degree table, and every part of its cost of treating and of losing it).
void write_cost_events_csv(std::ostream& os, const CostOutput& out);

/// The terminal summary of `wom cost`.
std::string format_cost_summary(const CostOutput& out);

}  // namespace wom
