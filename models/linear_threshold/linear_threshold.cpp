#include "models/linear_threshold/linear_threshold.hpp"

#include <cmath>
#include <limits>

#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"
#include "sim/core/sampling.hpp"

namespace wom::models {

namespace {

constexpr rng::Purpose kSeed = 0x17'0001, kTheta = 0x17'0002;

class LinearThreshold final : public Model {
 public:
  explicit LinearThreshold(const Params& p)
      : theta_(p.real("threshold")), random_(p.boolean("random_thresholds")), params_(p) {}

  std::vector<std::string> columns() const override { return {"inactive", "active", "new_active"}; }

  void init(const Graph& g, State& s, const RunContext& run) override {
    active_col_ = &s.add<std::uint8_t>("active", 0);
    // Activation needs a_v ≥ θ_v·k_in(v): stored as the integer ceil(θ_v·k_in), ≥ 1.
    need_.resize(g.n);
    const rng::Stream theta(run.key, 0, kTheta);
    for (vid v = 0; v < g.n; ++v) {
      const double th = random_ ? 1.0 - rng::Stream::to_unit(theta.bits(g.id(v))) : theta_;  // (0, 1]
      const double k = double(g.in_degree(v));
      need_[v] = k == 0 ? std::numeric_limits<std::uint32_t>::max()
                        : std::max<std::uint32_t>(1, std::uint32_t(std::ceil(th * k - 1e-12)));
    }
    auto seeds = choose_agents(g, rng::Stream(run.key, 0, kSeed), initial_count(params_, g.n, 0.01));
    for (vid v : seeds) active_col_->now[v] = 1;
    counts_.resize(g.n);
    counts_.recompute(g, [&](vid u) { return active_col_->now[u] != 0; });
    active_ = seeds.size();
    fresh_ = seeds.size();
    n_ = g.n;
  }

  void step(const Graph& g, State& s, const StepContext&) override {
    lists_.reset(g.n);
    const std::uint8_t* now = active_col_->now.data();
    std::uint8_t* next = active_col_->next.data();
    const std::uint32_t* cnt = counts_.counts().data();
    for_each_block(g.n, [&](std::size_t b, std::size_t lo, std::size_t hi) {
      active_col_->carry(lo, hi);
      auto& list = lists_.part(b);
      for (std::size_t v = lo; v < hi; ++v)
        if (!now[v] && cnt[v] >= need_[v]) {
          next[v] = 1;
          list.push_back(vid(v));
        }
    });
    lists_.merge_into(fresh_list_);
    counts_.update(g, fresh_list_, {}, [&](vid u) { return next[u] != 0; });
    fresh_ = fresh_list_.size();
    active_ += fresh_;
  }

  void observe(const Graph&, const State&, std::span<double> out) const override {
    out[0] = double(n_ - active_);
    out[1] = double(active_);
    out[2] = double(fresh_);
  }
  bool absorbed() const override { return fresh_ == 0; }
  std::size_t scratch_bytes() const override { return counts_.bytes() + need_.size() * sizeof(std::uint32_t); }

 private:
  double theta_;
  bool random_;
  Params params_;
  State::Column<std::uint8_t>* active_col_ = nullptr;
  std::vector<std::uint32_t> need_;
  NeighborCounts counts_;
  BlockLists lists_;
  std::vector<vid> fresh_list_;
  std::uint64_t active_ = 0, fresh_ = 0, n_ = 0;
};

}  // namespace

ModelInfo linear_threshold_info() {
  ModelInfo m;
  m.name = "linear_threshold";
  m.summary = "linear threshold: activate when the active share of in-neighbours reaches a threshold";
  m.citation = "Granovetter (1978) AJS 83(6); Kempe, Kleinberg & Tardos (2003) KDD";
  auto th = real_param("threshold", 0.5, 0, 1, "share of in-neighbours",
                       "activation threshold theta (ignored with random_thresholds)");
  th.lo_open = true;
  m.params = {th};
  ParamSpec r;
  r.key = "random_thresholds";
  r.type = ParamType::Bool;
  r.def = 0;
  r.unit = "flag";
  r.help = "draw each agent's threshold uniformly on (0, 1] instead";
  m.params.push_back(r);
  for (auto& p : initial_params("active", "1 % of agents")) m.params.push_back(p);
  m.check = [](const Params& p) { check_initial(p, "linear_threshold"); };
  m.make = [](const Params& p) { return std::make_unique<LinearThreshold>(p); };
  return m;
}

}  // namespace wom::models
