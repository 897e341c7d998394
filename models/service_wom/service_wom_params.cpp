// Parameters of service_wom: docs/design.md §3 defaults table, with units, valid ranges and sources
// (docs/calibration.md section codes in brackets). "assumption" marks values that are ours.
#include <limits>
#include <string>
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

}  // namespace

std::vector<ParamSpec> service_wom_params() {
  std::vector<ParamSpec> v = {
      // --- population
      prob("population.customer_share", 0.2, "share of persons who are customers at step 0 (the rest are prospects)"),
      prob("population.vindictive_share", 0.2,
           "share of vindictive complainants: they tell a negative story after any complaint outcome",
           "Weitzl (2019) JPBM 28(3) [A2.3]; share assumption"),
      real_param("population.attitude_mean", 0.3, -1, 1, "attitude in [-1, 1]",
                 "mean initial attitude toward the firm; also a0, the attitude at which churn runs at its base rate"),
      real_param("population.attitude_sd", 0.3, 0, 10, "attitude units",
                 "standard deviation of the initial attitude (normal, clipped to [-1, 1])"),
      // --- problems and voice
      per_year("problems.rate_per_year", 0.2, "problems per customer per year with this firm",
               "CCMC 0.5 per household across all suppliers [A1.2] -> one firm lower (assumption)"),
      prob("problems.large_share", 0.2, "share of problems that are large (loss over $100)",
           "assumption (docs/calibration.md, scenario card)"),
      prob("problems.misunderstanding_share", 0.25,
           "share of complaints that come from a misunderstanding (the customer is not right)"),
      boolean("problems.enabled", true,
              "what-if: false keeps every random draw in place but ignores problems (a no-problem counterfactual on "
              "common random numbers)"),
      prob("voice.complain_small", 0.05, "probability that a small problem is voiced to the firm",
           "TARP (1 in 27), Verde 2006 (6%) [A1.1]"),
      prob("voice.complain_large", 0.7, "probability that a large problem is voiced to the firm",
           "TARP 1979 (69%), CCMC 2015 (79%) [A1.1]"),
      // --- policy
      prob("policy.acknowledge_rate", 0.32,
           "probability the rep acknowledges (accepts the perception, apologises, works to a solution); else argues",
           "CCMC 2013: 32% of complainants got an apology [A2.2]"),
      prob("policy.acknowledge_rate_when_wrong", 0.10,
           "acknowledge probability for an unclarified misunderstanding (the customer is wrong)"),
      prob("policy.clarify_rate", 0.3, "probability the rep seeks clarification before responding"),
      prob("policy.first_contact_resolution", 0.7,
           "probability an acknowledged complaint is resolved at first contact (acknowledge-quick)",
           "industry first-contact-resolution benchmark"),
      prob("policy.remedy_rate", 0.5, "probability an acknowledged complaint gets a refund or credit"),
      prob("policy.review_reply_rate", 0.0, "probability the firm replies publicly to a negative review",
           "Proserpio & Zervas (2017) [A2.6]"),
      real_param("policy.training_cost_per_year", 0.0, 0, kMaxFirmCost, "currency per year",
                 "cost of the service policy (training), charged every step pro rata; after the horizon it carries on "
                 "per customer-year in the terminal value (docs/economics.md)"),
      real_param("policy.review_reply_cost", 5.0, 0, kMaxUnitCost, "currency per reply",
                 "cost of one public reply to a negative review (staff time)",
                 "assumption: about 5 minutes of a manager's time"),
      // --- outcome
      prob("outcome.resolve_later", 0.5,
           "probability that an acknowledged complaint not resolved at first contact is resolved later"),
      real_param("outcome.defect_window_days", 60, 0, 36500, "days",
                 "window of the defection delay (uniform) and of how long an unresolved problem counts"),
      prob("outcome.silent_tell_prob", 0.31, "probability that a silent sufferer tells a negative story",
           "Verde/Wharton 2006: 31% told others [A4.3]"),
      prob("outcome.positive_story_prob", 0.5, "probability that a resolved complaint yields a positive story"),
      real_param("outcome.attitude_shift.silent", -0.3, -2, 2, "attitude units",
                 "attitude shift after a silent problem", "assumption (only the order is sourced) [A1.3]"),
      real_param("outcome.attitude_shift.argue", -0.5, -2, 2, "attitude units",
                 "attitude shift after an argued complaint", "assumption (only the order is sourced) [A1.3]"),
      real_param("outcome.attitude_shift.acknowledge", 0.1, -2, 2, "attitude units",
                 "attitude shift after an acknowledged complaint", "assumption (only the order is sourced) [A1.3]"),
      real_param("outcome.attitude_shift.acknowledge_quick", 0.2, -2, 2, "attitude units",
                 "attitude shift after a complaint acknowledged and resolved at first contact",
                 "assumption (only the order is sourced) [A1.3]"),
      real_param("outcome.repeat_attitude_shift", -0.2, -2, 2, "attitude units",
                 "extra attitude shift of a repeat failure (a problem while another is unresolved)",
                 "assumption; Maxham & Netemeyer (2002) [A3.3]"),
      prob("outcome.reciprocity", 0.3,
           "seed axiom 1: after an acknowledged complaint, the next complaint's negative story is dropped with this "
           "probability"),
      real_param("outcome.apology_rebound", 0.2, 0, 2, "attitude units",
                 "seed axiom 2: attitude regained by a customer who argued from a misunderstanding while the rep "
                 "acknowledged"),
      real_param("outcome.apology_rebound_days", 30, 0, 36500, "days", "delay of the apology rebound"),
      real_param("outcome.recovery_paradox", 0.0, -1, 1, "attitude units",
                 "extra attitude after a resolved first failure (never after a repeat failure)",
                 "de Matos, Henrique & Rossi (2007): no effect on repurchase or WOM [A3.1]; Maxham & Netemeyer (2002)"),
  };
  // TARP retention table (docs/design.md §3 step 5), one key per cell so the argue penalty can be swept.
  const double tarp[4][2] = {{0.37, 0.09}, {0.46, 0.19}, {0.70, 0.54}, {0.95, 0.82}};
  const char* sev[2] = {"small", "large"};
  for (int p = 0; p < 4; ++p)
    for (int s = 0; s < 2; ++s)
      v.push_back(prob(std::string("outcome.retention.") + kPathKey[p] + "." + sev[s], tarp[p][s],
                       std::string("probability a customer stays after a ") + sev[s] + " problem on the " +
                           kPathKey[p] + " path (repeat failures use the large column)",
                       "TARP 1986 via Huba 2003 [A1.3, A1.4]: survey intentions, an upper bound on the gaps"));
  std::vector<ParamSpec> rest = {
      // --- stories and talk
      real_param("talk.reach_negative", 9, 0, 1e6, "persons",
                 "expected distinct first-hand listeners of a negative story over its life (capped by out-degree)",
                 "TARP / White House Office of Consumer Affairs: 9-10 [A4.1]"),
      real_param("talk.reach_positive", 5, 0, 1e6, "persons",
                 "expected distinct first-hand listeners of a positive story over its life (capped by out-degree)",
                 "TARP: resolved complainers tell about 5 [A4.2]"),
      real_param("talk.story_days", 14, 0, 36500, "days", "life of a story (telling period); at least one step"),
      per_year("talk.recommend_rate_per_year", 0.5,
               "rate at which a satisfied customer starts a positive story on its own (WOM's imitation force)",
               "set so about 3 in 4 stories are positive (East, Hammond & Wright 2007 [A4.5]): the design's 0.35 gives "
               "0.67 on a 50,000-person Barabasi-Albert graph (m = 5), 0.5 gives 0.74 (README, Calibration)"),
      real_param("talk.satisfied_above", 0.2, -1, 1, "attitude units",
                 "attitude at or above which a customer recommends", "set so about 3 in 4 stories are positive"),
      real_param("talk.weight", 0.05, 0, 2, "attitude units per story", "attitude shift of a listener per story heard"),
      real_param("talk.negativity_bias", 1.0, 0, 100, "ratio",
                 "impact of a negative story relative to a positive one (attitude shift and rejection)",
                 "East, Hammond & Lomax (2008): equal per message [A4.6]"),
      prob("talk.retell_prob", 0.1, "probability an idle listener retells a second-hand story",
           "assumption: keeps retelling subcritical"),
      int_param("talk.retell_generations", 2, 0, 7, "generations",
                "retold generations allowed (each halves reach and weight)", "assumption: keeps retelling subcritical"),
      real_param("talk.weak_contacts_per_step", 1, 0, 1e4, "contacts per step",
                 "random weak-tie contacts per person per step (fractional part: a Bernoulli extra contact)",
                 "Goldenberg et al. (2001): 5-29 per period [A5.2]"),
      prob("talk.weak_tell_prob", 0.1, "probability a storyteller passes its story to a weak-tie contact",
           "Goldenberg et al. (2001, 2007) [A5.2, A5.4]"),
      // --- acquisition
      prob("acquisition.strong_tie_prob", 0.04, "beta_s: adoption probability per positive story from a strong tie",
           "Goldenberg, Libai & Muller (2001): 0.01-0.07 [A5.3]"),
      prob("acquisition.weak_tie_prob", 0.01, "beta_w: adoption probability per positive story from a weak tie",
           "Goldenberg, Libai & Muller (2001): 0.005-0.015 [A5.3]"),
      per_year("acquisition.external_per_year", 0.04, "advertising (external) adoption rate of a prospect",
               "Bass p = 0.03 (Sultan, Farley & Lehmann 1990 [A6.1]), raised to 0.04 as the design allows so the base "
               "is stable under the default policy (README, Calibration)"),
      real_param("acquisition.reject_days", 365, 0, 36500, "days",
                 "a prospect who rejects the brand on a negative story does not adopt for this long",
                 "assumption; anti-percolation (Erez, Moldovan & Solomon) [A5.4]"),
      real_param("acquisition.reject_below", -0.5, -1.01, 1, "attitude units",
                 "lapsed customers with attitude below this never return"),
      per_year("acquisition.winback_per_year", 0.05, "rate at which a lapsed customer returns"),
      int_param("acquisition.fixed_inflow_per_step", 0, 0, 4294967295.0, "persons per step",
                "test/what-if: when > 0, exactly this many prospects (keyed draw) adopt each step and the adoption "
                "hazard is ignored",
                "test/what-if hook (not a calibrated value)"),
      // --- churn
      per_year("churn.base_rate_per_year", 0.08, "customer churn rate at the typical attitude a0",
               "set so total defection lands in 10-30% a year (Reichheld & Sasser 1990 [A9.5])"),
      real_param("churn.attitude_slope", 1.0, -100, 100, "per attitude unit",
                 "churn multiplies by exp(slope * (a0 - a))"),
      prob("churn.negative_story_prob", 0.01, "probability a customer defects on hearing a negative story"),
  };
  v.insert(v.end(), rest.begin(), rest.end());
  // --- tweets
  const double post[4] = {0.0, 0.10, 0.03, 0.02};
  for (int p = 0; p < 4; ++p)
    v.push_back(prob(std::string("tweet.post_prob.") + kPathKey[p], post[p],
                     std::string("probability a customer tweets after the ") + kPathKey[p] + " path",
                     p == kArgue ? "CCMC 2013: 35% of complainants post (upper bound); Berger & Milkman (2012) [A7.7]"
                                 : "assumption; angry outcomes spread more (Berger & Milkman 2012)"));
  std::vector<ParamSpec> tail = {
      prob("tweet.see_prob", 1.0, "probability a follower sees a tweet or retweet",
           "fit to P(no retweet) = 0.95 (Sysomos 2010 [A7.1, A7.4])"),
      prob("tweet.retweet_prob", 0.005, "probability a follower who sees a tweet retweets it",
           "fit to P(no retweet) = 0.95 on a heavy-tailed follower graph [A7.4, A7.5]"),
      real_param("tweet.weight", 0.02, 0, 2, "attitude units per tweet",
                 "attitude shift of a follower who sees a tweet"),
      // --- reviews
      prob("review.post_prob.negative", 0.13, "probability of a review after a bad outcome",
           "RightNow 2007: 13% post after a bad experience [gaps]"),
      prob("review.post_prob.positive", 0.08, "probability of a review after a resolved complaint"),
      per_year("review.spontaneous_rate_per_year", 0.05, "rate at which customers review unprompted"),
      real_param("review.prior_mean", 4.0, 1, 5, "stars", "prior mean of the Bayesian-average rating (m0)"),
      [] {
        ParamSpec s = real_param("review.prior_weight", 20, 0, 1e9, "reviews",
                                 "prior weight of the Bayesian-average rating (k0); above 0, so that the rating is "
                                 "defined when the window holds no review");
        s.lo_open = true;
        return s;
      }(),
      real_param("review.window_days", 365, 0, 36500, "days", "reviews older than this drop out of the rating"),
      real_param("review.star_elasticity", 0.07, -0.99, 10, "per star",
                 "acquisition hazard multiplies by (1 + e)^(rating - prior_mean)",
                 "Luca (2011): 0.05-0.09 for independents, ~0 for chains [A8.1]"),
      real_param("review.churn_elasticity", 0.02, -0.99, 10, "per star",
                 "churn hazard multiplies by (1 + e)^-(rating - prior_mean)"),
      real_param("review.star_noise_sd", 0.7, 0, 10, "stars",
                 "noise of a review: stars = clamp(round(3 + 2.5 a + noise), 1, 5)"),
      real_param("review.reply_effect", 0.12, -5, 5, "stars",
                 "rating gain when the firm replies to every negative review in the window (pro rata)",
                 "Proserpio & Zervas (2017): +0.12 stars [A2.6]"),
      // --- economics
      real_param("economics.margin_per_year", 100, 0, kMaxUnitCost, "currency per customer per year",
                 "mean margin of a customer (log-normal across customers); at most 10^7 so that money sums stay exact "
                 "(the run also refuses a population whose margins sum past the exact range)",
                 "assumption (docs/calibration.md A9.1: m = 100)"),
      real_param("economics.margin_sigma", 0.5, 0, 2, "log units",
                 "sigma of the log-normal margin (0: equal margins; at most 2, a mean 7.4 times the median)"),
      real_param("economics.cac", 100, 0, kMaxUnitCost, "currency per acquisition", "customer acquisition cost"),
      real_param("economics.remedy_cost", 20, 0, kMaxUnitCost, "currency per remedy",
                 "cost of a refund or credit (the price of letting the customer win)"),
      real_param("economics.discount_rate_per_year", 0.10, 0.01, 1, "per year",
                 "discount rate i; at least 1 % a year, so that the terminal value's perpetuity m r/(1+i-r) stays "
                 "finite and below 100 years of margin even when every customer stays",
                 "Gupta & Lehmann (2003, 2005) [A9.1]"),
      real_param("economics.contact_cost", 0, 0, kMaxUnitCost, "currency per complaint",
                 "cost of handling one complaint"),
      optional_param(real_param("economics.terminal_retention", 0.8, 0, 1, "share per year",
                                "annual retention r of the terminal value (m - c) r/(1+i-r): the probability a "
                                "customer stays a year; default: the run's own measured one-year survival. Set "
                                "together with economics.terminal_cost_per_customer_year (both or neither). wom cost "
                                "pins it to the baseline's, so one focal event does not revalue every customer "
                                "through the estimate of r",
                                "Gupta & Lehmann (2003) [A9.1]; docs/design.md §3 step 12")),
      optional_param(real_param("economics.terminal_cost_per_customer_year", 0, 0, kMaxUnitCost,
                                "currency per customer per year",
                                "continuing cost c of serving a customer after the horizon in the terminal value "
                                "(m - c) r/(1+i-r): remedies, contacts, review replies and training per customer-year "
                                "at the policy's rates; default: the run's own measured rate. Set together with "
                                "economics.terminal_retention (both or neither). wom cost pins it to the baseline's "
                                "service cost per customer-year (no training: one customer does not change the budget)",
                                "docs/economics.md")),
      text("economics.currency", "$", "currency symbol of every money figure", "docs/design.md §3 default"),
      // --- channels (switches for tests, what-ifs and the cost engine)
      boolean("channels.talk", true, "strong-tie talk on the graph"),
      boolean("channels.weak_ties", true, "weak-tie talk to random contacts"),
      boolean("channels.tweets", true, "tweets and retweet cascades"),
      boolean("channels.reviews", true, "public reviews and the rating's effect on acquisition and churn"),
      real_param("channels.from_day", 0, 0, 1e9, "days",
                 "day from which the channels switched off above are off (before it every channel is on): wom cost "
                 "prices a channel on the same history up to the focal event"),
  };
  v.insert(v.end(), tail.begin(), tail.end());
  return v;
}

Config read_config(const Params& p) {
  Config c;
  c.customer_share = p.real("population.customer_share");
  c.vindictive_share = p.real("population.vindictive_share");
  c.attitude_mean = p.real("population.attitude_mean");
  c.attitude_sd = p.real("population.attitude_sd");
  c.problem_rate = p.real("problems.rate_per_year");
  c.large_share = p.real("problems.large_share");
  c.misunderstanding_share = p.real("problems.misunderstanding_share");
  c.problems_enabled = p.boolean("problems.enabled");
  c.complain_small = p.real("voice.complain_small");
  c.complain_large = p.real("voice.complain_large");
  c.acknowledge_rate = p.real("policy.acknowledge_rate");
  c.acknowledge_rate_when_wrong = p.real("policy.acknowledge_rate_when_wrong");
  c.clarify_rate = p.real("policy.clarify_rate");
  c.first_contact_resolution = p.real("policy.first_contact_resolution");
  c.remedy_rate = p.real("policy.remedy_rate");
  c.review_reply_rate = p.real("policy.review_reply_rate");
  c.training_cost_per_year = p.real("policy.training_cost_per_year");
  c.review_reply_cost = p.real("policy.review_reply_cost");
  c.resolve_later = p.real("outcome.resolve_later");
  c.defect_window_days = p.real("outcome.defect_window_days");
  c.silent_tell_prob = p.real("outcome.silent_tell_prob");
  c.positive_story_prob = p.real("outcome.positive_story_prob");
  const char* sev[2] = {"small", "large"};
  for (int k = 0; k < 4; ++k) {
    c.attitude_shift[std::size_t(k)] = p.real(std::string("outcome.attitude_shift.") + kPathKey[k]);
    c.tweet_post[std::size_t(k)] = p.real(std::string("tweet.post_prob.") + kPathKey[k]);
    for (int s = 0; s < 2; ++s)
      c.retention[std::size_t(k)][std::size_t(s)] =
          p.real(std::string("outcome.retention.") + kPathKey[k] + "." + sev[s]);
  }
  c.repeat_attitude_shift = p.real("outcome.repeat_attitude_shift");
  c.reciprocity = p.real("outcome.reciprocity");
  c.apology_rebound = p.real("outcome.apology_rebound");
  c.apology_rebound_days = p.real("outcome.apology_rebound_days");
  c.recovery_paradox = p.real("outcome.recovery_paradox");
  c.reach_negative = p.real("talk.reach_negative");
  c.reach_positive = p.real("talk.reach_positive");
  c.story_days = p.real("talk.story_days");
  c.recommend_rate = p.real("talk.recommend_rate_per_year");
  c.satisfied_above = p.real("talk.satisfied_above");
  c.talk_weight = p.real("talk.weight");
  c.negativity_bias = p.real("talk.negativity_bias");
  c.retell_prob = p.real("talk.retell_prob");
  c.retell_generations = int(p.integer("talk.retell_generations"));
  c.weak_contacts_per_step = p.real("talk.weak_contacts_per_step");
  c.weak_tell_prob = p.real("talk.weak_tell_prob");
  c.strong_tie_prob = p.real("acquisition.strong_tie_prob");
  c.weak_tie_prob = p.real("acquisition.weak_tie_prob");
  c.external_rate = p.real("acquisition.external_per_year");
  c.reject_days = p.real("acquisition.reject_days");
  c.reject_below = p.real("acquisition.reject_below");
  c.winback_rate = p.real("acquisition.winback_per_year");
  c.fixed_inflow = p.integer("acquisition.fixed_inflow_per_step");
  c.churn_base_rate = p.real("churn.base_rate_per_year");
  c.churn_attitude_slope = p.real("churn.attitude_slope");
  c.negative_story_churn = p.real("churn.negative_story_prob");
  c.see_prob = p.real("tweet.see_prob");
  c.retweet_prob = p.real("tweet.retweet_prob");
  c.tweet_weight = p.real("tweet.weight");
  c.review_negative = p.real("review.post_prob.negative");
  c.review_positive = p.real("review.post_prob.positive");
  c.review_spontaneous_rate = p.real("review.spontaneous_rate_per_year");
  c.prior_mean = p.real("review.prior_mean");
  c.prior_weight = p.real("review.prior_weight");
  c.window_days = p.real("review.window_days");
  c.star_elasticity = p.real("review.star_elasticity");
  c.churn_elasticity = p.real("review.churn_elasticity");
  c.star_noise_sd = p.real("review.star_noise_sd");
  c.reply_effect = p.real("review.reply_effect");
  c.margin_per_year = p.real("economics.margin_per_year");
  c.margin_sigma = p.real("economics.margin_sigma");
  c.cac = p.real("economics.cac");
  c.remedy_cost = p.real("economics.remedy_cost");
  c.discount_rate = p.real("economics.discount_rate_per_year");
  c.contact_cost = p.real("economics.contact_cost");
  c.terminal_retention = p.has("economics.terminal_retention") ? p.real("economics.terminal_retention") : -1.0;
  c.terminal_cost =
      p.has("economics.terminal_cost_per_customer_year") ? p.real("economics.terminal_cost_per_customer_year") : -1.0;
  c.currency = p.str("economics.currency");
  c.talk = p.boolean("channels.talk");
  c.weak_ties = p.boolean("channels.weak_ties");
  c.tweets = p.boolean("channels.tweets");
  c.reviews = p.boolean("channels.reviews");
  c.channels_from_day = p.real("channels.from_day");
  return c;
}

}  // namespace wom::models::swom
