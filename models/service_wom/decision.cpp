// The service decision of a customer's problem (docs/design.md §3 steps 1–5 and 8–9): problem →
// voice → clarify → style → outcome (retention, defection delay, unresolved window, attitude,
// story, review, tweet), and the parsing of the cost engine's forced complaints (Forced).
#include <fmt/format.h>

#include "models/service_wom/model.hpp"

namespace wom::models::swom {

/// Parses an intervention; throws wom::Error naming what service_wom offers.
Forced forced(const Intervention& iv) {
  Forced f;
  f.agent = iv.agent;
  f.step = iv.step;
  if (iv.name == "lose")
    f.lose = true;
  else if (iv.name == "acknowledge")
    f.acknowledge = true;
  else if (iv.name != "argue")
    throw Error(fmt::format("service_wom offers no intervention '{}': it offers argue, acknowledge and lose", iv.name));
  for (const auto& [key, value] : iv.options) {
    if (key == "severity" && (value == "mix" || value == "small" || value == "large"))
      f.severity = value == "mix" ? -1 : value == "small" ? 0 : 1;
    else if (key == "misunderstanding" && (value == "true" || value == "false"))
      f.misunderstanding = value == "true";
    else
      throw Error(
          fmt::format("service_wom offers no intervention option {}={}: it offers severity=mix|small|large and "
                      "misunderstanding=true|false",
                      key, value));
  }
  return f;
}

/// Steps 1–5 and 8–9 for a customer's problem at step t. Returns true when a story started.
/// `force` (the cost engine's focal event): a complaint handled along the forced path, of the
/// given severity or one drawn from the mix of complaints; its other draws are the usual ones,
/// so paired runs that differ only in the path share every other uniform.
bool ServiceWom::problem(std::int64_t t, vid v, std::uint64_t id, Person& p, double& a1, BlockOut& o,
                         const Forced* force) const {
  const rng::Stream s(key_, std::uint64_t(t), kOutcome);
  auto draw = [&](OutcomeDraw k, double p) { return rng::fires(s.bits(id, k), rng::threshold(p)); };
  ++o.n[c_problems];
  double p_large = c_.large_share;
  if (force) {  // P(large | complaint) = ls·cl / (ls·cl + (1−ls)·cs)
    const double l = c_.large_share * c_.complain_large, sm = (1 - c_.large_share) * c_.complain_small;
    p_large = force->severity >= 0 ? double(force->severity) : (l + sm > 0 ? l / (l + sm) : c_.large_share);
  }
  const bool large = draw(kDrawSeverity, p_large);
  if (large) ++o.n[c_problems_large];
  const bool repeat = p.unresolved > 0 && p.unresolved_until > t;
  if (repeat) ++o.n[c_repeat_failures];
  const bool complain = force || draw(kDrawVoice, large ? c_.complain_large : c_.complain_small);
  Path path = kSilent;
  bool resolved = false, acknowledged = false, rebound = false, remedy = false;
  if (complain) {
    ++o.n[c_complaints];
    const bool wrong = force ? force->misunderstanding : draw(kDrawMisunderstanding, c_.misunderstanding_share);
    const bool clarify = !force && draw(kDrawClarify, c_.clarify_rate);
    const bool ack_forced = force && force->acknowledge;
    if (wrong && clarify) {  // clarified misunderstanding: resolved at once, no remedy
      ++o.n[c_clarified];
      path = kAcknowledgeQuick;
      resolved = acknowledged = true;
    } else if (force ? ack_forced : draw(kDrawStyle, wrong ? c_.acknowledge_rate_when_wrong : c_.acknowledge_rate)) {
      acknowledged = true;
      path = draw(kDrawFirstContact, c_.first_contact_resolution) ? kAcknowledgeQuick : kAcknowledge;
      resolved = path == kAcknowledgeQuick || draw(kDrawResolveLater, c_.resolve_later);
      remedy = draw(kDrawRemedy, c_.remedy_rate);
      rebound = wrong;  // the customer pressed a wrong point and met an apology
    } else {
      path = kArgue;
    }
    ++o.n[path == kArgue         ? c_complaints_argue
          : path == kAcknowledge ? c_complaints_acknowledge
                                 : c_complaints_acknowledge_quick];
  } else {
    ++o.n[c_silent_problems];
  }
  if (remedy) ++o.n[c_remedies];
  if (remedy || complain) {
    const double cost = (remedy ? c_.remedy_cost : 0.0) + (complain ? c_.contact_cost : 0.0);
    if (cost != 0) p.led_service += cost * disc(t + 1);
  }

  // Retention: one uniform per (customer, problem), compared with the path's TARP value.
  const double keep = c_.retention[std::size_t(path)][repeat || large ? 1 : 0];
  if (!draw(kDrawStay, keep)) {
    const std::int32_t delay = 1 + std::int32_t(rng::below(s.bits(id, kDrawDelay), std::uint64_t(window_steps_)));
    p.defect_at = std::int32_t(t + delay);
    const Cause cause = path == kSilent  ? kCauseSilent
                        : path == kArgue ? kCauseArgue
                        : resolved       ? kCauseAckResolved
                                         : kCauseAckUnresolved;
    p.flags = std::uint8_t((p.flags & ~kCauseMask) | (cause << kCauseShift));
    o.schedule.push_back({t + delay, Event{v, kEvDefect}});
  }
  // Unresolved problems: silent, argued and unresolved acknowledged problems count for the window.
  if (!resolved) {
    if (p.unresolved_until <= t) p.unresolved = 0;
    p.unresolved = std::uint8_t(std::min(255, p.unresolved + 1));
    p.unresolved_until = std::int32_t(t + window_steps_);
  }
  // Attitude.
  a1 += c_.attitude_shift[std::size_t(path)];
  if (repeat)
    a1 += c_.repeat_attitude_shift;
  else if (resolved)
    a1 += c_.recovery_paradox;
  if (rebound) o.schedule.push_back({t + rebound_steps_, Event{v, kEvRebound}});
  // Story.
  const bool vindictive =
      complain && rng::fires(rng::Stream(key_, 0, kType).bits(id), rng::threshold(c_.vindictive_share));
  int story = 0;  // −1 negative, +1 positive, 0 none
  if (vindictive)
    story = -1;
  else if (path == kSilent)
    story = draw(kDrawStory, c_.silent_tell_prob) ? -1 : 0;
  else  // unresolved: negative; resolved: positive with positive_story_prob, never after a repeat failure
    story = !resolved ? -1 : !repeat && draw(kDrawStory, c_.positive_story_prob) ? 1 : 0;
  if (complain && !vindictive) {
    std::uint8_t& f = p.flags;
    if ((f & kFlagOwed) && story < 0 && draw(kDrawReciprocity, c_.reciprocity)) story = 0;
    f = std::uint8_t(acknowledged ? (f | kFlagOwed) : (f & ~kFlagOwed));
  }
  if (story) start_story(t, v, p, story > 0, 0, o);
  // Review and tweet about the outcome.
  const bool good = resolved && !repeat;
  if (on_.reviews && draw(kDrawReview, good ? c_.review_post_prob_positive : c_.review_post_prob_negative))
    review(v, id, t, std::clamp(a1, -1.0, 1.0), p, o);
  if (on_.tweets && draw(kDrawTweet, c_.tweet_post_prob[std::size_t(path)]))
    o.tweets.push_back({v, std::uint8_t(good && !vindictive ? 1 : 0)});
  return story != 0;
}

}  // namespace wom::models::swom
