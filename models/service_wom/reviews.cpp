// Reviews and the public rating (docs/design.md §3 step 9): one review's stars and the firm's
// reply, and the rating window moving on at the end of a step.
#include <algorithm>

#include "models/service_wom/model.hpp"

namespace wom::models::swom {

/// A review from a person with attitude a: stars = clamp(round(3 + 2.5 a + noise), 1, 5); a
/// negative review (1–2 stars) gets a public reply with policy.review_reply_rate.
void ServiceWom::review(vid v, std::uint64_t id, std::int64_t t, double a, Person& p, BlockOut& o) const {
  const rng::Stream s(key_, std::uint64_t(t), kStars);
  const double noise = c_.star_noise_sd > 0 ? c_.star_noise_sd * normal(s.bits(id, 0), s.bits(id, 1)) : 0.0;
  const std::int64_t stars = std::clamp<std::int64_t>(std::llround(3.0 + 2.5 * a + noise), 1, 5);
  ++o.n[c_reviews];
  o.stars_sum += stars;
  if (events_) o.events.push_back({t, id, id, kChReview, std::int8_t(stars >= 4 ? 1 : stars <= 2 ? -1 : 0), 0});
  bool replied = false;
  if (stars <= 2) {
    ++o.n[c_reviews_negative];
    replied = rng::fires(rng::Stream(key_, std::uint64_t(t), kReply).bits(id), rng::threshold(c_.review_reply_rate));
    if (replied) {
      ++o.n[c_review_replies];
      // The reply's cost is booked to the reviewer, so the ledger sums to the cash flows.
      if (c_.review_reply_cost != 0) p.led_service += c_.review_reply_cost * disc(t + 1);
    }
  }
  if (o.record) o.reviewed.push_back({v, ReviewSlot{1, stars, stars <= 2, replied}});
}

/// The rating at t+1 from the reviews of the last window: step t's slot replaces the one it
/// drops (`n`: step t's counts, `stars`: its stars).
void ServiceWom::update_rating(std::int64_t t, const std::array<std::int64_t, kNumColumns>& n, std::int64_t stars) {
  ReviewSlot& w = window_[std::size_t(t % review_steps_)];
  window_sum_.count -= w.count;
  window_sum_.stars -= w.stars;
  window_sum_.negative -= w.negative;
  window_sum_.replied -= w.replied;
  w.count = n[c_reviews];
  w.stars = stars;
  w.negative = n[c_reviews_negative];
  w.replied = n[c_review_replies];
  window_sum_.count += w.count;
  window_sum_.stars += w.stars;
  window_sum_.negative += w.negative;
  window_sum_.replied += w.replied;
  rating_ = rating_of(window_sum_);
}

}  // namespace wom::models::swom
