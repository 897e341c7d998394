#include "sir.hpp"

#include <cmath>
#include <fmt/format.h>

#include "parallel.hpp"
#include "propagate.hpp"
#include "sampling.hpp"

namespace wom::models {

namespace {

enum : std::uint8_t { S = 0, I = 1, R = 2 };
constexpr rng::Purpose kSeed = 0x5149'5201, kInfect = 0x5149'5202, kRecover = 0x5149'5203;

class Sir final : public Model {
 public:
  explicit Sir(const Params& p)
      : beta_(p.real("beta")),
        gamma_(p.has("gamma") ? p.real("gamma") : 0.0),
        tau_(p.has("infectious_steps") ? std::int32_t(p.integer("infectious_steps")) : 0),
        params_(p) {}

  std::vector<std::string> columns() const override {
    return {"susceptible", "infected", "recovered", "new_infections"};
  }

  void init(const Graph& g, State& s, const RunContext& run) override {
    status_ = &s.add<std::uint8_t>("status", S);
    if (tau_ > 0) timer_ = &s.add<std::int32_t>("timer", 0);
    counts_.resize(g.n);
    // Infection thresholds by number of infectious contacts c: 1 − (1 − β)^c.
    vid maxdeg = 0;
    for (vid v = 0; v < g.n; ++v) maxdeg = std::max(maxdeg, g.in_degree(v));
    infect_thr_.resize(std::size_t(maxdeg) + 1);
    for (std::size_t c = 0; c <= maxdeg; ++c) infect_thr_[c] = rng::threshold(1.0 - std::pow(1.0 - beta_, double(c)));
    recover_thr_ = rng::threshold(gamma_);

    auto seeds = choose_agents(g, rng::Stream(run.key, 0, kSeed), initial_count(params_, g.n, 0.01));
    for (vid v : seeds) {
      status_->now[v] = I;
      if (timer_) timer_->now[v] = tau_;
    }
    counts_.recompute(g, [&](vid u) { return status_->now[u] == I; });
    n_s_ = g.n - seeds.size();
    n_i_ = seeds.size();
    n_r_ = 0;
    new_i_ = 0;
  }

  void step(const Graph& g, State& s, const StepContext& ctx) override {
    const rng::Stream infect = ctx.stream(kInfect), recover = ctx.stream(kRecover);
    new_inf_.reset(g.n);
    new_rec_.reset(g.n);
    const std::uint8_t* now = status_->now.data();
    std::uint8_t* next = status_->next.data();
    const std::uint32_t* cnt = counts_.counts().data();
    for_each_block(g.n, [&](std::size_t b, std::size_t lo, std::size_t hi) {
      status_->carry(lo, hi);
      if (timer_) timer_->carry(lo, hi);
      auto& inf = new_inf_.part(b);
      auto& rec = new_rec_.part(b);
      for (std::size_t i = lo; i < hi; ++i) {
        const std::uint8_t st = now[i];
        if (st == S) {
          const std::uint32_t c = cnt[i];
          if (c == 0 || !rng::fires(infect.bits(g.ids[i]), infect_thr_[c])) continue;
          next[i] = I;
          if (timer_) timer_->next[Eigen::Index(i)] = tau_;
          inf.push_back(vid(i));
        } else if (st == I) {
          bool recovers;
          if (timer_) {
            const std::int32_t left = timer_->now[Eigen::Index(i)] - 1;
            timer_->next[Eigen::Index(i)] = left;
            recovers = left <= 0;
          } else {
            recovers = rng::fires(recover.bits(g.ids[i]), recover_thr_);
          }
          if (recovers) {
            next[i] = R;
            rec.push_back(vid(i));
          }
        }
      }
    });
    new_inf_.merge_into(inf_list_);
    new_rec_.merge_into(rec_list_);
    counts_.update(g, inf_list_, rec_list_, [&](vid u) { return next[u] == I; });
    new_i_ = inf_list_.size();
    n_s_ -= inf_list_.size();
    n_i_ += inf_list_.size();
    n_i_ -= rec_list_.size();
    n_r_ += rec_list_.size();
  }

  void observe(const Graph&, const State&, std::span<double> out) const override {
    out[0] = double(n_s_);
    out[1] = double(n_i_);
    out[2] = double(n_r_);
    out[3] = double(new_i_);
  }
  bool absorbed() const override { return n_i_ == 0; }
  std::size_t scratch_bytes() const override { return counts_.bytes(); }

  NeighborCounts& counts() { return counts_; }

 private:
  double beta_, gamma_;
  std::int32_t tau_;
  Params params_;
  State::Column<std::uint8_t>* status_ = nullptr;
  State::Column<std::int32_t>* timer_ = nullptr;
  NeighborCounts counts_;
  std::vector<std::uint64_t> infect_thr_;
  std::uint64_t recover_thr_ = 0;
  BlockLists new_inf_, new_rec_;
  std::vector<vid> inf_list_, rec_list_;
  std::uint64_t n_s_ = 0, n_i_ = 0, n_r_ = 0, new_i_ = 0;
};

}  // namespace

ModelInfo sir_info() {
  ModelInfo m;
  m.name = "sir";
  m.summary = "discrete-time SIR epidemic: per-contact infection beta, recovery gamma or fixed period";
  m.citation = "Newman (2002) Phys. Rev. E 66, 016128";
  m.params = {
      real_param("beta", 0.05, 0, 1, "probability per contact per step",
                 "chance that one infectious in-neighbour infects a susceptible agent in one step"),
      optional_param(real_param("gamma", 0.1, 0, 1, "probability per step",
                                "chance an infectious agent recovers after a step (geometric period)")),
      optional_param(int_param("infectious_steps", 1, 1, 1e9, "steps",
                               "fixed infectious period tau (alternative to gamma)")),
  };
  for (auto& p : initial_params("infected", "1 % of agents")) m.params.push_back(p);
  m.check = [](const Params& p) {
    if (p.has("gamma") == p.has("infectious_steps"))
      throw Error("sir: set exactly one of params.gamma (recovery probability per step, [0, 1]) and "
                  "params.infectious_steps (fixed infectious period, integer >= 1)");
    check_initial(p, "sir");
  };
  m.make = [](const Params& p) { return std::make_unique<Sir>(p); };
  return m;
}

}  // namespace wom::models
