// Parameters of service_wom: docs/design.md §3 defaults table, with units, valid ranges and sources
// (docs/calibration.md section codes in brackets). "assumption" marks values that are ours. One
// table binds each key to its Config field; wom params and read_config both read it.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/service_wom/config.hpp"

namespace wom::models::swom {

namespace {

// Money limits: per-unit amounts (a margin per year, a CAC, a remedy) at most 10^7 and firm-level
// amounts (training per year) at most 10^12, so that every sum the model and wom cost keep in
// exact fixed point (units of 2^-16) stays far inside 64 bits for any population that fits in
// memory; the model still checks the population's margin sum when it starts (economics.md).
constexpr double kMaxUnitCost = 1e7, kMaxFirmCost = 1e12;

ParamSpec prob(std::string key, double def, std::string help, std::string source = "assumption") {
  return real_param(std::move(key), def, 0, 1, "probability", std::move(help), std::move(source));
}
ParamSpec per_year(std::string key, double def, std::string help, std::string source = "assumption") {
  ParamSpec s = real_param(std::move(key), def, 0, 1e6, "per year", std::move(help), std::move(source));
  return s;
}
ParamSpec boolean(std::string key, bool def, std::string help, std::string source = "switch (not a calibrated value)") {
  ParamSpec s;
  s.key = std::move(key);
  s.type = ParamType::Bool;
  s.def = def ? 1 : 0;
  s.unit = "flag";
  s.help = std::move(help);
  s.source = std::move(source);
  return s;
}
ParamSpec text(std::string key, std::string def, std::string help, std::string source = "assumption") {
  ParamSpec s;
  s.key = std::move(key);
  s.type = ParamType::String;
  s.def_str = std::move(def);
  s.unit = "text";
  s.help = std::move(help);
  s.source = std::move(source);
  return s;
}

/// The one table of service_wom's parameters, in `wom params` order: each key's spec (type,
/// default, range, unit, help, source) bound to the Config field it fills, by one call
/// `bind(spec, field)` per key. service_wom_params() keeps the specs; read_config() fills the
/// fields (reader below), so a key cannot be declared without its field or read into another.
template <class Bind>
void table(Config& c, Bind&& bind) {
  // --- population
  bind(prob("population.customer_share", 0.2, "share of persons who are customers at step 0 (the rest are prospects)"),
       c.customer_share);
  bind(prob("population.vindictive_share", 0.2,
            "share of vindictive complainants: they tell a negative story after any complaint outcome",
            "Weitzl (2019) JPBM 28(3) [A2.3]; share assumption"),
       c.vindictive_share);
  bind(real_param("population.attitude_mean", 0.3, -1, 1, "attitude in [-1, 1]",
                  "mean initial attitude toward the firm; also a0, the attitude at which churn runs at its base rate"),
       c.attitude_mean);
  bind(real_param("population.attitude_sd", 0.3, 0, 10, "attitude units",
                  "standard deviation of the initial attitude (normal, clipped to [-1, 1])"),
       c.attitude_sd);
  // --- problems and voice
  bind(per_year("problems.rate_per_year", 0.2, "problems per customer per year with this firm",
                "CCMC 0.5 per household across all suppliers [A1.2] -> one firm lower (assumption)"),
       c.problems_rate_per_year);
  bind(prob("problems.large_share", 0.2, "share of problems that are large (loss over $100)",
            "assumption (docs/calibration.md, scenario card)"),
       c.large_share);
  bind(prob("problems.misunderstanding_share", 0.25,
            "share of complaints that come from a misunderstanding (the customer is not right)"),
       c.misunderstanding_share);
  bind(boolean("problems.enabled", true,
               "what-if: false keeps every random draw in place but ignores problems (a no-problem counterfactual on "
               "common random numbers)"),
       c.problems_enabled);
  bind(prob("voice.complain_small", 0.05, "probability that a small problem is voiced to the firm",
            "TARP (1 in 27), Verde 2006 (6%) [A1.1]"),
       c.complain_small);
  bind(prob("voice.complain_large", 0.7, "probability that a large problem is voiced to the firm",
            "TARP 1979 (69%), CCMC 2015 (79%) [A1.1]"),
       c.complain_large);
  // --- policy
  bind(prob("policy.acknowledge_rate", 0.32,
            "probability the rep acknowledges (accepts the perception, apologises, works to a solution); else argues",
            "CCMC 2013: 32% of complainants got an apology [A2.2]"),
       c.acknowledge_rate);
  bind(prob("policy.acknowledge_rate_when_wrong", 0.10,
            "acknowledge probability for an unclarified misunderstanding (the customer is wrong)"),
       c.acknowledge_rate_when_wrong);
  bind(prob("policy.clarify_rate", 0.3, "probability the rep seeks clarification before responding"), c.clarify_rate);
  bind(prob("policy.first_contact_resolution", 0.7,
            "probability an acknowledged complaint is resolved at first contact (acknowledge-quick)",
            "industry first-contact-resolution benchmark"),
       c.first_contact_resolution);
  bind(prob("policy.remedy_rate", 0.5, "probability an acknowledged complaint gets a refund or credit"), c.remedy_rate);
  bind(prob("policy.review_reply_rate", 0.0, "probability the firm replies publicly to a negative review",
            "Proserpio & Zervas (2017) [A2.6]"),
       c.review_reply_rate);
  bind(real_param("policy.training_cost_per_year", 0.0, 0, kMaxFirmCost, "currency per year",
                  "cost of the service policy (training), charged every step pro rata; after the horizon it carries on "
                  "per customer-year in the terminal value (docs/economics.md)"),
       c.training_cost_per_year);
  bind(real_param("policy.review_reply_cost", 5.0, 0, kMaxUnitCost, "currency per reply",
                  "cost of one public reply to a negative review (staff time)",
                  "assumption: about 5 minutes of a manager's time"),
       c.review_reply_cost);
  // --- outcome
  bind(prob("outcome.resolve_later", 0.5,
            "probability that an acknowledged complaint not resolved at first contact is resolved later"),
       c.resolve_later);
  bind(real_param("outcome.defect_window_days", 60, 0, 36500, "days",
                  "window of the defection delay (uniform) and of how long an unresolved problem counts"),
       c.defect_window_days);
  bind(prob("outcome.silent_tell_prob", 0.31, "probability that a silent sufferer tells a negative story",
            "Verde/Wharton 2006: 31% told others [A4.3]"),
       c.silent_tell_prob);
  bind(prob("outcome.positive_story_prob", 0.5, "probability that a resolved complaint yields a positive story"),
       c.positive_story_prob);
  bind(real_param("outcome.attitude_shift.silent", -0.3, -2, 2, "attitude units",
                  "attitude shift after a silent problem", "assumption (only the order is sourced) [A1.3]"),
       c.attitude_shift[kSilent]);
  bind(real_param("outcome.attitude_shift.argue", -0.5, -2, 2, "attitude units",
                  "attitude shift after an argued complaint", "assumption (only the order is sourced) [A1.3]"),
       c.attitude_shift[kArgue]);
  bind(real_param("outcome.attitude_shift.acknowledge", 0.1, -2, 2, "attitude units",
                  "attitude shift after an acknowledged complaint", "assumption (only the order is sourced) [A1.3]"),
       c.attitude_shift[kAcknowledge]);
  bind(real_param("outcome.attitude_shift.acknowledge_quick", 0.2, -2, 2, "attitude units",
                  "attitude shift after a complaint acknowledged and resolved at first contact",
                  "assumption (only the order is sourced) [A1.3]"),
       c.attitude_shift[kAcknowledgeQuick]);
  bind(real_param("outcome.repeat_attitude_shift", -0.2, -2, 2, "attitude units",
                  "extra attitude shift of a repeat failure (a problem while another is unresolved)",
                  "assumption; Maxham & Netemeyer (2002) [A3.3]"),
       c.repeat_attitude_shift);
  bind(prob("outcome.reciprocity", 0.3,
            "seed axiom 1: after an acknowledged complaint, the next complaint's negative story is dropped with this "
            "probability"),
       c.reciprocity);
  bind(real_param("outcome.apology_rebound", 0.2, 0, 2, "attitude units",
                  "seed axiom 2: attitude regained by a customer who argued from a misunderstanding while the rep "
                  "acknowledged"),
       c.apology_rebound);
  bind(real_param("outcome.apology_rebound_days", 30, 0, 36500, "days", "delay of the apology rebound"),
       c.apology_rebound_days);
  bind(
      real_param("outcome.recovery_paradox", 0.0, -1, 1, "attitude units",
                 "extra attitude after a resolved first failure (never after a repeat failure)",
                 "de Matos, Henrique & Rossi (2007): no effect on repurchase or WOM [A3.1]; Maxham & Netemeyer (2002)"),
      c.recovery_paradox);
  // TARP retention table (docs/design.md §3 step 5), one key per cell so the argue penalty can be swept.
  const double tarp[4][2] = {{0.37, 0.09}, {0.46, 0.19}, {0.70, 0.54}, {0.95, 0.82}};
  const char* sev[2] = {"small", "large"};
  for (int p = 0; p < 4; ++p)
    for (int s = 0; s < 2; ++s)
      bind(prob(std::string("outcome.retention.") + kPathKey[p] + "." + sev[s], tarp[p][s],
                std::string("probability a customer stays after a ") + sev[s] + " problem on the " + kPathKey[p] +
                    " path (repeat failures use the large column)",
                "TARP 1986 via Huba 2003 [A1.3, A1.4]: survey intentions, an upper bound on the gaps"),
           c.retention[std::size_t(p)][std::size_t(s)]);
  // --- stories and talk
  bind(real_param("talk.reach_negative", 9, 0, 1e6, "persons",
                  "expected distinct first-hand listeners of a negative story over its life (capped by out-degree)",
                  "TARP / White House Office of Consumer Affairs: 9-10 [A4.1]"),
       c.reach_negative);
  bind(real_param("talk.reach_positive", 5, 0, 1e6, "persons",
                  "expected distinct first-hand listeners of a positive story over its life (capped by out-degree)",
                  "TARP: resolved complainers tell about 5 [A4.2]"),
       c.reach_positive);
  bind(real_param("talk.story_days", 14, 0, 36500, "days", "life of a story (telling period); at least one step"),
       c.story_days);
  bind(
      per_year("talk.recommend_rate_per_year", 0.5,
               "rate at which a satisfied customer starts a positive story on its own (WOM's imitation force)",
               "set so about 3 in 4 stories are positive (East, Hammond & Wright 2007 [A4.5]): the design's 0.35 gives "
               "0.67 on a 50,000-person Barabasi-Albert graph (m = 5), 0.5 gives 0.74 (README, Calibration)"),
      c.recommend_rate_per_year);
  bind(real_param("talk.satisfied_above", 0.2, -1, 1, "attitude units",
                  "attitude at or above which a customer recommends", "set so about 3 in 4 stories are positive"),
       c.satisfied_above);
  bind(
      real_param("talk.weight", 0.05, 0, 2, "attitude units per story", "attitude shift of a listener per story heard"),
      c.talk_weight);
  bind(real_param("talk.negativity_bias", 1.0, 0, 100, "ratio",
                  "impact of a negative story relative to a positive one (attitude shift and rejection)",
                  "East, Hammond & Lomax (2008): equal per message [A4.6]"),
       c.negativity_bias);
  bind(prob("talk.retell_prob", 0.1, "probability an idle listener retells a second-hand story",
            "assumption: keeps retelling subcritical"),
       c.retell_prob);
  bind(
      int_param("talk.retell_generations", 2, 0, 7, "generations",
                "retold generations allowed (each halves reach and weight)", "assumption: keeps retelling subcritical"),
      c.retell_generations);
  bind(real_param("talk.weak_contacts_per_step", 1, 0, 1e4, "contacts per step",
                  "random weak-tie contacts per person per step (fractional part: a Bernoulli extra contact)",
                  "Goldenberg et al. (2001): 5-29 per period [A5.2]"),
       c.weak_contacts_per_step);
  bind(prob("talk.weak_tell_prob", 0.1, "probability a storyteller passes its story to a weak-tie contact",
            "Goldenberg et al. (2001, 2007) [A5.2, A5.4]"),
       c.weak_tell_prob);
  // --- acquisition
  bind(prob("acquisition.strong_tie_prob", 0.04, "beta_s: adoption probability per positive story from a strong tie",
            "Goldenberg, Libai & Muller (2001): 0.01-0.07 [A5.3]"),
       c.strong_tie_prob);
  bind(prob("acquisition.weak_tie_prob", 0.01, "beta_w: adoption probability per positive story from a weak tie",
            "Goldenberg, Libai & Muller (2001): 0.005-0.015 [A5.3]"),
       c.weak_tie_prob);
  bind(per_year("acquisition.external_per_year", 0.04, "advertising (external) adoption rate of a prospect",
                "Bass p = 0.03 (Sultan, Farley & Lehmann 1990 [A6.1]), raised to 0.04 as the design allows so the base "
                "is stable under the default policy (README, Calibration)"),
       c.external_per_year);
  bind(real_param("acquisition.reject_days", 365, 0, 36500, "days",
                  "a prospect who rejects the brand on a negative story does not adopt for this long",
                  "assumption; anti-percolation (Erez, Moldovan & Solomon) [A5.4]"),
       c.reject_days);
  bind(real_param("acquisition.reject_below", -0.5, -1.01, 1, "attitude units",
                  "lapsed customers with attitude below this never return"),
       c.reject_below);
  bind(per_year("acquisition.winback_per_year", 0.05, "rate at which a lapsed customer returns"), c.winback_per_year);
  bind(int_param("acquisition.fixed_inflow_per_step", 0, 0, 4294967295.0, "persons per step",
                 "test/what-if: when > 0, exactly this many prospects (keyed draw) adopt each step and the adoption "
                 "hazard is ignored",
                 "test/what-if hook (not a calibrated value)"),
       c.fixed_inflow_per_step);
  // --- churn
  bind(per_year("churn.base_rate_per_year", 0.08, "customer churn rate at the typical attitude a0",
                "set so total defection lands in 10-30% a year (Reichheld & Sasser 1990 [A9.5])"),
       c.churn_base_rate_per_year);
  bind(real_param("churn.attitude_slope", 1.0, -100, 100, "per attitude unit",
                  "churn multiplies by exp(slope * (a0 - a))"),
       c.churn_attitude_slope);
  bind(prob("churn.negative_story_prob", 0.01, "probability a customer defects on hearing a negative story"),
       c.churn_negative_story_prob);
  // --- tweets
  const double post[4] = {0.0, 0.10, 0.03, 0.02};
  for (int p = 0; p < 4; ++p)
    bind(prob(std::string("tweet.post_prob.") + kPathKey[p], post[p],
              std::string("probability a customer tweets after the ") + kPathKey[p] + " path",
              p == kArgue ? "CCMC 2013: 35% of complainants post (upper bound); Berger & Milkman (2012) [A7.7]"
                          : "assumption; angry outcomes spread more (Berger & Milkman 2012)"),
         c.tweet_post_prob[std::size_t(p)]);
  bind(prob("tweet.see_prob", 1.0, "probability a follower sees a tweet or retweet",
            "fit to P(no retweet) = 0.95 (Sysomos 2010 [A7.1, A7.4])"),
       c.see_prob);
  bind(prob("tweet.retweet_prob", 0.005, "probability a follower who sees a tweet retweets it",
            "fit to P(no retweet) = 0.95 on a heavy-tailed follower graph [A7.4, A7.5]"),
       c.retweet_prob);
  bind(real_param("tweet.weight", 0.02, 0, 2, "attitude units per tweet",
                  "attitude shift of a follower who sees a tweet"),
       c.tweet_weight);
  // --- reviews
  bind(prob("review.post_prob.negative", 0.13, "probability of a review after a bad outcome",
            "RightNow 2007: 13% post after a bad experience [gaps]"),
       c.review_post_prob_negative);
  bind(prob("review.post_prob.positive", 0.08, "probability of a review after a resolved complaint"),
       c.review_post_prob_positive);
  bind(per_year("review.spontaneous_rate_per_year", 0.05, "rate at which customers review unprompted"),
       c.review_spontaneous_rate_per_year);
  bind(real_param("review.prior_mean", 4.0, 1, 5, "stars", "prior mean of the Bayesian-average rating (m0)"),
       c.prior_mean);
  bind(
      [] {
        ParamSpec s = real_param("review.prior_weight", 20, 0, 1e9, "reviews",
                                 "prior weight of the Bayesian-average rating (k0); above 0, so that the rating is "
                                 "defined when the window holds no review");
        s.lo_open = true;
        return s;
      }(),
      c.prior_weight);
  bind(real_param("review.window_days", 365, 0, 36500, "days", "reviews older than this drop out of the rating"),
       c.window_days);
  bind(real_param("review.star_elasticity", 0.07, -0.99, 10, "per star",
                  "acquisition hazard multiplies by (1 + e)^(rating - prior_mean)",
                  "Luca (2011): 0.05-0.09 for independents, ~0 for chains [A8.1]"),
       c.star_elasticity);
  bind(real_param("review.churn_elasticity", 0.02, -0.99, 10, "per star",
                  "churn hazard multiplies by (1 + e)^-(rating - prior_mean)"),
       c.churn_elasticity);
  bind(real_param("review.star_noise_sd", 0.7, 0, 10, "stars",
                  "noise of a review: stars = clamp(round(3 + 2.5 a + noise), 1, 5)"),
       c.star_noise_sd);
  bind(real_param("review.reply_effect", 0.12, -5, 5, "stars",
                  "rating gain when the firm replies to every negative review in the window (pro rata)",
                  "Proserpio & Zervas (2017): +0.12 stars [A2.6]"),
       c.reply_effect);
  // --- economics
  bind(real_param("economics.margin_per_year", 100, 0, kMaxUnitCost, "currency per customer per year",
                  "mean margin of a customer (log-normal across customers); at most 10^7 so that money sums stay exact "
                  "(the run also refuses a population whose margins sum past the exact range)",
                  "assumption (docs/calibration.md A9.1: m = 100)"),
       c.margin_per_year);
  bind(real_param("economics.margin_sigma", 0.5, 0, 2, "log units",
                  "sigma of the log-normal margin (0: equal margins; at most 2, a mean 7.4 times the median)"),
       c.margin_sigma);
  bind(real_param("economics.cac", 100, 0, kMaxUnitCost, "currency per acquisition", "customer acquisition cost"),
       c.cac);
  bind(real_param("economics.remedy_cost", 20, 0, kMaxUnitCost, "currency per remedy",
                  "cost of a refund or credit (the price of letting the customer win)"),
       c.remedy_cost);
  bind(real_param("economics.discount_rate_per_year", 0.10, 0.01, 1, "per year",
                  "discount rate i; at least 1 % a year, so that the terminal value's perpetuity m r/(1+i-r) stays "
                  "finite and below 100 years of margin even when every customer stays",
                  "Gupta & Lehmann (2003, 2005) [A9.1]"),
       c.discount_rate_per_year);
  bind(real_param("economics.contact_cost", 0, 0, kMaxUnitCost, "currency per complaint",
                  "cost of handling one complaint"),
       c.contact_cost);
  bind(optional_param(real_param("economics.terminal_retention", 0.8, 0, 1, "share per year",
                                 "annual retention r of the terminal value (m - c) r/(1+i-r): the probability a "
                                 "customer stays a year; default: the run's own measured one-year survival. Set "
                                 "together with economics.terminal_cost_per_customer_year (both or neither). wom cost "
                                 "pins it to the baseline's, so one focal event does not revalue every customer "
                                 "through the estimate of r",
                                 "Gupta & Lehmann (2003) [A9.1]; docs/design.md §3 step 12")),
       c.terminal_retention);
  bind(optional_param(
           real_param("economics.terminal_cost_per_customer_year", 0, 0, kMaxUnitCost, "currency per customer per year",
                      "continuing cost c of serving a customer after the horizon in the terminal value "
                      "(m - c) r/(1+i-r): remedies, contacts, review replies and training per customer-year "
                      "at the policy's rates; default: the run's own measured rate. Set together with "
                      "economics.terminal_retention (both or neither). wom cost pins it to the baseline's "
                      "service cost per customer-year (no training: one customer does not change the budget)",
                      "docs/economics.md")),
       c.terminal_cost_per_customer_year);
  bind(text("economics.currency", "$", "currency symbol of every money figure", "docs/design.md §3 default"),
       c.currency);
  // --- channels (switches for tests, what-ifs and the cost engine)
  bind(boolean("channels.talk", true, "strong-tie talk on the graph"), c.channels_talk);
  bind(boolean("channels.weak_ties", true, "weak-tie talk to random contacts"), c.channels_weak_ties);
  bind(boolean("channels.tweets", true, "tweets and retweet cascades"), c.channels_tweets);
  bind(boolean("channels.reviews", true, "public reviews and the rating's effect on acquisition and churn"),
       c.channels_reviews);
  bind(real_param("channels.from_day", 0, 0, 1e9, "days",
                  "day from which the channels switched off above are off (before it every channel is on): wom cost "
                  "prices a channel on the same history up to the focal event"),
       c.channels_from_day);
}

// The reader of one bound field: the spec's type must be the field's (a mistake in the table).
void expect(const ParamSpec& s, ParamType t) {
  if (s.type != t) throw std::logic_error("service_wom: parameter " + s.key + " is bound to a field of another type");
}
void read(const Params& p, const ParamSpec& s, double& f) {
  expect(s, ParamType::Real);
  f = !s.has_default && !p.has(s.key) ? -1.0 : p.real(s.key);  // optional and unset: −1 (config.hpp)
}
void read(const Params& p, const ParamSpec& s, std::int64_t& f) {
  expect(s, ParamType::Int);
  f = p.integer(s.key);
}
void read(const Params& p, const ParamSpec& s, int& f) {
  expect(s, ParamType::Int);
  f = int(p.integer(s.key));
}
void read(const Params& p, const ParamSpec& s, bool& f) {
  expect(s, ParamType::Bool);
  f = p.boolean(s.key);
}
void read(const Params& p, const ParamSpec& s, std::string& f) {
  expect(s, ParamType::String);
  f = p.str(s.key);
}

}  // namespace

std::vector<ParamSpec> service_wom_params() {
  std::vector<ParamSpec> v;
  Config unused{};
  table(unused, [&](ParamSpec s, const auto&) { v.push_back(std::move(s)); });
  return v;
}

Config read_config(const Params& p) {
  Config c{};
  table(c, [&](const ParamSpec& s, auto& field) { read(p, s, field); });
  return c;
}

}  // namespace wom::models::swom
