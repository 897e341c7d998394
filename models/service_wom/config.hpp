#pragma once
/// service_wom parameters as one typed struct, read once from validated Params.
/// Each field is named after its key (`params.<section>.<name>`): the key's last part, or its
/// section and last part joined by `_` where the last part alone does not say what it is
/// (talk_weight, channels_talk); a key that ends in a path or severity is an element of an array
/// indexed by Path and severity (outcome.retention.argue.large: retention[kArgue][1]). Each key
/// is bound to its field in one place, the table of service_wom_params.cpp, read both by
/// service_wom_params() (wom params, validation) and by read_config. Meanings: that table and README.md.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/params.hpp"

namespace wom::models::swom {

/// Complaint-handling paths, in TARP's order of retention (worst first).
enum Path : int { kSilent = 0, kArgue = 1, kAcknowledge = 2, kAcknowledgeQuick = 3 };
inline constexpr const char* kPathKey[4] = {"silent", "argue", "acknowledge", "acknowledge_quick"};

struct Config {
  // population.*
  double customer_share, vindictive_share, attitude_mean, attitude_sd;
  // problems.*, voice.*
  double problems_rate_per_year, large_share, misunderstanding_share;
  bool problems_enabled;
  double complain_small, complain_large;
  // policy.*
  double acknowledge_rate, acknowledge_rate_when_wrong, clarify_rate, first_contact_resolution, remedy_rate,
      review_reply_rate, training_cost_per_year, review_reply_cost;
  // outcome.*
  double resolve_later, defect_window_days, silent_tell_prob, positive_story_prob;
  std::array<double, 4> attitude_shift;  ///< outcome.attitude_shift.<path>, by Path
  double repeat_attitude_shift, reciprocity, apology_rebound, apology_rebound_days, recovery_paradox;
  std::array<std::array<double, 2>, 4> retention;  ///< outcome.retention.<path>.<small|large>: [Path][0 small, 1 large]
  // talk.*
  double reach_negative, reach_positive, story_days, recommend_rate_per_year, satisfied_above, talk_weight,
      negativity_bias, retell_prob;
  int retell_generations;
  double weak_contacts_per_step, weak_tell_prob;
  // acquisition.*
  double strong_tie_prob, weak_tie_prob, external_per_year, reject_days, reject_below, winback_per_year;
  std::int64_t fixed_inflow_per_step;  ///< test/what-if: exact acquisitions per step (0: off, hazards rule)
  // churn.*
  double churn_base_rate_per_year, churn_attitude_slope, churn_negative_story_prob;
  // tweet.*
  std::array<double, 4> tweet_post_prob;  ///< tweet.post_prob.<path>, by Path
  double see_prob, retweet_prob, tweet_weight;
  // review.*
  double review_post_prob_negative, review_post_prob_positive, review_spontaneous_rate_per_year, prior_mean,
      prior_weight, window_days, star_elasticity, churn_elasticity, star_noise_sd, reply_effect;
  // economics.*
  double margin_per_year, margin_sigma, cac, remedy_cost, discount_rate_per_year, contact_cost;
  double terminal_retention;               ///< < 0: unset, the run's measured retention
  double terminal_cost_per_customer_year;  ///< < 0: unset, the run's measured cost per customer-year
  std::string currency;
  // channels.*
  bool channels_talk, channels_weak_ties, channels_tweets, channels_reviews;
  double channels_from_day;  ///< channels switched off take effect from this day
};

/// The parameter specifications (keys relative to `params.`), in the table's order.
std::vector<ParamSpec> service_wom_params();
/// Reads every field from validated Params (defaults filled in by the loader or test helper)
/// through the same table; an optional key left unset reads as −1.
Config read_config(const Params& p);

}  // namespace wom::models::swom
