#pragma once
// service_wom's internals, shared by the files of this folder only (not installed): the draw
// purposes, the observables, the per-person and per-message types, the causal cone's Variant,
// and the ServiceWom class. The update rule, units and citations are in service_wom.hpp; choices
// the design (docs/design.md) leaves open are in README.md. Layout of one step (all phases read
// the state at t; the file that holds each in brackets):
//   talk    tellers (a sorted list kept between steps) push messages over their out-arcs and to
//           random weak contacts; messages are sorted by listener (a total order, so the content
//           is the same at any thread count) [talk.cpp];
//   sweep   one pass over all persons in blocks: each person reads its own state, its messages
//           and due calendar events, draws its one spontaneous uniform, and writes its own slot
//           of t+1 (status, attitude, private attributes); per-block outputs are merged in order
//           [sweep.cpp; a customer's problem: decision.cpp];
//   tweets  cascades from this step's tweets over the follower layer, then attitude shifts [tweets.cpp];
//   rating  the review window moves on [reviews.cpp]; economics accrue [ledger.cpp].
// Work per step: one hash per person plus work proportional to tellers' arcs and events.
// The causal cone (wom cost's variants) is cone.cpp; registration is registration.cpp.
#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/service_wom/config.hpp"
#include "models/service_wom/economics.hpp"
#include "models/service_wom/service_wom.hpp"
#include "sim/core/propagate.hpp"

namespace wom::models::swom {

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
inline constexpr const char* kColumnNames[] = {SWOM_COLUMNS(SWOM_NAME)};

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
inline constexpr const char* kChannelNames[] = {"talk", "weak_tie", "tweet_post", "retweet", "tweet", "review"};

// Scheduled personal events (calendar): a pending defection falls due, an apology rebound.
enum EventType : std::uint8_t { kEvDefect = 0, kEvRebound = 1 };
struct Event {
  vid v;
  std::uint8_t type;
  bool operator<(const Event& o) const { return v != o.v ? v < o.v : type < o.type; }
};

inline double per_step(double rate_per_year, double dt_years) { return -std::expm1(-rate_per_year * dt_years); }
inline std::int32_t steps_of(double days, double step_days, std::int32_t at_least) {
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

/// The stocks the model keeps running instead of recounting them each step (sweep.cpp):
/// customers, prospects, cohort customers and the attitude sum in units of 2^-30. Exact integers,
/// so any order of summation gives the same (float → int64 is exact here: |a|·2^30 ≤ 2^30).
struct Stocks {
  std::int64_t customers = 0, prospects = 0, cohort = 0, att = 0;
  static std::int64_t att_units(float a) { return std::int64_t(double(a) * kAttScale); }
  /// One person's share of the stocks.
  static Stocks of(std::uint8_t st, std::uint8_t flags, float a) {
    return {st == kCustomer, st == kProspect, st == kCustomer && (flags & kFlagCohort), att_units(a)};
  }
  Stocks& operator+=(const Stocks& o) {
    customers += o.customers, prospects += o.prospects, cohort += o.cohort, att += o.att;
    return *this;
  }
  Stocks& operator-=(const Stocks& o) {
    customers -= o.customers, prospects -= o.prospects, cohort -= o.cohort, att -= o.att;
    return *this;
  }
  bool operator==(const Stocks&) const = default;
};

/// Per-block results of the sweep, merged in block order.
struct BlockOut {
  std::array<std::int64_t, kNumColumns> n{};
  std::int64_t margin_delta = 0, cohort_margin_delta = 0;
  Stocks d_stocks;  ///< change of the block's stocks over this step's sweep (stepped persons, new − old)
  std::int64_t stars_sum = 0;
  std::vector<vid> new_tellers;
  std::vector<std::pair<vid, std::uint8_t>> tweets;  // (tweeter, positive)
  std::vector<std::pair<std::int64_t, Event>> schedule;
  std::vector<EventRecord> events;  // review records (only when the event log is on)
  bool record = false;              // keep each review by reviewer (the causal cone needs them)
  std::vector<std::pair<vid, ReviewSlot>> reviewed;
  void reset() {
    n.fill(0);
    margin_delta = cohort_margin_delta = stars_sum = 0;
    d_stocks = {};
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

/// A person's single-buffered state, one record per person (State::add_record). The sweep
/// steps a few thousand scattered persons per step, and talk reads the story of scattered
/// tellers: a record is one or two cache lines where its twelve fields as columns were twelve.
/// Packed, so it has no padding bytes (persons are compared bit for bit) and costs what the
/// columns did.
struct __attribute__((packed)) PersonRec {
  std::uint8_t story = 0;             // story code (0: none)
  std::int32_t story_end = -1;        // last step the story is told
  std::uint8_t flags = 0;             // kFlag* and the pending cause
  std::uint8_t unresolved = 0;        // unresolved problems
  std::int32_t unresolved_until = 0;  // end of the unresolved window
  std::int32_t defect_at = kNever;    // step of a pending defection (kNever: none)
  std::int32_t reject_until = 0;      // first step a rejecter may adopt again
  std::int32_t acquired = 0;          // step the current customer spell began (tenure)
  float margin = 0;                   // annual margin (log-normal), fixed per person
  double led_margin = 0;              // discounted margins of closed customer spells
  double led_service = 0;             // remedies and contact costs, discounted
  double led_acquisition = 0;         // acquisition cost, discounted
};
static_assert(sizeof(PersonRec) == 51, "PersonRec is packed: 3 bytes, 6 four-byte and 3 eight-byte fields");

/// One person's state at t, gathered from the columns and its record; step_person turns it into
/// t+1 (the attitude before this step's tweets). The causal cone keeps its variants' persons this way.
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

/// Parses an intervention; throws wom::Error naming what service_wom offers (decision.cpp).
Forced forced(const Intervention& iv);

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

/// The model: one instance per replicate (ModelInfo::make). Its members are defined, one phase a
/// file, in this folder's .cpp files (the list at the top of this header).
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
    for (const auto& w : written_) b += w.capacity() * sizeof(std::uint32_t);
    b += tweet_written_.capacity() * sizeof(vid);
    return b;
  }

 private:
  // --- the person step and the sweep (sweep.cpp)
  /// Probabilities that depend on the public rating (fixed within a step).
  Hazards hazards(double rating) const;
  void choose_inflow(const Graph& g, std::int64_t t);
  void sweep(const Graph& g, std::int64_t t, std::size_t b, std::size_t lo, std::size_t hi);
  void step_person(std::int64_t t, vid v, std::uint64_t id, double u, Person& p, const Inputs& in, const Hazards& hz,
                   BlockOut& o) const;
  Person load(vid v) const {
    const PersonRec& r = rec_[v];
    return Person{status_->now[v],    r.story,     r.flags,        r.unresolved, att_->now[v], r.story_end,
                  r.unresolved_until, r.defect_at, r.reject_until, r.acquired,   r.led_margin, r.led_service,
                  r.led_acquisition};
  }
  void store(vid v, const Person& p) {
    status_->next[v] = p.st;
    att_->next[v] = p.a;
    PersonRec& r = rec_[v];
    r.story = p.story;
    r.flags = p.flags;
    r.unresolved = p.unresolved;
    r.story_end = p.story_end;
    r.unresolved_until = p.unresolved_until;
    r.defect_at = p.defect_at;
    r.reject_until = p.reject_until;
    r.acquired = p.acquired;
    r.led_margin = p.led_margin;
    r.led_service = p.led_service;
    r.led_acquisition = p.led_acquisition;
  }
  Person load_next(vid v) const {
    Person p = load(v);
    p.st = status_->next[v];
    p.a = att_->next[v];
    return p;
  }
  /// Was channel ch (0 talk, 1 weak ties, 2 tweets, 3 reviews; as in service_wom_offers) on
  /// during step s? A channel the config switches off is off from channels.from_day (0: from
  /// the start); one the run switches off (RunContext::channels_off) is off from its step.
  bool channel_on(int ch, std::int64_t s) const {
    const std::size_t k = std::size_t(ch);
    if (!configured_[k] && (c_.channels_from_day <= 0 || double(s) * dt_days_ >= c_.channels_from_day)) return false;
    return !(k < run_off_.size() && run_off_[k] && s >= run_off_from_);
  }
  void set_on(std::int64_t t) { on_ = {channel_on(0, t), channel_on(1, t), channel_on(2, t), channel_on(3, t)}; }

  // --- the service decision (decision.cpp)
  bool problem(std::int64_t t, vid v, std::uint64_t id, Person& p, double& a1, BlockOut& o,
               const Forced* force = nullptr) const;

  // --- talk (talk.cpp)
  /// Effect of the stories one listener heard this step.
  struct Heard {
    double shift = 0;        ///< attitude shift
    double keep_adopt = 1;   ///< Π(1 − β·w) over positive stories: adoption's WOM factor
    double keep_reject = 1;  ///< Π(1 − β·bias·w) over negative stories: P(no rejection)
    double keep_churn = 1;   ///< Π(1 − q·w) over negative stories: P(no WOM defection)
  };
  Heard listen(std::span<const Msg> heard) const;
  void start_story(std::int64_t t, vid v, Person& p, bool positive, int gen, BlockOut& o) const;
  void talk(const Graph& g, std::int64_t t);
  /// The strong-tie tellings of a story with code `sc` that u started at step s: f(v, d) for
  /// each out-neighbour v told, on day d ∈ [1, L] (delivered at step s + d).
  template <class F>
  void bookings_of(const Graph& g, vid u, std::uint8_t sc, std::int64_t s, F&& f) const;
  void book(const Graph& g, std::int64_t t, const std::vector<vid>& fresh);
  void update_tellers(std::int64_t t, const std::vector<vid>& fresh);
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
  void messages_of(const Graph& g, vid u, std::uint8_t sc, std::int32_t end, std::int64_t t, const TalkDraws& dr,
                   std::vector<Msg>& out) const;
  vid pick(std::uint64_t bits) const {
    const std::uint64_t r = rng::below(bits, n_);
    return rank_.empty() ? vid(r) : rank_[std::size_t(r)];
  }
  double reach(bool positive, int gen) const {
    return (positive ? c_.reach_positive : c_.reach_negative) * std::ldexp(1.0, -gen);
  }

  // --- tweets (tweets.cpp)
  void tweets(const Graph& g, std::int64_t t, const std::vector<std::pair<vid, std::uint8_t>>& list);
  void log_cascade(const Graph& f, std::int64_t t, vid u, bool positive, const rng::Stream& s, std::uint64_t thr_rt,
                   std::uint64_t thr_see);
  void tweet_viewers(const Graph& g, std::int64_t t, vid u, std::vector<vid>& seen);
  void collect_viewers(const Graph& f, vid u, const rng::Stream& s, std::uint64_t thr_see,
                       const std::vector<vid>& reached, std::vector<vid>& seen) const;

  // --- reviews and the rating (reviews.cpp)
  void review(vid v, std::uint64_t id, std::int64_t t, double a, Person& p, BlockOut& o) const;
  void update_rating(std::int64_t t, const std::array<std::int64_t, kNumColumns>& n, std::int64_t stars);
  double rating_of(const ReviewSlot& w) const {
    const double bayes =
        (c_.prior_weight * c_.prior_mean + double(w.stars)) / std::max(1e-300, c_.prior_weight + double(w.count));
    const double replied = w.negative ? double(w.replied) / double(w.negative) : 0.0;
    return std::clamp(bayes + c_.reply_effect * replied, 1.0, 5.0);
  }

  // --- economics and the ledger (ledger.cpp; terminal_rule, disc and spell below)
  void accrue(std::int64_t t);
  std::int64_t margin_fixed(vid v) const { return std::llround(double(rec_[v].margin) * kMarginScale); }

  // --- the causal cone (cone.cpp)
  void cone_before(const Graph& g, std::int64_t t);
  void cone_after(const Graph& g, std::int64_t t);
  void cone_step(const Graph& g, std::int64_t t, Variant& V, const TalkDraws& dr) const;
  bool join(Variant& V, vid v, std::int64_t entry, bool after_step) const;
  void band_pass(const Graph& g, std::int64_t t, const Hazards& lo, const Hazards& hi);
  bool band_differs(std::size_t c, const Hazards& hz) const;

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

  // state: public double-buffered columns and a private single-buffered record per person
  State::Column<std::uint8_t>* status_ = nullptr;
  State::Column<float>* att_ = nullptr;
  PersonRec* rec_ = nullptr;  // the rest of a person's state (PersonRec), one record each

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

  std::int64_t margin_sum_ = 0, cohort_margin_sum_ = 0;
  Stocks stocks_;  // of the state at t+1 (the attitude sum after this step's tweets, once they ran)
  // The double buffer is kept in step by persons, not blocks (sweep.cpp): `next` equals `now`
  // for every person except those written during the last step, listed here, whose `now` is
  // copied to `next` before the next step writes.
  std::vector<std::vector<std::uint32_t>> written_;  // per block: offsets of the persons the sweep stepped
  std::vector<vid> tweet_written_;                   // persons whose attitude the tweets changed
  double npv_ = 0;

  // Cost engine (docs/design.md §4): interventions and the per-agent ledger of discounted cash flows.
  std::vector<Forced> interventions_;  // sorted by (step, agent)
  std::vector<const Forced*> iv_now_;  // those of this step, by agent
  std::vector<std::size_t> iv_begin_;
  mutable std::vector<double> led_margin_out_, led_service_out_, led_acquisition_out_, led_terminal_out_;
  double disc_x_ = 1;                           // discount factor per step, (1 + i)^−dt
  double exposure_ = 0, defections_total_ = 0;  // customer-years at risk and defections so far
  double continuing_cost_ = 0;                  // remedies, contacts, replies and training so far (undiscounted)
  /// The terminal value's rule at the current row (economics.hpp): r and c pinned or measured.
  TerminalRule terminal_rule() const {
    return TerminalRule::of(
        c_.terminal_retention >= 0 ? c_.terminal_retention : annual_survival(defections_total_, exposure_, dt_years_),
        c_.terminal_cost_per_customer_year >= 0 ? c_.terminal_cost_per_customer_year
                                                : cost_per_customer_year(continuing_cost_, exposure_),
        c_.discount_rate_per_year, disc(rows_));
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

}  // namespace wom::models::swom
