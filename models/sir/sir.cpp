#include "models/sir/sir.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"
#include "sim/core/sampling.hpp"

namespace wom::models {

namespace {

enum : std::uint8_t { S = 0, I = 1, R = 2 };
constexpr rng::Purpose kSeed = 0x5149'5201, kContact = 0x5149'5202, kRecover = 0x5149'5203;
constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();

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
    contact_ = rng::Stream(run.key, 0, kContact);
    recover_ = rng::Stream(run.key, 0, kRecover);
    horizon_ = run.steps;
    log_miss_ = std::log1p(-beta_);
    log_keep_ = std::log1p(-gamma_);
    // threshold(1 − (1−β)^d) for d < 64: P(first contact within d steps), used both as the
    // chance to transmit within a period K = d and to find the first contact D.
    transmit_thr_.assign(64, 0);
    for (std::size_t d = 1; d < 64; ++d) transmit_thr_[d] = rng::threshold(-std::expm1(double(d) * log_miss_));
    if (beta_ >= 1.0) std::fill(transmit_thr_.begin() + 1, transmit_thr_.end(), ~std::uint64_t(0));
    first_contact_thr_ = transmit_thr_;
    recover_thr_.assign(64, 0);  // threshold(P(K ≤ k)) = threshold(1 − (1−γ)^k)
    for (std::size_t k = 1; k < 64; ++k) recover_thr_[k] = rng::threshold(-std::expm1(double(k) * log_keep_));
    infections_.clear();
    recoveries_.clear();
    changed_inf_.clear();
    changed_rec_.clear();
    const auto seeds = choose_agents(g, rng::Stream(run.key, 0, kSeed), initial_count(params_, g.n, 0.01));
    for (vid v : seeds) status_->now[v] = I;
    status_->next = status_->now;
    susceptible_.assign((std::size_t(g.n) + 63) / 64, ~std::uint64_t(0));
    for (vid v : seeds) clear_bit(v);
    infect(g, seeds, -1);  // seeds count as infected while computing step −1 (bits already clear)
    n_s_ = g.n - seeds.size();
    n_i_ = seeds.size();
    n_r_ = 0;
    new_i_ = 0;
  }

  void step(const Graph& g, State& s, const StepContext& ctx) override {
    const std::int64_t t = ctx.t;
    // `next` holds the state of t−1: bring it to t by replaying last step's changes
    // (O(changes), not O(n)).
    std::uint8_t* next = status_->next.data();
    for (vid v : changed_inf_) next[v] = I;
    for (vid v : changed_rec_) next[v] = R;

    // Transmissions scheduled for step t reach agents still susceptible at t. Clearing
    // an agent's susceptible bit as it is taken dedupes the bookings; pushes of this step
    // then skip it too, which changes nothing (bookings to it would be discarded).
    std::vector<vid> hit = infections_.take(t);
    changed_inf_.clear();
    for (vid v : hit) {
      std::uint64_t& w = susceptible_[v >> 6];
      const std::uint64_t bit = std::uint64_t(1) << (v & 63);
      if (!(w & bit)) continue;
      w &= ~bit;
      next[v] = I;
      changed_inf_.push_back(v);
    }
    sort_agents(changed_inf_, g.n);
    // Infectious agents whose last infectious step is t recover.
    changed_rec_ = recoveries_.take(t);
    for (vid v : changed_rec_) next[v] = R;
    infect(g, changed_inf_, t);

    new_i_ = changed_inf_.size();
    n_s_ -= changed_inf_.size();
    n_i_ += changed_inf_.size();
    n_i_ -= changed_rec_.size();
    n_r_ += changed_rec_.size();
  }

  void observe(const Graph&, const State&, std::span<double> out) const override {
    out[0] = double(n_s_);
    out[1] = double(n_i_);
    out[2] = double(n_r_);
    out[3] = double(new_i_);
  }
  bool absorbed() const override { return n_i_ == 0; }
  std::size_t scratch_bytes() const override { return (infections_.pending() + recoveries_.pending()) * sizeof(vid); }

 private:
  /// Agents infected while computing step t are infectious during steps t+1 .. t+K.
  /// Their recovery is booked at t+K, and each out-arc to a susceptible agent transmits
  /// at its first successful contact: step t+D with D ~ Geometric(β), if D ≤ K.
  void infect(const Graph& g, std::span<const vid> agents, std::int64_t t) {
    if (agents.empty()) return;
    thr_.resize(agents.size());
    for (std::size_t i = 0; i < agents.size(); ++i) {
      const vid v = agents[i];
      const std::int32_t k = period(g.id(v), t);
      thr_[i] = k < std::int32_t(transmit_thr_.size())
                    ? transmit_thr_[std::size_t(k)]
                    : rng::threshold(k == kNever ? (beta_ > 0 ? 1.0 : 0.0) : -std::expm1(double(k) * log_miss_));
      // Bookings beyond the horizon never matter: an agent whose recovery falls after it
      // stays infectious to the end (and the calendar stays as long as the run).
      if (k != kNever && t + k < horizon_) recoveries_.add(t + k, std::span<const vid>(&agents[i], 1));
    }
    const std::uint64_t* sus = susceptible_.data();
    const std::uint64_t* thr = thr_.data();
    const std::uint64_t* first = first_contact_thr_.data();
    const std::size_t nfirst = first_contact_thr_.size();
    const Graph* gp = &g;
    const rng::Stream contact = contact_;
    const double log_miss = log_miss_;
    // Contacts after the last step cannot matter (and must not overflow the delay).
    const std::int64_t room = std::min<std::int64_t>(horizon_ - t, std::numeric_limits<std::uint32_t>::max());
    delayed_push(
        g, agents, [sus](vid v) { return (sus[v >> 6] >> (v & 63)) & 1; },
        [=](std::size_t i, vid u, vid v) -> std::uint32_t {
          const std::uint64_t bits = contact.arc_bits(gp->id(u), gp->id(v));
          if (!rng::fires(bits, thr[i])) return 0;  // no contact succeeds within K steps
          // First success D given one within K, by inverse CDF on the same uniform: the
          // smallest d with bits < threshold(1 − (1−β)^d); a table for small d.
          for (std::size_t d = 1; d < nfirst; ++d)
            if (rng::fires(bits, first[d])) return std::uint32_t(d);
          const double d = 1.0 + std::floor(std::log1p(-rng::Stream::to_unit(bits)) / log_miss);
          return d < double(room) ? std::uint32_t(d) : 0;  // after the horizon: never (and no overflow)
        },
        t, infections_, push_scratch_);
  }

  /// Sorts a list of distinct agents: memory order for the push that follows (results do
  /// not depend on the order; speed does, ~2x on 10^7 arcs). Long lists go through a
  /// bitmap scan instead of a comparison sort.
  void sort_agents(std::vector<vid>& list, vid n) {
    if (list.size() < 4096) {
      std::sort(list.begin(), list.end());
      return;
    }
    order_bits_.resize((std::size_t(n) + 63) / 64);
    for (vid v : list) order_bits_[v >> 6] |= std::uint64_t(1) << (v & 63);
    list.clear();
    for (std::size_t w = 0; w < order_bits_.size(); ++w)
      for (std::uint64_t x = order_bits_[w]; x; x &= x - 1)
        list.push_back(vid(w * 64 + std::size_t(__builtin_ctzll(x))));
    std::fill(order_bits_.begin(), order_bits_.end(), 0);
  }

  /// Infectious period K ≥ 1: τ, or Geometric(γ) drawn from the agent's id and the step
  /// it was infected — the law of recovering with probability γ after each step.
  std::int32_t period(std::uint64_t id, std::int64_t t) const {
    if (tau_ > 0) return tau_;
    if (gamma_ >= 1.0) return 1;
    if (gamma_ <= 0.0) return kNever;
    const std::uint64_t bits = recover_.bits(id, std::uint64_t(t + 1));
    for (std::size_t k = 1; k < recover_thr_.size(); ++k)  // inverse CDF, table for small k
      if (rng::fires(bits, recover_thr_[k])) return std::int32_t(k);
    const double k = 1.0 + std::floor(std::log1p(-rng::Stream::to_unit(bits)) / log_keep_);
    return k >= 1e9 ? kNever : std::int32_t(k);
  }

  double beta_, gamma_, log_miss_ = 0, log_keep_ = 0;
  std::int64_t horizon_ = 0;
  std::int32_t tau_;
  Params params_;
  State::Column<std::uint8_t>* status_ = nullptr;
  rng::Stream contact_, recover_;
  Calendar infections_, recoveries_;
  DelayScratch push_scratch_;
  /// Bit v set while agent v is susceptible at `now`: the eligibility test of the push
  /// reads 1 bit per target instead of a status byte (n/8 bytes stay in L2 cache).
  std::vector<std::uint64_t> susceptible_;
  void clear_bit(vid v) { susceptible_[v >> 6] &= ~(std::uint64_t(1) << (v & 63)); }
  std::vector<std::uint64_t> order_bits_;
  std::vector<std::uint64_t> transmit_thr_, first_contact_thr_, recover_thr_, thr_;
  std::vector<vid> changed_inf_, changed_rec_;
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
      optional_param(
          int_param("infectious_steps", 1, 1, 1e9, "steps", "fixed infectious period tau (alternative to gamma)")),
  };
  for (auto& p : initial_params("infected", "1 % of agents")) m.params.push_back(p);
  m.check = [](const Params& p) {
    if (p.has("gamma") == p.has("infectious_steps"))
      throw Error(
          "sir: set exactly one of params.gamma (recovery probability per step, [0, 1]) and "
          "params.infectious_steps (fixed infectious period, integer >= 1)");
    check_initial(p, "sir");
  };
  m.make = [](const Params& p) { return std::make_unique<Sir>(p); };
  return m;
}

}  // namespace wom::models
