// Tweets (docs/design.md §3 step 8): each complaint tweet is an independent cascade over the
// follower layer completing within the step; its viewers' attitude shifts; the event log's
// records of a cascade; and one tweet's viewers, recomputed for the causal cone.
#include <algorithm>

#include "models/service_wom/model.hpp"

namespace wom::models::swom {

/// Tweets of step t: each is one independent-cascade over the follower out-arcs, keyed by the
/// tweeter's id (k), completing within the step. An arc's uniform U decides both exposure
/// (U < see) and retweet (U < see·retweet), so retweeters are the cascade's reached agents and
/// viewers are every follower of a cascade member whose arc has U < see.
void ServiceWom::tweets(const Graph& g, std::int64_t t, const std::vector<std::pair<vid, std::uint8_t>>& list) {
  obs_[c_tweets] = double(list.size());
  const Graph& f = followers_ ? *followers_ : g;
  if (events_ && f.complete) {  // no stored followers: the posts are all there is
    ev_.clear();
    for (const auto& [u, pos] : list) ev_.push_back({t, g.id(u), g.id(u), kChTweetPost, std::int8_t(pos ? 1 : -1), 0});
    if (!ev_.empty()) events_->append(ev_);
  }
  if (list.empty() || f.complete) return;
  const rng::Stream s(key_, std::uint64_t(t), kTweet);
  const std::uint64_t thr_rt = rng::threshold(c_.see_prob * c_.retweet_prob), thr_see = rng::threshold(c_.see_prob);
  tweet_hits_.clear();
  std::vector<vid> seen;
  double largest = 0, cascades = 0, big = 0, retweets = 0;
  for (const auto& [u, pos] : list) {
    const std::uint64_t k = f.id(u);
    const vid seed[1] = {u};
    const CascadeResult res = cascade(
        f, std::span<const vid>(seed, 1), [](vid) { return true; }, s, thr_rt, k, spread_, in_cascade_);
    const double size = 1.0 + double(res.reached.size());
    largest = std::max(largest, size);
    cascades += size > 1;
    big += size >= 100;
    retweets += size - 1;
    if (events_) log_cascade(f, t, u, pos, s, thr_rt, thr_see);
    if (!thr_see) continue;
    collect_viewers(f, u, s, thr_see, res.reached, seen);
    for (vid x : seen) tweet_hits_.push_back({x, pos});
    obs_[pos ? c_listeners_tweet_positive : c_listeners_tweet_negative] += double(seen.size());
  }
  obs_[c_largest_cascade] = largest;
  obs_[c_cascades] = cascades;
  obs_[c_cascades_100] = big;
  obs_[c_retweets] = retweets;
  if (c_.tweet_weight == 0 || tweet_hits_.empty()) return;
  // Attitude shifts of viewers: counts per viewer, applied once (order-free).
  std::sort(tweet_hits_.begin(), tweet_hits_.end());
  float* a_next = att_->next.data();
  for (std::size_t i = 0; i < tweet_hits_.size();) {
    const vid x = tweet_hits_[i].first;
    int net = 0;
    for (; i < tweet_hits_.size() && tweet_hits_[i].first == x; ++i) net += tweet_hits_[i].second ? 1 : -1;
    const float before = a_next[x], after = clip(double(before) + c_.tweet_weight * net);
    a_next[x] = after;
    tweet_written_.push_back(x);  // now → next again before the next step (sweep.cpp)
    if (!variants_.empty()) tweet_net_.push_back({x, before, net});
    stocks_.att += Stocks::att_units(after) - Stocks::att_units(before);
  }
}

/// Event-log records of one tweet (only when the log is on): its post, its retweets breadth first,
/// then its viewers. The cascade's tree is rebuilt from the same keyed arc uniforms as `cascade`:
/// the layers of a breadth-first search over the arcs with U < see·retweet are its generations, so
/// the trajectory is untouched and the extra work is paid only when logging. Layers are walked in
/// stable-id order, so a retweeter's parent is the smallest-id member of the previous generation
/// whose arc fired; a viewer is credited to the smallest-depth, then smallest-id, post it saw.
void ServiceWom::log_cascade(const Graph& f, std::int64_t t, vid u, bool positive, const rng::Stream& s,
                             std::uint64_t thr_rt, std::uint64_t thr_see) {
  const std::uint64_t k = f.id(u);
  const std::int8_t val = positive ? 1 : -1;
  ev_.clear();
  ev_.push_back({t, k, k, kChTweetPost, val, 0});
  viewers_.clear();
  std::vector<vid> members{u};
  in_cascade_[u] = 1;
  layer_.assign(1, u);
  for (int depth = 0; !layer_.empty(); ++depth) {
    const auto d = std::uint8_t(std::min(depth, 255)), d1 = std::uint8_t(std::min(depth + 1, 255));
    next_.clear();
    for (vid m : layer_) {
      const std::uint64_t idm = f.id(m);
      for (vid x : f.out(m)) {
        const std::uint64_t bits = s.arc_bits(idm, f.id(x), k);
        if (x != u && rng::fires(bits, thr_see)) viewers_.push_back({x, d, idm});
        if (!in_cascade_[x] && rng::fires(bits, thr_rt)) {
          in_cascade_[x] = 1;
          next_.push_back(x);
          ev_.push_back({t, idm, f.id(x), kChRetweet, val, d1});
        }
      }
    }
    std::sort(next_.begin(), next_.end(), [&](vid a, vid b) { return f.id(a) < f.id(b); });
    members.insert(members.end(), next_.begin(), next_.end());
    layer_.swap(next_);
  }
  for (vid m : members) in_cascade_[m] = 0;
  std::sort(viewers_.begin(), viewers_.end());
  for (std::size_t i = 0; i < viewers_.size(); ++i)
    if (i == 0 || viewers_[i].x != viewers_[i - 1].x)
      ev_.push_back({t, viewers_[i].from, f.id(viewers_[i].x), kChTweet, val, viewers_[i].depth});
  events_->append(ev_);
}

/// Viewers of u's tweet at step t, as tweets() finds them (they depend on the follower graph
/// and the keyed arc draws only, not on anyone's state).
void ServiceWom::tweet_viewers(const Graph& g, std::int64_t t, vid u, std::vector<vid>& seen) {
  seen.clear();
  const Graph& f = followers_ ? *followers_ : g;
  const std::uint64_t thr_rt = rng::threshold(c_.see_prob * c_.retweet_prob), thr_see = rng::threshold(c_.see_prob);
  if (f.complete || !thr_see) return;
  const rng::Stream s(key_, std::uint64_t(t), kTweet);
  const std::uint64_t k = f.id(u);
  const vid seed[1] = {u};
  const CascadeResult res = cascade(
      f, std::span<const vid>(seed, 1), [](vid) { return true; }, s, thr_rt, k, spread_, in_cascade_);
  collect_viewers(f, u, s, thr_see, res.reached, seen);
}

/// Viewers of u's tweet: followers (other than u) of u and of its retweeters `reached` whose
/// arc draw is below see, sorted and unique.
void ServiceWom::collect_viewers(const Graph& f, vid u, const rng::Stream& s, std::uint64_t thr_see,
                                 const std::vector<vid>& reached, std::vector<vid>& seen) const {
  const std::uint64_t k = f.id(u);
  seen.clear();
  auto view = [&](vid m) {
    const std::uint64_t idm = f.id(m);
    for (vid x : f.out(m))
      if (x != u && rng::fires(s.arc_bits(idm, f.id(x), k), thr_see)) seen.push_back(x);
  };
  view(u);
  for (vid m : reached) view(m);
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
}

}  // namespace wom::models::swom
