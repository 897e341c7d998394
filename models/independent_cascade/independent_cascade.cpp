#include "models/independent_cascade/independent_cascade.hpp"

#include "sim/core/propagate.hpp"
#include "sim/core/sampling.hpp"

namespace wom::models {

namespace {

enum : std::uint8_t { Inactive = 0, Fresh = 1, Spent = 2 };  // Fresh: activated last step
constexpr rng::Purpose kSeed = 0x1C00'0001, kArc = 0x1C00'0002;

class IndependentCascade final : public Model {
 public:
  explicit IndependentCascade(const Params& p)
      : thr_(rng::threshold(p.real("transmission"))), within_step_(p.boolean("within_step")), params_(p) {}

  std::vector<std::string> columns() const override { return {"inactive", "active", "new_active"}; }

  void init(const Graph& g, State& s, const RunContext& run) override {
    status_ = &s.add<std::uint8_t>("status", Inactive);
    arcs_ = rng::Stream(run.key, 0, kArc);  // step-free key: an arc is tried once per run
    frontier_ = choose_agents(g, rng::Stream(run.key, 0, kSeed), initial_count(params_, g.n, 0.0));
    if (!params_.has("initial.count") && !params_.has("initial.fraction"))
      frontier_ = choose_agents(g, rng::Stream(run.key, 0, kSeed), 1);
    for (vid v : frontier_) status_->now[v] = Fresh;
    active_ = frontier_.size();
    fresh_ = frontier_.size();
    n_ = g.n;
  }

  void step(const Graph& g, State& s, const StepContext&) override {
    status_->next = status_->now;
    const std::uint8_t* now = status_->now.data();
    auto eligible = [&](vid v) { return now[v] == Inactive; };
    std::vector<vid> reached;
    if (within_step_) {
      reached = cascade(g, frontier_, eligible, arcs_, thr_, 0, scratch_, in_cascade_).reached;
    } else {
      reached = spread(g, frontier_, eligible, arcs_, thr_, 0, scratch_);
    }
    for (vid u : frontier_) status_->next[u] = Spent;
    // Within a step the whole cascade is spent; otherwise the reached agents try next step.
    for (vid v : reached) status_->next[v] = within_step_ ? Spent : Fresh;
    active_ += reached.size();
    fresh_ = reached.size();
    frontier_ = within_step_ ? std::vector<vid>{} : std::move(reached);
  }

  void observe(const Graph&, const State&, std::span<double> out) const override {
    out[0] = double(n_ - active_);
    out[1] = double(active_);
    out[2] = double(fresh_);
  }
  bool absorbed() const override { return frontier_.empty(); }

 private:
  std::uint64_t thr_;
  bool within_step_;
  Params params_;
  State::Column<std::uint8_t>* status_ = nullptr;
  rng::Stream arcs_;
  std::vector<vid> frontier_;
  SpreadScratch scratch_;
  std::vector<std::uint8_t> in_cascade_;
  std::uint64_t active_ = 0, fresh_ = 0, n_ = 0;
};

}  // namespace

ModelInfo independent_cascade_info() {
  ModelInfo m;
  m.name = "independent_cascade";
  m.summary = "independent cascade: each newly active agent tries each out-arc once with probability T";
  m.citation = "Kempe, Kleinberg & Tardos (2003) KDD; percolation: Newman (2002) PRE 66, 016128";
  m.params = {
      real_param("transmission", 0.1, 0, 1, "probability per arc (one try)",
                 "chance that an arc from a newly active agent activates its target"),
  };
  for (auto& p : initial_params("active", "one agent")) m.params.push_back(p);
  ParamSpec w;
  w.key = "within_step";
  w.type = ParamType::Bool;
  w.def = 0;
  w.unit = "flag";
  w.help = "complete each cascade within one step (same final set; generations not resolved in time)";
  m.params.push_back(w);
  m.check = [](const Params& p) { check_initial(p, "independent_cascade"); };
  m.make = [](const Params& p) { return std::make_unique<IndependentCascade>(p); };
  return m;
}

}  // namespace wom::models
