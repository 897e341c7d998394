#include "app/cost.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <tuple>

#include "sim/core/error.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/parallel.hpp"
#include "sim/core/rng.hpp"
#include "sim/io/memory_check.hpp"
#include "sim/io/progress.hpp"

namespace wom {

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

constexpr rng::Purpose kFocal = 0xC057'0001, kStratum = 0xC057'0002, kDecileTie = 0xC057'0003;
/// The terminal rule's measured inputs that wom cost pins to each replicate's baseline
/// (Offers::pins: a model parameter, the summary metric that measures it): otherwise one focal
/// event would revalue every customer at the horizon through the run's estimates, an artefact
/// of estimation, not a cost.
bool has_param(const ModelInfo& info, const std::string& key) {
  for (const auto& p : info.params)
    if (p.key == key) return true;
  return false;
}
enum Group { kFocalAgent = 0, kOtherCustomers = 1, kOthers = 2, kGroups = 3 };

/// Exact, order-free sums: each agent's amount rounded to units of 2^-16 (about 1.5e-5 of a
/// currency unit), summed in a 128-bit integer, so a sum does not depend on storage order
/// (results are identical under vertex reordering, docs/design.md §5), a causal cone's per-agent
/// differences applied to a baseline's sums give exactly the sums of a full run, and every
/// difference and partition below is computed in integers: a part that did not change is
/// exactly zero, and the parts add up to the total.
__extension__ typedef __int128 FixedSum;
constexpr double kFixedScale = 4294967296.0;
constexpr double kFixedLimit = 1e14;  // |amount| per agent: 1e14 · 2^16 = 6.6e18 < 2^63 (llround's range)
inline FixedSum to_fixed(double v) {
  if (!(std::fabs(v) < kFixedLimit))
    throw Error(fmt::format(
        "an agent's discounted cash flow of {:g} is outside the range that wom cost sums exactly (|amount| < {:g}): "
        "the model's money parameters are too large for an exact partition",
        v, kFixedLimit));
  return FixedSum(std::llround(v * 65536.0)) * 65536;
}
inline double from_fixed(FixedSum s) { return double(s) / kFixedScale; }

/// Per-run sums of the ledger by group (focal agent, other customers at t0, prospects and
/// lapsed at t0), in fixed point.
struct Fixed {
  FixedSum margin[kGroups] = {}, service[kGroups] = {}, acquisition[kGroups] = {}, terminal[kGroups] = {};
  std::int64_t customers[kGroups] = {};
  void add(int k, double m, double s, double a, double te, bool customer, int sign = 1) {
    margin[k] += sign * to_fixed(m);
    service[k] += sign * to_fixed(s);
    acquisition[k] += sign * to_fixed(a);
    terminal[k] += sign * to_fixed(te);
    customers[k] += std::int64_t(sign) * (customer ? 1 : 0);
  }
  /// Net value of group k: margins − service − acquisition + terminal value.
  FixedSum value(int k) const { return margin[k] - service[k] - acquisition[k] + terminal[k]; }
};

/// The ripple of K − A: the difference in the net value of everyone but the focal agent.
FixedSum others_value(const Fixed& K, const Fixed& A) {
  FixedSum s = 0;
  for (int g = 0; g < kGroups; ++g)
    if (g != kFocalAgent) s += K.value(g) - A.value(g);
  return s;
}

/// The paired difference K − A of two runs' group sums, split by kind and by whom (CostSplit).
CostSplit split(const Fixed& K, const Fixed& A) {
  auto d = [](const FixedSum* k, const FixedSum* a, int lo, int hi) {
    FixedSum s = 0;
    for (int g = lo; g < hi; ++g) s += k[g] - a[g];
    return from_fixed(s);
  };
  FixedSum total = 0;
  for (int g = 0; g < kGroups; ++g) total += K.value(g) - A.value(g);
  CostSplit s;
  s.total = from_fixed(total);
  s.own_margin = d(K.margin, A.margin, kFocalAgent, kFocalAgent + 1);
  s.retention_ripple = d(K.margin, A.margin, kOtherCustomers, kOtherCustomers + 1);
  s.acquisition_ripple = d(K.margin, A.margin, kOthers, kOthers + 1);
  s.service = -d(K.service, A.service, 0, kGroups);
  s.acquisition_spend = -d(K.acquisition, A.acquisition, 0, kGroups);
  s.terminal = d(K.terminal, A.terminal, 0, kGroups);
  s.focal = from_fixed(K.value(kFocalAgent) - A.value(kFocalAgent));
  s.focal_terminal = d(K.terminal, A.terminal, kFocalAgent, kFocalAgent + 1);
  s.focal_service = -d(K.service, A.service, kFocalAgent, kFocalAgent + 1);
  s.focal_acquisition = -d(K.acquisition, A.acquisition, kFocalAgent, kFocalAgent + 1);
  s.ripple = from_fixed(others_value(K, A));
  s.others_margin = d(K.margin, A.margin, kOtherCustomers, kGroups);
  s.others_terminal = d(K.terminal, A.terminal, kOtherCustomers, kGroups);
  s.others_service = -d(K.service, A.service, kOtherCustomers, kGroups);
  s.others_acquisition = -d(K.acquisition, A.acquisition, kOtherCustomers, kGroups);
  s.focal_kept = double(K.customers[kFocalAgent] - A.customers[kFocalAgent]);
  s.customers_lost = double(K.customers[kOtherCustomers] - A.customers[kOtherCustomers]);
  s.prospects_not_won = double(K.customers[kOthers] - A.customers[kOthers]);
  s.customer_gap = s.focal_kept + s.customers_lost + s.prospects_not_won;
  return s;
}

/// A run's per-agent ledger and roles at the horizon (a baseline's, for its variants' cones).
struct Snapshot {
  std::vector<double> margin, service, acquisition, terminal;
  std::vector<std::uint8_t> roles;
};

/// What one replicate shares across its jobs.
struct World {
  const Graph* g = nullptr;
  const Graph* followers = nullptr;
  ReplicatePlan plan;
  std::uint8_t customer = 1;         ///< the role of customers (CostQuestion::customer_role)
  std::vector<std::uint8_t> roles0;  ///< roles at t0 (identical in every variant: before the event)
  std::int64_t t0 = 0;               ///< the step channels go off in a channel's world
  int group(vid v, vid focal) const {
    return v == focal ? kFocalAgent : roles0[v] == customer ? kOtherCustomers : kOthers;
  }
};

/// One run's results (see run_sums).
struct RunOut {
  Fixed fixed;
  Snapshot snap;                       ///< with `snapshot`
  std::vector<VariantLedger> variant;  ///< the cones of `variants`, when the model took them
};

/// One run of the scenario's model with optional interventions and changed params; sums the
/// ledger grouped relative to `focal` (or no focal agent when focal == n). With `record` (the
/// first baseline), the run first records the roles at step `roles_at` into *record (w.roles0),
/// which the grouping at the end then uses. With `variants`, the model prices them through
/// their causal cones in lockstep with this run (Model::add_variant), when it can.
RunOut run_sums(const Scenario& sc, const Params& params, const World& w, std::vector<Intervention> ivs, vid focal,
                Trajectory* tr_out = nullptr, std::int64_t roles_at = -1, std::vector<std::uint8_t>* record = nullptr,
                bool snapshot = false, const std::vector<std::vector<Intervention>>* variants = nullptr,
                std::size_t max_cone = 0, Progress* progress = nullptr, const std::vector<bool>* off = nullptr) {
  RunHooks hooks;
  hooks.interventions = std::move(ivs);
  if (off) {  // a channel's world: the channel goes off at t0, on the same history up to the focal event
    hooks.channels_off = *off;
    hooks.channels_off_from = w.t0;
  }
  RunOut res;
  bool cone = false;
  if (variants && !variants->empty())
    hooks.setup = [&](Model& m) {
      cone = true;
      for (const auto& v : *variants) cone = cone && m.add_variant(v, max_cone);
    };
  const std::int64_t last = w.plan.steps;
  hooks.observe = [&](std::int64_t t, const Model& m) {
    if (record && t == roles_at) *record = m.roles();
    if (t != last) return;
    if (w.roles0.size() != w.g->n)
      throw Error(fmt::format("model '{}' reports no roles: wom cost cannot choose focal customers", sc.model));
    const AgentLedger led = m.ledger();
    const std::vector<std::uint8_t> roles = m.roles();
    if (led.margin.size() != w.g->n || roles.size() != w.g->n)
      throw Error(fmt::format("model '{}' keeps no per-agent ledger: wom cost cannot price its events", sc.model));
    for (vid v = 0; v < w.g->n; ++v)
      res.fixed.add(w.group(v, focal), led.margin[v], led.service[v], led.acquisition[v], led.terminal[v],
                    roles[v] == w.customer);
    if (snapshot) {
      res.snap.margin.assign(led.margin.begin(), led.margin.end());
      res.snap.service.assign(led.service.begin(), led.service.end());
      res.snap.acquisition.assign(led.acquisition.begin(), led.acquisition.end());
      res.snap.terminal.assign(led.terminal.begin(), led.terminal.end());
      res.snap.roles = roles;
    }
    if (cone)
      for (std::size_t k = 0; k < variants->size(); ++k) res.variant.push_back(m.variant_ledger(k));
  };
  StepCallback on_step;
  if (progress) on_step = [&](std::int64_t, std::int64_t) { progress->tick(); };
  Trajectory tr = run_model(*sc.info, params, *w.g, w.plan, on_step, w.followers, &hooks);
  if (tr_out) *tr_out = std::move(tr);
  return res;
}

/// A variant's sums from its baseline's (grouped without a focal agent) and its cone: the
/// focal agent moves to its own group, and each cone agent's baseline row is replaced by the
/// variant's. Integer arithmetic: equal to the sums of a full run of the variant, bit for bit.
Fixed cone_sums(const RunOut& base, const World& w, vid focal, const VariantLedger& v) {
  Fixed f = base.fixed;
  const Snapshot& b = base.snap;
  auto move = [&](vid a, int from, int to) {
    f.add(from, b.margin[a], b.service[a], b.acquisition[a], b.terminal[a], b.roles[a] == w.customer, -1);
    f.add(to, b.margin[a], b.service[a], b.acquisition[a], b.terminal[a], b.roles[a] == w.customer);
  };
  if (focal < w.g->n) move(focal, w.group(focal, w.g->n), kFocalAgent);
  for (std::size_t i = 0; i < v.agents.size(); ++i) {
    const vid a = v.agents[i];
    const int k = w.group(a, focal);
    f.add(k, b.margin[a], b.service[a], b.acquisition[a], b.terminal[a], b.roles[a] == w.customer, -1);
    f.add(k, v.margin[i], v.service[i], v.acquisition[i], v.terminal[i], v.roles[i] == w.customer);
  }
  return f;
}

/// The model's answer to wom cost's question, checked: it offers a cost question whose
/// interventions it declares, a ledger and roles, and every option given is one it declares
/// with one of its choices. Throws wom::Error naming what the model offers.
const Offers& check_offers(const ModelInfo& info, const CostOptions& o) {
  const Offers& of = info.offers;
  const CostQuestion& q = of.cost;
  auto names = [](const auto& list) {
    std::string s;
    for (const auto& x : list) s += (s.empty() ? "" : ", ") + x.name;
    return s.empty() ? std::string("none") : s;
  };
  if (q.treatment.empty() || !of.intervention(q.treatment) || !of.intervention(q.control) ||
      (!q.removal.empty() && !of.intervention(q.removal)))
    throw Error(fmt::format(
        "model '{}' offers no cost question (interventions to price against each other): wom cost needs one; "
        "it offers interventions: {}",
        info.name, names(of.interventions)));
  for (const char* col : {"margin", "service", "acquisition", "terminal"})
    if (!of.ledger_column(col))
      throw Error(
          fmt::format("model '{}' declares no ledger column '{}': wom cost needs margin, service, "
                      "acquisition and terminal; it declares: {}",
                      info.name, col, names(of.ledger)));
  for (const auto& [key, value] : o.options) {
    const InterventionOption* opt = of.option(key);
    if (!opt)
      throw Error(fmt::format("--option {}={}: model '{}' offers no intervention option '{}'; it offers: {}", key,
                              value, info.name, key, names(of.options)));
    std::string accepted;
    bool ok = false;
    for (const auto& c : opt->choices) {
      ok |= c.value == value;
      accepted += (accepted.empty() ? "" : ", ") + c.value;
    }
    if (!ok) throw Error(fmt::format("--option {}={} is out of range: accepted {}", key, value, accepted));
  }
  return of;
}

/// The label of option `opt` as chosen in `o` (its default when not given).
std::string option_label(const InterventionOption& opt, const CostOptions& o) {
  std::string value = opt.choices.empty() ? std::string() : opt.choices.front().value;
  for (const auto& [k, v] : o.options)
    if (k == opt.name) value = v;
  for (const auto& c : opt.choices)
    if (c.value == value) return c.label;
  return value;
}

/// Focal events' values and their replicates (events of one replicate share a world).
struct Sample {
  std::vector<double> v;
  std::vector<std::uint64_t> rep;
  void push(double x, std::uint64_t r) {
    v.push_back(x);
    rep.push_back(r);
  }
};

json est(const Sample& s) {
  const Estimate e = estimate_clustered(s.v, s.rep);
  std::vector<std::uint64_t> reps(s.rep);
  std::sort(reps.begin(), reps.end());
  const auto replicates = std::unique(reps.begin(), reps.end()) - reps.begin();
  return json{{"mean", e.mean},       {"se", e.se},       {"ci_low", e.ci_low},
              {"ci_high", e.ci_high}, {"count", e.count}, {"replicates", replicates}};
}

}  // namespace

CostOutput run_cost(const Scenario& sc, const RunPlan& plan, const CostOptions& o, const RunOptions& run) {
  if (!sc.info) throw Error(fmt::format("{}: no model to price (set 'model')", sc.source_file));
  if (o.focal < 1) throw Error(fmt::format("--focal = {} is out of range: accepted [1, inf)", o.focal));
  if (o.channel_focal < -1 || o.channel_focal > o.focal)
    throw Error(fmt::format("--channel-focal = {} is out of range: accepted [0, --focal = {}] (or all)",
                            o.channel_focal, o.focal));
  if (!(o.max_cone > 0 && o.max_cone <= 1))
    throw Error(fmt::format("--max-cone = {} is out of range: accepted (0, 1] (a share of all persons)", o.max_cone));
  const std::int64_t channel_focal = o.channel_focal < 0 ? o.focal : o.channel_focal;
  const Offers& offers = check_offers(*sc.info, o);
  const CostQuestion& q = offers.cost;
  const bool price_lost = o.lost && !q.removal.empty();
  const double step_days = sc.info->step_in_days ? sc.step_days : sc.dt;
  const std::int64_t t0 = std::int64_t(std::llround(double(o.t0_days) / step_days));
  if (o.t0_days < 0 || t0 >= sc.steps)
    throw Error(
        fmt::format("--t0 = {} days (step {}) is out of range: accepted [0, {}) days (time.steps = {} of {} "
                    "days)",
                    o.t0_days, t0, double(sc.steps) * step_days, sc.steps, step_days));
  CostOutput out;
  out.t0 = t0;
  out.question = q;
  out.pinned.resize(offers.pins.size());
  if (!offers.currency_param.empty() && sc.params.has(offers.currency_param))
    out.currency = sc.params.str(offers.currency_param);
  // The channels on in the scenario, each with its index among the model's channels.
  std::vector<std::size_t> channel_index;
  for (std::size_t c = 0; c < offers.channels.size(); ++c) {
    const ChannelSpec& ch = offers.channels[c];
    if (ch.param.empty() || (has_param(*sc.info, ch.param) && sc.params.boolean(ch.param))) {
      out.channels.push_back(ch.name);
      channel_index.push_back(c);
    }
  }
  const std::uint64_t seed = plan.seed;
  const std::int64_t reps = plan.replicates;
  if (reps < 1) throw Error(fmt::format("--replicates = {} is out of range: accepted [1, inf)", reps));
  if (plan.first_replicate < 0)
    throw Error(fmt::format("first replicate {} is out of range: accepted [0, inf)", plan.first_replicate));
  // Per replicate one graph, shared by its runs: with cones, a world run carrying the variants
  // beside the baseline's snapshot (about one more state); with full paired runs, one run per
  // thread side by side.
  const int threads = run.threads > 0 ? std::min(run.threads, ThreadLimit::hardware()) : ThreadLimit::hardware();
  check_memory(sc, 1, o.cone ? 2 : std::max(2, threads), 1);
  const auto start = Clock::now();
  // Progress in model steps: per replicate a baseline and a pinned baseline carrying the
  // variants, one baseline per channel switched off, and full runs for what the cone cannot do.
  const std::int64_t channel_worlds = channel_focal > 0 ? std::int64_t(out.channels.size()) : 0;
  const std::int64_t runs_per_rep =
      o.cone ? 2 + channel_worlds
             : 2 + (price_lost ? 3 : 2) * o.focal + 2 * channel_focal * std::int64_t(out.channels.size());
  Progress progress(run.progress && progress_allowed(), reps * runs_per_rep * sc.steps);
  double baseline_seconds = 0;
  json wom = json::object();

  with_threads(run.threads, [&] {
    for (std::int64_t r = plan.first_replicate; r < plan.first_replicate + reps; ++r) {
      World w;
      const Graph g = make_graph(sc.graph, seed, std::uint64_t(r));
      Graph followers;
      if (sc.followers) followers = make_graph(*sc.followers, seed ^ 0xF011'0E55'F011'0E55ULL, std::uint64_t(r));
      w.g = &g;
      w.followers = sc.followers ? &followers : nullptr;
      w.plan = ReplicatePlan{seed, std::uint64_t(r), sc.steps, step_days};
      w.customer = q.customer_role;
      w.t0 = t0;

      // Baseline: the no-event world, and the roles at t0.
      const auto b0 = Clock::now();
      Trajectory base_tr;
      RunOut base_run = run_sums(sc, sc.params, w, {}, g.n, &base_tr, t0, &w.roles0, true, nullptr, 0, &progress);
      baseline_seconds += std::chrono::duration<double>(Clock::now() - b0).count();
      ++out.runs;
      // Pin the terminal rule's measured inputs to the baseline's (see kPins), where the
      // model has them and the config does not set them.
      Params params = sc.params;
      bool pinned = false;
      if (sc.info->metrics) {
        const auto metrics = sc.info->metrics(sc.params, base_tr, step_days);
        for (std::size_t k = 0; k < offers.pins.size(); ++k) {
          const auto& [key, metric] = offers.pins[k];
          if (!has_param(*sc.info, key)) continue;
          for (const auto& [name, v] : metrics)
            if (name == metric) {
              if (!sc.params.has(key)) {
                params.set(key, v);
                pinned = true;
              }
              out.pinned[k].push_back(params.real(key));
            }
        }
      }
      for (std::size_t c = 0; c < base_tr.columns.size(); ++c) {
        const std::string& name = base_tr.columns[c];
        const std::string& prefix = offers.reach_prefix;
        if (prefix.empty() || name.rfind(prefix, 0) != 0) continue;
        const auto us = name.rfind('_');
        if (us == std::string::npos || us < prefix.size()) continue;
        const std::string channel = name.substr(prefix.size(), us - prefix.size()), valence = name.substr(us + 1);
        double sum = 0;
        for (std::size_t t = 1; t < base_tr.rows(); ++t) sum += base_tr.at(std::int64_t(t), c);
        wom[channel][valence] =
            (wom.contains(channel) && wom[channel].contains(valence) ? wom[channel][valence].get<double>() : 0.0) +
            sum / double(reps);
      }

      // Focal customers: uniform among customers at t0, by keyed draw.
      std::vector<std::pair<std::uint64_t, vid>> cand;
      const rng::Stream pick(rng::RunKey(seed, std::uint64_t(r)), std::uint64_t(t0), kFocal);
      for (vid v = 0; v < g.n; ++v)
        if (w.roles0[v] == q.customer_role) cand.emplace_back(pick.bits(g.id(v)), v);
      if (std::int64_t(cand.size()) < o.focal)
        throw Error(fmt::format("replicate {}: only {} customers at t0 = step {}, fewer than --focal = {}", r,
                                cand.size(), t0, o.focal));
      std::partial_sort(cand.begin(), cand.begin() + o.focal, cand.end());
      // Out-degree deciles among all customers at t0: customers ranked by degree, ties
      // broken by a keyed draw of their own (independent of the focal draw, which would put
      // every focal customer first among its degree's ties), so the ten deciles hold equal
      // numbers of customers and a focal customer's decile does not depend on being drawn.
      const rng::Stream tie(rng::RunKey(seed, std::uint64_t(r)), std::uint64_t(t0), kDecileTie);
      std::vector<std::tuple<vid, std::uint64_t, vid>> ranked;  // (degree, tie key, agent)
      ranked.reserve(cand.size());
      for (const auto& c : cand) ranked.emplace_back(g.out_degree(c.second), tie.bits(g.id(c.second)), c.second);
      std::sort(ranked.begin(), ranked.end());
      auto decile_of = [&](vid agent) {
        const std::uint64_t key = tie.bits(g.id(agent));
        const auto pos =
            std::lower_bound(ranked.begin(), ranked.end(), std::make_tuple(g.out_degree(agent), key, vid(0))) -
            ranked.begin();
        return std::clamp(int(10 * pos / std::ptrdiff_t(ranked.size())) + 1, 1, 10);
      };

      // The focal events: o.focal drawn uniformly, then o.by_degree per decile (stratified,
      // priced argue vs acknowledge only, for the by-degree table).
      struct Focal {
        vid agent;
        bool stratified;
      };
      std::vector<Focal> focal;
      for (std::int64_t e = 0; e < o.focal; ++e) focal.push_back({cand[std::size_t(e)].second, false});
      if (o.by_degree > 0) {
        const rng::Stream stratum(rng::RunKey(seed, std::uint64_t(r)), std::uint64_t(t0), kStratum);
        const std::size_t C = ranked.size();
        for (std::size_t d = 0; d < 10; ++d) {
          std::vector<std::pair<std::uint64_t, std::size_t>> members;
          for (std::size_t i = d * C / 10; i < (d + 1) * C / 10; ++i)
            members.emplace_back(stratum.bits(g.id(std::get<2>(ranked[i]))), i);
          std::sort(members.begin(), members.end());
          for (std::size_t k = 0; k < members.size() && std::int64_t(k) < o.by_degree; ++k) {
            focal.push_back({std::get<2>(ranked[members[k].second]), true});
          }
        }
      }

      struct Job {
        std::size_t event;
        int variant;  // 0 argue, 1 acknowledge, 2 lost, 3 + 2c (+1): channel c off, argue (acknowledge)
      };
      std::vector<Job> jobs;
      for (std::size_t e = 0; e < focal.size(); ++e) {
        for (int v = 0; v < 3; ++v)
          if (v < 2 || (price_lost && !focal[e].stratified)) jobs.push_back({e, v});
        if (!focal[e].stratified && std::int64_t(e) < channel_focal)
          for (std::size_t c = 0; c < out.channels.size(); ++c)
            for (int v = 0; v < 2; ++v) jobs.push_back({std::size_t(e), int(3 + 2 * c + v)});
      }
      // The worlds: 0 the scenario (pinned terminal retention), 1 + c channel c off from t0
      // (a schedule the run carries; the scenario's parameters stay as they are).
      std::vector<std::vector<bool>> world_off(out.channels.size() + 1);
      for (std::size_t c = 0; c < out.channels.size(); ++c) {
        world_off[c + 1].assign(offers.channels.size(), false);
        world_off[c + 1][channel_index[c]] = true;
      }
      auto off_of = [&](int world) { return world == 0 ? nullptr : &world_off[std::size_t(world)]; };
      auto job_ivs = [&](const Job& job) {
        const vid agent = focal[job.event].agent;
        std::vector<Intervention> ivs;
        if (job.variant == 2) {
          ivs.push_back(Intervention{q.removal, agent, t0, {}});
        } else {
          const bool control = job.variant >= 3 ? (job.variant - 3) % 2 == 1 : job.variant == 1;
          ivs.push_back(Intervention{control ? q.control : q.treatment, agent, t0, o.options});
        }
        return ivs;
      };
      auto world_of = [](int var) { return var < 3 ? 0 : 1 + (var - 3) / 2; };
      std::vector<Fixed> res(jobs.size());
      std::vector<std::size_t> full;  // jobs priced by full runs
      RunOut base;                    // the world-0 baseline (pinned terminal rule), grouped without a focal agent
      if (o.cone) {
        // Each world runs once, carrying its variants; each variant is priced through its cone.
        const std::size_t limit = std::max<std::size_t>(1, std::size_t(o.max_cone * double(g.n)));
        bool cone_ok = true;
        for (int world = 0; world <= int(out.channels.size()); ++world) {
          std::vector<std::size_t> mine;
          std::vector<std::vector<Intervention>> variants;
          for (std::size_t j = 0; j < jobs.size(); ++j)
            if (world_of(jobs[j].variant) == world) {
              mine.push_back(j);
              variants.push_back(job_ivs(jobs[j]));
            }
          if (world > 0 && mine.empty()) continue;
          if (!cone_ok) {  // the model prices no cones: no world baseline is worth running
            full.insert(full.end(), mine.begin(), mine.end());
            continue;
          }
          RunOut b =
              run_sums(sc, params, w, {}, g.n, nullptr, -1, nullptr, true, &variants, limit, &progress, off_of(world));
          ++out.runs;
          if (world == 0) cone_ok = b.variant.size() == mine.size();
          for (std::size_t i = 0; i < mine.size(); ++i) {
            if (b.variant.size() != mine.size() || b.variant[i].global) {
              full.push_back(mine[i]);
              continue;
            }
            const VariantLedger& v = b.variant[i];
            res[mine[i]] = cone_sums(b, w, focal[jobs[mine[i]].event].agent, v);
            ++out.cone_variants;
            out.cone_agent_steps += v.agent_steps;
            out.cone_peak = std::max<std::uint64_t>(out.cone_peak, v.peak);
          }
          if (world == 0) {
            b.variant.clear();
            base = std::move(b);
          }
        }
      } else {
        base = pinned ? run_sums(sc, params, w, {}, g.n, nullptr, -1, nullptr, true, nullptr, 0, &progress) : base_run;
        if (pinned) ++out.runs;
        if (!pinned) {  // keep the progress total honest: the pinned run was counted
          progress.tick(sc.steps);
        }
        for (std::size_t j = 0; j < jobs.size(); ++j) full.push_back(j);
      }
      if (o.cone) progress.add_total(std::int64_t(full.size()) * sc.steps);
      std::sort(full.begin(), full.end());
      for_each_block(
          full.size(),
          [&](std::size_t, std::size_t lo, std::size_t hi) {
            for (std::size_t i = lo; i < hi; ++i) {
              const std::size_t j = full[i];
              isolated([&] {
                res[j] = run_sums(sc, params, w, job_ivs(jobs[j]), focal[jobs[j].event].agent, nullptr, -1, nullptr,
                                  false, nullptr, 0, &progress, off_of(world_of(jobs[j].variant)))
                             .fixed;
              });
            }
          },
          1, 2);
      out.runs += std::int64_t(full.size());
      out.full_variants += std::int64_t(full.size());
      // Pair the results by event.
      const VariantLedger no_cone;
      std::size_t j = 0;
      for (std::size_t e = 0; e < focal.size(); ++e) {
        const vid agent = focal[e].agent;
        const bool lost = price_lost && !focal[e].stratified;
        FocalCost f;
        f.stratified = focal[e].stratified;
        f.replicate = std::uint64_t(r);
        f.agent = agent;
        f.agent_id = g.id(agent);
        f.degree = g.out_degree(agent);
        f.decile = decile_of(agent);
        // The baseline regrouped with this focal customer in its own group.
        const Fixed B = cone_sums(base, w, agent, no_cone);
        const Fixed& A = res[j];
        const Fixed& K = res[j + 1];
        f.treated = split(K, A);
        if (lost) f.lost = split(B, res[j + 2]);
        f.lost_priced = lost;
        j += lost ? 3 : 2;
        const CostSplit vs_base = split(B, A);  // what arguing loses against no complaint at all
        f.lost_or_not_won = vs_base.customer_gap;
        f.lost_or_not_won_others = vs_base.customers_lost + vs_base.prospects_not_won;
        if (!f.stratified && std::int64_t(e) < channel_focal)
          for (std::size_t c = 0; c < out.channels.size(); ++c) {
            const Fixed& Ac = res[j];
            const Fixed& Kc = res[j + 1];
            j += 2;
            f.by_channel.push_back(from_fixed(others_value(K, A) - others_value(Kc, Ac)));
          }
        out.events.push_back(std::move(f));
      }
    }
  });
  out.baseline_seconds = baseline_seconds / double(reps);
  out.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.wom_by_channel = wom;
  return out;
}

json cost_json(const Scenario& sc, const RunPlan& plan, const CostOutput& out, const CostOptions& o) {
  const Offers& offers = sc.info->offers;
  const CostQuestion& q = out.question;
  // Headline figures come from the uniform draw; the stratified one serves the degree table.
  auto collect = [&](auto field) {
    Sample v;
    for (const auto& e : out.events)
      if (!e.stratified) v.push(field(e), e.replicate);
    return v;
  };
  bool any_stratified = false;
  for (const auto& e : out.events) any_stratified |= e.stratified;
  json doc;
  doc["currency"] = out.currency;
  doc["model"] = sc.model;
  doc["focal_events"] = collect([](const FocalCost&) { return 0.0; }).v.size();
  doc["replicates"] = plan.replicates;
  doc["t0_step"] = out.t0;
  for (const auto& opt : offers.options)
    if (opt.recorded) doc[opt.name] = option_label(opt, o);
  doc["definition"] = fmt::format(
      "cost of {} = NPV({}) - NPV({}) on common random numbers, terminal value included; partition summed agent by "
      "agent from the model's ledger",
      q.gerund, q.control, q.treatment);
  doc["uncertainty"] =
      "mean over focal events; focal events of one replicate share its world, so the standard error is the "
      "larger of the between-replicate (cluster-robust CR1, Student's t on replicates - 1 df) and the "
      "within-replicate one (t on events - replicates df); with one replicate, events are treated as independent";
  // A split's figures (cost.hpp, CostSplit) as estimates, by kind and by whom.
  auto split_json = [&](CostSplit FocalCost::*which) {
    auto f = [&](double CostSplit::*field) {
      return est(collect([&](const FocalCost& e) { return (e.*which).*field; }));
    };
    json by_kind{{"own_margin", f(&CostSplit::own_margin)},
                 {"retention_ripple", f(&CostSplit::retention_ripple)},
                 {"acquisition_ripple", f(&CostSplit::acquisition_ripple)},
                 {"service", f(&CostSplit::service)},
                 {"acquisition_spend", f(&CostSplit::acquisition_spend)},
                 {"terminal_value", f(&CostSplit::terminal)}};
    json by_whom{{q.focal,
                  {{"total", f(&CostSplit::focal)},
                   {"own_margin", f(&CostSplit::own_margin)},
                   {"own_terminal_value", f(&CostSplit::focal_terminal)},
                   {"service", f(&CostSplit::focal_service)},
                   {"acquisition_spend", f(&CostSplit::focal_acquisition)}}},
                 {"ripple",
                  {{"total", f(&CostSplit::ripple)},
                   {"margins", f(&CostSplit::others_margin)},
                   {"terminal_value", f(&CostSplit::others_terminal)},
                   {"service", f(&CostSplit::others_service)},
                   {"acquisition_spend", f(&CostSplit::others_acquisition)}}}};
    return std::make_tuple(f(&CostSplit::total), by_kind, by_whom, f(&CostSplit::ripple));
  };
  doc["parts"] = fmt::format(
      "by kind: own_margin + retention_ripple + acquisition_ripple + service + acquisition_spend + terminal_value = "
      "total; by whom: {} (its margin, terminal value, service cost, win-back spend) + ripple (everyone else: their "
      "margins, terminal values, service costs and acquisition spend) = total; service = {}; costs count positive "
      "when {} spends less",
      q.focal, offers.ledger_column("service")->brief, q.control_gerund);
  {
    auto [total, by_kind, by_whom, ripple] = split_json(&FocalCost::treated);
    doc["total"] = total;
    doc["ripple"] = ripple;
    doc["partition"] = by_kind;
    doc["by_whom"] = by_whom;
  }
  json ch = json::object();
  for (std::size_t c = 0; c < out.channels.size(); ++c) {
    Sample v;
    for (const auto& e : out.events)
      if (c < e.by_channel.size()) v.push(e.by_channel[c], e.replicate);
    if (!v.v.empty()) ch[out.channels[c]] = est(v);
  }
  doc["by_channel"] = ch;
  doc["by_channel_definition"] =
      "the ripple through a channel: the ripple with every channel on minus the ripple with that channel switched "
      "off from t0 on the same history; channels overlap (one listener can be reached by several), so they need not "
      "add up to the ripple";
  // By the focal customer's out-degree decile among all customers at t0.
  json dec = json::array();
  for (int d = 1; d <= 10; ++d) {
    Sample v;
    vid lo = std::numeric_limits<vid>::max(), hi = 0;
    for (const auto& e : out.events)
      if (e.decile == d && e.stratified == any_stratified) {
        v.push(e.treated.total, e.replicate);
        lo = std::min(lo, e.degree);
        hi = std::max(hi, e.degree);
      }
    if (v.v.empty()) continue;
    dec.push_back(json{{"decile", d}, {"degree_min", lo}, {"degree_max", hi}, {"cost", est(v)}});
  }
  doc["by_degree_decile"] = dec;
  doc["by_degree_sample"] = any_stratified ? "stratified: the same number of focal customers in each decile"
                                           : "the uniform focal sample, grouped by decile";
  doc["customers_lost"] = est(collect([](const FocalCost& e) { return e.treated.customers_lost; }));
  doc["prospects_not_won"] = est(collect([](const FocalCost& e) { return e.treated.prospects_not_won; }));
  doc["customer_gap"] = est(collect([](const FocalCost& e) { return e.treated.customer_gap; }));
  const std::string& cac_key = offers.acquisition_cost_param;
  const double cac = !cac_key.empty() && sc.params.has(cac_key) ? sc.params.real(cac_key) : 0.0;
  doc["replacement_cost"] = est(collect([&](const FocalCost& e) { return cac * e.treated.customer_gap; }));
  doc["lost_or_not_won_per_100_" + q.participle] =
      est(collect([](const FocalCost& e) { return 100.0 * e.lost_or_not_won; }));
  doc["others_lost_or_not_won_per_100_" + q.participle] =
      est(collect([](const FocalCost& e) { return 100.0 * e.lost_or_not_won_others; }));
  doc["lost_or_not_won_definition"] = fmt::format(
      "customers lost or not won per 100 {}, against the same world without the {}: customers(baseline) - "
      "customers({}) at the horizon, {} included; the others-only figure leaves the {} out",
      q.events, q.injected, q.treatment, q.focal, q.focal);
  if (o.lost && !q.removal.empty()) {
    auto [total, by_kind, by_whom, ripple] = split_json(&FocalCost::lost);
    doc["lost_customer"] = json{{"total", total}, {"ripple", ripple}, {"partition", by_kind}, {"by_whom", by_whom}};
  }
  doc["wom_by_channel"] = out.wom_by_channel;
  json events = json::array();
  for (const auto& e : out.events)
    events.push_back(json{{"replicate", e.replicate},
                          {"agent_id", e.agent_id},
                          {"degree", e.degree},
                          {"decile", e.decile},
                          {"stratified", e.stratified},
                          {"total", e.treated.total},
                          {q.focal, e.treated.focal},
                          {"ripple", e.treated.ripple},
                          {"own_margin", e.treated.own_margin},
                          {"retention_ripple", e.treated.retention_ripple},
                          {"acquisition_ripple", e.treated.acquisition_ripple},
                          {"service", e.treated.service},
                          {"acquisition_spend", e.treated.acquisition_spend},
                          {"terminal_value", e.treated.terminal},
                          {"lost_total", e.lost.total},
                          {"by_channel", e.by_channel}});
  doc["events"] = events;
  doc["efficiency"] =
      json{{"method", o.cone ? "causal cone (full runs where a cone grows past --max-cone)" : "full paired runs"},
           {"full_runs", out.runs},
           {"variants_by_cone", out.cone_variants},
           {"variants_by_full_run", out.full_variants},
           {"cone_agent_steps", out.cone_agent_steps},
           {"largest_cone", out.cone_peak},
           {"full_run_seconds", out.baseline_seconds},
           {"wall_seconds", out.wall_seconds},
           {"full_run_equivalents", out.baseline_seconds > 0 ? out.wall_seconds / out.baseline_seconds : 0.0},
           {"full_run_equivalents_per_1000_events",
            out.baseline_seconds > 0 && !out.events.empty()
                ? 1000.0 * out.wall_seconds / out.baseline_seconds / double(out.events.size())
                : 0.0}};
  return doc;
}

void write_cost_events_csv(std::ostream& os, const CostOutput& out) {
  // (column, field): the cost of treating, then of losing the customer.
  const std::pair<std::string, double CostSplit::*> parts[] = {{"total", &CostSplit::total},
                                                               {out.question.focal, &CostSplit::focal},
                                                               {"ripple", &CostSplit::ripple},
                                                               {"own_margin", &CostSplit::own_margin},
                                                               {"retention_ripple", &CostSplit::retention_ripple},
                                                               {"acquisition_ripple", &CostSplit::acquisition_ripple},
                                                               {"service", &CostSplit::service},
                                                               {"acquisition_spend", &CostSplit::acquisition_spend},
                                                               {"terminal_value", &CostSplit::terminal},
                                                               {"customers_lost", &CostSplit::customers_lost},
                                                               {"prospects_not_won", &CostSplit::prospects_not_won},
                                                               {"customer_gap", &CostSplit::customer_gap}};
  os << "replicate,agent_id,degree,decile,stratified";
  for (const auto& [name, field] : parts) os << ',' << name;
  os << ",lost_or_not_won,lost_or_not_won_others";
  for (const auto& [name, field] : parts) os << ",lost_" << name;
  os << '\n';
  for (const auto& e : out.events) {
    os << e.replicate << ',' << e.agent_id << ',' << e.degree << ',' << e.decile << ',' << (e.stratified ? 1 : 0);
    for (const auto& [name, field] : parts) os << ',' << number_text(e.treated.*field);
    os << ',' << number_text(e.lost_or_not_won) << ',' << number_text(e.lost_or_not_won_others);
    for (const auto& [name, field] : parts) os << ',' << (e.lost_priced ? number_text(e.lost.*field) : "");
    os << '\n';
  }
}

std::string format_cost_summary(const CostOutput& out) {
  Sample total, focal, ripple, lost, lost_ripple, per100, per100_others;
  for (const auto& e : out.events) {
    if (e.stratified) continue;  // the by-degree draw is not part of the headline
    total.push(e.treated.total, e.replicate);
    focal.push(e.treated.focal, e.replicate);
    ripple.push(e.treated.ripple, e.replicate);
    if (e.lost_priced) {
      lost.push(e.lost.total, e.replicate);
      lost_ripple.push(e.lost.ripple, e.replicate);
    }
    per100.push(100.0 * e.lost_or_not_won, e.replicate);
    per100_others.push(100.0 * e.lost_or_not_won_others, e.replicate);
  }
  auto E = [](const Sample& x) { return estimate_clustered(x.v, x.rep); };
  const std::string& c = out.currency;
  const CostQuestion& q = out.question;
  auto ci = [&](const Estimate& e) {
    return fmt::format("95 % CI {} to {}", money_text(e.ci_low, c), money_text(e.ci_high, c));
  };
  std::string s;
  s +=
      fmt::format("focal events {} (step {}), {} s\n", total.v.size(), out.t0, fmt::format("{:.3g}", out.wall_seconds));
  if (out.cone_variants > 0 || out.full_variants > 0)
    s += fmt::format(
        "variants priced {} through causal cones (largest {} persons), {} by full runs; {} full runs in all; "
        "work = {:.1f} full runs of {:.3g} s\n",
        out.cone_variants, out.cone_peak, out.full_variants, out.runs,
        out.baseline_seconds > 0 ? out.wall_seconds / out.baseline_seconds : 0.0, out.baseline_seconds);
  const Estimate t = E(total), cp = E(focal), rp = E(ripple);
  s += fmt::format(
      "each {} costs about {} ({}):\n  {} the {}: {} ({})\n  {} the ripple: everyone else's margins, terminal "
      "values, service costs and acquisition spend ({})\n",
      q.event, money_text(t.mean, c), ci(t), money_text(cp.mean, c), q.focal, q.focal_parts, ci(cp),
      money_text(rp.mean, c), ci(rp));
  const Estimate p = E(per100), po = E(per100_others);
  s += fmt::format(
      "per 100 {} {:.0f} customers are lost or not won, {} included (95 % CI {:.0f} to {:.0f}); {:.0f} of them "
      "others (95 % CI {:.0f} to {:.0f})\n",
      q.events, p.mean, q.focal, p.ci_low, p.ci_high, po.mean, po.ci_low, po.ci_high);
  if (!lost.v.empty()) {
    const Estimate l = E(lost), lr = E(lost_ripple);
    s += fmt::format("losing one customer outright costs about {} ({}), of which {} is the ripple\n",
                     money_text(l.mean, c), ci(l), money_text(lr.mean, c));
  }
  return s;
}

}  // namespace wom
