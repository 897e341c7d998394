// wom cost: paired runs on common random numbers, exact partition, and theory.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>

#include "app/cost.hpp"
#include "models/registry.hpp"
#include "sim/core/engine.hpp"
#include "sim/core/generators.hpp"
#include "sim/io/config.hpp"
#include "tests/support/theory.hpp"

using namespace wom;

namespace {

/// The plan of every scenario below (seed 5, one replicate).
const RunPlan kPlan{5, 1, 0, {}};

Scenario scenario(const std::string& extra, std::int64_t n = 3000, std::int64_t steps = 365) {
  register_models();
  return scenario_from_yaml_text(fmt::format("model: service_wom\nseed: 5\nreplicates: 1\n"
                                             "time: {{steps: {}, step_days: 1}}\n"
                                             "graph: {{generator: barabasi_albert, n: {}, m: 4}}\n"
                                             "params:\n{}",
                                             steps, n, extra),
                                 "cost.yaml");
}

/// Every field of a CostSplit, for field-by-field checks.
const std::pair<const char*, double CostSplit::*> kSplitFields[] = {
    {"total", &CostSplit::total},
    {"own_margin", &CostSplit::own_margin},
    {"retention_ripple", &CostSplit::retention_ripple},
    {"acquisition_ripple", &CostSplit::acquisition_ripple},
    {"service", &CostSplit::service},
    {"acquisition_spend", &CostSplit::acquisition_spend},
    {"terminal", &CostSplit::terminal},
    {"complainant", &CostSplit::focal},
    {"complainant_terminal", &CostSplit::focal_terminal},
    {"complainant_service", &CostSplit::focal_service},
    {"complainant_acquisition", &CostSplit::focal_acquisition},
    {"ripple", &CostSplit::ripple},
    {"others_margin", &CostSplit::others_margin},
    {"others_terminal", &CostSplit::others_terminal},
    {"others_service", &CostSplit::others_service},
    {"others_acquisition", &CostSplit::others_acquisition},
    {"complainant_kept", &CostSplit::focal_kept},
    {"customers_lost", &CostSplit::customers_lost},
    {"prospects_not_won", &CostSplit::prospects_not_won},
    {"customer_gap", &CostSplit::customer_gap}};

/// Two pricings of the same focal events give the same numbers, bit for bit, field by field.
void check_same_numbers(const CostOutput& x, const CostOutput& y) {
  REQUIRE(x.events.size() == y.events.size());
  for (std::size_t e = 0; e < x.events.size(); ++e) {
    const FocalCost &a = x.events[e], &b = y.events[e];
    INFO("focal event " << e);
    CHECK(a.agent_id == b.agent_id);
    for (const auto& [name, field] : kSplitFields) {
      INFO(name);
      CHECK(a.treated.*field == b.treated.*field);
      CHECK(a.lost.*field == b.lost.*field);
    }
    CHECK(a.lost_priced == b.lost_priced);
    CHECK(a.lost_or_not_won == b.lost_or_not_won);
    CHECK(a.lost_or_not_won_others == b.lost_or_not_won_others);
    CHECK(a.by_channel == b.by_channel);
  }
}

/// The two partitions of a split add up to its total (exactly but for the rounding of each
/// part to a double), and the by-whom parts add up to theirs.
void check_partition(const CostSplit& c) {
  const double tol = 1e-9 * (1 + std::abs(c.total));
  CHECK(c.own_margin + c.retention_ripple + c.acquisition_ripple + c.service + c.acquisition_spend + c.terminal ==
        Approx(c.total).margin(tol));
  CHECK(c.focal + c.ripple == Approx(c.total).margin(tol));
  CHECK(c.own_margin + c.focal_terminal + c.focal_service + c.focal_acquisition == Approx(c.focal).margin(tol));
  CHECK(c.others_margin + c.others_terminal + c.others_service + c.others_acquisition == Approx(c.ripple).margin(tol));
  CHECK(c.retention_ripple + c.acquisition_ripple == Approx(c.others_margin).margin(tol));
  CHECK(c.focal_kept + c.customers_lost + c.prospects_not_won == c.customer_gap);
}

}  // namespace

TEST_CASE("a run with no intervention is bit-identical to the baseline, and an intervention changes nothing before t0",
          "[cost]") {
  const Scenario sc = scenario("  population: {customer_share: 0.3}\n", 4000, 200);
  const Graph g = make_graph(sc.graph, kPlan.seed, 0);
  const ReplicatePlan plan{kPlan.seed, 0, sc.steps, sc.step_days};
  const Trajectory base = run_model(*sc.info, sc.params, g, plan);
  RunHooks none;
  CHECK(run_model(*sc.info, sc.params, g, plan, {}, nullptr, &none).values == base.values);

  // Who is a customer at t0 = 100.
  std::vector<std::uint8_t> roles;
  RunHooks rec;
  rec.observe = [&](std::int64_t t, const Model& m) {
    if (t == 100) roles = m.roles();
  };
  run_model(*sc.info, sc.params, g, plan, {}, nullptr, &rec);
  vid focal = 0;
  while (roles[focal] != 1) ++focal;
  for (const char* path : {"argue", "acknowledge"}) {
    RunHooks h;
    Intervention iv;
    iv.name = path;
    iv.agent = focal;
    iv.step = 100;
    iv.options = {{"severity", "large"}};
    h.interventions.push_back(iv);
    const Trajectory tr = run_model(*sc.info, sc.params, g, plan, {}, nullptr, &h);
    const std::size_t before = std::size_t(101) * tr.columns.size();  // rows 0..100: state up to t0
    CHECK(std::equal(tr.values.begin(), tr.values.begin() + std::ptrdiff_t(before), base.values.begin()));
    CHECK(tr.values != base.values);  // the complaint did happen
  }
}

TEST_CASE("arguing costs more than acknowledging under the defaults, and the partition adds up exactly", "[cost]") {
  const Scenario sc = scenario("  problems: {rate_per_year: 0.2}\n", 3000, 365);
  CostOptions o;
  o.focal = 40;
  o.channel_focal = 4;
  o.t0_days = 60;
  const CostOutput out = run_cost(sc, kPlan, o);
  REQUIRE(out.events.size() == 40);
  std::vector<double> total;
  for (const auto& e : out.events) {
    total.push_back(e.treated.total);
    check_partition(e.treated);
    REQUIRE(e.lost_priced);
    check_partition(e.lost);
    REQUIRE(e.by_channel.size() == (e.agent == out.events[0].agent ? out.channels.size() : e.by_channel.size()));
  }
  const theory::Sample s{total};
  THEORY_REPORT("cost of arguing (defaults, n=3000, 40 focal events): {:.1f} +- {:.1f} (se)", s.mean(), s.se());
  CHECK(s.mean() - 3 * s.se() > 0);
  CHECK(out.channels.size() == 4);
  const auto doc = cost_json(sc, kPlan, out, o);
  CHECK(doc["partition"].size() == 6);
  CHECK(doc["by_whom"]["complainant"]["total"]["mean"].get<double>() + doc["ripple"]["mean"].get<double>() ==
        Approx(doc["total"]["mean"].get<double>()));
  // 40 focal customers over ten equal deciles of the customers at t0: most deciles hold some.
  CHECK(doc["by_degree_decile"].size() >= 6);
  for (const auto& d : doc["by_degree_decile"]) CHECK(d["degree_min"] <= d["degree_max"]);
  CHECK(doc["by_channel"].size() == 4);
}

TEST_CASE("with every WOM channel off, an argued complaint costs the retention gap times the remaining value",
          "[cost][theory]") {
  // Only the focal customer differs between the two runs: no talk, weak ties, tweets or
  // reviews; no other problems; churn independent of attitude; no win-back; equal margins.
  const std::int64_t T = 365, t0 = 90;
  const Scenario sc = scenario(
      "  population: {customer_share: 0.5}\n"
      "  problems: {enabled: false}\n"
      "  channels: {talk: false, weak_ties: false, tweets: false, reviews: false}\n"
      "  churn: {attitude_slope: 0}\n"
      "  acquisition: {winback_per_year: 0}\n"
      "  economics: {margin_sigma: 0}\n",
      1500, T);
  CostOptions o;
  o.focal = 250;
  o.channel_focal = 0;
  o.t0_days = t0;
  o.options = {
      {"severity", "large"}};  // large: argue keeps 0.19; acknowledge 0.82 at first contact (share FCR), else 0.54
  const CostOutput out = run_cost(sc, kPlan, o);
  REQUIRE(out.pinned.size() == 2);  // service_wom pins retention r, then the continuing cost c
  REQUIRE(out.pinned[0].size() == 1);

  const auto& p = sc.params;
  const double m = p.real("economics.margin_per_year"), i = p.real("economics.discount_rate_per_year");
  const double dt = 1.0 / 365.0, x = std::pow(1 + i, -dt);
  const double pc = 1 - std::exp(-p.real("churn.base_rate_per_year") * dt);
  const double fcr = p.real("policy.first_contact_resolution");
  const double gap = fcr * 0.82 + (1 - fcr) * 0.54 - 0.19;
  const double r = out.pinned[0][0], multiple = r / (1 + i - r);
  const int W = int(p.real("outcome.defect_window_days"));
  // A leaver under arguing defects at t0 + D, D uniform on 1..W, earning through state t0+D;
  // kept by acknowledging, it earns m·dt at states s > t0+D while it survives base churn,
  // and its terminal value at the horizon.
  double remaining = 0;
  for (int D = 1; D <= W; ++D) {
    double v = 0;
    for (std::int64_t s = t0 + D + 1; s <= T; ++s)
      v += m * dt * std::pow(x, double(s)) * std::pow(1 - pc, double(s - t0 - 1));
    v += m * multiple * std::pow(x, double(T)) * std::pow(1 - pc, double(T - t0 - 1));
    remaining += v / W;
  }
  const double remedy = p.real("policy.remedy_rate") * p.real("economics.remedy_cost") * std::pow(x, double(t0 + 1));
  const double analytic = gap * remaining - remedy;

  std::vector<double> total;
  for (const auto& e : out.events) {
    total.push_back(e.treated.total);
    // Nothing reaches anyone else: every ripple figure is exactly zero (fixed point).
    REQUIRE(e.treated.ripple == 0.0);
    REQUIRE(e.treated.retention_ripple == 0.0);
    REQUIRE(e.treated.acquisition_ripple == 0.0);
    REQUIRE(e.treated.others_terminal == 0.0);
    REQUIRE(e.treated.others_acquisition == 0.0);
    REQUIRE(e.treated.others_service == 0.0);
    REQUIRE(e.treated.customers_lost == 0.0);
    REQUIRE(e.treated.prospects_not_won == 0.0);
    REQUIRE(e.treated.focal == e.treated.total);
    REQUIRE(e.lost_or_not_won_others == 0.0);
    REQUIRE(e.lost_priced);
    REQUIRE(e.lost.ripple == 0.0);  // also for a customer lost outright
    REQUIRE(e.lost.others_margin == 0.0);
    REQUIRE(e.lost.focal == e.lost.total);
  }
  const theory::Sample s{total};
  const Estimate est = estimate(total);
  THEORY_REPORT(
      "cost of an argued large complaint, channels off: {:.2f} (95% CI {:.2f} to {:.2f}) vs analytic {:.2f} "
      "= gap {:.3f} x remaining value {:.2f} - remedy {:.2f} (z {:+.2f})",
      s.mean(), est.ci_low, est.ci_high, analytic, gap, remaining, remedy, (s.mean() - analytic) / s.se());
  CHECK(std::abs(s.mean() - analytic) < 4 * s.se());
}

TEST_CASE("cost results are identical under vertex reordering, and losing a customer costs its own margin", "[cost]") {
  CostOptions o;
  o.focal = 6;
  o.channel_focal = 2;
  o.t0_days = 50;
  const Scenario plain = scenario("  population: {customer_share: 0.3}\n", 1500, 200);
  Scenario reordered = plain;
  reordered.graph.reorder = "rcm";
  const CostOutput a = run_cost(plain, kPlan, o), b = run_cost(reordered, kPlan, o);
  check_same_numbers(a, b);
  for (const auto& e : a.events) {
    CHECK(e.lost.own_margin > 0);  // the customer's own margins from t0 on are gone
    REQUIRE(e.lost_priced);
    check_partition(e.lost);
  }
}

TEST_CASE("a degree-stratified draw fills every decile and leaves the headline figures unchanged", "[cost]") {
  const Scenario sc = scenario("  population: {customer_share: 0.3}\n", 1500, 150);
  CostOptions o;
  o.focal = 5;
  o.channel_focal = 0;
  o.t0_days = 40;
  o.lost = false;
  const CostOutput plain = run_cost(sc, kPlan, o);
  o.by_degree = 2;
  const CostOutput strat = run_cost(sc, kPlan, o);
  REQUIRE(strat.events.size() == 5 + 20);
  for (std::size_t i = 0; i < 5; ++i) CHECK(strat.events[i].treated.total == plain.events[i].treated.total);
  const auto doc = cost_json(sc, kPlan, strat, o);
  CHECK(doc["focal_events"] == 5);
  REQUIRE(doc["by_degree_decile"].size() == 10);
  vid last_max = 0;
  for (const auto& d : doc["by_degree_decile"]) {
    CHECK(d["cost"]["count"] == 2);
    CHECK(d["degree_min"].get<vid>() >= last_max);  // deciles ascend in degree
    last_max = d["degree_max"].get<vid>();
  }
  CHECK(doc["total"]["count"] == 5);
}

namespace {

/// Lets a rating move with every review and drive acquisition and churn strongly, so the causal
/// cone's global-input check (persons whose decision flips with the rating) is exercised.
const char* kRatingHeavy =
    "  review: {star_elasticity: 0.5, churn_elasticity: 0.5, prior_weight: 1, spontaneous_rate_per_year: 1}\n";

}  // namespace

TEST_CASE(
    "outside the causal cone a full run of the variant is bit-identical to the baseline, inside it the cone "
    "holds the full run's ledger",
    "[cost][cone]") {
  const Scenario sc = scenario(
      std::string(kRatingHeavy) + "  economics: {terminal_retention: 0.8, terminal_cost_per_customer_year: 4}\n", 3000,
      300);
  const Graph g = make_graph(sc.graph, kPlan.seed, 0);
  const ReplicatePlan plan{kPlan.seed, 0, sc.steps, sc.step_days};
  const std::int64_t t0 = 60;
  std::vector<std::uint8_t> roles;
  RunHooks rec;
  rec.observe = [&](std::int64_t t, const Model& m) {
    if (t == t0) roles = m.roles();
  };
  run_model(*sc.info, sc.params, g, plan, {}, nullptr, &rec);
  std::vector<vid> customers;
  for (vid v = 0; v < g.n; ++v)
    if (roles[v] == 1) customers.push_back(v);
  REQUIRE(customers.size() > 100);

  // Three focal events: argued, acknowledged (a misunderstanding: apology rebound), lost.
  std::vector<std::vector<Intervention>> variants;
  for (int k = 0; k < 3; ++k) {
    Intervention iv;
    iv.agent = customers[std::size_t(37 * k + 11) % customers.size()];
    iv.step = t0;
    iv.name = k == 2 ? "lose" : k == 0 ? "argue" : "acknowledge";
    if (k < 2) iv.options = {{"severity", "large"}, {"misunderstanding", k == 1 ? "true" : "false"}};
    variants.push_back({iv});
  }
  RunContext run;
  run.seed = plan.seed;
  run.key = rng::RunKey(plan.seed, 0);
  run.dt = plan.dt;
  run.steps = plan.steps;
  auto base = sc.info->make(sc.params);
  State sb(g.n);
  base->init(g, sb, run);
  for (const auto& ivs : variants) REQUIRE(base->add_variant(ivs, g.n));
  std::vector<std::unique_ptr<Model>> full;
  std::vector<State> states;
  states.reserve(variants.size());
  for (const auto& ivs : variants) {
    full.push_back(sc.info->make(sc.params));
    states.emplace_back(g.n);
    full.back()->init(g, states.back(), run);
    for (const Intervention& iv : ivs) full.back()->intervene(iv);
  }
  // Who ever differs from the baseline in each full run (every column and attribute).
  std::vector<std::vector<std::uint8_t>> differed(variants.size(), std::vector<std::uint8_t>(g.n, 0));
  std::int64_t differ_before_t0 = 0;
  StepContext ctx{&run, 0};
  for (std::int64_t t = 0; t < plan.steps; ++t) {
    ctx.t = t;
    base->step(g, sb, ctx);
    sb.swap();
    for (std::size_t k = 0; k < full.size(); ++k) {
      full[k]->step(g, states[k], ctx);
      states[k].swap();
      for (vid v = 0; v < g.n; ++v)
        if (!sb.same_agent(states[k], v)) {
          differed[k][v] = 1;
          if (t + 1 <= t0) ++differ_before_t0;
        }
    }
  }
  CHECK(differ_before_t0 == 0);
  const AgentLedger bl = base->ledger();
  const std::vector<std::uint8_t> broles = base->roles();
  for (std::size_t k = 0; k < variants.size(); ++k) {
    const VariantLedger cone = base->variant_ledger(k);
    REQUIRE_FALSE(cone.global);
    std::vector<std::uint8_t> in_cone(g.n, 0);
    for (vid v : cone.agents) in_cone[v] = 1;
    std::int64_t outside = 0, differing = 0;
    for (vid v = 0; v < g.n; ++v) {
      differing += differed[k][v];
      outside += differed[k][v] && !in_cone[v];
    }
    INFO("variant " << k << ": " << differing << " persons ever differed, cone " << cone.agents.size());
    CHECK(differing > 0);
    CHECK(outside == 0);  // the cone holds everyone whose state ever differed
    const AgentLedger fl = full[k]->ledger();
    const std::vector<std::uint8_t> froles = full[k]->roles();
    std::int64_t ledger_mismatch = 0;
    for (vid v = 0; v < g.n; ++v)
      if (!in_cone[v])
        ledger_mismatch += fl.margin[v] != bl.margin[v] || fl.service[v] != bl.service[v] ||
                           fl.acquisition[v] != bl.acquisition[v] || fl.terminal[v] != bl.terminal[v] ||
                           froles[v] != broles[v];
    for (std::size_t i = 0; i < cone.agents.size(); ++i) {
      const vid v = cone.agents[i];
      ledger_mismatch += fl.margin[v] != cone.margin[i] || fl.service[v] != cone.service[i] ||
                         fl.acquisition[v] != cone.acquisition[i] || fl.terminal[v] != cone.terminal[i] ||
                         froles[v] != cone.roles[i];
    }
    CHECK(ledger_mismatch == 0);
  }
}

TEST_CASE("wom cost: the causal-cone path gives the full paired runs' numbers bit for bit", "[cost][cone]") {
  for (const std::string& extra : {std::string("  problems: {rate_per_year: 0.3}\n"), std::string(kRatingHeavy)}) {
    const Scenario sc = scenario(extra, 3000, 300);
    CostOptions o;
    o.focal = 12;
    o.channel_focal = 3;
    o.t0_days = 50;
    o.max_cone = 1.0;
    o.cone = false;
    const CostOutput full = run_cost(sc, kPlan, o);
    o.cone = true;
    const CostOutput cone = run_cost(sc, kPlan, o);
    for (int threads : {1, 5}) {  // results do not depend on the thread count (5 oversubscribes)
      RunOptions how;
      how.threads = threads;
      check_same_numbers(cone, run_cost(sc, kPlan, o, how));
    }
    o.max_cone = 0.01;  // 30 persons: some cones outgrow it partway through the run, others never do
    const CostOutput partial = run_cost(sc, kPlan, o);
    CHECK(partial.full_variants > 0);
    CHECK(partial.cone_variants > 0);
    o.max_cone = 1e-9;  // a limit of one person: every cone that spreads falls back to a full run
    const CostOutput fallback = run_cost(sc, kPlan, o);
    const std::int64_t variants = 12 * 3 + 3 * 2 * std::int64_t(full.channels.size());
    CHECK(full.full_variants == variants);
    CHECK(cone.cone_variants == variants);
    CHECK(cone.full_variants == 0);
    CHECK(fallback.full_variants > variants / 2);
    CHECK(fallback.full_variants + fallback.cone_variants == variants);
    CHECK(cone.runs < full.runs);
    for (const CostOutput* other : {&cone, &partial, &fallback}) check_same_numbers(full, *other);
  }
}

TEST_CASE(
    "replicate-clustered estimate: CR1 standard error, t on clusters - 1 df, iid when every value is its own "
    "cluster",
    "[cost]") {
  const std::vector<double> v{1, 2, 3, 5, 6, 7};
  const Estimate two = estimate_clustered(v, std::vector<std::uint64_t>{0, 0, 0, 1, 1, 1});
  // Residual sums per cluster −6 and +6: V = R/(R−1)·72/N² = 2·72/36 = 4.
  CHECK(two.mean == 4.0);
  CHECK(two.se == Approx(2.0).epsilon(1e-12));
  CHECK(two.ci_high - two.mean == Approx(t_quantile_975(1) * 2.0).epsilon(1e-12));
  const Estimate own = estimate_clustered(v, std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5});
  const Estimate iid = estimate(v);
  CHECK(own.se == Approx(iid.se).epsilon(1e-12));
  CHECK(own.ci_low == Approx(iid.ci_low).epsilon(1e-12));
  const Estimate one = estimate_clustered(v, std::vector<std::uint64_t>(6, 3));  // one replicate: as independent
  CHECK(one.se == iid.se);
  // Equal cluster means: the between-cluster estimate is 0, the within-cluster noise remains.
  const Estimate flat = estimate_clustered(std::vector<double>{1, 3, 1, 3}, std::vector<std::uint64_t>{0, 0, 1, 1});
  CHECK(flat.se == Approx(std::sqrt(2.0 / 4.0)).epsilon(1e-12));  // pooled within variance 2, N = 4
  CHECK(flat.ci_high - flat.mean == Approx(t_quantile_975(2) * flat.se).epsilon(1e-12));
}

TEST_CASE("the uniform focal draw spreads evenly over degree deciles, even where a degree's ties span deciles",
          "[cost]") {
  // Barabási–Albert m = 4: a third of customers have degree 4, a block spanning several deciles.
  const Scenario sc = scenario("  problems: {rate_per_year: 0.3}\n", 3000, 120);
  CostOptions o;
  o.focal = 300;
  o.channel_focal = 0;
  o.lost = false;
  o.t0_days = 60;
  const CostOutput out = run_cost(sc, kPlan, o);
  std::array<int, 10> count{};
  for (const auto& e : out.events) ++count[std::size_t(e.decile - 1)];
  double chi2 = 0;  // uniform: 30 per decile, 9 df
  for (int c : count) chi2 += (c - 30.0) * (c - 30.0) / 30.0;
  INFO("events per decile: " << fmt::format("{}", fmt::join(count, " ")));
  CHECK(chi2 < 27.88);  // the 0.999 quantile of chi-square with 9 df
}

TEST_CASE("wom cost: cone and full paired runs agree bit for bit on randomly drawn parameter sets", "[cost][cone]") {
  // Each set switches on a random subset of mechanisms at extreme values (retelling depth,
  // weak contacts, story life, rating sensitivity and window, tweets, rebounds, win-backs,
  // rejection, channels, step length) on a random graph family, including a relabelled one.
  struct Choice {
    const char* key;
    std::vector<const char*> values;
  };
  const std::vector<Choice> choices = {
      {"talk.retell_prob", {"0", "0.6", "1.0"}},
      {"talk.retell_generations", {"0", "1", "7"}},
      {"talk.weak_contacts_per_step", {"0", "0.5", "3.7"}},
      {"talk.weak_tell_prob", {"0", "0.5"}},
      {"talk.story_days", {"1", "3", "40"}},
      {"talk.reach_negative", {"1", "30"}},
      {"review.star_elasticity", {"0", "0.5"}},
      {"review.churn_elasticity", {"0", "0.5"}},
      {"review.prior_weight", {"0.5", "50"}},
      {"review.window_days", {"5", "365"}},
      {"review.spontaneous_rate_per_year", {"0", "2"}},
      {"policy.review_reply_rate", {"0", "1"}},
      {"tweet.see_prob", {"0", "0.9"}},
      {"tweet.retweet_prob", {"0", "0.5"}},
      {"tweet.weight", {"0", "0.5"}},
      {"outcome.apology_rebound_days", {"1", "5"}},
      {"outcome.defect_window_days", {"1", "60"}},
      {"problems.misunderstanding_share", {"0", "0.9"}},
      {"problems.rate_per_year", {"1", "5"}},
      {"churn.negative_story_prob", {"0", "0.5"}},
      {"churn.attitude_slope", {"0", "4"}},
      {"acquisition.external_per_year", {"0.01", "2"}},
      {"acquisition.winback_per_year", {"0", "1"}},
      {"acquisition.reject_days", {"0", "365"}},
      {"channels.talk", {"true", "false"}},
      {"channels.weak_ties", {"true", "false"}},
      {"channels.reviews", {"true", "false"}},
      {"channels.tweets", {"true", "false"}},
      {"tweet.post_prob", {"{argue: 1, silent: 0.5, acknowledge: 0.5, acknowledge_quick: 0.2}"}},
  };
  const std::vector<std::string> graphs = {
      "graph: {generator: holme_kim, n: 1500, m: 4, triad: 0.5}\n",
      "graph: {generator: holme_kim, n: 1500, m: 4, triad: 0.5, reorder: rcm}\n",
      "graph: {generator: erdos_renyi, n: 1500, mean_degree: 6}\n",
      "graph: {generator: complete, n: 600}\n",
      "graph: {generator: erdos_renyi, n: 1500, mean_degree: 6}\nfollowers: {generator: configuration, n: 1500, "
      "degree: {distribution: power_law, exponent: 2.1, min: 2, max: 300}}\n",
  };
  register_models();
  std::int64_t rippled = 0;  // events whose ripple moved someone else's ledger (not trivial cones)
  std::uint64_t peak = 0;
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    std::string params;
    std::map<std::string, std::string> picked;
    for (const Choice& c : choices)
      if (rng() % 5 < 2) picked[c.key] = c.values[rng() % c.values.size()];
    for (const auto& [k, v] : picked) params += fmt::format("  {}: {}\n", k, v);
    const std::string& graph = graphs[seed <= 2 ? graphs.size() - 1 : rng() % graphs.size()];
    const int step_days = rng() % 3 == 0 ? 7 : 1;
    std::string yaml =
        fmt::format("model: service_wom\nseed: {}\nreplicates: 1\ntime: {{steps: {}, step_days: {}}}\n{}", seed,
                    step_days == 7 ? 40 : 200, step_days, graph);
    if (!params.empty()) {
      // Nested keys written flat ("a.b: v") are not YAML maps: write each group as a map.
      std::map<std::string, std::vector<std::string>> groups;
      for (const auto& [k, v] : picked)
        groups[k.substr(0, k.find('.'))].push_back(k.substr(k.find('.') + 1) + ": " + v);
      yaml += "params:\n";
      for (const auto& [group, kv] : groups) yaml += fmt::format("  {}: {{{}}}\n", group, fmt::join(kv, ", "));
    }
    INFO("config:\n" << yaml);
    const Scenario sc = scenario_from_yaml_text(yaml, "random.yaml");
    CostOptions o;
    o.focal = 5;
    o.channel_focal = 1;
    o.t0_days = 7 * (seed % 4);
    if (seed % 3 == 0) o.options = {{"misunderstanding", "true"}};
    o.max_cone = 1.0;
    o.cone = false;
    const CostOutput full = run_cost(sc, kPlan, o);
    o.cone = true;
    const CostOutput cone = run_cost(sc, kPlan, o);
    CHECK(cone.full_variants == 0);
    peak = std::max(peak, cone.cone_peak);
    for (const auto& e : cone.events) rippled += e.treated.ripple != 0;
    check_same_numbers(full, cone);
  }
  INFO("largest cone " << peak << ", events with a ripple " << rippled);
  CHECK(peak > 50);
  CHECK(rippled >= 5);
}

TEST_CASE(
    "wom cost: a variant the model cannot price by its cone (fixed inflow) is priced by a full run, with the "
    "same numbers and no wasted world runs",
    "[cost][cone]") {
  const Scenario sc = scenario("  acquisition: {fixed_inflow_per_step: 2}\n", 2000, 150);
  CostOptions o;
  o.focal = 3;
  o.channel_focal = 1;
  o.t0_days = 30;
  o.cone = false;
  const CostOutput full = run_cost(sc, kPlan, o);
  o.cone = true;
  const CostOutput cone = run_cost(sc, kPlan, o);
  CHECK(cone.cone_variants == 0);
  CHECK(cone.full_variants == full.full_variants);
  CHECK(cone.runs == full.runs);  // the baseline, world 0 (which refused the cones), then the full runs
  check_same_numbers(full, cone);
}

TEST_CASE("wom cost reads the model's offers: an undeclared option, choice or cost question names what is offered",
          "[cost][offers]") {
  const Scenario sc = scenario("  channels: {tweets: false}\n", 500, 120);
  CostOptions o;
  o.focal = 2;
  o.t0_days = 10;
  o.options = {{"bogus", "1"}};
  REQUIRE_THROWS_WITH(run_cost(sc, kPlan, o), Catch::Contains("offers no intervention option 'bogus'") &&
                                                  Catch::Contains("it offers: severity, misunderstanding"));
  o.options = {{"severity", "huge"}};
  REQUIRE_THROWS_WITH(run_cost(sc, kPlan, o), Catch::Contains("--option severity=huge is out of range") &&
                                                  Catch::Contains("accepted mix, small, large"));
  // A model that offers no interventions: wom cost says so, naming what it offers.
  const Scenario sir = scenario_from_yaml_text(
      "model: sir\ntime: {steps: 20}\ngraph: {generator: erdos_renyi, n: 200, mean_degree: 4}\n"
      "params: {beta: 0.1, gamma: 0.1}\n",
      "sir.yaml");
  o.options.clear();
  REQUIRE_THROWS_WITH(run_cost(sir, kPlan, o), Catch::Contains("model 'sir' offers no cost question") &&
                                                   Catch::Contains("it offers interventions: none"));
  // The channels priced are the model's declared channels that the scenario has on.
  o.channel_focal = 1;
  const CostOutput out = run_cost(sc, kPlan, o);
  CHECK(out.channels == std::vector<std::string>{"talk", "weak_ties", "reviews"});
  CHECK(out.events.front().by_channel.size() == 3);  // the first --channel-focal events
  // Options given through --option reach the model: a large complaint, recorded by its label.
  o.options = {{"severity", "large"}};
  CHECK(cost_json(sc, kPlan, run_cost(sc, kPlan, o), o)["severity"] == "large");
  CHECK(cost_json(sc, kPlan, out, CostOptions{})["severity"] == "mix of complaints");
}
