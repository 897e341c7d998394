#pragma once
/// The cost-facing half of the model contract: what a model offers the applications above the
/// engine (app/: `wom compare`, `wom cost`, the report), declared in `ModelInfo::offers`.
/// The engine-facing half — kernels, state, the step loop — is sim/core/model.hpp.
///
/// The engine reads none of it (beyond checking a channel schedule against the number of
/// channels); the applications read nothing else about a model. So a
/// model offers its own interventions, ledger, roles, channels, value split and words without
/// a change to sim/ or app/, and an application asked for something a model does not declare
/// refuses, naming what the model does offer. docs/architecture.md has the whole contract.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/graph.hpp"

namespace wom {

/// A change injected into one run: intervention `name` (one the model declares) happens to
/// `agent` at `step`, with `options` (declared option names, each with one of its choices).
struct Intervention {
  std::string name;
  vid agent = 0;
  std::int64_t step = 0;
  std::vector<std::pair<std::string, std::string>> options;
  /// The value given for option `key`, or `fallback`.
  std::string option(const std::string& key, const std::string& fallback = {}) const {
    for (const auto& [k, v] : options)
      if (k == key) return v;
    return fallback;
  }
};

/// An intervention a model offers, and what it means.
struct InterventionSpec {
  std::string name;
  std::string meaning;
};

/// An option every intervention of the model accepts (e.g. a complaint's severity).
struct InterventionOption {
  struct Choice {
    std::string value;  ///< as given on the command line
    std::string label;  ///< as written in cost.json
  };
  std::string name;
  std::string meaning;
  std::vector<Choice> choices;  ///< the accepted values; the first is the default
  bool recorded = false;        ///< cost.json records it, as `name: label`
};

/// A role an agent holds at a step (Model::roles).
struct RoleSpec {
  std::uint8_t code = 0;
  std::string name;
  std::string meaning;
};

/// A word-of-mouth channel a run can switch off from a step (RunHooks::channels_off): the cost
/// application prices the ripple through each channel that is on in the scenario.
struct ChannelSpec {
  std::string name;
  std::string meaning;
  std::string param;  ///< the Bool parameter that switches it in a config (on: the channel runs)
};

/// A column of the per-agent ledger (AgentLedger: margin, service, acquisition, terminal).
struct LedgerColumn {
  std::string name;
  std::string meaning;  ///< a sentence, for the report's tables
  std::string brief;    ///< a few words, for cost.json's `parts`
};

/// The question `wom cost` asks: what handling an event by `treatment` instead of `control`
/// costs (NPV(control) − NPV(treatment) on common random numbers), and what losing the agent
/// outright (`removal`) costs, for focal agents drawn among `customer_role` at t0. The words
/// name the question in the terminal, cost.json and the report.
struct CostQuestion {
  std::string treatment;              ///< intervention priced (empty: the model offers no cost question)
  std::string control;                ///< intervention it is priced against
  std::string removal;                ///< intervention that loses the agent outright (empty: none)
  std::uint8_t customer_role = 1;     ///< the role of customers (focal agents at t0, customers at the horizon)
  std::string focal = "focal agent";  ///< the focal agent, also cost.json's key
  std::string focal_parts = "own margin, own terminal value, service";  ///< what the focal agent's part holds
  std::string event = "focal event";                                    ///< one treated event ("argued interaction")
  std::string an_event = "a focal event";                               ///< the same with its article
  std::string events = "focal events";                                  ///< treated events, plural, "per 100 …"
  std::string injected = "event";                                       ///< what is injected ("complaint")
  std::string gerund = "treating";                                      ///< "the cost of …" ("arguing")
  std::string participle = "treated";                                   ///< cost.json keys "…_per_100_<participle>"
  std::string control_gerund = "the control";                           ///< "… keeps more value" ("acknowledging")
};

/// The model's value metric and its exact split (summary metrics): total = cash_flow + terminal.
/// compare's return rows are their paired differences; the terminal and the report show the split.
struct ValueSplit {
  std::string total;        ///< e.g. "npv"
  std::string cash_flow;    ///< e.g. "npv_cash_flows"
  std::string terminal;     ///< e.g. "terminal_value"
  std::string return_note;  ///< what compare's return rows count (compare.json's note)
};

/// Everything a model offers the applications. Every part is optional: an empty part means the
/// model offers none of it, and an application that needs it refuses.
struct Offers {
  std::vector<InterventionSpec> interventions;
  std::vector<InterventionOption> options;
  std::vector<RoleSpec> roles;
  std::vector<LedgerColumn> ledger;
  std::vector<ChannelSpec> channels;
  CostQuestion cost;
  ValueSplit value;
  std::string currency_param;          ///< the Text parameter holding the currency symbol
  std::string acquisition_cost_param;  ///< the Real parameter: the cost of winning one customer
  /// (parameter, summary metric): `wom cost` sets each parameter, where the config leaves it
  /// unset, to the metric measured on the replicate's baseline, so one focal event cannot
  /// revalue the world through the run's own estimates.
  std::vector<std::pair<std::string, std::string>> pins;
  /// Columns `<prefix><channel>_<valence>` count listeners reached per step (wom by channel).
  std::string reach_prefix;
  /// Columns the report plots first, in order; the first one present is the main column.
  std::vector<std::string> plotted;

  const InterventionSpec* intervention(const std::string& name) const {
    for (const auto& i : interventions)
      if (i.name == name) return &i;
    return nullptr;
  }
  const InterventionOption* option(const std::string& name) const {
    for (const auto& o : options)
      if (o.name == name) return &o;
    return nullptr;
  }
  const LedgerColumn* ledger_column(const std::string& name) const {
    for (const auto& c : ledger)
      if (c.name == name) return &c;
    return nullptr;
  }
};

}  // namespace wom
