// The facade (api/wom.hpp): what the CLI calls gives what the CLI gives; describe, then run.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "api/wom.hpp"
#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

using namespace wom;
using test::slurp;

namespace {

const char* kConfig =
    "model: service_wom\n"
    "seed: 7\n"
    "replicates: 2\n"
    "time: {steps: 60, step_days: 1}\n"
    "graph: {generator: holme_kim, n: 2000, m: 4, triad: 0.5}\n"
    "params:\n"
    "  problems: {rate_per_year: 3}\n";

/// The values of a run, replicate by replicate.
std::vector<std::vector<double>> values(const RunOutput& run) {
  std::vector<std::vector<double>> v;
  for (const auto& r : run.results) v.push_back(r.trajectory.values);
  return v;
}

}  // namespace

TEST_CASE("the facade's run writes what `wom run` writes, and records the plan", "[api]") {
  init();
  test::TempDir dir("wom-api");
  const std::string file = dir.write("s.yaml", kConfig);
  const test::Result cli = test::run_wom(dir, "run s.yaml --out cli -q --threads 1");
  REQUIRE(cli.rc == 0);

  const Config cfg = load_config(file);
  RunOptions how;
  how.output_dir = (dir.path / "api").string();
  how.threads = 2;
  const RunResult res = run(cfg.scenario, cfg.plan, how);
  CHECK(res.written.size() == 3);  // timeseries.csv, summary.json, config.yaml
  CHECK(slurp(dir.path / "api" / "timeseries.csv") == slurp(dir.path / "cli" / "timeseries.csv"));
  const auto a = nlohmann::json::parse(slurp(dir.path / "api" / "summary.json"));
  const auto c = nlohmann::json::parse(slurp(dir.path / "cli" / "summary.json"));
  CHECK(a["across_replicates"] == c["across_replicates"]);
  CHECK(a["provenance"]["seed"] == 7);
  CHECK(a["provenance"]["replicates"] == 2);
}

TEST_CASE("a run plan chooses the runs: a replicate is the same run in any plan, overrides are --set", "[api]") {
  init();
  const Config cfg = config_from_yaml_text(kConfig, "s.yaml");
  const Scenario before = cfg.scenario;
  RunPlan two = cfg.plan;
  const RunResult both = run(cfg.scenario, two, {});
  REQUIRE(both.output.results.size() == 2);
  // Replicate 1 alone (a sweep's unit of work) is replicate 1 of the two-replicate plan.
  RunPlan second = two;
  second.first_replicate = 1;
  second.replicates = 1;
  const RunResult one = run(cfg.scenario, second, {});
  REQUIRE(one.output.results.size() == 1);
  CHECK(one.output.results[0].replicate == 1);
  CHECK(one.output.results[0].trajectory.values == both.output.results[1].trajectory.values);
  // The scenario is not changed by running it.
  CHECK(cfg.scenario.resolved == before.resolved);
  CHECK(cfg.scenario.params.real("policy.acknowledge_rate") == before.params.real("policy.acknowledge_rate"));

  // A plan's overrides are `--set` on the scenario: the same as loading with them, and the same
  // as running the overridden scenario.
  const std::vector<std::string> sets = {"params.policy.acknowledge_rate=0.9"};
  const Scenario changed = override(cfg.scenario, sets);
  CHECK(changed.params.real("policy.acknowledge_rate") == 0.9);
  CHECK(changed.resolved == config_from_yaml_text(kConfig, "s.yaml", sets).scenario.resolved);
  RunPlan with_sets = two;
  with_sets.overrides = sets;
  CHECK(values(run(cfg.scenario, with_sets, {}).output) == values(run(changed, two, {}).output));
  CHECK(values(run(changed, two, {}).output) != values(both.output));
  // A bad override names itself and the accepted range.
  REQUIRE_THROWS_WITH(override(cfg.scenario, {"params.policy.acknowledge_rate=2"}),
                      Catch::Contains("--set 'params.policy.acknowledge_rate=2'") && Catch::Contains("[0, 1]"));
  // Results do not depend on how: threads.
  RunOptions one_thread;
  one_thread.threads = 1;
  CHECK(values(run(cfg.scenario, two, one_thread).output) == values(both.output));
}

TEST_CASE("the facade's compare and cost write their folders, a PlanChoice replaces the file's plan", "[api]") {
  init();
  test::TempDir dir("wom-api");
  const std::string file = dir.write("s.yaml", kConfig);
  PlanChoice choice;
  choice.replicates = 2;
  choice.seed = 3;
  RunOptions how;
  how.output_dir = (dir.path / "cmp").string();
  const CompareResult cmp = compare(CompareRequest{{file}, "params.policy.acknowledge_rate=0.32,0.9", {}}, choice, how);
  CHECK(cmp.written.size() == 2);
  CHECK(cmp.comparison.runs.front().seed == 3);
  const auto doc = nlohmann::json::parse(slurp(dir.path / "cmp" / "compare.json"));
  CHECK(doc["seed"] == 3);

  const Config cfg = load_config(file);
  CostOptions what;
  what.focal = 5;
  what.t0_days = 20;
  how.output_dir = (dir.path / "cost").string();
  how.report = true;
  const CostResult cost_res = cost(cfg.scenario, choice.applied_to(cfg.plan), what, how);
  CHECK(cost_res.written.size() == 3);  // cost.json, cost_events.csv, report.html
  const auto cj = nlohmann::json::parse(slurp(dir.path / "cost" / "cost.json"));
  CHECK(cj["focal_events"] == 10);  // 5 per replicate, 2 replicates
  CHECK(cj["provenance"]["seed"] == 3);
  CHECK(cj == cost_res.document);
  // An existing folder is refused before any work.
  REQUIRE_THROWS_WITH(cost(cfg.scenario, cfg.plan, what, how), Catch::Contains("exists"));
}
