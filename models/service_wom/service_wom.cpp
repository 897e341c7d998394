// service_wom kernels. The update rule, units and citations are in service_wom.hpp; choices
// the design (docs/design.md) leaves open are in README.md. Layout of one step (all phases read the state at t):
//   talk    tellers (a sorted list kept between steps) push messages over their out-arcs and to
//           random weak contacts; messages are sorted by listener (a total order, so the content
//           is the same at any thread count);
//   sweep   one pass over all persons in blocks: each person reads its own state, its messages
//           and due calendar events, draws its one spontaneous uniform, and writes its own slot
//           of t+1 (status, attitude, private attributes); per-block outputs are merged in order;
//   tweets  cascades from this step's tweets over the follower layer, then attitude shifts;
//   rating  the review window moves on; economics accrue.
// Work per step: one hash per person plus work proportional to tellers' arcs and events.
#include "models/service_wom/service_wom.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <deque>
#include <memory>
#include <numeric>
#include <unordered_map>

#include "models/service_wom/config.hpp"
#include "models/service_wom/economics.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/propagate.hpp"

namespace wom::models {

using namespace swom;

namespace {

// RNG purposes: fixed forever (changing one changes every result of the model).
constexpr rng::Purpose kInit = 0x5357'0001, kType = 0x5357'0002, kSpont = 0x5357'0003, kOutcome = 0x5357'0004,
                       kTell = 0x5357'0005, kTellMF = 0x5357'0006, kWeak = 0x5357'0007, kWeakTell = 0x5357'0008,
                       kRetell = 0x5357'0009, kReject = 0x5357'000A, kWomChurn = 0x5357'000B, kStars = 0x5357'000C,
                       kReply = 0x5357'000D, kTweet = 0x5357'000E, kInflow = 0x5357'000F;

// Draw indices within the kOutcome stream of one (customer, step): one per decision, so paired
// runs that differ only in policy see the same uniforms for everything else.
enum OutcomeDraw : std::uint64_t {
  kDrawSeverity,
  kDrawVoice,
  kDrawMisunderstanding,
  kDrawClarify,
  kDrawStyle,
  kDrawFirstContact,
  kDrawResolveLater,
  kDrawRemedy,
  kDrawStory,
  kDrawReciprocity,
  kDrawReview,
  kDrawTweet,
  kDrawStay,
  kDrawDelay
};

enum Status : std::uint8_t { kProspect = kRoleProspect, kCustomer = kRoleCustomer, kLapsed = kRoleLapsed };

// Observables (timeseries columns), in output order.
// clang-format off
#define SWOM_COLUMNS(X) \
  X(prospects) \
  X(customers) \
  X(lapsed) \
  X(acquisitions) \
  X(winbacks) \
  X(defections) \
  X(defections_silent) \
  X(defections_argue) \
  X(defections_acknowledge_unresolved) \
  X(defections_acknowledge_resolved) \
  X(defections_base) \
  X(defections_wom) \
  X(defections_forced) \
  X(rejections) \
  X(problems) \
  X(problems_large) \
  X(repeat_failures) \
  X(silent_problems) \
  X(complaints) \
  X(complaints_argue) \
  X(complaints_acknowledge) \
  X(complaints_acknowledge_quick) \
  X(clarified) \
  X(remedies) \
  X(stories_positive) \
  X(stories_negative) \
  X(recommendations) \
  X(stories_retold) \
  X(listeners_talk_positive) \
  X(listeners_talk_negative) \
  X(listeners_weak_positive) \
  X(listeners_weak_negative) \
  X(listeners_tweet_positive) \
  X(listeners_tweet_negative) \
  X(tweets) \
  X(cascades) \
  X(cascades_100) \
  X(largest_cascade) \
  X(retweets) \
  X(reviews) \
  X(reviews_negative) \
  X(review_replies) \
  X(rating) \
  X(revenue) \
  X(remedy_cost) \
  X(acquisition_cost) \
  X(contact_cost) \
  X(reply_cost) \
  X(training_cost) \
  X(cash_flow) \
  X(npv_cash_flows) \
  X(cohort_customers) \
  X(cohort_revenue) \
  X(mean_attitude)
// clang-format on
#define SWOM_ENUM(name) c_##name,
#define SWOM_NAME(name) #name,
enum Column : int { SWOM_COLUMNS(SWOM_ENUM) kNumColumns };
const char* const kColumnNames[] = {SWOM_COLUMNS(SWOM_NAME)};

// Defection causes: the path of the problem that decided it, or base churn, or word of mouth.
enum Cause : std::uint8_t { kCauseNone, kCauseSilent, kCauseArgue, kCauseAckUnresolved, kCauseAckResolved };
constexpr Column kCauseColumn[5] = {c_defections, c_defections_silent, c_defections_argue,
                                    c_defections_acknowledge_unresolved, c_defections_acknowledge_resolved};

// Private flags (one byte per person).
constexpr std::uint8_t kFlagCohort = 1;  // customer at step 0 and never lapsed since
constexpr std::uint8_t kFlagOwed = 2;    // reciprocity owed after an acknowledged complaint
constexpr int kCauseShift = 2;           // bits 2..4: cause of the pending defection
constexpr std::uint8_t kCauseMask = 7 << kCauseShift;

constexpr std::int32_t kNever = INT32_MAX;
constexpr double kMarginScale = 65536.0;    // margins summed as exact integers (order-free, bit-identical)
constexpr double kAttScale = 1073741824.0;  // 2^30: attitude sums as exact integers

// A story is (valence, generation); 0 means none. Generation 0 is first-hand.
inline std::uint8_t story_code(bool positive, int gen) { return std::uint8_t(1 + (positive ? 1 : 0) + 2 * gen); }
inline bool story_positive(std::uint8_t c) { return ((c - 1) & 1) != 0; }
inline int story_gen(std::uint8_t c) { return (c - 1) >> 1; }

// A message: `src` told `to` a story this step. kind: bit0 positive, bit1 weak tie, bits 2-4 generation.
struct Msg {
  vid to;
  std::uint8_t kind;
  std::uint64_t src;
  bool operator<(const Msg& o) const { return to != o.to ? to < o.to : kind != o.kind ? kind < o.kind : src < o.src; }
};
constexpr std::uint8_t kMsgPositive = 1, kMsgWeak = 2;

// A strong-tie telling booked for a future step; valid while the teller still holds that story.
struct Booking {
  vid to;
  std::uint8_t kind;
  vid from;
  std::int32_t story_end;
};

// Channels of the event log (`--events`, RunContext::events), in code order. Every record has
// step = t (the step being computed) and stable ids in `from` / `to`:
//   talk        a strong-tie telling delivered to its listener (generation: 0 first-hand, g retold);
//   weak_tie    a weak-tie telling delivered to a random contact (generation as for talk);
//   tweet_post  a complaint tweet posted (from = to = the tweeter);
//   retweet     `to` retweeted the post of `from` (the followee whose tweet or retweet it saw; the
//               smallest-id one at the smallest depth when several fired); generation = depth in
//               the cascade (1 = a retweet of the original tweet);
//   tweet       a follower `to` saw the tweet, through the post of `from` (smallest depth, then
//               smallest id); generation = that post's depth (0 = the original tweet);
//   review      a review posted (from = to = the reviewer; valence +1 for 4–5 stars, −1 for 1–2).
// Order within a step: talk and weak_tie (by listener's storage index, then kind, then teller),
// reviews (by reviewer's storage index), then per tweet in tweeter order: its tweet_post, its
// retweets (breadth-first) and its viewers' tweet records (by viewer's storage index). The records
// of one tweet are contiguous, so a retweet's original tweeter is the preceding tweet_post.
enum EventChannel : std::uint8_t { kChTalk, kChWeakTie, kChTweetPost, kChRetweet, kChTweet, kChReview };
constexpr const char* kChannelNames[] = {"talk", "weak_tie", "tweet_post", "retweet", "tweet", "review"};

// Scheduled personal events (calendar): a pending defection falls due, an apology rebound.
enum EventType : std::uint8_t { kEvDefect = 0, kEvRebound = 1 };
struct Event {
  vid v;
  std::uint8_t type;
  bool operator<(const Event& o) const { return v != o.v ? v < o.v : type < o.type; }
};

double per_step(double rate_per_year, double dt_years) { return -std::expm1(-rate_per_year * dt_years); }
std::int32_t steps_of(double days, double step_days, std::int32_t at_least) {
  return std::max<std::int32_t>(at_least, std::int32_t(std::llround(days / step_days)));
}
inline double unit(std::uint64_t b) { return rng::Stream::to_unit(b); }
/// Standard normal from two keyed draws (Box–Muller).
inline double normal(std::uint64_t b1, std::uint64_t b2) {
  const double u1 = 1.0 - unit(b1);  // (0, 1]
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * unit(b2));
}
inline float clip(double a) { return float(std::clamp(a, -1.0, 1.0)); }

/// Review totals of one step (a slot of the rating window).
struct ReviewSlot {
  std::int64_t count = 0, stars = 0, negative = 0, replied = 0;
  bool empty() const { return !count && !stars && !negative && !replied; }
  void add(const ReviewSlot& o, std::int64_t sign = 1) {
    count += sign * o.count;
    stars += sign * o.stars;
    negative += sign * o.negative;
    replied += sign * o.replied;
  }
};

/// Per-block results of the sweep, merged in block order.
struct BlockOut {
  std::array<std::int64_t, kNumColumns> n{};
  std::int64_t margin_delta = 0, cohort_margin_delta = 0, att_sum = 0;
  std::int64_t stars_sum = 0;
  std::vector<vid> new_tellers;
  std::vector<std::pair<vid, std::uint8_t>> tweets;  // (tweeter, positive)
  std::vector<std::pair<std::int64_t, Event>> schedule;
  std::vector<EventRecord> events;  // review records (only when the event log is on)
  bool record = false;              // keep each review by reviewer (the causal cone needs them)
  std::vector<std::pair<vid, ReviewSlot>> reviewed;
  void reset() {
    n.fill(0);
    margin_delta = cohort_margin_delta = att_sum = stars_sum = 0;
    new_tellers.clear();
    tweets.clear();
    schedule.clear();
    events.clear();
    reviewed.clear();
  }
  /// What the causal cone reads of one person's step (its counters are never read there).
  void reset_lists() {
    new_tellers.clear();
    tweets.clear();
    schedule.clear();
    reviewed.clear();
  }
};

/// One person's state at t, gathered from the columns; step_person turns it into t+1 (the
/// attitude before this step's tweets). The causal cone keeps its variants' persons this way.
struct Person {
  std::uint8_t st = 0, story = 0, flags = 0, unresolved = 0;
  float a = 0;
  std::int32_t story_end = -1, unresolved_until = 0, defect_at = INT32_MAX, reject_until = 0, acquired = 0;
  double led_margin = 0, led_service = 0, led_acquisition = 0;
};

/// A declared intervention (service_wom_offers), parsed once: a complaint handled along a
/// forced path, or the customer lost outright.
struct Forced {
  vid agent = 0;
  std::int64_t step = 0;
  bool lose = false;
  bool acknowledge = false;       ///< complaint: acknowledge (else argue), first contact as configured
  int severity = -1;              ///< 0 small, 1 large, −1 drawn from the mix of complaints
  bool misunderstanding = false;  ///< the customer is wrong (default: a valid complaint)
};

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

/// What reaches one person in step t besides its own state.
struct Inputs {
  std::span<const Msg> heard;     ///< stories told to it (strong and weak ties)
  int rebounds = 0;               ///< apology rebounds falling due
  const Forced* focal = nullptr;  ///< the cost engine's focal event
  bool inflow = false;            ///< picked by the fixed inflow
};

/// Probabilities that depend on the public rating at t (fixed within a step).
struct Hazards {
  double acq = 1, churn = 1, h_advert = 0, p_churn_max = 0;
  bool operator==(const Hazards&) const = default;
};

/// A variant priced through its causal cone (docs/design.md §5; ServiceWom::add_variant): the same
/// world with its interventions, stepped in lockstep with the baseline run. Only cone members
/// — persons whose inputs have differed from the baseline's at some step — are re-simulated;
/// everyone else's state is the baseline's, bit for bit.
struct Variant {
  std::vector<Forced> ivs;  // sorted by (step, agent)
  std::size_t max_cone = 0;
  bool global = false;                          // the cone outgrew max_cone: dropped, price with a full run
  std::unordered_map<vid, std::uint32_t> slot;  // cone member → index
  std::vector<vid> members;
  std::vector<Person> state;                                     // at t (after the step: t+1)
  std::vector<std::int32_t> entry;                               // first step re-simulated in the variant
  std::vector<std::pair<std::int64_t, vid>> rebound;             // apology rebounds scheduled in the variant
  std::deque<std::pair<std::int64_t, ReviewSlot>> review_delta;  // variant − baseline, per step
  ReviewSlot review_sum;                                         // over the rating window
  double rating = 0;
  Hazards hz;
  std::uint64_t agent_steps = 0, peak = 0;
  // Scratch of the current step.
  std::size_t stepped = 0;            // members [0, stepped) were re-simulated at t
  std::vector<std::uint8_t> tweet;    // their tweet at t: 0 none, 1 negative, 2 positive
  ReviewSlot reviews;                 // their reviews at t
  std::vector<Msg> msgs;              // tellings at t of tellers whose story differs (by listener)
  std::vector<std::uint64_t> differ;  // those tellers' stable ids (sorted)
  std::vector<Msg> inbox, base_msgs;
  std::vector<vid> due;                                // variant rebounds due at t (sorted)
  std::vector<std::pair<vid, std::uint8_t>> tweeters;  // (tweeter, baseline | variant << 2) that differ
  std::vector<std::pair<vid, int>> shift;              // tweet attitude shifts: variant − baseline
  BlockOut out;
};

class ServiceWom final : public Model {
 public:
  explicit ServiceWom(const Params& p) : c_(read_config(p)) {}

  std::vector<std::string> columns() const override {
    return std::vector<std::string>(std::begin(kColumnNames), std::end(kColumnNames));
  }

  void init(const Graph& g, State& s, const RunContext& run) override;
  void step(const Graph& g, State& s, const StepContext& ctx) override;
  void observe(const Graph&, const State&, std::span<double> out) const override {
    std::copy(obs_.begin(), obs_.end(), out.begin());
  }
  void intervene(const Intervention& iv) override {
    interventions_.push_back(forced(iv));
    std::stable_sort(interventions_.begin(), interventions_.end(), [](const Forced& a, const Forced& b) {
      return a.step != b.step ? a.step < b.step : a.agent < b.agent;
    });
  }
  AgentLedger ledger() const override;
  std::vector<std::uint8_t> roles() const override {
    return std::vector<std::uint8_t>(status_->now.data(), status_->now.data() + status_->now.size());
  }
  bool add_variant(std::vector<Intervention> ivs, std::size_t max_cone) override;
  VariantLedger variant_ledger(std::size_t k) const override;
  std::size_t scratch_bytes() const override {
    std::size_t b = rank_.size() * sizeof(vid) + tellers_.capacity() * sizeof(vid) + msgs_.capacity() * sizeof(Msg) +
                    in_cascade_.size() + spread_.reached.size() + spread_.frontier.size();
    for (const auto& slot : calendar_) b += slot.capacity() * sizeof(Event);
    for (const auto& slot : bookings_) b += slot.capacity() * sizeof(Booking);
    return b;
  }

 private:
  /// Effect of the stories one listener heard this step.
  struct Heard {
    double shift = 0;        ///< attitude shift
    double keep_adopt = 1;   ///< Π(1 − β·w) over positive stories: adoption's WOM factor
    double keep_reject = 1;  ///< Π(1 − β·bias·w) over negative stories: P(no rejection)
    double keep_churn = 1;   ///< Π(1 − q·w) over negative stories: P(no WOM defection)
  };
  Heard listen(std::span<const Msg> heard) const;
  Hazards hazards(double rating) const;
  double rating_of(const ReviewSlot& w) const {
    const double bayes =
        (c_.prior_weight * c_.prior_mean + double(w.stars)) / std::max(1e-300, c_.prior_weight + double(w.count));
    const double replied = w.negative ? double(w.replied) / double(w.negative) : 0.0;
    return std::clamp(bayes + c_.reply_effect * replied, 1.0, 5.0);
  }
  /// Was channel ch (0 talk, 1 weak ties, 2 tweets, 3 reviews; as in service_wom_offers) on
  /// during step s? A channel the config switches off is off from channels.from_day (0: from
  /// the start); one the run switches off (RunContext::channels_off) is off from its step.
  bool channel_on(int ch, std::int64_t s) const {
    const std::size_t k = std::size_t(ch);
    if (!configured_[k] && (c_.channels_from_day <= 0 || double(s) * dt_days_ >= c_.channels_from_day)) return false;
    return !(k < run_off_.size() && run_off_[k] && s >= run_off_from_);
  }
  Person load_next(vid v) const {
    Person p = load(v);
    p.st = status_->next[v];
    p.a = att_->next[v];
    return p;
  }
  void talk(const Graph& g, std::int64_t t);
  /// The strong-tie tellings of a story with code `sc` that u started at step s: f(v, d) for
  /// each out-neighbour v told, on day d ∈ [1, L] (delivered at step s + d).
  template <class F>
  void bookings_of(const Graph& g, vid u, std::uint8_t sc, std::int64_t s, F&& f) const;
  /// Keyed draws of the weak-tie and mean-field tellings of step t.
  struct TalkDraws {
    rng::Stream mf, weak, weak_tell;
    std::uint64_t thr_weak, thr_kw_frac;
    double kw_floor;
    bool mean_field;
  };
  TalkDraws talk_draws(const Graph& g, std::int64_t t) const;
  /// Weak-tie (and, on the implicit complete graph, strong-tie) tellings of teller u at step t.
  void contacts_of(const Graph& g, vid u, std::uint8_t sc, std::int32_t end, std::int64_t t, const TalkDraws& d,
                   std::vector<Msg>& out) const;
  // Causal cone (run_variants section).
  void messages_of(const Graph& g, vid u, std::uint8_t sc, std::int32_t end, std::int64_t t, const TalkDraws& dr,
                   std::vector<Msg>& out) const;
  void cone_before(const Graph& g, std::int64_t t);
  void cone_after(const Graph& g, std::int64_t t);
  void cone_step(const Graph& g, std::int64_t t, Variant& V, const TalkDraws& dr) const;
  bool join(Variant& V, vid v, std::int64_t entry, bool after_step) const;
  void band_pass(const Graph& g, std::int64_t t, const Hazards& lo, const Hazards& hi);
  bool band_differs(std::size_t c, const Hazards& hz) const;
  void tweet_viewers(const Graph& g, std::int64_t t, vid u, std::vector<vid>& seen);
  void collect_viewers(const Graph& f, vid u, const rng::Stream& s, std::uint64_t thr_see,
                       const std::vector<vid>& reached, std::vector<vid>& seen) const;
  void book(const Graph& g, std::int64_t t, const std::vector<vid>& fresh);
  void choose_inflow(const Graph& g, std::int64_t t);
  void sweep(const Graph& g, std::int64_t t, std::size_t b, std::size_t lo, std::size_t hi);
  void step_person(std::int64_t t, vid v, std::uint64_t id, double u, Person& p, const Inputs& in, const Hazards& hz,
                   BlockOut& o) const;
  bool problem(std::int64_t t, vid v, std::uint64_t id, Person& p, double& a1, BlockOut& o,
               const Forced* force = nullptr) const;
  void start_story(std::int64_t t, vid v, Person& p, bool positive, int gen, BlockOut& o) const;
  void review(vid v, std::uint64_t id, std::int64_t t, double a, Person& p, BlockOut& o) const;
  Person load(vid v) const {
    return Person{status_->now[v],         (*story_)[v],      (*flags_)[v],
                  (*unresolved_)[v],       att_->now[v],      (*story_end_)[v],
                  (*unresolved_until_)[v], (*defect_at_)[v],  (*reject_until_)[v],
                  (*acquired_)[v],         (*led_margin_)[v], (*led_service_)[v],
                  (*led_acquisition_)[v]};
  }
  void store(vid v, const Person& p) {
    status_->next[v] = p.st;
    att_->next[v] = p.a;
    (*story_)[v] = p.story;
    (*flags_)[v] = p.flags;
    (*unresolved_)[v] = p.unresolved;
    (*story_end_)[v] = p.story_end;
    (*unresolved_until_)[v] = p.unresolved_until;
    (*defect_at_)[v] = p.defect_at;
    (*reject_until_)[v] = p.reject_until;
    (*acquired_)[v] = p.acquired;
    (*led_margin_)[v] = p.led_margin;
    (*led_service_)[v] = p.led_service;
    (*led_acquisition_)[v] = p.led_acquisition;
  }
  void tweets(const Graph& g, std::int64_t t, const std::vector<std::pair<vid, std::uint8_t>>& list);
  void log_cascade(const Graph& f, std::int64_t t, vid u, bool positive, const rng::Stream& s, std::uint64_t thr_rt,
                   std::uint64_t thr_see);
  vid pick(std::uint64_t bits) const {
    const std::uint64_t r = rng::below(bits, n_);
    return rank_.empty() ? vid(r) : rank_[std::size_t(r)];
  }
  double reach(bool positive, int gen) const {
    return (positive ? c_.reach_positive : c_.reach_negative) * std::ldexp(1.0, -gen);
  }
  std::int64_t margin_fixed(vid v) const { return std::llround(double(margin_[v]) * kMarginScale); }

  void set_on(std::int64_t t) { on_ = {channel_on(0, t), channel_on(1, t), channel_on(2, t), channel_on(3, t)}; }

  const Config c_;
  const Graph* followers_ = nullptr;
  rng::RunKey key_;
  vid n_ = 0;
  std::int64_t horizon_ = INT64_MAX;  // steps of the run (RunContext::steps)
  double dt_days_ = 1, dt_years_ = 1.0 / 365;
  std::int32_t story_steps_ = 1, window_steps_ = 1, rebound_steps_ = 1, reject_steps_ = 0, review_steps_ = 1;
  // per-step probabilities (fixed for the run)
  std::array<bool, 4> configured_{};  // talk, weak ties, tweets, reviews as configured
  std::vector<bool> run_off_;         // switched off by the run (RunContext::channels_off) ...
  std::int64_t run_off_from_ = 0;     // ... from this step
  /// What is on in the step being computed (channel_on at t): state, not config.
  struct On {
    bool talk = true, weak_ties = true, tweets = true, reviews = true;
  } on_;
  double p_problem_ = 0, p_review_ = 0, p_recommend_ = 0, p_external_ = 0, p_winback_ = 0;
  double churn_hazard_a0_ = 0;
  Hazards hz_;  // per step, from the rating at t
  double rating_ = 4.0;
  double obs_customers_now_ = 0;  // customers at t (exposure of this step)

  // state: public double-buffered columns and private single-buffered attributes
  State::Column<std::uint8_t>* status_ = nullptr;
  State::Column<float>* att_ = nullptr;
  Col<std::uint8_t>* story_ = nullptr;       // story code (0: none)
  Col<std::int32_t>* story_end_ = nullptr;   // last step the story is told
  Col<std::uint8_t>* flags_ = nullptr;       // kFlag* and the pending cause
  Col<std::uint8_t>* unresolved_ = nullptr;  // unresolved problems
  Col<std::int32_t>* unresolved_until_ = nullptr;
  Col<std::int32_t>* defect_at_ = nullptr;     // step of a pending defection (kNever: none)
  Col<std::int32_t>* reject_until_ = nullptr;  // first step a rejecter may adopt again
  Col<std::int32_t>* acquired_ = nullptr;      // step the current customer spell began (tenure)
  float* margin_ = nullptr;                    // annual margin (log-normal), fixed per person
  Col<float>* margin_col_ = nullptr;

  std::vector<vid> rank_;     // stable-id rank → storage index (empty when ids are the identity)
  std::vector<vid> tellers_;  // persons holding a story at t (sorted)
  std::vector<Msg> msgs_;
  std::vector<std::vector<Msg>> msg_parts_;
  std::vector<std::vector<Booking>> bookings_;  // ring indexed by step mod (L + 1)
  std::vector<std::vector<std::pair<std::int32_t, Booking>>> book_parts_;
  std::vector<std::size_t> msg_begin_, due_begin_, inflow_begin_;
  std::vector<Event> due_;
  std::vector<std::vector<Event>> calendar_;  // ring indexed by step mod size
  std::vector<vid> inflow_;                   // fixed-inflow adopters of this step (sorted)
  std::vector<BlockOut> out_;
  std::vector<ReviewSlot> window_;  // ring of review_steps_ slots
  ReviewSlot window_sum_;
  std::vector<std::uint8_t> in_cascade_;
  SpreadScratch spread_;
  std::vector<std::pair<vid, std::uint8_t>> tweet_hits_;
  EventLog* events_ = nullptr;     // who-told-whom log (RunContext::events), or null
  std::vector<EventRecord> ev_;    // records of the current phase, appended in one batch
  std::vector<vid> layer_, next_;  // event log: breadth-first layers of a tweet cascade
  struct Viewer {
    vid x;
    std::uint8_t depth;
    std::uint64_t from;
    bool operator<(const Viewer& o) const {
      return x != o.x ? x < o.x : depth != o.depth ? depth < o.depth : from < o.from;
    }
  };
  std::vector<Viewer> viewers_;

  // Causal cone: variants and what the baseline step keeps for them.
  std::vector<std::unique_ptr<Variant>> variants_;
  std::vector<std::pair<vid, ReviewSlot>> reviews_now_;   // baseline reviews of step t, by reviewer
  std::vector<std::pair<vid, std::uint8_t>> tweets_now_;  // baseline tweets of step t, by tweeter
  struct TweetNet {
    vid x;
    float before;  // attitude before this step's tweets
    int net;       // positive minus negative tweets seen
  };
  std::vector<TweetNet> tweet_net_;  // baseline tweet viewers of step t, by viewer
  struct Candidate {
    vid v;
    std::uint8_t st;
    double u, x;  // the spontaneous uniform; prospects: the hazard before the rating factor, customers: attitude
  };
  std::vector<Candidate> band_;  // persons whose rating-driven decision is near its threshold at t
  std::vector<std::vector<Candidate>> band_parts_;
  std::unordered_map<vid, std::vector<vid>> viewers_of_;  // tweeter → viewers at t (cone scratch)

  std::int64_t margin_sum_ = 0, cohort_margin_sum_ = 0, att_sum_ = 0;
  double npv_ = 0;

  // Cost engine (docs/design.md §4): interventions and the per-agent ledger of discounted cash flows.
  std::vector<Forced> interventions_;  // sorted by (step, agent)
  std::vector<const Forced*> iv_now_;  // those of this step, by agent
  std::vector<std::size_t> iv_begin_;
  Col<double>* led_margin_ = nullptr;  // discounted margins of closed customer spells
  Col<double>* led_service_ = nullptr;
  Col<double>* led_acquisition_ = nullptr;
  mutable std::vector<double> led_margin_out_, led_terminal_out_;
  double disc_x_ = 1;                           // discount factor per step, (1 + i)^−dt
  double exposure_ = 0, defections_total_ = 0;  // customer-years at risk and defections so far
  double continuing_cost_ = 0;                  // remedies, contacts, replies and training so far (undiscounted)
  /// The terminal value's rule at the current row (economics.hpp): r and c pinned or measured.
  TerminalRule terminal_rule() const {
    return TerminalRule::of(
        c_.terminal_retention >= 0 ? c_.terminal_retention : annual_survival(defections_total_, exposure_, dt_years_),
        c_.terminal_cost >= 0 ? c_.terminal_cost : cost_per_customer_year(continuing_cost_, exposure_),
        c_.discount_rate, disc(rows_));
  }
  std::int64_t rows_ = 0;  // current row (state t)
  double disc(std::int64_t row) const { return std::pow(disc_x_, double(row)); }
  /// Σ_{r=a..b} x^r: discounted step-margins of a spell over rows a..b.
  double spell(std::int64_t a, std::int64_t b) const {
    if (b < a) return 0.0;
    if (disc_x_ == 1.0) return double(b - a + 1);
    return (disc(a) - disc(b + 1)) / (1.0 - disc_x_);
  }
  std::array<double, kNumColumns> obs_{};
};

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
      h.keep_churn *= std::pow(1.0 - c_.negative_story_churn * half, nn);
    }
  return h;
}

void ServiceWom::init(const Graph& g, State& s, const RunContext& run) {
  followers_ = run.followers;
  if (followers_ && (followers_->n != g.n || (!followers_->complete && followers_->ids != g.ids &&
                                              !(followers_->identity_ids && g.identity_ids))))
    throw Error("service_wom: the follower layer must hold the same persons, in the same order, as the graph");
  key_ = run.key;
  n_ = g.n;
  horizon_ = run.steps > 0 ? run.steps : INT64_MAX;
  events_ = run.events;
  if (events_) events_->set_channel_names(kChannelNames);
  dt_days_ = run.dt;
  dt_years_ = dt_days_ / 365.0;
  story_steps_ = steps_of(c_.story_days, dt_days_, 1);
  window_steps_ = steps_of(c_.defect_window_days, dt_days_, 1);
  rebound_steps_ = steps_of(c_.apology_rebound_days, dt_days_, 1);
  reject_steps_ = steps_of(c_.reject_days, dt_days_, 0);
  review_steps_ = steps_of(c_.window_days, dt_days_, 1);
  p_problem_ = per_step(c_.problem_rate, dt_years_);
  // Channels switched off from a later step are on until then (wom cost): the slot of
  // spontaneous reviews is kept so that every other event keeps its uniform's slot.
  configured_ = {c_.talk, c_.weak_ties, c_.tweets, c_.reviews};
  run_off_ = run.channels_off;
  run_off_from_ = run.channels_off_from;
  set_on(0);
  p_review_ = on_.reviews ? per_step(c_.review_spontaneous_rate, dt_years_) : 0.0;
  p_recommend_ = per_step(c_.recommend_rate, dt_years_);
  p_external_ = per_step(c_.external_rate, dt_years_);
  p_winback_ = per_step(c_.winback_rate, dt_years_);
  churn_hazard_a0_ = c_.churn_base_rate * std::exp(c_.churn_attitude_slope * c_.attitude_mean);

  status_ = &s.add<std::uint8_t>("status", kProspect);
  att_ = &s.add<float>("attitude", 0.0f);
  story_ = &s.add_attribute<std::uint8_t>("story", 0);
  story_end_ = &s.add_attribute<std::int32_t>("story_end", -1);
  flags_ = &s.add_attribute<std::uint8_t>("flags", 0);
  unresolved_ = &s.add_attribute<std::uint8_t>("unresolved", 0);
  unresolved_until_ = &s.add_attribute<std::int32_t>("unresolved_until", 0);
  defect_at_ = &s.add_attribute<std::int32_t>("defect_at", kNever);
  reject_until_ = &s.add_attribute<std::int32_t>("reject_until", 0);
  acquired_ = &s.add_attribute<std::int32_t>("acquired", 0);
  margin_col_ = &s.add_attribute<float>("margin", 0.0f);
  margin_ = margin_col_->data();
  led_margin_ = &s.add_attribute<double>("ledger_margin", 0.0);
  led_service_ = &s.add_attribute<double>("ledger_service", 0.0);
  led_acquisition_ = &s.add_attribute<double>("ledger_acquisition", 0.0);
  disc_x_ = std::pow(1.0 + c_.discount_rate, -dt_years_);
  exposure_ = defections_total_ = continuing_cost_ = 0;
  rows_ = 0;

  // Initial population: keyed by stable id, so paired runs and reorderings share it.
  const rng::Stream init(run.key, 0, kInit);
  const std::uint64_t thr_customer = rng::threshold(c_.customer_share);
  const double mu = std::log(std::max(c_.margin_per_year, 1e-300)) - 0.5 * c_.margin_sigma * c_.margin_sigma;
  margin_sum_ = cohort_margin_sum_ = att_sum_ = 0;
  std::int64_t customers = 0;
  double margins_all = 0;  // every person's margin: the most the customers' margin sum can reach
  for (vid v = 0; v < g.n; ++v) {
    const std::uint64_t id = g.id(v);
    const bool customer = rng::fires(init.bits(id, 0), thr_customer);
    const float a = clip(c_.attitude_mean + c_.attitude_sd * normal(init.bits(id, 1), init.bits(id, 2)));
    margin_[v] = c_.margin_per_year > 0
                     ? float(std::exp(mu + c_.margin_sigma * normal(init.bits(id, 3), init.bits(id, 4))))
                     : 0.0f;
    margins_all += double(margin_[v]);
    status_->now[v] = customer ? kCustomer : kProspect;
    att_->now[v] = a;
    if (customer) {
      (*flags_)[v] = kFlagCohort;
      margin_sum_ += margin_fixed(v);
      ++customers;
    }
    att_sum_ += std::int64_t(double(a) * kAttScale);
  }
  // Margins are summed exactly in 64-bit fixed point (units of 2^-16): refuse a population
  // whose margins could overflow it, rather than print a wrapped-around NPV.
  if (!(margins_all * kMarginScale < 0x1p62))
    throw Error(fmt::format(
        "params.economics.margin_per_year = {} over graph.n = {} persons: the margins sum to {:.3g} per year, beyond "
        "the {:.3g} that the exact money sums hold; lower economics.margin_per_year, economics.margin_sigma or graph.n",
        c_.margin_per_year, g.n, margins_all, 0x1p62 / kMarginScale));
  cohort_margin_sum_ = margin_sum_;
  status_->next = status_->now;
  att_->next = att_->now;

  rank_.clear();
  if (!g.identity_ids) {
    rank_.resize(g.n);
    std::iota(rank_.begin(), rank_.end(), vid(0));
    std::sort(rank_.begin(), rank_.end(), [&](vid a, vid b) { return g.id(a) < g.id(b); });
  }
  tellers_.clear();
  calendar_.assign(std::size_t(std::max(window_steps_, rebound_steps_)) + 1, {});
  bookings_.assign(std::size_t(story_steps_) + 1, {});
  out_.assign(num_blocks(g.n), BlockOut{});
  window_.assign(std::size_t(review_steps_), ReviewSlot{});
  window_sum_ = ReviewSlot{};
  rating_ = c_.prior_mean;
  in_cascade_.assign(g.n, 0);
  npv_ = 0;

  obs_.fill(0.0);
  obs_[c_prospects] = double(g.n - std::uint64_t(customers));
  obs_[c_customers] = double(customers);
  obs_[c_cohort_customers] = double(customers);
  obs_[c_rating] = rating_;
  obs_[c_mean_attitude] = g.n ? double(att_sum_) / kAttScale / double(g.n) : 0.0;
}

/// Probabilities that depend on the public rating (fixed within a step).
Hazards ServiceWom::hazards(double rating) const {
  Hazards h;
  const double dr = on_.reviews ? rating - c_.prior_mean : 0.0;
  h.acq = std::pow(1.0 + c_.star_elasticity, dr);
  h.churn = std::pow(1.0 + c_.churn_elasticity, -dr);
  h.h_advert = std::min(1.0, h.acq * p_external_);
  // The churn probability is computed exactly only when the uniform falls below its largest
  // value over attitudes in [−1, 1]: a handful of exp() calls per step instead of one per customer.
  const double hmax = churn_hazard_a0_ * std::exp(std::abs(c_.churn_attitude_slope)) * h.churn;
  h.p_churn_max = per_step(hmax, dt_years_);
  return h;
}

void ServiceWom::step(const Graph& g, State&, const StepContext& ctx) {
  const std::int64_t t = ctx.t;
  set_on(t);
  hz_ = hazards(rating_);
  obs_customers_now_ = obs_[c_customers];
  obs_.fill(0.0);

  talk(g, t);
  // Calendar events due at t, sorted by person.
  auto& slot = calendar_[std::size_t(t % std::int64_t(calendar_.size()))];
  due_.swap(slot);
  slot.clear();
  std::sort(due_.begin(), due_.end());
  if (c_.fixed_inflow > 0) choose_inflow(g, t);

  const std::size_t nb = num_blocks(g.n);
  auto begins = [&](auto& list, std::vector<std::size_t>& begin, auto key) {
    begin.resize(nb + 1);
    std::size_t i = 0;
    for (std::size_t b = 0; b <= nb; ++b) {
      const std::size_t lo = std::min<std::size_t>(b * kBlock, g.n);
      while (i < list.size() && key(list[i]) < lo) ++i;
      begin[b] = i;
    }
  };
  begins(msgs_, msg_begin_, [](const Msg& m) { return std::size_t(m.to); });
  begins(due_, due_begin_, [](const Event& e) { return std::size_t(e.v); });
  begins(inflow_, inflow_begin_, [](vid v) { return std::size_t(v); });
  iv_now_.clear();
  for (const Forced& iv : interventions_)
    if (iv.step == t) iv_now_.push_back(&iv);
  begins(iv_now_, iv_begin_, [](const Forced* iv) { return std::size_t(iv->agent); });
  exposure_ += obs_customers_now_ * dt_years_;
  if (!variants_.empty()) cone_before(g, t);  // reads the state at t: before the sweep

  for_each_block(g.n, [&](std::size_t b, std::size_t lo, std::size_t hi) { sweep(g, t, b, lo, hi); });

  // Merge block outputs in block order.
  std::array<std::int64_t, kNumColumns> n{};
  std::vector<vid> fresh;
  std::vector<std::pair<vid, std::uint8_t>> tweet_list;
  std::int64_t stars = 0;
  for (auto& o : out_) {
    for (int k = 0; k < kNumColumns; ++k) n[std::size_t(k)] += o.n[std::size_t(k)];
    margin_sum_ += o.margin_delta;
    cohort_margin_sum_ += o.cohort_margin_delta;
    stars += o.stars_sum;
    fresh.insert(fresh.end(), o.new_tellers.begin(), o.new_tellers.end());
    tweet_list.insert(tweet_list.end(), o.tweets.begin(), o.tweets.end());
    for (const auto& [when, ev] : o.schedule)
      calendar_[std::size_t(when % std::int64_t(calendar_.size()))].push_back(ev);
  }
  std::int64_t att_sum = 0;
  for (auto& o : out_) att_sum += o.att_sum;
  att_sum_ = att_sum;
  if (!variants_.empty()) {  // what the cone needs of the baseline's step (block order = person order)
    reviews_now_.clear();
    for (const auto& o : out_) reviews_now_.insert(reviews_now_.end(), o.reviewed.begin(), o.reviewed.end());
    tweets_now_ = tweet_list;
    tweet_net_.clear();
  }
  if (events_) {  // review records, in block order
    ev_.clear();
    for (const auto& o : out_) ev_.insert(ev_.end(), o.events.begin(), o.events.end());
    if (!ev_.empty()) events_->append(ev_);
  }

  // Tellers at t+1: those of t whose story lasts, plus new stories (sorted, unique).
  {
    std::vector<vid> keep;
    keep.reserve(tellers_.size() + fresh.size());
    const std::int32_t* end = story_end_->data();
    const std::uint8_t* code = story_->data();
    for (vid v : tellers_)
      if (code[v] && end[v] >= t + 1) keep.push_back(v);
    std::vector<vid> merged(keep.size() + fresh.size());
    merged.resize(std::size_t(std::set_union(keep.begin(), keep.end(), fresh.begin(), fresh.end(), merged.begin()) -
                              merged.begin()));
    tellers_.swap(merged);
  }
  book(g, t, fresh);

  for (int k = 0; k < kNumColumns; ++k) obs_[std::size_t(k)] += double(n[std::size_t(k)]);
  if (on_.tweets) tweets(g, t, tweet_list);

  // Rating at t+1 from the reviews of the last window.
  if (on_.reviews) {
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
  obs_[c_rating] = rating_;

  // Economics: margins accrue to the customers of t+1 for this step.
  const double revenue = double(margin_sum_) / kMarginScale * dt_years_;
  obs_[c_revenue] = revenue;
  obs_[c_cohort_revenue] = double(cohort_margin_sum_) / kMarginScale * dt_years_;
  obs_[c_remedy_cost] = obs_[c_remedies] * c_.remedy_cost;
  obs_[c_acquisition_cost] = obs_[c_acquisitions] * c_.cac;
  obs_[c_contact_cost] = obs_[c_complaints] * c_.contact_cost;
  obs_[c_reply_cost] = obs_[c_review_replies] * c_.review_reply_cost;
  obs_[c_training_cost] = c_.training_cost_per_year * dt_years_;
  const double continuing = obs_[c_remedy_cost] + obs_[c_contact_cost] + obs_[c_reply_cost] + obs_[c_training_cost];
  continuing_cost_ += continuing;
  obs_[c_cash_flow] = revenue - obs_[c_acquisition_cost] - continuing;
  npv_ += obs_[c_cash_flow] * std::pow(1.0 + c_.discount_rate, -double(t + 1) * dt_years_);
  obs_[c_npv_cash_flows] = npv_;
  obs_[c_mean_attitude] = n_ ? double(att_sum_) / kAttScale / double(n_) : 0.0;
  defections_total_ += obs_[c_defections];
  rows_ = t + 1;
  if (!variants_.empty()) cone_after(g, t);
}

/// Per-agent discounted cash flows up to the current row (docs/design.md §4): closed customer spells
/// plus the open one, remedies, contact and reply costs, CAC, and the terminal value
/// (m − c)·r/(1+i−r) of each customer at the horizon (terminal_rule(): r and c pinned, or the
/// run's own so far, as in the summary). Summed over agents, margins equal the revenue column's
/// discounted total and terminal values the summary's terminal value.
AgentLedger ServiceWom::ledger() const {
  const std::size_t n = std::size_t(n_);
  led_margin_out_.assign(led_margin_->data(), led_margin_->data() + n);
  led_terminal_out_.assign(n, 0.0);
  const TerminalRule tv = terminal_rule();
  const std::uint8_t* st = status_->now.data();
  for (std::size_t v = 0; v < n; ++v)
    if (st[v] == kCustomer) {
      const double m = double(margin_[v]);
      led_margin_out_[v] += m * dt_years_ * spell(std::max<std::int64_t>(1, (*acquired_)[Eigen::Index(v)]), rows_);
      led_terminal_out_[v] = tv.value(m);
    }
  AgentLedger l;
  l.margin = led_margin_out_;
  l.service = std::span<const double>(led_service_->data(), n);
  l.acquisition = std::span<const double>(led_acquisition_->data(), n);
  l.terminal = led_terminal_out_;
  return l;
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
  constexpr std::size_t kPart = 256;
  const std::size_t parts = num_blocks(fresh.size(), kPart);
  if (book_parts_.size() < parts) book_parts_.resize(parts);
  const std::uint8_t* code = story_->data();
  const std::int32_t* end = story_end_->data();
  std::uint64_t volume = 0;
  for (vid u : fresh) volume += g.out_degree(u);
  for_each_block(
      fresh.size(),
      [&](std::size_t p, std::size_t lo, std::size_t hi) {
        auto& mine = book_parts_[p];
        mine.clear();
        for (std::size_t i = lo; i < hi; ++i) {
          const vid u = fresh[i];
          const std::uint8_t sc = code[u];
          const std::uint8_t kind = std::uint8_t((story_positive(sc) ? kMsgPositive : 0) | (story_gen(sc) << 2));
          bookings_of(g, u, sc, t, [&](vid v, std::int32_t d) { mine.push_back({d, Booking{v, kind, u, end[u]}}); });
        }
      },
      kPart, volume < NeighborCounts::kSerialArcs ? SIZE_MAX : 2 * kPart);
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
    const std::uint8_t* code = story_->data();
    const std::int32_t* end = story_end_->data();
    for (const Booking& bk : slot)
      if (code[bk.from] && end[bk.from] == bk.story_end) msgs_.push_back({bk.to, bk.kind, g.id(bk.from)});
    slot.clear();
  }
  const TalkDraws draws = talk_draws(g, t);
  if ((draws.mean_field || on_.weak_ties) && !tellers_.empty()) {
    constexpr std::size_t kPart = 256;
    const std::size_t parts = num_blocks(tellers_.size(), kPart);
    if (msg_parts_.size() < parts) msg_parts_.resize(parts);
    const std::uint8_t* code = story_->data();
    const std::int32_t* end = story_end_->data();
    for_each_block(
        tellers_.size(),
        [&](std::size_t p, std::size_t lo, std::size_t hi) {
          auto& mine = msg_parts_[p];
          mine.clear();
          for (std::size_t i = lo; i < hi; ++i)
            contacts_of(g, tellers_[i], code[tellers_[i]], end[tellers_[i]], t, draws, mine);
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

/// Test/what-if inflow: the `fixed_inflow` prospects (not rejecting) with the smallest keyed
/// draws adopt this step.
void ServiceWom::choose_inflow(const Graph& g, std::int64_t t) {
  const rng::Stream s(key_, std::uint64_t(t), kInflow);
  std::vector<std::pair<std::uint64_t, vid>> cand;
  const std::uint8_t* st = status_->now.data();
  for (vid v = 0; v < g.n; ++v)
    if (st[v] == kProspect && (*reject_until_)[v] <= t) cand.emplace_back(s.bits(g.id(v)), v);
  const std::size_t k = std::min<std::size_t>(std::size_t(c_.fixed_inflow), cand.size());
  auto less = [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : g.id(a.second) < g.id(b.second);
  };
  if (k < cand.size()) std::nth_element(cand.begin(), cand.begin() + std::ptrdiff_t(k), cand.end(), less);
  inflow_.resize(k);
  for (std::size_t i = 0; i < k; ++i) inflow_[i] = cand[i].second;
  std::sort(inflow_.begin(), inflow_.end());
}

void ServiceWom::start_story(std::int64_t t, vid v, Person& p, bool positive, int gen, BlockOut& o) const {
  p.story = story_code(positive, gen);
  p.story_end = std::int32_t(t + story_steps_);
  o.new_tellers.push_back(v);
  if (gen == 0)
    ++o.n[positive ? c_stories_positive : c_stories_negative];
  else
    ++o.n[c_stories_retold];
}

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
  if (on_.reviews && draw(kDrawReview, good ? c_.review_positive : c_.review_negative))
    review(v, id, t, std::clamp(a1, -1.0, 1.0), p, o);
  if (on_.tweets && draw(kDrawTweet, c_.tweet_post[std::size_t(path)]))
    o.tweets.push_back({v, std::uint8_t(good && !vindictive ? 1 : 0)});
  return story != 0;
}

/// One person's step t (docs/design.md §3 steps 1–7, 9–11 for this person): `p` holds its state at t and
/// receives its state at t+1, with the attitude before this step's tweets. Reads nothing of
/// other persons but `in`, so the sweep and the causal cone (run_variants) share it exactly.
void ServiceWom::step_person(std::int64_t t, vid v, std::uint64_t id, double u, Person& p, const Inputs& in,
                             const Hazards& hz, BlockOut& o) const {
  const double end_problem = p_problem_, end_review = end_problem + p_review_,
               end_recommend = end_review + p_recommend_;
  const std::uint8_t st = p.st;
  const float a = p.a;
  const bool heard = !in.heard.empty();
  const Forced* focal = in.focal;
  double a1 = a;
  std::uint8_t st1 = st;
  bool started = false;  // a first-hand story began this step (a retold one may not replace it)
  auto defect = [&](Column cause) {
    st1 = kLapsed;
    ++o.n[c_defections];
    ++o.n[cause];
    p.defect_at = kNever;
    p.led_margin += double(margin_[v]) * dt_years_ * spell(std::max<std::int64_t>(1, p.acquired), t);
    o.margin_delta -= margin_fixed(v);
    if (p.flags & kFlagCohort) {
      o.cohort_margin_delta -= margin_fixed(v);
      p.flags = std::uint8_t(p.flags & ~kFlagCohort);
    }
  };
  auto become_customer = [&](Column what) {
    st1 = kCustomer;
    ++o.n[what];
    p.acquired = std::int32_t(t + 1);
    p.defect_at = kNever;
    p.unresolved = 0;
    o.margin_delta += margin_fixed(v);
    if (what == c_acquisitions) p.led_acquisition += c_.cac * disc(t + 1);
  };

  // --- messages heard this step (strong and weak ties), aggregated order-free
  Heard L;
  if (heard) {
    L = listen(in.heard);
    a1 += L.shift;
  }
  // --- calendar events due at t: apology rebounds; a pending defection falls due at defect_at
  for (int k = 0; k < in.rebounds; ++k) a1 += c_.apology_rebound;
  const bool defect_due = st == kCustomer && p.defect_at == t;

  if (st == kCustomer && focal) {
    // The cost engine's focal event replaces this step's own events of the focal customer
    // (a pending defection is superseded by the focal complaint's outcome).
    p.defect_at = kNever;
    if (focal->lose)
      defect(c_defections_forced);
    else
      started = problem(t, v, id, p, a1, o, focal);
  } else if (st == kCustomer) {
    if (defect_due) {
      defect(kCauseColumn[(p.flags & kCauseMask) >> kCauseShift]);
    } else if (L.keep_churn < 1.0 && p.defect_at == kNever &&
               unit(rng::Stream(key_, std::uint64_t(t), kWomChurn).bits(id)) < 1.0 - L.keep_churn) {
      defect(c_defections_wom);
    } else if (u < end_problem) {
      if (c_.problems_enabled && p.defect_at == kNever) started = problem(t, v, id, p, a1, o);
    } else if (u < end_review) {
      if (on_.reviews) review(v, id, t, a, p, o);
    } else if (u < end_recommend) {
      if (a >= c_.satisfied_above) {
        start_story(t, v, p, true, 0, o);
        ++o.n[c_recommendations];
        started = true;
      }
    } else if (u - end_recommend < hz.p_churn_max) {
      const double h = churn_hazard_a0_ * std::exp(-c_.churn_attitude_slope * a) * hz.churn;
      if (u - end_recommend < per_step(h, dt_years_)) defect(c_defections_base);
    }
  } else if (st == kProspect) {
    const bool rejecting = p.reject_until > t;
    bool rejected = false;
    if (L.keep_reject < 1.0 && !rejecting &&
        unit(rng::Stream(key_, std::uint64_t(t), kReject).bits(id)) < 1.0 - L.keep_reject) {
      rejected = true;
      ++o.n[c_rejections];
      p.reject_until = std::int32_t(t + 1 + reject_steps_);
      start_story(t, v, p, false, 0, o);  // rejecters tell negative stories (Goldenberg et al. 2007)
      started = true;
    }
    if (!rejected) {
      if (c_.fixed_inflow > 0) {
        if (in.inflow) become_customer(c_acquisitions);
      } else {
        const double h =
            L.keep_adopt < 1.0 ? std::min(1.0, hz.acq * (1.0 - (1.0 - p_external_) * L.keep_adopt)) : hz.h_advert;
        if (u < h && !rejecting) become_customer(c_acquisitions);
      }
    }
  } else if (u < p_winback_ && a >= c_.reject_below) {
    become_customer(c_winbacks);
  }

  // --- retelling: an idle listener takes up one second-hand story (smallest keyed draw wins)
  if (heard && !started && c_.retell_prob > 0 && (p.story == 0 || p.story_end < t)) {
    const rng::Stream rs(key_, std::uint64_t(t), kRetell);
    const std::uint64_t thr = rng::threshold(c_.retell_prob);
    std::uint64_t best = ~std::uint64_t(0);
    int pick_kind = -1;
    for (const Msg& m : in.heard) {
      if ((m.kind >> 2) >= c_.retell_generations) continue;
      const std::uint64_t bits = rs.arc_bits(m.src, id, m.kind);
      if (rng::fires(bits, thr) && (pick_kind < 0 || bits < best)) best = bits, pick_kind = m.kind;
    }
    if (pick_kind >= 0) start_story(t, v, p, pick_kind & kMsgPositive, (pick_kind >> 2) + 1, o);
  }
  p.a = clip(a1);
  p.st = st1;
}

void ServiceWom::sweep(const Graph& g, std::int64_t t, std::size_t b, std::size_t lo, std::size_t hi) {
  BlockOut& o = out_[b];
  o.reset();
  const std::uint8_t* st_now = status_->now.data();
  std::uint8_t* st_next = status_->next.data();
  const float* a_now = att_->now.data();
  float* a_next = att_->next.data();
  const rng::Stream spont(key_, std::uint64_t(t), kSpont);
  const bool fixed = c_.fixed_inflow > 0;
  // Slots of the one spontaneous uniform of a customer: [problem | review | recommend | churn].
  const double end_recommend = p_problem_ + p_review_ + p_recommend_;
  std::size_t mi = msg_begin_[b], ei = due_begin_[b], fi = inflow_begin_[b], ii = iv_begin_[b];
  const std::size_t me = msg_begin_[b + 1], ee = due_begin_[b + 1], fe = inflow_begin_[b + 1], ie = iv_begin_[b + 1];
  std::int64_t customers = 0, prospects = 0, lapsed = 0, cohort = 0, att_sum = 0;

  for (std::size_t i = lo; i < hi; ++i) {
    const vid v = vid(i);
    const std::uint8_t st = st_now[v];
    const float a = a_now[v];
    const std::uint64_t id = g.id(v);
    const double u = unit(spont.bits(id));
    const bool heard = mi < me && msgs_[mi].to == v;
    const bool due = ei < ee && due_[ei].v == v;
    const Forced* focal = nullptr;
    while (ii < ie && iv_now_[ii]->agent < v) ++ii;
    if (ii < ie && iv_now_[ii]->agent == v) focal = iv_now_[ii];
    // Fast path: no message, no scheduled event, and the uniform outside every event slot.
    if (!heard && !due && !fixed && !focal &&
        (st == kCustomer   ? u >= end_recommend + hz_.p_churn_max
         : st == kProspect ? u >= hz_.h_advert
                           : u >= p_winback_)) {
      a_next[v] = a;
      st_next[v] = st;
      att_sum += std::int64_t(double(a) * kAttScale);
      customers += st == kCustomer;
      prospects += st == kProspect;
      lapsed += st == kLapsed;
      if (st == kCustomer) cohort += ((*flags_)[v] & kFlagCohort) != 0;
      continue;
    }
    Person p = load(v);
    const std::size_t m0 = mi;
    while (mi < me && msgs_[mi].to == v) ++mi;
    Inputs in{std::span<const Msg>(msgs_.data() + m0, mi - m0), 0, focal, false};
    while (ei < ee && due_[ei].v == v) in.rebounds += due_[ei++].type == kEvRebound;
    if (fixed) {
      in.inflow = fi < fe && inflow_[fi] == v;
      while (fi < fe && inflow_[fi] <= v) ++fi;
    }
    step_person(t, v, id, u, p, in, hz_, o);
    store(v, p);
    att_sum += std::int64_t(double(p.a) * kAttScale);
    customers += p.st == kCustomer;
    prospects += p.st == kProspect;
    lapsed += p.st == kLapsed;
    cohort += p.st == kCustomer && (p.flags & kFlagCohort);
  }
  o.n[c_customers] = customers;
  o.n[c_prospects] = prospects;
  o.n[c_lapsed] = lapsed;
  o.n[c_cohort_customers] = cohort;
  o.att_sum = att_sum;
}

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
    if (!variants_.empty()) tweet_net_.push_back({x, before, net});
    att_sum_ += std::int64_t(double(after) * kAttScale) - std::int64_t(double(before) * kAttScale);
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

// ---------------------------------------------------------------------------------------------
// Causal cone (docs/design.md §5): variants stepped in lockstep with this run (wom cost).
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

bool ServiceWom::add_variant(std::vector<Intervention> ivs, std::size_t max_cone) {
  // Not here: the fixed inflow ranks all prospects every step (global without a threshold), the
  // event log records one world, and a terminal value from the run's own measured retention and
  // cost rate would revalue every customer (wom cost pins economics.terminal_retention and
  // economics.terminal_cost_per_customer_year).
  if (c_.fixed_inflow > 0 || events_ || c_.terminal_retention < 0 || c_.terminal_cost < 0) return false;
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
    const std::uint8_t sc = V.state[i].story, sb = (*story_)[u];
    const std::int32_t end = V.state[i].story_end, eb = (*story_end_)[u];
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
      const double m = double(margin_[v]);
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

}  // namespace

ModelInfo service_wom_info() {
  ModelInfo m;
  m.name = "service_wom";
  m.summary =
      "customer service and word of mouth: problems, complaint handling (argue vs acknowledge), stories over strong "
      "and weak ties, tweets, reviews, churn, acquisition and customer value (rates per year, time.step_days)";
  m.citation =
      "TARP (1986); Goldenberg, Libai & Muller (2001) Marketing Letters 12(3):211-223; Gupta & Lehmann (2003); "
      "see models/service_wom/README.md";
  m.supports_complete_graph = true;
  m.step_in_days = true;  // rates per year; RunContext::dt = time.step_days
  m.params = service_wom_params();
  m.measures = service_wom_measures();
  m.offers = service_wom_offers();
  m.bytes_per_agent = 80;  // 65 bytes of state measured, plus the sweep's per-block scratch
  m.bytes_per_arc = 6;     // 5.6 measured (bookings of tellings)
  m.metrics = [](const Params& p, const Trajectory& tr, double step_days) {
    const auto s = service_wom_summary(p, tr, step_days);
    return std::vector<std::pair<std::string, double>>(s.begin(), s.end());
  };
  m.check = [](const Params& p) {
    (void)read_config(p);  // every key present with its type
    // One terminal rule: pinning r without c would give every what-if the same retention after
    // the horizon but charge each its own continuing costs (and the reverse), a biased return.
    if (p.has("economics.terminal_retention") != p.has("economics.terminal_cost_per_customer_year"))
      throw Error(
          "params.economics.terminal_retention and params.economics.terminal_cost_per_customer_year pin the terminal "
          "value's rule together: set both, or neither (each run then measures its own)");
  };
  // A teller reaches at most its out-degree: say how much of the intended reach is lost.
  m.graph_warnings = [](const Params& p, const Graph& g) {
    std::vector<std::string> out;
    if (g.complete || g.n == 0 || !p.boolean("channels.talk")) return out;
    for (const char* key : {"talk.reach_negative", "talk.reach_positive"}) {
      const double reach = p.real(key);
      if (reach <= 0) continue;
      double carried = 0;
      std::uint64_t short_of = 0;
      for (vid v = 0; v < g.n; ++v) {
        const double k = double(g.out_degree(v));
        carried += std::min(reach, k);
        short_of += k < reach;
      }
      const double lost = 1.0 - carried / (reach * double(g.n));
      if (lost > 0.05)  // a few percent is within the noise of any calibration
        out.push_back(fmt::format(
            "params.{} = {} exceeds the out-degree of {:.0f} % of persons (mean out-degree "
            "{:.1f}): they can tell at most their out-degree, so {:.0f} % of the intended "
            "first-hand listeners are lost",
            key, reach, 100.0 * double(short_of) / double(g.n), double(g.num_arcs()) / double(g.n), 100.0 * lost));
    }
    return out;
  };
  m.make = [](const Params& p) { return std::make_unique<ServiceWom>(p); };
  return m;
}

}  // namespace wom::models
