// wom cost: paired runs on common random numbers, exact partition, and theory.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>

#include "config.hpp"
#include "cost.hpp"
#include "engine.hpp"
#include "generators.hpp"
#include "models/registry.hpp"
#include "support/theory.hpp"

using namespace wom;

namespace {

Scenario scenario(const std::string& extra, std::int64_t n = 3000, std::int64_t steps = 365) {
  register_models();
  return scenario_from_yaml_text(fmt::format("model: service_wom\nseed: 5\nreplicates: 1\n"
                                             "time: {{steps: {}, step_days: 1}}\n"
                                             "graph: {{generator: barabasi_albert, n: {}, m: 4}}\n"
                                             "params:\n{}",
                                             steps, n, extra),
                                 "cost.yaml");
}

}  // namespace

TEST_CASE("a run with no intervention is bit-identical to the baseline, and an intervention changes nothing before t0",
          "[cost]") {
  const Scenario sc = scenario("  population: {customer_share: 0.3}\n", 4000, 200);
  const Graph g = make_graph(sc.graph, sc.seed, 0);
  const RunPlan plan{sc.seed, 0, sc.steps, sc.step_days};
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
    iv.agent = focal;
    iv.step = 100;
    iv.path = path;
    iv.severity = 1;
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
  const CostOutput out = run_cost(sc, o);
  REQUIRE(out.events.size() == 40);
  std::vector<double> total;
  for (const auto& e : out.events) {
    total.push_back(e.total);
    const double parts =
        e.own_margin + e.retention_ripple + e.acquisition_ripple + e.service + e.acquisition_spend + e.terminal;
    REQUIRE(parts == Approx(e.total).margin(1e-9 * (1 + std::abs(e.total))));
    REQUIRE(e.by_channel.size() == (e.agent == out.events[0].agent ? out.channels.size() : e.by_channel.size()));
  }
  const theory::Sample s{total};
  THEORY_REPORT("cost of arguing (defaults, n=3000, 40 focal events): {:.1f} +- {:.1f} (se)", s.mean(), s.se());
  CHECK(s.mean() - 3 * s.se() > 0);
  CHECK(out.channels.size() == 4);
  const auto doc = cost_json(sc, out, o);
  CHECK(doc["partition"].size() == 6);
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
  o.severity = 1;  // large: argue keeps 0.19; acknowledge 0.82 at first contact (share FCR), else 0.54
  o.lost = false;
  const CostOutput out = run_cost(sc, o);
  REQUIRE(out.terminal_retention.size() == 1);

  const auto& p = sc.params;
  const double m = p.real("economics.margin_per_year"), i = p.real("economics.discount_rate_per_year");
  const double dt = 1.0 / 365.0, x = std::pow(1 + i, -dt);
  const double pc = 1 - std::exp(-p.real("churn.base_rate_per_year") * dt);
  const double fcr = p.real("policy.first_contact_resolution");
  const double gap = fcr * 0.82 + (1 - fcr) * 0.54 - 0.19;
  const double r = out.terminal_retention[0], multiple = r / (1 + i - r);
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
    total.push_back(e.total);
    REQUIRE(e.retention_ripple == 0.0);  // nothing reaches anyone else
    REQUIRE(e.acquisition_ripple == 0.0);
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
  const CostOutput a = run_cost(plain, o), b = run_cost(reordered, o);
  REQUIRE(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    CHECK(a.events[i].agent_id == b.events[i].agent_id);
    CHECK(a.events[i].total == b.events[i].total);
    CHECK(a.events[i].retention_ripple == b.events[i].retention_ripple);
    CHECK(a.events[i].lost_total == b.events[i].lost_total);
    CHECK(a.events[i].by_channel == b.events[i].by_channel);
  }
  for (const auto& e : a.events) {
    CHECK(e.lost_own > 0);  // the customer's own margins from t0 on are gone
    CHECK(e.lost_own + e.lost_ripple + e.lost_other == Approx(e.lost_total).margin(1e-6));
  }
}

TEST_CASE("a degree-stratified draw fills every decile and leaves the headline figures unchanged", "[cost]") {
  const Scenario sc = scenario("  population: {customer_share: 0.3}\n", 1500, 150);
  CostOptions o;
  o.focal = 5;
  o.channel_focal = 0;
  o.t0_days = 40;
  o.lost = false;
  const CostOutput plain = run_cost(sc, o);
  o.by_degree = 2;
  const CostOutput strat = run_cost(sc, o);
  REQUIRE(strat.events.size() == 5 + 20);
  for (std::size_t i = 0; i < 5; ++i) CHECK(strat.events[i].total == plain.events[i].total);
  const auto doc = cost_json(sc, strat, o);
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
