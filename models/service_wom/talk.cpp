// Talk (docs/design.md §3 steps 6–7): stories starting, strong-tie bookings of tellings and their
// delivery, weak-tie contacts and the implicit complete graph's mean-field tellings, the tellers
// carried to the next step, what a listener does with the stories it heard (listen), and one
// teller's messages recomputed for the causal cone (messages_of).
#include <algorithm>
#include <cmath>

#include "models/service_wom/model.hpp"
#include "sim/core/parallel.hpp"

namespace wom::models::swom {

void ServiceWom::start_story(std::int64_t t, vid v, Person& p, bool positive, int gen, BlockOut& o) const {
  p.story = story_code(positive, gen);
  p.story_end = std::int32_t(t + story_steps_);
  o.new_tellers.push_back(v);
  if (gen == 0)
    ++o.n[positive ? c_stories_positive : c_stories_negative];
  else
    ++o.n[c_stories_retold];
}

/// What the messages msgs_[m0, m1) of one listener do (docs/design.md §3 step 7). A retold story of
/// generation g counts with weight 2^-g in everything it does; the result does not depend on
/// the messages' order.
ServiceWom::Heard ServiceWom::listen(std::span<const Msg> heard) const {
  std::array<std::array<std::array<int, 2>, 8>, 2> n{};  // [weak][generation][positive]
  for (const Msg& m : heard) {
    const std::uint8_t kind = m.kind;
    ++n[(kind & kMsgWeak) ? 1 : 0][std::size_t(kind >> 2)][kind & kMsgPositive];
  }
  const double beta[2] = {c_.strong_tie_prob, c_.weak_tie_prob};
  Heard h;
  for (int w = 0; w < 2; ++w)
    for (int gen = 0; gen < 8; ++gen) {
      const int np = n[std::size_t(w)][std::size_t(gen)][1], nn = n[std::size_t(w)][std::size_t(gen)][0];
      if (!np && !nn) continue;
      const double half = std::ldexp(1.0, -gen);
      h.shift += c_.talk_weight * half * (double(np) - c_.negativity_bias * double(nn));
      h.keep_adopt *= std::pow(1.0 - beta[w] * half, np);
      h.keep_reject *= std::pow(1.0 - std::min(1.0, beta[w] * c_.negativity_bias * half), nn);
      h.keep_churn *= std::pow(1.0 - c_.churn_negative_story_prob * half, nn);
    }
  return h;
}

/// First-telling day of arc u→v for a story of life L started at step s: one keyed uniform U
/// per (story, arc); the arc is told iff U < c = min(1, reach/out-degree), on day
/// D = ⌈L·ln(1−U)/ln(1−c)⌉ ∈ [1, L] — the first success of a constant per-day probability p
/// with 1 − (1−p)^L = c. Each listener hears a story at most once, and the expected number of
/// distinct first-hand listeners over the story's life is exactly reach (capped by out-degree).
/// Bookings are made once when the story starts (work ∝ the teller's out-degree once, not per
/// day) and dropped at delivery if the teller has replaced the story meanwhile.
template <class F>
void ServiceWom::bookings_of(const Graph& g, vid u, std::uint8_t sc, std::int64_t s, F&& f) const {
  const bool pos = story_positive(sc);
  const int gen = story_gen(sc);
  const double deg = double(g.out_degree(u));
  if (deg == 0) return;
  const double cap = std::min(1.0, reach(pos, gen) / deg);
  const std::uint64_t thr = rng::threshold(cap);
  if (!thr) return;
  const rng::Stream tell(key_, std::uint64_t(s), kTell);
  const double L = double(story_steps_);
  const double log_q = cap < 1.0 ? std::log1p(-cap) : 0.0;
  const std::uint64_t idu = g.id(u);
  for (vid v : g.out(u)) {
    const std::uint64_t bits = tell.arc_bits(idu, g.id(v), std::uint64_t(gen));
    if (!rng::fires(bits, thr)) continue;
    double d = 1.0;
    if (cap < 1.0) d = std::clamp(std::ceil(L * std::log1p(-unit(bits)) / log_q), 1.0, L);
    f(v, std::int32_t(d));
  }
}

void ServiceWom::book(const Graph& g, std::int64_t t, const std::vector<vid>& fresh) {
  if (!on_.talk || g.complete || fresh.empty()) return;
  // Parts of 32 tellers (their bookings join the ring in part order, so any part size gives
  // the same ring): hubs make parts uneven, and a step's few hundred new tellers are only
  // worth two threads in small parts, from kParallelArcs arcs to test.
  constexpr std::size_t kPart = 32;
  constexpr std::uint64_t kParallelArcs = 4096;
  const std::size_t parts = num_blocks(fresh.size(), kPart);
  if (book_parts_.size() < parts) book_parts_.resize(parts);
  std::uint64_t volume = 0;
  for (vid u : fresh) volume += g.out_degree(u);
  for_each_block(
      fresh.size(),
      [&](std::size_t p, std::size_t lo, std::size_t hi) {
        auto& mine = book_parts_[p];
        mine.clear();
        constexpr std::size_t kAhead = 4;  // a teller's record and arcs are two DRAM misses: fetch ahead
        for (std::size_t i = lo; i < hi; ++i) {
          if (i + kAhead < hi) {
            const vid w = fresh[i + kAhead];
            __builtin_prefetch(rec_ + w);
            __builtin_prefetch(g.out_targets.data() + g.out_offsets[w]);
          }
          const vid u = fresh[i];
          const std::uint8_t sc = rec_[u].story;
          const std::uint8_t kind = std::uint8_t((story_positive(sc) ? kMsgPositive : 0) | (story_gen(sc) << 2));
          bookings_of(g, u, sc, t, [&](vid v, std::int32_t d) {
            mine.push_back({d, Booking{v, kind, u, rec_[u].story_end}});
          });
        }
      },
      kPart, volume < kParallelArcs ? SIZE_MAX : 2 * kPart);
  const std::size_t ring = bookings_.size();
  for (std::size_t p = 0; p < parts; ++p)
    for (const auto& [d, bk] : book_parts_[p]) bookings_[std::size_t(t + d) % ring].push_back(bk);
}

/// Messages of step t: strong-tie tellings booked for t (still valid), and weak-tie contacts
/// (and, on the implicit complete graph, strong-tie tellings) of the tellers at t.
void ServiceWom::talk(const Graph& g, std::int64_t t) {
  msgs_.clear();
  {
    auto& slot = bookings_[std::size_t(t) % bookings_.size()];
    constexpr std::size_t kAhead = 16;  // tellers' records are scattered: fetch them ahead
    for (std::size_t i = 0; i < slot.size(); ++i) {
      if (i + kAhead < slot.size()) __builtin_prefetch(rec_ + slot[i + kAhead].from);
      const Booking& bk = slot[i];
      if (rec_[bk.from].story && rec_[bk.from].story_end == bk.story_end)
        msgs_.push_back({bk.to, bk.kind, g.id(bk.from)});
    }
    slot.clear();
  }
  const TalkDraws draws = talk_draws(g, t);
  if ((draws.mean_field || on_.weak_ties) && !tellers_.empty()) {
    constexpr std::size_t kPart = 256;
    const std::size_t parts = num_blocks(tellers_.size(), kPart);
    if (msg_parts_.size() < parts) msg_parts_.resize(parts);
    for_each_block(
        tellers_.size(),
        [&](std::size_t p, std::size_t lo, std::size_t hi) {
          auto& mine = msg_parts_[p];
          mine.clear();
          for (std::size_t i = lo; i < hi; ++i)
            contacts_of(g, tellers_[i], rec_[tellers_[i]].story, rec_[tellers_[i]].story_end, t, draws, mine);
        },
        kPart, tellers_.size() < 8 * kPart ? SIZE_MAX : 2 * kPart);
    for (std::size_t p = 0; p < parts; ++p) msgs_.insert(msgs_.end(), msg_parts_[p].begin(), msg_parts_[p].end());
  }
  std::sort(msgs_.begin(), msgs_.end());
  for (const Msg& m : msgs_)
    obs_[(m.kind & kMsgWeak) ? ((m.kind & kMsgPositive) ? c_listeners_weak_positive : c_listeners_weak_negative)
                             : ((m.kind & kMsgPositive) ? c_listeners_talk_positive : c_listeners_talk_negative)] += 1;
  if (events_ && !msgs_.empty()) {  // delivered tellings, in the (total) order of msgs_
    ev_.clear();
    ev_.reserve(msgs_.size());
    for (const Msg& m : msgs_)
      ev_.push_back({t, m.src, g.id(m.to), std::uint8_t((m.kind & kMsgWeak) ? kChWeakTie : kChTalk),
                     std::int8_t((m.kind & kMsgPositive) ? 1 : -1), std::uint8_t(m.kind >> 2)});
    events_->append(ev_);
  }
}

ServiceWom::TalkDraws ServiceWom::talk_draws(const Graph& g, std::int64_t t) const {
  const double kw_floor = std::floor(c_.weak_contacts_per_step);
  return TalkDraws{rng::Stream(key_, std::uint64_t(t), kTellMF),
                   rng::Stream(key_, std::uint64_t(t), kWeak),
                   rng::Stream(key_, std::uint64_t(t), kWeakTell),
                   rng::threshold(c_.weak_tell_prob),
                   rng::threshold(c_.weak_contacts_per_step - kw_floor),
                   kw_floor,
                   on_.talk && g.complete};
}

void ServiceWom::contacts_of(const Graph& g, vid u, std::uint8_t sc, std::int32_t end, std::int64_t t,
                             const TalkDraws& dr, std::vector<Msg>& mine) const {
  const bool pos = story_positive(sc);
  const int gen = story_gen(sc);
  const std::uint64_t idu = g.id(u);
  const std::uint8_t kind = std::uint8_t((pos ? kMsgPositive : 0) | (gen << 2));
  if (dr.mean_field) {
    // Implicit complete graph: the day-d tellings of n−1 arcs with the law of `book` are
    // Binomial(n−1, P(D = d)), drawn as Poisson (n is large); listeners are uniform random others.
    const double L = double(story_steps_);
    const double d = double(t - (std::int64_t(end) - story_steps_));
    const double deg = double(g.n) - 1.0;
    const double cap = deg > 0 ? std::min(1.0, reach(pos, gen) / deg) : 0.0;
    const double lambda = deg * (std::pow(1.0 - cap, (d - 1.0) / L) - std::pow(1.0 - cap, d / L));
    std::int64_t k = 0;
    if (lambda > 200) {
      k = std::max<std::int64_t>(
          0, std::llround(lambda + std::sqrt(lambda) * normal(dr.mf.bits(idu, 1), dr.mf.bits(idu, 2))));
    } else if (lambda > 0) {
      const double x = unit(dr.mf.bits(idu, 0));
      double pk = std::exp(-lambda), cdf = pk;
      while (x > cdf && k < 100000) {
        ++k;
        pk *= lambda / double(k);
        cdf += pk;
      }
    }
    for (std::int64_t j = 0; j < k; ++j) {
      const vid v = pick(dr.mf.bits(idu, std::uint64_t(j) + 3));
      if (v != u) mine.push_back({v, kind, idu});
    }
  }
  if (on_.weak_ties && dr.thr_weak) {
    std::uint64_t k = std::uint64_t(dr.kw_floor);
    if (dr.thr_kw_frac && rng::fires(dr.weak.bits(idu, ~std::uint64_t(0)), dr.thr_kw_frac)) ++k;
    for (std::uint64_t j = 0; j < k; ++j) {
      if (!rng::fires(dr.weak_tell.bits(idu, j), dr.thr_weak)) continue;
      const vid v = pick(dr.weak.bits(idu, j));
      if (v != u) mine.push_back({v, std::uint8_t(kind | kMsgWeak), idu});
    }
  }
}

/// Tellings of teller u at step t for a story (code sc, last day `end`): its strong-tie
/// bookings falling due at t (recomputed from the booking draws of the story's first step) and
/// its weak-tie contacts; the same messages talk() delivers for u.
void ServiceWom::messages_of(const Graph& g, vid u, std::uint8_t sc, std::int32_t end, std::int64_t t,
                             const TalkDraws& dr, std::vector<Msg>& out) const {
  if (!sc || end < t) return;
  const std::int64_t s = std::int64_t(end) - story_steps_;
  if (!g.complete && channel_on(0, s) && t > s) {
    const std::uint8_t kind = std::uint8_t((story_positive(sc) ? kMsgPositive : 0) | (story_gen(sc) << 2));
    const std::uint64_t idu = g.id(u);
    bookings_of(g, u, sc, s, [&](vid v, std::int32_t d) {
      if (s + d == t) out.push_back({v, kind, idu});
    });
  }
  if (dr.mean_field || on_.weak_ties) contacts_of(g, u, sc, end, t, dr, out);
}

/// Tellers at t+1: those of t whose story lasts, plus the new stories `fresh` (sorted, unique).
void ServiceWom::update_tellers(std::int64_t t, const std::vector<vid>& fresh) {
  std::vector<vid> keep;
  keep.reserve(tellers_.size() + fresh.size());
  constexpr std::size_t kAhead = 16;  // tellers' records are scattered: fetch them ahead
  for (std::size_t i = 0; i < tellers_.size(); ++i) {
    if (i + kAhead < tellers_.size()) __builtin_prefetch(rec_ + tellers_[i + kAhead]);
    const vid v = tellers_[i];
    if (rec_[v].story && rec_[v].story_end >= t + 1) keep.push_back(v);
  }
  std::vector<vid> merged(keep.size() + fresh.size());
  merged.resize(std::size_t(std::set_union(keep.begin(), keep.end(), fresh.begin(), fresh.end(), merged.begin()) -
                            merged.begin()));
  tellers_.swap(merged);
}

}  // namespace wom::models::swom
