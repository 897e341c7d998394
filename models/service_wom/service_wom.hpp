#pragma once
/// service_wom — customer service, word of mouth and customer value (docs/design.md §3).
///
/// N persons on a strong-tie graph are prospects, customers or lapsed. One step of
/// `time.step_days` days reads the state at t and writes the state at t+1, in the design's order (docs/design.md §3):
///   1 problems  a customer (no defection pending) has a problem at problems.rate_per_year;
///               large with problems.large_share; a problem while another is unresolved is a
///               repeat failure (large retention column, extra attitude shift, no positive story);
///   2 voice     complain with voice.complain_small / complain_large, else the path is silent;
///   3 clarify   misunderstanding_share of complaints are the customer's error; clarified
///               (policy.clarify_rate) they end acknowledge-quick, resolved, without remedy;
///   4 style     acknowledge with policy.acknowledge_rate (acknowledge_rate_when_wrong for an
///               unclarified misunderstanding), else argue; acknowledged → acknowledge-quick with
///               first_contact_resolution, else acknowledge (resolved later with resolve_later);
///   5 outcome   stay iff U < retention(path, severity) (TARP 1986; one U per customer and problem,
///               so under common random numbers a better path never loses whom a worse one keeps);
///               a leaver defects after a delay uniform in defect_window_days; attitude shift,
///               story, remedy, review, tweet, reciprocity, apology rebound, recovery paradox;
///   6 stories   one story per person, story_days long; first-hand replaces, retold only if idle;
///               satisfied customers (a >= satisfied_above) recommend at recommend_rate_per_year;
///   7 talk      a teller tells each out-neighbour at most once, on a day D drawn so that
///               P(told within the life) = min(1, reach/out-degree) with a constant per-day
///               probability; listeners shift attitude, prospects count positive stories toward
///               adoption and reject on negative ones, customers defect on negative ones; retold
///               stories halve reach and weight per generation; weak ties = random contacts;
///   8 tweets    complainants tweet; follower cascades complete within the step (see × retweet);
///   9 reviews   Bayesian-average public rating over a window; replies to negative reviews;
///  10 churn     base_rate · exp(attitude_slope·(a0 − a)) · rating factor;
///  11 acquire   1 − (1−α)(1−β_s)^j(1−β_w)^m (Goldenberg, Libai & Muller 2001) × rating factor;
///               rejecters wait reject_days; lapsed return at winback_per_year;
///  12 economics margins per step, remedies, CAC, contact and training cost, discounting.
///
/// Units: rates are per year, p = 1 − exp(−rate·dt), dt = step_days/365. The engine passes the
/// step length in DAYS in RunContext::dt for this model (the config maps time.step_days to it).
/// Money is in economics.currency. Attitudes lie in [−1, 1].
///
/// Randomness: every draw is keyed by (run, step, purpose, stable id or arc ids, k). Each person
/// draws ONE uniform per step for its spontaneous events (problem, spontaneous review,
/// recommendation, churn | adoption | win-back), laid out in fixed slots of [0, 1): events are
/// mutually exclusive within a step and each has its exact per-step probability.
///
/// Citations: TARP (1986) complaint handling study; Goldenberg, Libai & Muller (2001) Marketing
/// Letters 12(3); Goldenberg et al. (2007) IJRM 24(3); East, Hammond & Lomax (2008) IJRM 25;
/// Weitzl (2019) JPBM 28(3); Maxham & Netemeyer (2002) J. Marketing 66(4); de Matos et al. (2007)
/// JSR 10(1); Proserpio & Zervas (2017) Marketing Science 36(5); Luca (2011) HBS WP 12-016;
/// Gupta & Lehmann (2003, 2005). See models/service_wom/README.md (ODD protocol).
#include <map>
#include <string>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/core/model.hpp"

namespace wom::models {

/// Registration record of service_wom (parameters with units, ranges and sources).
ModelInfo service_wom_info();

/// The roles of Model::roles (a person's status).
enum Role : std::uint8_t { kRoleProspect = 0, kRoleCustomer = 1, kRoleLapsed = 2 };

/// What service_wom offers wom compare, wom cost and the report (sim/core/offers.hpp).
Offers service_wom_offers();

/// What every timeseries column and summary metric measures (unit, aggregate, meaning, headline
/// order): one declaration for the terminal, summary.json, compare and the report.
std::vector<Measure> service_wom_measures();

/// Summary metrics of one trajectory (docs/design.md §4): retention per year and overall, acquisitions,
/// NPV with terminal value, CLV analytic and empirical, share of positive stories, and more.
/// `step_days` is the step length used for the run.
std::map<std::string, double> service_wom_summary(const Params& params, const Trajectory& tr, double step_days);

}  // namespace wom::models
