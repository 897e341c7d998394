#include "models/bass/bass.hpp"

#include <Eigen/Core>
#include <cmath>

#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"
#include "sim/core/sampling.hpp"

namespace wom::models {

namespace {

constexpr rng::Purpose kSeed = 0xBA55'0001, kAdopt = 0xBA55'0002;

class Bass final : public Model {
 public:
  explicit Bass(const Params& p) : p_(p.real("p")), q_(p.real("q")), params_(p) {}

  std::vector<std::string> columns() const override { return {"prospects", "adopters", "new_adopters"}; }

  void init(const Graph& g, State& s, const RunContext& run) override {
    adopted_ = &s.add<std::uint8_t>("adopted", 0);
    dt_ = run.dt;
    auto seeds = choose_agents(g, rng::Stream(run.key, 0, kSeed), initial_count(params_, g.n, 0.0));
    for (vid v : seeds) adopted_->now[v] = 1;
    if (!g.complete) {
      counts_.resize(g.n);
      counts_.recompute(g, [&](vid u) { return adopted_->now[u] != 0; });
    }
    adopters_ = seeds.size();
    fresh_ = 0;
    n_ = g.n;
  }

  void step(const Graph& g, State& s, const StepContext& ctx) override {
    const rng::Stream adopt = ctx.stream(kAdopt);
    lists_.reset(g.n);
    const std::uint8_t* now = adopted_->now.data();
    std::uint8_t* next = adopted_->next.data();
    // Mean-field: one adoption probability for every prospect.
    const double share = n_ ? double(adopters_) / double(n_) : 0.0;
    const std::uint64_t thr_mf = rng::threshold(1.0 - std::exp(-(p_ + q_ * share) * dt_));
    const std::uint32_t* cnt = g.complete ? nullptr : counts_.counts().data();
    // On the graph a prospect's threshold rises with its adopted share f ≤ 1: no draw at or
    // above the threshold of f = 1 (padded by 2^-30 of itself against rounding) can fire, so
    // the exact per-person hazard is computed only for the draws below it.
    const std::uint64_t thr_top = cnt ? rng::threshold(1.0 - std::exp(-(p_ + q_) * dt_)) : thr_mf;
    const std::uint64_t cut = thr_top == ~std::uint64_t(0) || thr_top + (thr_top >> 30) < thr_top
                                  ? ~std::uint64_t(0)
                                  : thr_top + (thr_top >> 30) + 1;
    const std::uint64_t key = adopt.key;
    const std::uint64_t* ids = g.identity_ids ? nullptr : g.ids.data();
    for_each_block(g.n, [&](std::size_t b, std::size_t lo, std::size_t hi) {
      adopted_->carry(lo, hi);
      auto& list = lists_.part(b);
      // Per block, one array expression: each person's keyed draw (rng::Stream::bits); then,
      // in order, the exact hazard only for prospects whose draw can fire.
      const Eigen::Index n = Eigen::Index(hi - lo);
      thread_local Eigen::Array<std::uint64_t, Eigen::Dynamic, 1> draw;
      draw = Eigen::Array<std::uint64_t, Eigen::Dynamic, 1>::NullaryExpr(n, [&](Eigen::Index i) {
        const std::size_t v = lo + std::size_t(i);
        return rng::mix(key ^ rng::mix((ids ? ids[v] : std::uint64_t(v)) * 0x8EBC6AF09C88C6E3ULL + 1));
      });
      for (Eigen::Index i = 0; i < n; ++i) {
        const std::size_t v = lo + std::size_t(i);
        const std::uint64_t exact = draw[i];
        if (now[v] || (exact >= cut && cut != ~std::uint64_t(0))) continue;
        std::uint64_t thr = thr_mf;
        if (cnt) {
          const vid k = g.in_degree(vid(v));
          const double f = k ? double(cnt[v]) / double(k) : 0.0;
          thr = rng::threshold(1.0 - std::exp(-(p_ + q_ * f) * dt_));
        }
        if (rng::fires(exact, thr)) {
          next[v] = 1;
          list.push_back(vid(v));
        }
      }
    });
    lists_.merge_into(fresh_list_);
    if (cnt) counts_.update(g, fresh_list_, {}, [&](vid u) { return next[u] != 0; });
    fresh_ = fresh_list_.size();
    adopters_ += fresh_;
  }

  void observe(const Graph&, const State&, std::span<double> out) const override {
    out[0] = double(n_ - adopters_);
    out[1] = double(adopters_);
    out[2] = double(fresh_);
  }
  bool absorbed() const override { return adopters_ == n_; }
  std::size_t scratch_bytes() const override { return counts_.bytes(); }

 private:
  double p_, q_, dt_ = 1.0;
  Params params_;
  State::Column<std::uint8_t>* adopted_ = nullptr;
  NeighborCounts counts_;
  BlockLists lists_;
  std::vector<vid> fresh_list_;
  std::uint64_t adopters_ = 0, fresh_ = 0, n_ = 0;
};

}  // namespace

ModelInfo bass_info() {
  ModelInfo m;
  m.name = "bass";
  m.summary = "Bass diffusion: adopt at hazard p + q * (adopted share of in-neighbours, or of all on 'complete')";
  m.citation = "Bass (1969) Management Science 15(5):215-227";
  m.supports_complete_graph = true;
  m.params = {
      real_param("p", 0.03, 0, 1e6, "per unit of time.dt", "innovation (external influence) rate",
                 "Sultan, Farley & Lehmann (1990): mean p = 0.03"),
      real_param("q", 0.38, 0, 1e6, "per unit of time.dt", "imitation (word-of-mouth) rate",
                 "Sultan, Farley & Lehmann (1990): mean q = 0.38"),
  };
  for (auto& p : initial_params("adopted", "none")) m.params.push_back(p);
  m.check = [](const Params& p) { check_initial(p, "bass"); };
  m.make = [](const Params& p) { return std::make_unique<Bass>(p); };
  return m;
}

}  // namespace wom::models
