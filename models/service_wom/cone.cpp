// The causal cone (docs/design.md §5): variants stepped in lockstep with this run (wom cost):
// add_variant, join, the rating band, cone_before / cone_step / cone_after around the baseline's
// step, and variant_ledger.
//
// A variant differs from the baseline only downstream of its interventions. Its cone holds the
// persons whose inputs have differed at some step; they are re-simulated every step with
// step_person (the sweep's own code) from their variant state, and everyone else is the
// baseline, bit for bit. Inputs reach a person through:
//   tellings  a teller whose story (code, end) differs tells differently: every listener of
//             either world's tellings joins. A member hears the baseline's messages, minus those
//             of differing tellers, plus those tellers' variant messages;
//   tweets    a member who tweets differently changes the attitude of the cascade's viewers
//             (the cascade itself depends on the follower graph only): viewers join after the step;
//   rating    a global input. Where the variant's rating differs, a person's decision differs
//             only if its uniform lies between the two worlds' hazards: one pass over all persons
//             per step, shared by every variant, finds those near any variant's threshold, and
//             each variant takes in the ones whose decision flips.
// Calendar: a pending defection is state (defect_at); an apology rebound scheduled before a
// person joined is the baseline's, after that the variant's. Every draw is keyed by (step,
// purpose, stable id), so a re-simulated person draws exactly what a full run of the variant
// would: the cone path gives the full path's ledger bit for bit (tests/app/test_cost.cpp).
#include <fmt/format.h>
#include <algorithm>
#include <numeric>

#include "models/service_wom/model.hpp"
#include "sim/core/parallel.hpp"

namespace wom::models::swom {

bool ServiceWom::add_variant(std::vector<Intervention> ivs, std::size_t max_cone) {
  // Not here: the fixed inflow ranks all prospects every step (global without a threshold), the
  // event log records one world, and a terminal value from the run's own measured retention and
  // cost rate would revalue every customer (wom cost pins economics.terminal_retention and
  // economics.terminal_cost_per_customer_year).
  if (c_.fixed_inflow_per_step > 0 || events_ || c_.terminal_retention < 0 || c_.terminal_cost_per_customer_year < 0)
    return false;
  std::vector<Forced> fs;
  for (const Intervention& iv : ivs) {
    if (iv.agent >= n_ || iv.step < 0 || iv.step >= horizon_)
      throw Error(
          fmt::format("variant intervention on agent {} at step {} is out of range: agents [0, {}), steps [0, {})",
                      iv.agent, iv.step, n_, horizon_));
    fs.push_back(forced(iv));
  }
  std::stable_sort(fs.begin(), fs.end(), [](const Forced& a, const Forced& b) {
    return a.step != b.step ? a.step < b.step : a.agent < b.agent;
  });
  auto V = std::make_unique<Variant>();
  V->ivs = std::move(fs);
  V->max_cone = std::max<std::size_t>(1, max_cone);
  V->rating = rating_;
  V->hz = hz_;
  V->out.record = true;
  for (auto& o : out_) o.record = true;
  variants_.push_back(std::move(V));
  return true;
}

bool ServiceWom::join(Variant& V, vid v, std::int64_t entry, bool after_step) const {
  if (V.global || V.slot.count(v)) return false;
  if (V.members.size() >= V.max_cone) {  // the cone is (nearly) global: a full run is cheaper
    V.global = true;
    V.slot = {};
    V.members = {};
    V.state = {};
    V.entry = {};
    return false;
  }
  V.slot.emplace(v, std::uint32_t(V.members.size()));
  V.members.push_back(v);
  V.state.push_back(after_step ? load_next(v) : load(v));
  V.entry.push_back(std::int32_t(entry));
  V.peak = std::max<std::uint64_t>(V.peak, V.members.size());
  return true;
}

void ServiceWom::band_pass(const Graph& g, std::int64_t t, const Hazards& lo, const Hazards& hi) {
  const std::size_t nb = num_blocks(g.n);
  band_parts_.resize(nb);
  const rng::Stream spont(key_, std::uint64_t(t), kSpont);
  const double end_recommend = p_problem_ + p_review_ + p_recommend_;
  const std::uint8_t* st_now = status_->now.data();
  const float* a_now = att_->now.data();
  constexpr double kSlack = 1e-9;  // the prefilter is conservative; band_differs decides exactly
  for_each_block(g.n, [&](std::size_t b, std::size_t b0, std::size_t b1) {
    auto& mine = band_parts_[b];
    mine.clear();
    std::size_t mi = msg_begin_[b];
    const std::size_t me = msg_begin_[b + 1];
    for (std::size_t i = b0; i < b1; ++i) {
      const vid v = vid(i);
      const std::size_t m0 = mi;
      while (mi < me && msgs_[mi].to == v) ++mi;
      const std::uint8_t st = st_now[v];
      if (st == kLapsed) continue;
      const double u = unit(spont.bits(g.id(v)));
      if (st == kProspect) {
        const double keep = mi > m0 ? listen(std::span<const Msg>(msgs_.data() + m0, mi - m0)).keep_adopt : 1.0;
        const double x = keep < 1.0 ? 1.0 - (1.0 - p_external_) * keep : p_external_;
        if (u < std::min(1.0, hi.acq * x) && u >= std::min(1.0, lo.acq * x)) mine.push_back({v, st, u, x});
      } else {
        const double w = u - end_recommend;
        if (w < 0 || w >= hi.p_churn_max * (1 + kSlack)) continue;
        const double e = churn_hazard_a0_ * std::exp(-c_.churn_attitude_slope * a_now[v]);
        if (w < per_step(e * hi.churn, dt_years_) * (1 + kSlack) &&
            w >= per_step(e * lo.churn, dt_years_) * (1 - kSlack))
          mine.push_back({v, st, u, e});
      }
    }
  });
  band_.clear();
  for (const auto& part : band_parts_) band_.insert(band_.end(), part.begin(), part.end());
}

/// Does band candidate c decide differently under hazards hz than in the baseline?
bool ServiceWom::band_differs(std::size_t i, const Hazards& hz) const {
  const Candidate& c = band_[i];
  const double end_recommend = p_problem_ + p_review_ + p_recommend_;
  auto decide = [&](const Hazards& h) {
    if (c.st == kProspect) return c.u < std::min(1.0, h.acq * c.x);
    const double w = c.u - end_recommend;
    return w < h.p_churn_max && w < per_step(c.x * h.churn, dt_years_);
  };
  return decide(hz) != decide(hz_);
}

void ServiceWom::cone_before(const Graph& g, std::int64_t t) {
  Hazards lo = hz_, hi = hz_;
  bool band = false;
  for (auto& V : variants_) {
    if (V->global) continue;
    V->hz = hazards(V->rating);
    if (V->hz == hz_) continue;
    band = true;
    lo.acq = std::min(lo.acq, V->hz.acq);
    hi.acq = std::max(hi.acq, V->hz.acq);
    lo.churn = std::min(lo.churn, V->hz.churn);
    hi.churn = std::max(hi.churn, V->hz.churn);
    hi.p_churn_max = std::max(hi.p_churn_max, V->hz.p_churn_max);
  }
  band_.clear();
  if (band) band_pass(g, t, lo, hi);
  const TalkDraws dr = talk_draws(g, t);
  for_each_block(
      variants_.size(),
      [&](std::size_t, std::size_t lo_v, std::size_t hi_v) {
        for (std::size_t k = lo_v; k < hi_v; ++k) cone_step(g, t, *variants_[k], dr);
      },
      1, 2);
}

void ServiceWom::cone_step(const Graph& g, std::int64_t t, Variant& V, const TalkDraws& dr) const {
  V.stepped = 0;
  if (V.global) return;
  for (const Forced& iv : V.ivs)
    if (iv.step == t) join(V, iv.agent, t, false);
  // Tellers whose story differs: both worlds' listeners join.
  V.msgs.clear();
  V.differ.clear();
  const std::size_t n0 = V.members.size();
  for (std::size_t i = 0; i < n0 && !V.global; ++i) {
    const vid u = V.members[i];
    const std::uint8_t sc = V.state[i].story, sb = rec_[u].story;
    const std::int32_t end = V.state[i].story_end, eb = rec_[u].story_end;
    if (sc == sb && end == eb) continue;
    const std::size_t m0 = V.msgs.size();
    messages_of(g, u, sc, end, t, dr, V.msgs);
    V.base_msgs.clear();
    messages_of(g, u, sb, eb, t, dr, V.base_msgs);
    if (V.msgs.size() == m0 && V.base_msgs.empty()) continue;
    V.differ.push_back(g.id(u));
    for (std::size_t k = m0; k < V.msgs.size() && !V.global; ++k) join(V, V.msgs[k].to, t, false);
    for (const Msg& m : V.base_msgs) join(V, m.to, t, false);
  }
  // The public rating: persons whose decision flips between the two worlds' hazards.
  if (!(V.hz == hz_))
    for (std::size_t c = 0; c < band_.size() && !V.global; ++c)
      if (!V.slot.count(band_[c].v) && band_differs(c, V.hz)) join(V, band_[c].v, t, false);
  if (V.global) return;
  std::sort(V.msgs.begin(), V.msgs.end());
  std::sort(V.differ.begin(), V.differ.end());
  V.due.clear();
  std::erase_if(V.rebound, [&](const std::pair<std::int64_t, vid>& r) {
    if (r.first != t) return false;
    V.due.push_back(r.second);
    return true;
  });
  std::sort(V.due.begin(), V.due.end());

  // Re-simulate every member.
  const rng::Stream spont(key_, std::uint64_t(t), kSpont);
  V.stepped = V.members.size();
  V.tweet.assign(V.stepped, 0);
  V.reviews = {};
  auto by_to = [](const Msg& m, vid x) { return m.to < x; };
  for (std::size_t i = 0; i < V.stepped; ++i) {
    const vid v = V.members[i];
    const std::uint64_t id = g.id(v);
    V.inbox.clear();
    // The baseline's messages and events of v lie within v's block (msg_begin_, due_begin_).
    const std::size_t b = std::size_t(v) / kBlock;
    const auto m_end = msgs_.begin() + std::ptrdiff_t(msg_begin_[b + 1]);
    for (auto it = std::lower_bound(msgs_.begin() + std::ptrdiff_t(msg_begin_[b]), m_end, v, by_to);
         it != m_end && it->to == v; ++it)
      if (V.differ.empty() || !std::binary_search(V.differ.begin(), V.differ.end(), it->src)) V.inbox.push_back(*it);
    if (!V.msgs.empty())
      for (auto it = std::lower_bound(V.msgs.begin(), V.msgs.end(), v, by_to); it != V.msgs.end() && it->to == v; ++it)
        V.inbox.push_back(*it);
    Inputs in{std::span<const Msg>(V.inbox), 0, nullptr, false};
    const auto d_end = due_.begin() + std::ptrdiff_t(due_begin_[b + 1]);
    // Every rebound falls due exactly rebound_steps_ after the step that scheduled it, so the
    // baseline's rebound of v due at t was scheduled in a shared step iff that step precedes
    // v's entry into the cone (a variable delay would need the scheduling step in Event).
    for (auto it = std::lower_bound(due_.begin() + std::ptrdiff_t(due_begin_[b]), d_end, Event{v, 0});
         it != d_end && it->v == v; ++it)
      if (it->type == kEvRebound && t - rebound_steps_ < V.entry[i]) ++in.rebounds;
    if (!V.due.empty()) {
      const auto [d0, d1] = std::equal_range(V.due.begin(), V.due.end(), v);
      in.rebounds += int(d1 - d0);
    }
    for (const Forced& iv : V.ivs)  // the first, as the sweep takes it
      if (iv.step == t && iv.agent == v) {
        in.focal = &iv;
        break;
      }
    V.out.reset_lists();
    step_person(t, v, id, unit(spont.bits(id)), V.state[i], in, V.hz, V.out);
    for (const auto& rv : V.out.reviewed) V.reviews.add(rv.second);
    if (!V.out.tweets.empty()) V.tweet[i] = V.out.tweets.back().second ? 2 : 1;
    for (const auto& [when, ev] : V.out.schedule)
      if (ev.type == kEvRebound) V.rebound.emplace_back(when, v);
  }
  V.agent_steps += V.stepped;
}

void ServiceWom::cone_after(const Graph& g, std::int64_t t) {
  const bool tweets_on = on_.tweets && c_.tweet_weight != 0;
  auto by_v = [](const auto& e, vid x) { return e.first < x; };
  // Per variant: the review delta and the rating at t+1; tweeters whose tweet differs.
  for_each_block(
      variants_.size(),
      [&](std::size_t, std::size_t k0, std::size_t k1) {
        for (std::size_t k = k0; k < k1; ++k) {
          Variant& V = *variants_[k];
          V.tweeters.clear();
          if (V.global) continue;
          ReviewSlot d = V.reviews;
          for (std::size_t i = 0; i < V.stepped; ++i) {
            const vid v = V.members[i];
            for (auto it = std::lower_bound(reviews_now_.begin(), reviews_now_.end(), v, by_v);
                 it != reviews_now_.end() && it->first == v; ++it)
              d.add(it->second, -1);
            if (!tweets_on) continue;
            auto it = std::lower_bound(tweets_now_.begin(), tweets_now_.end(), v, by_v);
            const std::uint8_t tb = it != tweets_now_.end() && it->first == v ? (it->second ? 2 : 1) : 0;
            if (tb != V.tweet[i]) V.tweeters.push_back({v, std::uint8_t(tb | (V.tweet[i] << 2))});
          }
          if (on_.reviews) {  // the window moves as the baseline's does
            while (!V.review_delta.empty() && V.review_delta.front().first <= t - review_steps_) {
              V.review_sum.add(V.review_delta.front().second, -1);
              V.review_delta.pop_front();
            }
            if (!d.empty()) {
              V.review_delta.emplace_back(t, d);
              V.review_sum.add(d);
            }
            ReviewSlot w = window_sum_;
            w.add(V.review_sum);
            V.rating = rating_of(w);
          }
        }
      },
      1, 2);
  if (!tweets_on) return;
  // The viewers of each differing tweet (the same cascade in every world), once per tweeter.
  viewers_of_.clear();
  for (const auto& V : variants_)
    for (const auto& tw : V->tweeters)
      if (!viewers_of_.count(tw.first)) tweet_viewers(g, t, tw.first, viewers_of_[tw.first]);
  // Per variant: attitudes after this step's tweets, with the variant's tweets; viewers outside
  // the cone join it after the step (their step was the baseline's until the tweets).
  const float* a_next = att_->next.data();
  auto by_x = [](const TweetNet& e, vid x) { return e.x < x; };
  for_each_block(
      variants_.size(),
      [&](std::size_t, std::size_t k0, std::size_t k1) {
        for (std::size_t k = k0; k < k1; ++k) {
          Variant& V = *variants_[k];
          if (V.global) continue;
          V.shift.clear();
          for (const auto& [u, code] : V.tweeters) {
            const int tb = code & 3, tv = code >> 2;
            for (vid x : viewers_of_.at(u)) {
              if (tb) V.shift.push_back({x, tb == 2 ? -1 : 1});
              if (tv) V.shift.push_back({x, tv == 2 ? 1 : -1});
            }
          }
          std::sort(V.shift.begin(), V.shift.end());
          auto net_b = [&](vid x, const TweetNet** rec) {
            auto it = std::lower_bound(tweet_net_.begin(), tweet_net_.end(), x, by_x);
            *rec = it != tweet_net_.end() && it->x == x ? &*it : nullptr;
            return *rec ? (*rec)->net : 0;
          };
          // Members re-simulated at t: their own pre-tweet attitude.
          std::size_t j = 0;
          for (std::size_t i = 0; i < V.stepped; ++i) {
            const vid v = V.members[i];
            const TweetNet* rec = nullptr;
            int net = net_b(v, &rec);
            auto [s0, s1] = std::equal_range(V.shift.begin(), V.shift.end(), std::pair<vid, int>(v, INT_MIN),
                                             [](const auto& a, const auto& b) { return a.first < b.first; });
            for (auto it = s0; it != s1; ++it) net += it->second;
            if (rec || s0 != s1) V.state[i].a = clip(double(V.state[i].a) + c_.tweet_weight * net);
          }
          // Viewers outside the cone whose tweets differ.
          while (j < V.shift.size() && !V.global) {
            const vid x = V.shift[j].first;
            int dnet = 0;
            for (; j < V.shift.size() && V.shift[j].first == x; ++j) dnet += V.shift[j].second;
            if (dnet == 0 || V.slot.count(x)) continue;
            if (!join(V, x, t + 1, true)) continue;
            const TweetNet* rec = nullptr;
            const int net = net_b(x, &rec) + dnet;
            const float before = rec ? rec->before : a_next[x];
            V.state.back().a = clip(double(before) + c_.tweet_weight * net);
          }
        }
      },
      1, 2);
}

VariantLedger ServiceWom::variant_ledger(std::size_t k) const {
  const Variant& V = *variants_.at(k);
  VariantLedger out;
  out.global = V.global;
  out.agent_steps = V.agent_steps;
  out.peak = V.peak;
  if (V.global) return out;
  // As ledger(), with the pinned terminal rule (add_variant requires one).
  const TerminalRule tv = terminal_rule();
  std::vector<std::uint32_t> order(V.members.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return V.members[a] < V.members[b]; });
  for (std::uint32_t i : order) {
    const vid v = V.members[i];
    const Person& p = V.state[i];
    double margin = p.led_margin, terminal = 0;
    if (p.st == kCustomer) {
      const double m = double(rec_[v].margin);
      margin += m * dt_years_ * spell(std::max<std::int64_t>(1, p.acquired), rows_);
      terminal = tv.value(m);
    }
    out.agents.push_back(v);
    out.margin.push_back(margin);
    out.service.push_back(p.led_service);
    out.acquisition.push_back(p.led_acquisition);
    out.terminal.push_back(terminal);
    out.roles.push_back(p.st);
  }
  return out;
}

}  // namespace wom::models::swom
