#include "cost.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <tuple>

#include "error.hpp"
#include "generators.hpp"
#include "parallel.hpp"
#include "progress.hpp"
#include "rng.hpp"

namespace wom {

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

constexpr rng::Purpose kFocal = 0xC057'0001, kStratum = 0xC057'0002;
const std::string kTerminalRetention = "economics.terminal_retention";

bool has_param(const ModelInfo& info, const std::string& key) {
  for (const auto& p : info.params)
    if (p.key == key) return true;
  return false;
}
enum Role : std::uint8_t { kProspect = 0, kCustomer = 1, kLapsed = 2 };
enum Group { kFocalAgent = 0, kOtherCustomers = 1, kOthers = 2, kGroups = 3 };

/// Per-run sums of the ledger by group (focal agent, other customers at t0, prospects and
/// lapsed at t0). Differences of these sums are sums of per-agent differences, so the
/// partition is exact by construction.
struct Sums {
  double margin[kGroups] = {}, service[kGroups] = {}, acquisition[kGroups] = {}, terminal[kGroups] = {};
  double customers_end[kGroups] = {};
  double npv() const {
    double s = 0;
    for (int k = 0; k < kGroups; ++k) s += margin[k] - service[k] - acquisition[k] + terminal[k];
    return s;
  }
  double customers() const { return customers_end[0] + customers_end[1] + customers_end[2]; }
};

/// Exact, order-free sums: money in units of 2^-32 (about 2e-10 of a currency unit) in a
/// 128-bit integer, so a sum does not depend on storage order (results are identical under
/// vertex reordering, DESIGN.md §5).
__extension__ typedef __int128 FixedSum;
constexpr double kFixedScale = 4294967296.0;
inline FixedSum to_fixed(double v) { return FixedSum(std::llround(v * 65536.0)) * 65536; }
inline double from_fixed(FixedSum s) { return double(s) / kFixedScale; }

/// What one replicate shares across its jobs.
struct World {
  const Graph* g = nullptr;
  const Graph* followers = nullptr;
  RunPlan plan;
  std::vector<std::uint8_t> roles0;  ///< roles at t0 (identical in every variant: before the event)
};

/// One run of the scenario's model with optional interventions and changed params; returns
/// the ledger sums grouped relative to `focal` (or no focal agent when focal == n).
/// With `record` (the baseline), the run first records the roles at step `roles_at` into
/// *record (w.roles0), which the grouping at the end then uses.
Sums run_sums(const Scenario& sc, const Params& params, const World& w, std::vector<Intervention> ivs, vid focal,
              Trajectory* tr_out = nullptr, std::int64_t roles_at = -1, std::vector<std::uint8_t>* record = nullptr,
              std::vector<double>* margins_out = nullptr) {
  RunHooks hooks;
  hooks.interventions = std::move(ivs);
  Sums s;
  const std::int64_t last = w.plan.steps;
  hooks.observe = [&](std::int64_t t, const Model& m) {
    if (record && t == roles_at) *record = m.roles();
    if (t != last) return;
    if (w.roles0.size() != w.g->n)
      throw Error(
          fmt::format("model '{}' reports no customer roles: wom cost cannot choose focal customers", sc.model));
    const AgentLedger led = m.ledger();
    const std::vector<std::uint8_t> roles = m.roles();
    if (led.margin.size() != w.g->n || roles.size() != w.g->n)
      throw Error(fmt::format("model '{}' keeps no per-agent ledger: wom cost cannot price its events", sc.model));
    FixedSum margin[kGroups] = {}, service[kGroups] = {}, acquisition[kGroups] = {}, terminal[kGroups] = {};
    for (vid v = 0; v < w.g->n; ++v) {
      const int k = v == focal ? kFocalAgent : w.roles0[v] == kCustomer ? kOtherCustomers : kOthers;
      margin[k] += to_fixed(led.margin[v]);
      service[k] += to_fixed(led.service[v]);
      acquisition[k] += to_fixed(led.acquisition[v]);
      terminal[k] += to_fixed(led.terminal[v]);
      s.customers_end[k] += roles[v] == kCustomer ? 1.0 : 0.0;
    }
    for (int k = 0; k < kGroups; ++k) {
      s.margin[k] = from_fixed(margin[k]);
      s.service[k] = from_fixed(service[k]);
      s.acquisition[k] = from_fixed(acquisition[k]);
      s.terminal[k] = from_fixed(terminal[k]);
    }
    if (margins_out) margins_out->assign(led.margin.begin(), led.margin.end());
  };
  Trajectory tr = run_model(*sc.info, params, *w.g, w.plan, {}, w.followers, &hooks);
  if (tr_out) *tr_out = std::move(tr);
  return s;
}

Intervention complaint(vid agent, std::int64_t t0, const std::string& path, const CostOptions& o) {
  Intervention iv;
  iv.kind = Intervention::Kind::Complaint;
  iv.agent = agent;
  iv.step = t0;
  iv.path = path;
  iv.severity = o.severity;
  iv.misunderstanding = o.misunderstanding;
  return iv;
}

json est(const std::vector<double>& v) {
  const Estimate e = estimate(v);
  return json{{"mean", e.mean}, {"se", e.se}, {"ci_low", e.ci_low}, {"ci_high", e.ci_high}, {"count", e.count}};
}

}  // namespace

CostOutput run_cost(const Scenario& sc, const CostOptions& o) {
  if (!sc.info) throw Error(fmt::format("{}: no model to price (set 'model')", sc.source_file));
  if (o.focal < 1) throw Error(fmt::format("--focal = {} is out of range: accepted [1, inf)", o.focal));
  if (o.channel_focal < 0 || o.channel_focal > o.focal)
    throw Error(
        fmt::format("--channel-focal = {} is out of range: accepted [0, --focal = {}]", o.channel_focal, o.focal));
  if (o.severity < -1 || o.severity > 1)
    throw Error(fmt::format("--severity = {} is out of range: accepted small, large or mix", o.severity));
  const double step_days = sc.info->step_in_days ? sc.step_days : sc.dt;
  const std::int64_t t0 = std::int64_t(std::llround(double(o.t0_days) / step_days));
  if (o.t0_days < 0 || t0 >= sc.steps)
    throw Error(
        fmt::format("--t0 = {} days (step {}) is out of range: accepted [0, {}) days (time.steps = {} of {} "
                    "days)",
                    o.t0_days, t0, double(sc.steps) * step_days, sc.steps, step_days));
  CostOutput out;
  out.t0 = t0;
  if (sc.params.has("economics.currency")) out.currency = sc.params.str("economics.currency");
  for (const auto& p : sc.info->params)
    if (p.type == ParamType::Bool && p.key.rfind("channels.", 0) == 0 && sc.params.boolean(p.key))
      out.channels.push_back(p.key.substr(9));
  const std::uint64_t seed = o.seed.value_or(sc.seed);
  const std::int64_t reps = o.replicates.value_or(sc.replicates);
  const auto start = Clock::now();
  const std::int64_t runs_per_rep =
      1 + (o.lost ? 3 : 2) * o.focal + 2 * o.channel_focal * std::int64_t(out.channels.size());
  Progress progress(o.progress && progress_allowed(), reps * runs_per_rep);
  double baseline_seconds = 0;
  json wom = json::object();

  with_threads(o.threads, [&] {
    for (std::int64_t r = 0; r < reps; ++r) {
      World w;
      const Graph g = make_graph(sc.graph, seed, std::uint64_t(r));
      Graph followers;
      if (sc.followers) followers = make_graph(*sc.followers, seed ^ 0xF011'0E55'F011'0E55ULL, std::uint64_t(r));
      w.g = &g;
      w.followers = sc.followers ? &followers : nullptr;
      w.plan = RunPlan{seed, std::uint64_t(r), sc.steps, step_days};

      // Baseline: the no-event world, and the roles at t0.
      const auto b0 = Clock::now();
      Trajectory base_tr;
      std::vector<double> base_margins;  // per agent: the focal customer's own baseline margin
      Sums base = run_sums(sc, sc.params, w, {}, g.n, &base_tr, t0, &w.roles0, &base_margins);
      baseline_seconds += std::chrono::duration<double>(Clock::now() - b0).count();
      // Pin the terminal value's retention to the baseline's measured one (when the model
      // has the knob): otherwise one focal defection would revalue every customer at the
      // horizon through the run's estimate of r, an artefact of estimation, not a cost.
      Params params = sc.params;
      if (sc.info->metrics && has_param(*sc.info, kTerminalRetention) && !sc.params.has(kTerminalRetention)) {
        for (const auto& [name, v] : sc.info->metrics(sc.params, base_tr, step_days))
          if (name == "retention_per_year") {
            params.set(kTerminalRetention, v);
            out.terminal_retention.push_back(v);
          }
        base = run_sums(sc, params, w, {}, g.n, nullptr, -1, nullptr, &base_margins);
        ++out.runs;
      }
      progress.tick();
      for (std::size_t c = 0; c < base_tr.columns.size(); ++c) {
        const std::string& name = base_tr.columns[c];
        if (name.rfind("listeners_", 0) != 0) continue;
        const auto us = name.rfind('_');
        const std::string channel = name.substr(10, us - 10), valence = name.substr(us + 1);
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
        if (w.roles0[v] == kCustomer) cand.emplace_back(pick.bits(g.id(v)), v);
      if (std::int64_t(cand.size()) < o.focal)
        throw Error(fmt::format("replicate {}: only {} customers at t0 = step {}, fewer than --focal = {}", r,
                                cand.size(), t0, o.focal));
      std::partial_sort(cand.begin(), cand.begin() + o.focal, cand.end());
      // Out-degree deciles among all customers at t0: customers ranked by degree, ties
      // broken by their keyed draw, so the ten deciles hold equal numbers of customers.
      std::vector<std::tuple<vid, std::uint64_t, vid>> ranked;  // (degree, key, agent)
      for (const auto& c : cand) ranked.emplace_back(g.out_degree(c.second), c.first, c.second);
      std::sort(ranked.begin(), ranked.end());
      auto decile_of = [&](vid agent, std::uint64_t key) {
        const auto pos =
            std::lower_bound(ranked.begin(), ranked.end(), std::make_tuple(g.out_degree(agent), key, vid(0))) -
            ranked.begin();
        return std::clamp(int(10 * pos / std::ptrdiff_t(ranked.size())) + 1, 1, 10);
      };

      // The focal events: o.focal drawn uniformly, then o.by_degree per decile (stratified,
      // priced argue vs acknowledge only, for the by-degree table).
      struct Focal {
        vid agent;
        std::uint64_t key;
        bool stratified;
      };
      std::vector<Focal> focal;
      for (std::int64_t e = 0; e < o.focal; ++e)
        focal.push_back({cand[std::size_t(e)].second, cand[std::size_t(e)].first, false});
      if (o.by_degree > 0) {
        const rng::Stream stratum(rng::RunKey(seed, std::uint64_t(r)), std::uint64_t(t0), kStratum);
        const std::size_t C = ranked.size();
        for (std::size_t d = 0; d < 10; ++d) {
          std::vector<std::pair<std::uint64_t, std::size_t>> members;
          for (std::size_t i = d * C / 10; i < (d + 1) * C / 10; ++i)
            members.emplace_back(stratum.bits(g.id(std::get<2>(ranked[i]))), i);
          std::sort(members.begin(), members.end());
          for (std::size_t k = 0; k < members.size() && std::int64_t(k) < o.by_degree; ++k) {
            const auto& [deg, key, agent] = ranked[members[k].second];
            focal.push_back({agent, key, true});
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
          if (v < 2 || (o.lost && !focal[e].stratified)) jobs.push_back({e, v});
        if (!focal[e].stratified && std::int64_t(e) < o.channel_focal)
          for (std::size_t c = 0; c < out.channels.size(); ++c)
            for (int v = 0; v < 2; ++v) jobs.push_back({std::size_t(e), int(3 + 2 * c + v)});
      }
      std::vector<Sums> res(jobs.size());
      for_each_block(
          jobs.size(),
          [&](std::size_t, std::size_t lo, std::size_t hi) {
            for (std::size_t j = lo; j < hi; ++j) {
              const vid agent = focal[jobs[j].event].agent;
              const int var = jobs[j].variant;
              Params p = params;
              std::vector<Intervention> ivs;
              if (var == 2) {
                Intervention iv;
                iv.kind = Intervention::Kind::Lose;
                iv.agent = agent;
                iv.step = t0;
                ivs.push_back(iv);
              } else {
                const bool ack = var >= 3 ? (var - 3) % 2 == 1 : var == 1;
                ivs.push_back(complaint(agent, t0, ack ? "acknowledge" : "argue", o));
                if (var >= 3) {
                  // The channel goes off at t0, on the same history up to the focal event.
                  p.set("channels." + out.channels[std::size_t((var - 3) / 2)], false);
                  if (has_param(*sc.info, "channels.from_day")) p.set("channels.from_day", double(t0) * step_days);
                }
              }
              isolated([&] { res[j] = run_sums(sc, p, w, std::move(ivs), agent); });
              progress.tick();
            }
          },
          1, 2);

      // Pair the results by event.
      std::size_t j = 0;
      for (std::size_t e = 0; e < focal.size(); ++e) {
        const vid agent = focal[e].agent;
        const bool lost = o.lost && !focal[e].stratified;
        FocalCost f;
        f.stratified = focal[e].stratified;
        f.replicate = std::uint64_t(r);
        f.agent = agent;
        f.agent_id = g.id(agent);
        f.degree = g.out_degree(agent);
        f.decile = decile_of(agent, focal[e].key);
        const Sums& A = res[j];
        const Sums& K = res[j + 1];
        const Sums& L = lost ? res[j + 2] : base;
        j += lost ? 3 : 2;
        f.own_margin = K.margin[kFocalAgent] - A.margin[kFocalAgent];
        f.retention_ripple = K.margin[kOtherCustomers] - A.margin[kOtherCustomers];
        f.acquisition_ripple = K.margin[kOthers] - A.margin[kOthers];
        for (int k = 0; k < kGroups; ++k) {
          f.service -= K.service[k] - A.service[k];
          f.acquisition_spend -= K.acquisition[k] - A.acquisition[k];
          f.terminal += K.terminal[k] - A.terminal[k];
        }
        f.total =
            f.own_margin + f.retention_ripple + f.acquisition_ripple + f.service + f.acquisition_spend + f.terminal;
        f.customers_lost = K.customers_end[kOtherCustomers] - A.customers_end[kOtherCustomers];
        f.prospects_not_won = K.customers_end[kOthers] - A.customers_end[kOthers];
        f.customer_gap = K.customers() - A.customers();
        f.lost_total = base.npv() - L.npv();
        // The baseline was grouped without a focal agent: its own margin sits in "other
        // customers" there, so take it from the baseline's per-agent margins.
        const double base_own = base_margins[agent];
        f.lost_own = base_own - L.margin[kFocalAgent];
        f.lost_ripple = (base.margin[kOtherCustomers] + base.margin[kOthers] - base_own) -
                        (L.margin[kOtherCustomers] + L.margin[kOthers]);
        f.lost_other = f.lost_total - f.lost_own - f.lost_ripple;
        f.argued_ripple = base.customers() - A.customers();
        if (!f.stratified && std::int64_t(e) < o.channel_focal)
          for (std::size_t c = 0; c < out.channels.size(); ++c) {
            const Sums& Ac = res[j];
            const Sums& Kc = res[j + 1];
            j += 2;
            f.by_channel.push_back(f.total - (Kc.npv() - Ac.npv()));
          }
        out.events.push_back(std::move(f));
      }
      out.runs += std::int64_t(jobs.size()) + 1;
    }
  });
  out.baseline_seconds = baseline_seconds / double(reps);
  out.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.wom_by_channel = wom;
  return out;
}

json cost_json(const Scenario& sc, const CostOutput& out, const CostOptions& o) {
  // Headline figures come from the uniform draw; the stratified one serves the degree table.
  auto collect = [&](auto field) {
    std::vector<double> v;
    for (const auto& e : out.events)
      if (!e.stratified) v.push_back(field(e));
    return v;
  };
  bool any_stratified = false;
  for (const auto& e : out.events) any_stratified |= e.stratified;
  json doc;
  doc["currency"] = out.currency;
  doc["model"] = sc.model;
  doc["focal_events"] = collect([](const FocalCost&) { return 0.0; }).size();
  doc["replicates"] = o.replicates.value_or(sc.replicates);
  doc["t0_step"] = out.t0;
  doc["severity"] = o.severity < 0 ? "mix of complaints" : o.severity == 0 ? "small" : "large";
  doc["definition"] =
      "cost of arguing = NPV(acknowledge) - NPV(argue) on common random numbers, terminal value included; "
      "partition summed agent by agent from the model's ledger";
  doc["total"] = est(collect([](const FocalCost& e) { return e.total; }));
  json part;
  part["own_margin"] = est(collect([](const FocalCost& e) { return e.own_margin; }));
  part["retention_ripple"] = est(collect([](const FocalCost& e) { return e.retention_ripple; }));
  part["acquisition_ripple"] = est(collect([](const FocalCost& e) { return e.acquisition_ripple; }));
  part["remedy"] = est(collect([](const FocalCost& e) { return e.service; }));
  part["acquisition_spend"] = est(collect([](const FocalCost& e) { return e.acquisition_spend; }));
  part["terminal_value"] = est(collect([](const FocalCost& e) { return e.terminal; }));
  doc["partition"] = part;
  json ch = json::object();
  for (std::size_t c = 0; c < out.channels.size(); ++c) {
    std::vector<double> v;
    for (const auto& e : out.events)
      if (c < e.by_channel.size()) v.push_back(e.by_channel[c]);
    if (!v.empty()) ch[out.channels[c]] = est(v);
  }
  doc["by_channel"] = ch;
  // By the focal customer's out-degree decile among all customers at t0.
  json dec = json::array();
  for (int d = 1; d <= 10; ++d) {
    std::vector<double> v;
    vid lo = std::numeric_limits<vid>::max(), hi = 0;
    for (const auto& e : out.events)
      if (e.decile == d && e.stratified == any_stratified) {
        v.push_back(e.total);
        lo = std::min(lo, e.degree);
        hi = std::max(hi, e.degree);
      }
    if (v.empty()) continue;
    dec.push_back(json{{"decile", d}, {"degree_min", lo}, {"degree_max", hi}, {"cost", est(v)}});
  }
  doc["by_degree_decile"] = dec;
  doc["by_degree_sample"] = any_stratified ? "stratified: the same number of focal customers in each decile"
                                           : "the uniform focal sample, grouped by decile";
  doc["customers_lost"] = est(collect([](const FocalCost& e) { return e.customers_lost; }));
  doc["prospects_not_won"] = est(collect([](const FocalCost& e) { return e.prospects_not_won; }));
  doc["customer_gap"] = est(collect([](const FocalCost& e) { return e.customer_gap; }));
  const double cac = sc.params.has("economics.cac") ? sc.params.real("economics.cac") : 0.0;
  doc["replacement_cost"] = est(collect([&](const FocalCost& e) { return cac * e.customer_gap; }));
  doc["ripple_per_100_argued"] = est(collect([](const FocalCost& e) { return 100.0 * e.argued_ripple; }));
  json lost;
  lost["total"] = est(collect([](const FocalCost& e) { return e.lost_total; }));
  lost["partition"] = json{{"own_margin", est(collect([](const FocalCost& e) { return e.lost_own; }))},
                           {"ripple", est(collect([](const FocalCost& e) { return e.lost_ripple; }))},
                           {"other", est(collect([](const FocalCost& e) { return e.lost_other; }))}};
  if (o.lost) doc["lost_customer"] = lost;
  doc["wom_by_channel"] = out.wom_by_channel;
  json events = json::array();
  for (const auto& e : out.events)
    events.push_back(json{{"replicate", e.replicate},
                          {"agent_id", e.agent_id},
                          {"degree", e.degree},
                          {"decile", e.decile},
                          {"stratified", e.stratified},
                          {"total", e.total},
                          {"own_margin", e.own_margin},
                          {"retention_ripple", e.retention_ripple},
                          {"acquisition_ripple", e.acquisition_ripple},
                          {"remedy", e.service},
                          {"acquisition_spend", e.acquisition_spend},
                          {"terminal_value", e.terminal},
                          {"lost_total", e.lost_total},
                          {"by_channel", e.by_channel}});
  doc["events"] = events;
  doc["efficiency"] = json{{"runs", out.runs},
                           {"full_run_seconds", out.baseline_seconds},
                           {"wall_seconds", out.wall_seconds},
                           {"runs_per_focal_event", out.events.empty() ? 0.0 : double(out.runs) / out.events.size()}};
  return doc;
}

std::string format_cost_summary(const CostOutput& out) {
  std::vector<double> total, ripple, lost;
  for (const auto& e : out.events) {
    if (e.stratified) continue;  // the by-degree draw is not part of the headline
    total.push_back(e.total);
    ripple.push_back(e.retention_ripple + e.acquisition_ripple);
    lost.push_back(e.lost_total);
  }
  const Estimate t = estimate(total), rp = estimate(ripple), l = estimate(lost);
  const std::string& c = out.currency;
  std::string s;
  s += fmt::format("focal events {} (step {}), {} model runs, {:.3g} s\n", total.size(), out.t0, out.runs,
                   out.wall_seconds);
  s += fmt::format(
      "each argued interaction costs about {}{:.0f} (95 % CI {}{:.0f} to {}{:.0f}), of which {}{:.0f} is "
      "the ripple through other customers and prospects\n",
      c, t.mean, c, t.ci_low, c, t.ci_high, c, rp.mean);
  s += fmt::format("losing one customer outright costs about {}{:.0f} (95 % CI {}{:.0f} to {}{:.0f})\n", c, l.mean, c,
                   l.ci_low, c, l.ci_high);
  return s;
}

}  // namespace wom
