// The person step and the block sweep (docs/design.md §3 steps 1–7, 9–11): init (the initial
// population and every column), step (the phases of one step in order: talk, sweep, merge,
// tellers, tweets, rating, economics, the causal cone), the sweep over blocks of persons with
// its fast path, step_person (one person's t → t+1, shared with the causal cone), the
// rating-driven hazards of churn and acquisition, and the fixed inflow.
#include <fmt/format.h>
#include <algorithm>
#include <cassert>
#include <cstring>
#include <numeric>

#include "models/service_wom/model.hpp"
#include "sim/core/parallel.hpp"

#include <Eigen/Core>

namespace wom::models::swom {

void ServiceWom::init(const Graph& g, State& s, const RunContext& run) {
  followers_ = run.followers;
  if (followers_ && (followers_->n != g.n || (!followers_->complete && followers_->ids != g.ids &&
                                              !(followers_->identity_ids && g.identity_ids))))
    throw Error("service_wom: the follower layer must hold the same persons, in the same order, as the graph");
  key_ = run.key;
  n_ = g.n;
  horizon_ = run.steps > 0 ? run.steps : INT64_MAX;
  events_ = run.events;
  if (events_) events_->set_channel_names(kChannelNames);
  dt_days_ = run.dt;
  dt_years_ = dt_days_ / 365.0;
  story_steps_ = steps_of(c_.story_days, dt_days_, 1);
  window_steps_ = steps_of(c_.defect_window_days, dt_days_, 1);
  rebound_steps_ = steps_of(c_.apology_rebound_days, dt_days_, 1);
  reject_steps_ = steps_of(c_.reject_days, dt_days_, 0);
  review_steps_ = steps_of(c_.window_days, dt_days_, 1);
  p_problem_ = per_step(c_.problems_rate_per_year, dt_years_);
  // Channels switched off from a later step are on until then (wom cost): the slot of
  // spontaneous reviews is kept so that every other event keeps its uniform's slot.
  configured_ = {c_.channels_talk, c_.channels_weak_ties, c_.channels_tweets, c_.channels_reviews};
  run_off_ = run.channels_off;
  run_off_from_ = run.channels_off_from;
  set_on(0);
  p_review_ = on_.reviews ? per_step(c_.review_spontaneous_rate_per_year, dt_years_) : 0.0;
  p_recommend_ = per_step(c_.recommend_rate_per_year, dt_years_);
  p_external_ = per_step(c_.external_per_year, dt_years_);
  p_winback_ = per_step(c_.winback_per_year, dt_years_);
  churn_hazard_a0_ = c_.churn_base_rate_per_year * std::exp(c_.churn_attitude_slope * c_.attitude_mean);

  status_ = &s.add<std::uint8_t>("status", kProspect);
  att_ = &s.add<float>("attitude", 0.0f);
  rec_ = s.add_record<PersonRec>("person").data();
  disc_x_ = std::pow(1.0 + c_.discount_rate_per_year, -dt_years_);
  exposure_ = defections_total_ = continuing_cost_ = 0;
  rows_ = 0;

  // Initial population: keyed by stable id, so paired runs and reorderings share it.
  const rng::Stream init(run.key, 0, kInit);
  const std::uint64_t thr_customer = rng::threshold(c_.customer_share);
  const double mu = std::log(std::max(c_.margin_per_year, 1e-300)) - 0.5 * c_.margin_sigma * c_.margin_sigma;
  margin_sum_ = cohort_margin_sum_ = 0;
  stocks_ = {};
  double margins_all = 0;  // every person's margin: the most the customers' margin sum can reach
  for (vid v = 0; v < g.n; ++v) {
    const std::uint64_t id = g.id(v);
    const bool customer = rng::fires(init.bits(id, 0), thr_customer);
    const float a = clip(c_.attitude_mean + c_.attitude_sd * normal(init.bits(id, 1), init.bits(id, 2)));
    rec_[v].margin = c_.margin_per_year > 0
                         ? float(std::exp(mu + c_.margin_sigma * normal(init.bits(id, 3), init.bits(id, 4))))
                         : 0.0f;
    margins_all += double(rec_[v].margin);
    status_->now[v] = customer ? kCustomer : kProspect;
    att_->now[v] = a;
    if (customer) {
      rec_[v].flags = kFlagCohort;
      margin_sum_ += margin_fixed(v);
    }
    stocks_ += Stocks::of(status_->now[v], rec_[v].flags, a);
  }
  // Margins are summed exactly in 64-bit fixed point (units of 2^-16): refuse a population
  // whose margins could overflow it, rather than print a wrapped-around NPV.
  if (!(margins_all * kMarginScale < 0x1p62))
    throw Error(fmt::format(
        "params.economics.margin_per_year = {} over graph.n = {} persons: the margins sum to {:.3g} per year, beyond "
        "the {:.3g} that the exact money sums hold; lower economics.margin_per_year, economics.margin_sigma or graph.n",
        c_.margin_per_year, g.n, margins_all, 0x1p62 / kMarginScale));
  cohort_margin_sum_ = margin_sum_;
  status_->next = status_->now;
  att_->next = att_->now;
  written_.assign(num_blocks(g.n), {});
  tweet_written_.clear();

  rank_.clear();
  if (!g.identity_ids) {
    rank_.resize(g.n);
    std::iota(rank_.begin(), rank_.end(), vid(0));
    std::sort(rank_.begin(), rank_.end(), [&](vid a, vid b) { return g.id(a) < g.id(b); });
  }
  tellers_.clear();
  calendar_.assign(std::size_t(std::max(window_steps_, rebound_steps_)) + 1, {});
  bookings_.assign(std::size_t(story_steps_) + 1, {});
  out_.assign(num_blocks(g.n), BlockOut{});
  window_.assign(std::size_t(review_steps_), ReviewSlot{});
  window_sum_ = ReviewSlot{};
  rating_ = c_.prior_mean;
  in_cascade_.assign(g.n, 0);
  npv_ = 0;

  obs_.fill(0.0);
  obs_[c_prospects] = double(stocks_.prospects);
  obs_[c_customers] = double(stocks_.customers);
  obs_[c_cohort_customers] = double(stocks_.cohort);
  obs_[c_rating] = rating_;
  obs_[c_mean_attitude] = g.n ? double(stocks_.att) / kAttScale / double(g.n) : 0.0;
}

/// Probabilities that depend on the public rating (fixed within a step).
Hazards ServiceWom::hazards(double rating) const {
  Hazards h;
  const double dr = on_.reviews ? rating - c_.prior_mean : 0.0;
  h.acq = std::pow(1.0 + c_.star_elasticity, dr);
  h.churn = std::pow(1.0 + c_.churn_elasticity, -dr);
  h.h_advert = std::min(1.0, h.acq * p_external_);
  // The churn probability is computed exactly only when the uniform falls below its largest
  // value over attitudes in [−1, 1]: a handful of exp() calls per step instead of one per customer.
  const double hmax = churn_hazard_a0_ * std::exp(std::abs(c_.churn_attitude_slope)) * h.churn;
  h.p_churn_max = per_step(hmax, dt_years_);
  return h;
}

void ServiceWom::step(const Graph& g, State&, const StepContext& ctx) {
  const std::int64_t t = ctx.t;
  set_on(t);
  hz_ = hazards(rating_);
  obs_customers_now_ = obs_[c_customers];
  obs_.fill(0.0);

  talk(g, t);
  // Calendar events due at t, sorted by person.
  auto& slot = calendar_[std::size_t(t % std::int64_t(calendar_.size()))];
  due_.swap(slot);
  slot.clear();
  std::sort(due_.begin(), due_.end());
  if (c_.fixed_inflow_per_step > 0) choose_inflow(g, t);

  const std::size_t nb = num_blocks(g.n);
  auto begins = [&](auto& list, std::vector<std::size_t>& begin, auto key) {
    begin.resize(nb + 1);
    std::size_t i = 0;
    for (std::size_t b = 0; b <= nb; ++b) {
      const std::size_t lo = std::min<std::size_t>(b * kBlock, g.n);
      while (i < list.size() && key(list[i]) < lo) ++i;
      begin[b] = i;
    }
  };
  begins(msgs_, msg_begin_, [](const Msg& m) { return std::size_t(m.to); });
  begins(due_, due_begin_, [](const Event& e) { return std::size_t(e.v); });
  begins(inflow_, inflow_begin_, [](vid v) { return std::size_t(v); });
  iv_now_.clear();
  for (const Forced& iv : interventions_)
    if (iv.step == t) iv_now_.push_back(&iv);
  begins(iv_now_, iv_begin_, [](const Forced* iv) { return std::size_t(iv->agent); });
  exposure_ += obs_customers_now_ * dt_years_;
  if (!variants_.empty()) cone_before(g, t);  // reads the state at t: before the sweep
  // Last step's tweets wrote attitudes that are now `now`: make `next` equal again (the
  // sweep's own writes are resynced per block, in the sweep).
  {
    const float* a_now = att_->now.data();
    float* a_next = att_->next.data();
    for (vid x : tweet_written_) a_next[x] = a_now[x];
    tweet_written_.clear();
  }

  for_each_block(g.n, [&](std::size_t b, std::size_t lo, std::size_t hi) { sweep(g, t, b, lo, hi); });

  // Merge block outputs in block order.
  std::array<std::int64_t, kNumColumns> n{};
  std::vector<vid> fresh;
  std::vector<std::pair<vid, std::uint8_t>> tweet_list;
  std::int64_t stars = 0;
  for (auto& o : out_) {
    for (int k = 0; k < kNumColumns; ++k) n[std::size_t(k)] += o.n[std::size_t(k)];
    stocks_ += o.d_stocks;
    margin_sum_ += o.margin_delta;
    cohort_margin_sum_ += o.cohort_margin_delta;
    stars += o.stars_sum;
    fresh.insert(fresh.end(), o.new_tellers.begin(), o.new_tellers.end());
    tweet_list.insert(tweet_list.end(), o.tweets.begin(), o.tweets.end());
    for (const auto& [when, ev] : o.schedule)
      calendar_[std::size_t(when % std::int64_t(calendar_.size()))].push_back(ev);
  }
  n[c_customers] = stocks_.customers;
  n[c_prospects] = stocks_.prospects;
  n[c_lapsed] = std::int64_t(g.n) - stocks_.customers - stocks_.prospects;
  n[c_cohort_customers] = stocks_.cohort;
  if (!variants_.empty()) {  // what the cone needs of the baseline's step (block order = person order)
    reviews_now_.clear();
    for (const auto& o : out_) reviews_now_.insert(reviews_now_.end(), o.reviewed.begin(), o.reviewed.end());
    tweets_now_ = tweet_list;
    tweet_net_.clear();
  }
  if (events_) {  // review records, in block order
    ev_.clear();
    for (const auto& o : out_) ev_.insert(ev_.end(), o.events.begin(), o.events.end());
    if (!ev_.empty()) events_->append(ev_);
  }

  update_tellers(t, fresh);
  book(g, t, fresh);

  for (int k = 0; k < kNumColumns; ++k) obs_[std::size_t(k)] += double(n[std::size_t(k)]);
  if (on_.tweets) tweets(g, t, tweet_list);

  if (on_.reviews) update_rating(t, n, stars);
  obs_[c_rating] = rating_;

  accrue(t);
  obs_[c_mean_attitude] = n_ ? double(stocks_.att) / kAttScale / double(n_) : 0.0;
  if (!variants_.empty()) cone_after(g, t);
#ifndef NDEBUG  // debug and sanitizer builds recount the stocks that the sweep moves by changes
  {
    Stocks recount;
    for (vid v = 0; v < g.n; ++v) recount += Stocks::of(status_->next[v], rec_[v].flags, att_->next[v]);
    assert(recount == stocks_);
  }
#endif
}

/// Test/what-if inflow: the `acquisition.fixed_inflow_per_step` prospects (not rejecting) with the smallest keyed
/// draws adopt this step.
void ServiceWom::choose_inflow(const Graph& g, std::int64_t t) {
  const rng::Stream s(key_, std::uint64_t(t), kInflow);
  std::vector<std::pair<std::uint64_t, vid>> cand;
  const std::uint8_t* st = status_->now.data();
  for (vid v = 0; v < g.n; ++v)
    if (st[v] == kProspect && rec_[v].reject_until <= t) cand.emplace_back(s.bits(g.id(v)), v);
  const std::size_t k = std::min<std::size_t>(std::size_t(c_.fixed_inflow_per_step), cand.size());
  auto less = [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : g.id(a.second) < g.id(b.second);
  };
  if (k < cand.size()) std::nth_element(cand.begin(), cand.begin() + std::ptrdiff_t(k), cand.end(), less);
  inflow_.resize(k);
  for (std::size_t i = 0; i < k; ++i) inflow_[i] = cand[i].second;
  std::sort(inflow_.begin(), inflow_.end());
}

/// One person's step t (docs/design.md §3 steps 1–7, 9–11 for this person): `p` holds its state at t and
/// receives its state at t+1, with the attitude before this step's tweets. Reads nothing of
/// other persons but `in`, so the sweep and the causal cone (run_variants) share it exactly.
void ServiceWom::step_person(std::int64_t t, vid v, std::uint64_t id, double u, Person& p, const Inputs& in,
                             const Hazards& hz, BlockOut& o) const {
  const double end_problem = p_problem_, end_review = end_problem + p_review_,
               end_recommend = end_review + p_recommend_;
  const std::uint8_t st = p.st;
  const float a = p.a;
  const bool heard = !in.heard.empty();
  const Forced* focal = in.focal;
  double a1 = a;
  std::uint8_t st1 = st;
  bool started = false;  // a first-hand story began this step (a retold one may not replace it)
  auto defect = [&](Column cause) {
    st1 = kLapsed;
    ++o.n[c_defections];
    ++o.n[cause];
    p.defect_at = kNever;
    p.led_margin += double(rec_[v].margin) * dt_years_ * spell(std::max<std::int64_t>(1, p.acquired), t);
    o.margin_delta -= margin_fixed(v);
    if (p.flags & kFlagCohort) {
      o.cohort_margin_delta -= margin_fixed(v);
      p.flags = std::uint8_t(p.flags & ~kFlagCohort);
    }
  };
  auto become_customer = [&](Column what) {
    st1 = kCustomer;
    ++o.n[what];
    p.acquired = std::int32_t(t + 1);
    p.defect_at = kNever;
    p.unresolved = 0;
    o.margin_delta += margin_fixed(v);
    if (what == c_acquisitions) p.led_acquisition += c_.cac * disc(t + 1);
  };

  // --- messages heard this step (strong and weak ties), aggregated order-free
  Heard L;
  if (heard) {
    L = listen(in.heard);
    a1 += L.shift;
  }
  // --- calendar events due at t: apology rebounds; a pending defection falls due at defect_at
  for (int k = 0; k < in.rebounds; ++k) a1 += c_.apology_rebound;
  const bool defect_due = st == kCustomer && p.defect_at == t;

  if (st == kCustomer && focal) {
    // The cost engine's focal event replaces this step's own events of the focal customer
    // (a pending defection is superseded by the focal complaint's outcome).
    p.defect_at = kNever;
    if (focal->lose)
      defect(c_defections_forced);
    else
      started = problem(t, v, id, p, a1, o, focal);
  } else if (st == kCustomer) {
    if (defect_due) {
      defect(kCauseColumn[(p.flags & kCauseMask) >> kCauseShift]);
    } else if (L.keep_churn < 1.0 && p.defect_at == kNever &&
               unit(rng::Stream(key_, std::uint64_t(t), kWomChurn).bits(id)) < 1.0 - L.keep_churn) {
      defect(c_defections_wom);
    } else if (u < end_problem) {
      if (c_.problems_enabled && p.defect_at == kNever) started = problem(t, v, id, p, a1, o);
    } else if (u < end_review) {
      if (on_.reviews) review(v, id, t, a, p, o);
    } else if (u < end_recommend) {
      if (a >= c_.satisfied_above) {
        start_story(t, v, p, true, 0, o);
        ++o.n[c_recommendations];
        started = true;
      }
    } else if (u - end_recommend < hz.p_churn_max) {
      const double h = churn_hazard_a0_ * std::exp(-c_.churn_attitude_slope * a) * hz.churn;
      if (u - end_recommend < per_step(h, dt_years_)) defect(c_defections_base);
    }
  } else if (st == kProspect) {
    const bool rejecting = p.reject_until > t;
    bool rejected = false;
    if (L.keep_reject < 1.0 && !rejecting &&
        unit(rng::Stream(key_, std::uint64_t(t), kReject).bits(id)) < 1.0 - L.keep_reject) {
      rejected = true;
      ++o.n[c_rejections];
      p.reject_until = std::int32_t(t + 1 + reject_steps_);
      start_story(t, v, p, false, 0, o);  // rejecters tell negative stories (Goldenberg et al. 2007)
      started = true;
    }
    if (!rejected) {
      if (c_.fixed_inflow_per_step > 0) {
        if (in.inflow) become_customer(c_acquisitions);
      } else {
        const double h =
            L.keep_adopt < 1.0 ? std::min(1.0, hz.acq * (1.0 - (1.0 - p_external_) * L.keep_adopt)) : hz.h_advert;
        if (u < h && !rejecting) become_customer(c_acquisitions);
      }
    }
  } else if (u < p_winback_ && a >= c_.reject_below) {
    become_customer(c_winbacks);
  }

  // --- retelling: an idle listener takes up one second-hand story (smallest keyed draw wins)
  if (heard && !started && c_.retell_prob > 0 && (p.story == 0 || p.story_end < t)) {
    const rng::Stream rs(key_, std::uint64_t(t), kRetell);
    const std::uint64_t thr = rng::threshold(c_.retell_prob);
    std::uint64_t best = ~std::uint64_t(0);
    int pick_kind = -1;
    for (const Msg& m : in.heard) {
      if ((m.kind >> 2) >= c_.retell_generations) continue;
      const std::uint64_t bits = rs.arc_bits(m.src, id, m.kind);
      if (rng::fires(bits, thr) && (pick_kind < 0 || bits < best)) best = bits, pick_kind = m.kind;
    }
    if (pick_kind >= 0) start_story(t, v, p, pick_kind & kMsgPositive, (pick_kind >> 2) + 1, o);
  }
  p.a = clip(a1);
  p.st = st1;
}

namespace {

/// The 53-bit integer k of a unit uniform u = k·2^-53 (rng::Stream::to_unit) lies below
/// `limit_below(x)` exactly when u < x: multiplying by 2^53 is exact, so u < x ⟺ k < x·2^53
/// ⟺ k < ceil(x·2^53). A NaN x makes every u "below" (as `u >= NaN` is false).
std::uint64_t limit_below(double x) {
  if (std::isnan(x) || x > 1.0) return std::uint64_t(1) << 54;
  if (!(x > 0.0)) return 0;
  return std::uint64_t(std::ceil(std::ldexp(x, 53)));
}

/// The first pass of the sweep over a block of n persons (ids[i], or lo + i for identity ids):
/// k_out[i] = the 53-bit integer of the person's spontaneous uniform (rng::Stream::bits(id) >> 11
/// under the stream key), slow[i] = whether it falls below the event limit of the person's
/// status. Pure 64-bit integer arithmetic, so every version gives the same bits. Compiled three
/// times and picked at run time for the CPU (GCC function multi-versioning): x86-64-v4
/// (AVX-512: vpmullq, 8 persons per instruction), x86-64-v3 (AVX2: 4 persons, the 64-bit
/// multiply from 32-bit ones) and the baseline (scalar). A plain loop rather than an Eigen
/// expression: Eigen 3.4 has no 64-bit multiply packet below AVX-512, and its templates cannot
/// be compiled per target inside one binary.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void slot_mask(
    std::uint64_t key, const std::uint64_t* __restrict ids, std::uint64_t lo, std::ptrdiff_t n,
    const std::uint8_t* __restrict st, std::uint64_t k_customer, std::uint64_t k_prospect, std::uint64_t k_lapsed,
    std::uint64_t* __restrict k_out, std::uint8_t* __restrict slow) {
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const std::uint64_t id = ids ? ids[i] : lo + std::uint64_t(i);
    const std::uint64_t k = rng::mix(key ^ rng::mix(id * 0x8EBC6AF09C88C6E3ULL + 1)) >> 11;
    k_out[i] = k;
    const std::uint64_t s = st[i];
    slow[i] = k < (s == kCustomer ? k_customer : s == kProspect ? k_prospect : k_lapsed);
  }
}

/// Per-thread scratch of one block of the sweep (kBlock persons at most).
struct SweepScratch {
  Eigen::Array<std::uint64_t, Eigen::Dynamic, 1> k;    ///< the spontaneous uniform, as 53-bit integers
  Eigen::Array<std::uint8_t, Eigen::Dynamic, 1> slow;  ///< 1: the person has an event this step
  std::vector<std::uint32_t> active;                   ///< offsets of the slow persons, in order
};

}  // namespace

// The sweep in two parts per block (models/service_wom/README.md, "How it is computed"): one
// element-wise pass over the whole block computes what is the same for every person — the keyed
// uniform, the status's event boundary, hence the mask of persons with any event this step — and
// the branchy per-person logic (step_person) runs only for the masked persons, in storage order.
// Idle persons cost nothing more: `next` already holds their state (only last step's writes are
// copied back) and the block's stocks move by the stepped persons' changes. Bit-identical to a
// person-by-person loop.
void ServiceWom::sweep(const Graph& g, std::int64_t t, std::size_t b, std::size_t lo, std::size_t hi) {
  BlockOut& o = out_[b];
  o.reset();
  const Eigen::Index n = Eigen::Index(hi - lo);
  const std::uint8_t* st_now = status_->now.data();
  const float* a_now = att_->now.data();
  const rng::Stream spont(key_, std::uint64_t(t), kSpont);
  const bool fixed = c_.fixed_inflow_per_step > 0;
  // Slots of the one spontaneous uniform of a customer: [problem | review | recommend | churn].
  // Below the status's boundary the uniform falls in an event slot; at or above it, nothing
  // spontaneous happens.
  const double end_recommend = p_problem_ + p_review_ + p_recommend_;
  const std::uint64_t k_customer = limit_below(end_recommend + hz_.p_churn_max), k_prospect = limit_below(hz_.h_advert),
                      k_lapsed = limit_below(p_winback_);
  thread_local SweepScratch ws;
  ws.k.resize(n);
  ws.slow.resize(n);

  // 1. Per block, one element-wise pass: the keyed uniform of each person and whether it falls
  // in an event slot of the person's status (slot_mask: SIMD where the CPU has it).
  slot_mask(spont.key, g.identity_ids ? nullptr : g.ids.data() + lo, std::uint64_t(lo), n, st_now + lo, k_customer,
            k_prospect, k_lapsed, ws.k.data(), ws.slow.data());
  // Idle persons keep their state, and `next` already holds it for all but the persons last
  // step wrote (the engine swapped the buffers since): copy only theirs now → next.
  std::uint8_t* st_next = status_->next.data() + lo;
  float* a_next = att_->next.data() + lo;
  std::vector<std::uint32_t>& written = written_[b];
  for (std::uint32_t k : written) {
    st_next[k] = st_now[lo + k];
    a_next[k] = a_now[lo + k];
  }
#ifndef NDEBUG  // debug and sanitizer builds check what the fast path relies on: next == now
  for (Eigen::Index k = 0; k < n; ++k)
    assert(st_next[k] == st_now[lo + std::size_t(k)] &&
           std::memcmp(a_next + k, a_now + lo + std::size_t(k), sizeof(float)) == 0);
#endif

  // 2. Persons with inputs this step (sorted lists) are active whatever their uniform.
  std::size_t mi = msg_begin_[b], ei = due_begin_[b], fi = inflow_begin_[b], ii = iv_begin_[b];
  const std::size_t me = msg_begin_[b + 1], ee = due_begin_[b + 1], fe = inflow_begin_[b + 1], ie = iv_begin_[b + 1];
  if (fixed) ws.slow.setOnes();  // the fixed inflow ranks every prospect: no fast path
#ifdef WOM_BENCH_SLOW_VARIANT
  ws.slow.setOnes();  // the bench gate's slowed build: no fast path for idle persons
#endif
  for (std::size_t m = mi; m < me; ++m) ws.slow[Eigen::Index(msgs_[m].to - lo)] = 1;
  for (std::size_t e = ei; e < ee; ++e) ws.slow[Eigen::Index(due_[e].v - lo)] = 1;
  for (std::size_t k = ii; k < ie; ++k) ws.slow[Eigen::Index(iv_now_[k]->agent - lo)] = 1;
  // The mask is sparse: skip it eight bytes at a time.
  ws.active.resize(std::size_t(n));
  std::size_t na = 0;
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, ws.slow.data() + i, 8);
    if (!word) continue;
    for (Eigen::Index j = i; j < i + 8; ++j) {
      ws.active[na] = std::uint32_t(j);
      na += ws.slow[j];
    }
  }
  for (; i < n; ++i) {
    ws.active[na] = std::uint32_t(i);
    na += ws.slow[i];
  }

  // 3. The branchy per-person logic, for the active persons only. They are known in advance,
  // so their records (scattered, one or two lines each) are prefetched a few persons ahead.
  constexpr std::size_t kAhead = 16;
  auto prefetch = [&](std::size_t v) {  // the record spans one or two lines
    const char* r = reinterpret_cast<const char*>(rec_ + v);
    __builtin_prefetch(r);
    __builtin_prefetch(r + sizeof(PersonRec) - 1);
  };
  for (std::size_t j = 0; j < std::min(na, kAhead); ++j) prefetch(lo + ws.active[j]);
  for (std::size_t j = 0; j < na; ++j) {
    if (j + kAhead < na) prefetch(lo + ws.active[j + kAhead]);
    const vid v = vid(lo + ws.active[j]);
    const std::uint64_t id = g.id(v);
    const double u = double(ws.k[ws.active[j]]) * 0x1.0p-53;  // rng::Stream::to_unit
    const Forced* focal = nullptr;
    while (ii < ie && iv_now_[ii]->agent < v) ++ii;
    if (ii < ie && iv_now_[ii]->agent == v) focal = iv_now_[ii];
    Person p = load(v);
    const std::size_t m0 = mi;  // every recipient is active: the cursors never skip a person's entries
    while (mi < me && msgs_[mi].to == v) ++mi;
    Inputs in{std::span<const Msg>(msgs_.data() + m0, mi - m0), 0, focal, false};
    while (ei < ee && due_[ei].v == v) in.rebounds += due_[ei++].type == kEvRebound;
    if (fixed) {
      in.inflow = fi < fe && inflow_[fi] == v;
      while (fi < fe && inflow_[fi] <= v) ++fi;
    }
    const Stocks before = Stocks::of(p.st, p.flags, p.a);
    step_person(t, v, id, u, p, in, hz_, o);
    store(v, p);
    // The block's stocks change by what this person's step changed.
    o.d_stocks += Stocks::of(p.st, p.flags, p.a);
    o.d_stocks -= before;
  }

  // 4. The persons stepped are the ones whose `next` may now differ from `now`.
  written.assign(ws.active.begin(), ws.active.begin() + std::ptrdiff_t(na));
}

}  // namespace wom::models::swom
