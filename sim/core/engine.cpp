#include "sim/core/engine.hpp"

#include "sim/core/cancel.hpp"

#include <fmt/format.h>

namespace wom {

Registry& Registry::instance() {
  static Registry r;
  return r;
}
void Registry::add(ModelInfo info) {
  if (find(info.name)) throw Error(fmt::format("model '{}' registered twice", info.name));
  models_.push_back(std::move(info));
}
const ModelInfo* Registry::find(const std::string& name) const {
  for (const auto& m : models_)
    if (m.name == name) return &m;
  return nullptr;
}

const char* unit_name(Unit u) {
  switch (u) {
    case Unit::Persons:
      return "persons";
    case Unit::Count:
      return "count";
    case Unit::Share:
      return "share";
    case Unit::PerYear:
      return "per year";
    case Unit::Money:
      return "currency";
    case Unit::Stars:
      return "stars";
    case Unit::Attitude:
      return "attitude";
    case Unit::Number:
      return "number";
  }
  return "number";
}

Measure ModelInfo::measure(const std::string& name, bool column) const {
  // A column and a metric may share a name (acquisitions per step, and over the run): a model
  // declares its columns before its metrics, so a column takes the first declaration of its
  // name and a metric the last.
  const Measure* found = nullptr;
  for (const Measure& m : measures) {
    const bool prefix = !m.name.empty() && m.name.back() == '*';
    if (prefix ? name.rfind(m.name.substr(0, m.name.size() - 1), 0) == 0 : name == m.name) {
      found = &m;
      if (column) break;
    }
  }
  if (found) {
    Measure out = *found;
    out.name = name;
    return out;
  }
  Measure d;
  d.name = name;
  if (column) {
    d.unit = Unit::Persons;
    d.aggregate = name.rfind("new_", 0) == 0 ? Aggregate::Sum : Aggregate::Level;
  }
  return d;
}

Trajectory run_model(const ModelInfo& info, const Params& params, const Graph& g, const ReplicatePlan& plan,
                     const StepCallback& on_step, const Graph* followers, const RunHooks* hooks) {
  if (followers && (followers->n != g.n || followers->ids != g.ids))
    throw Error(
        fmt::format("the followers layer must hold the same {} persons as the graph, in the same order "
                    "(it has {})",
                    g.n, followers->n));
  if (g.complete && !info.supports_complete_graph)
    throw Error(
        fmt::format("model '{}' does not run on the implicit complete graph (graph.generator: complete)", info.name));
  auto model = info.make(params);
  RunContext run;
  run.seed = plan.seed;
  run.replicate = plan.replicate;
  run.key = rng::RunKey(plan.seed, plan.replicate);
  run.dt = plan.dt;
  run.steps = plan.steps;
  run.followers = followers;
  run.events = hooks ? hooks->events : nullptr;
  if (hooks && !hooks->channels_off.empty()) {
    if (hooks->channels_off.size() != info.offers.channels.size())
      throw Error(fmt::format("model '{}' offers {} channels to switch off, not {}", info.name,
                              info.offers.channels.size(), hooks->channels_off.size()));
    run.channels_off = hooks->channels_off;
    run.channels_off_from = hooks->channels_off_from;
  }
  State state(g.n);
  model->init(g, state, run);
  if (hooks)
    for (const Intervention& iv : hooks->interventions) {
      if (iv.agent >= g.n || iv.step < 0 || iv.step >= plan.steps)
        throw Error(fmt::format("intervention on agent {} at step {} is out of range: agents [0, {}], steps [0, {}]",
                                iv.agent, iv.step, g.n - 1, plan.steps - 1));
      model->intervene(iv);
    }
  if (hooks && hooks->setup) hooks->setup(*model);
  if (hooks && hooks->observe) hooks->observe(0, *model);

  Trajectory tr;
  tr.columns = model->columns();
  const std::size_t nc = tr.columns.size();
  tr.values.assign(std::size_t(plan.steps + 1) * nc, 0.0);
  model->observe(g, state, std::span<double>(tr.values.data(), nc));

  StepContext ctx{&run, 0};
  for (std::int64_t t = 0; t < plan.steps; ++t) {
    throw_if_cancelled();
    double* row = tr.values.data() + std::size_t(t + 1) * nc;
    if (model->absorbed()) {  // nothing can change: repeat the last observation
      std::copy(row - nc, row, row);
    } else {
      ctx.t = t;
      model->step(g, state, ctx);
      state.swap();
      model->observe(g, state, std::span<double>(row, nc));
      tr.steps_computed = t + 1;
    }
    if (hooks && hooks->observe) hooks->observe(t + 1, *model);
    if (on_step) on_step(t + 1, plan.steps);
  }
  tr.state_bytes = state.bytes() + model->scratch_bytes();
  return tr;
}

}  // namespace wom
