#pragma once
/// service_wom parameters as one typed struct, read once from validated Params.
/// Keys and meanings: service_wom_params.cpp (one ParamSpec per field) and README.md.
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
  // population
  double customer_share, vindictive_share, attitude_mean, attitude_sd;
  // problems, voice, policy
  double problem_rate, large_share, misunderstanding_share;
  bool problems_enabled;
  double complain_small, complain_large;
  double acknowledge_rate, acknowledge_rate_when_wrong, clarify_rate, first_contact_resolution, remedy_rate,
      review_reply_rate, training_cost_per_year, review_reply_cost;
  // outcome
  double resolve_later, defect_window_days, silent_tell_prob, positive_story_prob;
  std::array<double, 4> attitude_shift;            ///< by Path
  std::array<std::array<double, 2>, 4> retention;  ///< [Path][0 small, 1 large]
  double repeat_attitude_shift, reciprocity, apology_rebound, apology_rebound_days, recovery_paradox;
  // talk
  double reach_negative, reach_positive, story_days, recommend_rate, satisfied_above, talk_weight, negativity_bias,
      retell_prob;
  int retell_generations;
  double weak_contacts_per_step, weak_tell_prob;
  // acquisition, churn
  double strong_tie_prob, weak_tie_prob, external_rate, reject_days, reject_below, winback_rate;
  std::int64_t fixed_inflow;  ///< test/what-if: exact acquisitions per step (0: off, hazards rule)
  double churn_base_rate, churn_attitude_slope, negative_story_churn;
  // tweets
  std::array<double, 4> tweet_post;  ///< by Path
  double see_prob, retweet_prob, tweet_weight;
  // reviews
  double review_negative, review_positive, review_spontaneous_rate, prior_mean, prior_weight, window_days,
      star_elasticity, churn_elasticity, star_noise_sd, reply_effect;
  // economics
  double margin_per_year, margin_sigma, cac, remedy_cost, discount_rate, contact_cost;
  double terminal_retention;  ///< < 0: the run's measured retention (economics.terminal_retention unset)
  double terminal_cost;       ///< < 0: the run's measured cost per customer-year (economics.terminal_cost_... unset)
  std::string currency;
  // channels
  bool talk, weak_ties, tweets, reviews;
  double channels_from_day;  ///< channels switched off take effect from this day
};

/// The parameter specifications (keys relative to `params.`).
std::vector<ParamSpec> service_wom_params();
/// Reads every field from validated Params (defaults filled in by the loader or test helper).
Config read_config(const Params& p);

}  // namespace wom::models::swom
