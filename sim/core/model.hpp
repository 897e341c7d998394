#pragma once
/// The engine-facing half of the contract between the engine and a model (one folder under
/// models/); the cost-facing half, what a model offers the applications above the engine, is
/// sim/core/offers.hpp (ModelInfo::offers). docs/architecture.md describes both.
///
/// A model is described by a `ModelInfo` (name, parameters, factory) and registered with
/// one line in models/registry.cpp. An instance owns its kernels and any incremental
/// scratch (neighbour counts, frontiers); the engine owns the loop, the double-buffered
/// `State`, the randomness keys and the observers. A kernel works on blocks of agents
/// through `for_each_block`; there is no virtual call per agent.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/events.hpp"
#include "sim/core/graph.hpp"
#include "sim/core/offers.hpp"
#include "sim/core/params.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/state.hpp"

namespace wom {

struct Trajectory;  // engine.hpp

/// What a model sees of the run: fixed for a replicate.
struct RunContext {
  std::uint64_t seed = 0;
  std::uint64_t replicate = 0;
  rng::RunKey key;
  double dt = 1.0;         ///< length of one step in the model's time unit (time.dt / time.step_days)
  std::int64_t steps = 0;  ///< the horizon: steps 0..steps-1 are computed (events after it never matter)
  /// The optional `followers:` layer on the same agents (same n and storage order), or null:
  /// models that spread along followers (tweets) then use the main graph.
  const Graph* followers = nullptr;
  /// The event log (`--events`), or null: models append who-told-whom records when set.
  EventLog* events = nullptr;
  /// A schedule, not config: channels_off[c] (an index into ModelInfo::offers.channels) is
  /// switched off from step `channels_off_from` on, whatever the config says. Empty: none.
  std::vector<bool> channels_off;
  std::int64_t channels_off_from = 0;
};

/// What a model sees of one step: t is the step being computed (state t → t+1).
struct StepContext {
  const RunContext* run = nullptr;
  std::int64_t t = 0;
  rng::Stream stream(rng::Purpose purpose) const { return rng::Stream(run->key, std::uint64_t(t), purpose); }
};

/// Per-agent discounted cash flows, so a paired difference can be split exactly, agent by
/// agent, by construction (not as a residual). Spans are empty when a model keeps none.
struct AgentLedger {
  std::span<const double> margin;       ///< margins earned from the agent
  std::span<const double> service;      ///< remedies and contact costs spent on the agent
  std::span<const double> acquisition;  ///< acquisition cost (CAC) spent on the agent
  std::span<const double> terminal;     ///< terminal value of the agent at the horizon
};

/// One variant priced through its causal cone (Model::add_variant): the agents whose state
/// may differ from the run's, and the variant's ledger and roles for them at the horizon.
/// Every other agent's ledger and role equal the run's, bit for bit.
struct VariantLedger {
  bool global = false;      ///< the cone outgrew its limit: price this variant with a full run
  std::vector<vid> agents;  ///< the cone, sorted
  std::vector<double> margin, service, acquisition, terminal;
  std::vector<std::uint8_t> roles;
  std::uint64_t agent_steps = 0;  ///< persons re-simulated, summed over steps (the cone's work)
  std::uint64_t peak = 0;         ///< largest cone size reached (at most the limit)
};

class Model {
 public:
  virtual ~Model() = default;
  /// Names of the per-step observables (timeseries columns), e.g. {"susceptible", ...}.
  virtual std::vector<std::string> columns() const = 0;
  /// Declares state columns and sets the state at step 0.
  virtual void init(const Graph& g, State& s, const RunContext& run) = 0;
  /// Computes state t+1 into the `next` buffers from `now`.
  virtual void step(const Graph& g, State& s, const StepContext& ctx) = 0;
  /// Called after the engine swapped buffers: observables of the new `now`.
  virtual void observe(const Graph& g, const State& s, std::span<double> out) const = 0;
  /// True when no further step can change the state (the engine then stops stepping and
  /// repeats the last observation).
  virtual bool absorbed() const { return false; }
  /// Bytes of model-owned scratch (for memory figures).
  virtual std::size_t scratch_bytes() const { return 0; }
  /// Schedules an intervention (one of ModelInfo::offers.interventions) before the run starts
  /// (called after init). Models without interventions refuse.
  virtual void intervene(const Intervention&) { throw Error("this model supports no interventions"); }
  /// Per-agent accounts at the current step (see AgentLedger).
  virtual AgentLedger ledger() const { return {}; }
  /// A small model-defined role per agent at the current step (codes declared in
  /// ModelInfo::offers.roles), for partitions by role at the time of an intervention.
  virtual std::vector<std::uint8_t> roles() const { return {}; }
  /// Causal cone (docs/design.md §5), optional. Registers, after init and before the first step, a
  /// variant of this run: the same world with `interventions`, stepped in lockstep with this
  /// run while re-simulating only the agents whose inputs differ from this run's. A variant
  /// whose cone grows past `max_cone` agents is dropped and reported global. Returns false when
  /// the model cannot price variants this way (the caller then runs them in full).
  // NOLINTNEXTLINE(performance-unnecessary-value-param): a sink, which overrides keep
  virtual bool add_variant(std::vector<Intervention> interventions, std::size_t max_cone) {
    (void)interventions, (void)max_cone;
    return false;
  }
  /// The k-th registered variant at the current step (call after the last step).
  virtual VariantLedger variant_ledger(std::size_t k) const {
    (void)k;
    return {};
  }
};

/// What a figure measures: one name, one unit and one meaning, declared by the model and used
/// by the terminal, summary.json, compare and report alike (docs/design.md §4).
enum class Unit {
  Persons,   ///< a number of agents (shown as a count; a stock also as a share of the population)
  Count,     ///< a number of events or things (stories, tweets, reviews)
  Share,     ///< a proportion in [0, 1] (shown as a percentage)
  PerYear,   ///< a rate per year, e.g. defections per customer-year (shown as a percentage a year)
  Money,     ///< in the model's currency
  Stars,     ///< a rating on 1–5 stars
  Attitude,  ///< attitude units in [−1, 1]
  Number,    ///< anything else, unitless
};
/// How a time-series column reads over the run.
enum class Aggregate {
  Level,  ///< a stock or level at the step (customers, the rating, cumulative NPV): its final value
  Sum,    ///< a flow per step (acquisitions, revenue): its total over the run
  Max,    ///< a per-step maximum (the largest cascade): its maximum over the run
};
struct Measure {
  std::string name;  ///< column or metric name; a name ending in '*' covers every name with that prefix
  Unit unit = Unit::Number;
  Aggregate aggregate = Aggregate::Level;
  std::string meaning;
  int headline = 0;  ///< > 0: shown first, in this order, by the terminal, compare and report
};
/// The unit's name for files and tables: "persons", "count", "share", "per year", "currency",
/// "stars", "attitude", "number".
const char* unit_name(Unit u);

struct ModelInfo {
  std::string name;
  std::string summary;
  std::string citation;
  std::vector<ParamSpec> params;
  bool supports_complete_graph = false;
  /// Cross-parameter rules (e.g. "gamma or infectious_steps, not both"); throws wom::Error
  /// naming the keys. Optional.
  std::function<void(const Params&)> check;
  std::function<std::unique_ptr<Model>(const Params&)> make;
  /// The model's rates are per year and its step length comes from `time.step_days`
  /// (RunContext::dt is then days per step); otherwise dt = `time.dt`.
  bool step_in_days = false;
  /// Derived per-replicate figures for summary.json (e.g. annual retention, NPV with
  /// terminal value), computed from the trajectory. Optional.
  std::function<std::vector<std::pair<std::string, double>>(const Params&, const Trajectory&, double dt)> metrics;
  /// Memory of one replicate's agent state and model scratch, per agent and per stored arc
  /// (the run's up-front memory check; measured figures in bench/RESULTS.md, rounded up).
  double bytes_per_agent = 16, bytes_per_arc = 4;
  /// What each time-series column and each metric measures (see Measure). A column or metric
  /// the model does not declare reads as: a column named `new_*` a flow of persons (Sum), any
  /// other column a stock of persons (Level), a metric a unitless number. Columns are declared
  /// before metrics: a name that is both (acquisitions per step and over the run) reads as its
  /// first declaration for the column and its last for the metric.
  std::vector<Measure> measures;
  /// What the model offers the applications above the engine (sim/core/offers.hpp).
  Offers offers;
  /// The declared measure of `name`, or the default above (`column`: a time-series column).
  Measure measure(const std::string& name, bool column) const;
  /// Warnings about parameters the graph cannot carry (e.g. a reach above most out-degrees),
  /// each saying how much is lost. Called once per run on replicate 0's graph. Optional.
  std::function<std::vector<std::string>(const Params&, const Graph&)> graph_warnings;
};

/// All registered models, in registration order.
class Registry {
 public:
  static Registry& instance();
  void add(ModelInfo info);
  const ModelInfo* find(const std::string& name) const;
  const std::vector<ModelInfo>& all() const { return models_; }

 private:
  std::vector<ModelInfo> models_;
};

}  // namespace wom
