// `wom compare` end to end: what-ifs on common random numbers give paired differences that
// detect a strong effect and are exactly zero between identical what-ifs; what-ifs that
// cannot be paired, and bad --vary arguments, fail clearly and leave nothing behind.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/compare.hpp"
#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using wom::test::kWom;
using wom::test::Result;
using wom::test::run_wom;
using wom::test::slurp;

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-compare") {}
};

const char* kSir =
    "model: sir\n"
    "seed: 11\n"
    "replicates: 4\n"
    "time:\n  steps: 25\n"
    "graph:\n  generator: erdos_renyi\n  n: 400\n  mean_degree: 5\n"
    "params:\n  beta: 0.1\n  gamma: 0.3\n  initial:\n    count: 5\n";

const json& row(const json& doc, const std::string& name) {
  for (const auto& r : doc["rows"])
    if (r["name"] == name) return r;
  static const json none;
  FAIL("no row '" << name << "' in compare.json");
  return none;
}

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("wom compare --vary: a strong effect gives a paired difference whose CI excludes 0", "[compare]") {
  TempDir dir;
  dir.write("sir.yaml", kSir);
  Result r = run_wom(dir, "compare sir.yaml --vary params.beta=0.05,0.4 --out cmp");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(dir.temp_entries().empty());
  CHECK_THAT(r.out, Catch::Contains("params.beta=0.05  (baseline)"));
  CHECK_THAT(r.out, Catch::Contains("Δ B−A"));
  CHECK_THAT(r.out, Catch::Contains("*"));  // a CI that excludes 0
  CHECK_THAT(r.out, Catch::Contains("compare.json"));

  const json doc = json::parse(slurp(dir.path / "cmp" / "compare.json"));
  CHECK(doc["model"] == "sir");
  CHECK(doc["seed"] == 11);
  CHECK(doc["replicates"] == 4);
  CHECK(doc["vary"] == "params.beta");
  REQUIRE(doc["whatifs"].size() == 2);
  CHECK(doc["whatifs"][1]["label"] == "params.beta=0.4");

  // Far more infections at beta 0.4: the paired difference in recovered is large and sure.
  const json& rec = row(doc, "recovered");
  CHECK(rec["kind"] == "final");
  const json& d = rec["whatifs"][1]["difference"];
  CHECK(d["ci_low"].get<double>() > 0);
  CHECK(d["count"] == 4);
  CHECK(rec["whatifs"][0]["difference"].is_null());
  CHECK(rec["unit"] == "persons");
  // What each row measures, declared once: SIR declares nothing, so its stocks read as persons
  // (level) and new_* as flows of persons (sum), shown as totals over the run.
  CHECK(doc["measures"]["columns"]["recovered"]["unit"] == "persons");
  CHECK(doc["measures"]["columns"]["recovered"]["aggregate"] == "level");
  CHECK(doc["measures"]["columns"]["new_infections"]["aggregate"] == "sum");
  CHECK(doc["measures"]["metrics"].empty());
  CHECK(row(doc, "new_infections")["kind"] == "total");
  CHECK(row(doc, "new_infections")["steps"] == "1 to 25");

  // The difference is the paired t estimate of the per-replicate differences.
  const auto a = rec["whatifs"][0]["values"].get<std::vector<double>>();
  const auto b = rec["whatifs"][1]["values"].get<std::vector<double>>();
  REQUIRE(a.size() == 4);
  REQUIRE(b.size() == 4);
  std::vector<double> diff;
  for (std::size_t i = 0; i < a.size(); ++i) diff.push_back(b[i] - a[i]);
  const wom::Estimate e = wom::estimate(diff);
  CHECK(d["mean"].get<double>() == Approx(e.mean).epsilon(1e-12));
  CHECK(d["se"].get<double>() == Approx(e.se).epsilon(1e-12));
  CHECK(d["ci_low"].get<double>() == Approx(e.ci_low).epsilon(1e-12));
  CHECK(d["ci_high"].get<double>() == Approx(e.ci_high).epsilon(1e-12));
  CHECK(rec["whatifs"][1]["differences"].get<std::vector<double>>() == diff);

  // Common random numbers: each what-if is exactly the run `wom run` makes with that value.
  REQUIRE(run_wom(dir, "run sir.yaml --set params.beta=0.4 --out run04 -q").rc == 0);
  const json summary = json::parse(slurp(dir.path / "run04" / "summary.json"));
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(summary["per_replicate"][i]["final"]["recovered"]["count"].get<double>() == b[i]);
  // A flow's row is its total over steps 1..25, as `wom run` reports it.
  const auto flows = row(doc, "new_infections")["whatifs"][1]["values"].get<std::vector<double>>();
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(summary["per_replicate"][i]["over_run"]["new_infections"]["total"].get<double>() == flows[i]);
  // A model without metrics: no verdict, and every row in the terminal table, each column read
  // as it is declared.
  CHECK_THAT(r.out, !Catch::Contains("return"));
  CHECK_THAT(r.out, Catch::Contains("recovered (final)"));
  CHECK_THAT(r.out, Catch::Contains("new_infections (total)"));
  CHECK_THAT(r.out, !Catch::Contains("--all"));

  // Time series per what-if: mean and 95 % CI per step of every column, for plots.
  const json& ts = doc["timeseries"];
  CHECK(ts["steps"] == 25);
  CHECK(ts["columns"].size() == 4);
  CHECK(ts["whatifs"][1]["series"]["infected"]["mean"].size() == 26);
  CHECK(ts["whatifs"][1]["series"]["infected"]["ci_low"].size() == 26);
  CHECK(ts["whatifs"][1]["difference"]["recovered"]["mean"].back().get<double>() == Approx(e.mean));
  CHECK(ts["whatifs"][0]["difference"].is_null());

  // Provenance: each what-if's resolved config, re-runnable.
  const json& prov = doc["provenance"];
  CHECK(prov["whatifs"][1]["config"]["params"]["beta"] == 0.4);
  CHECK(prov["whatifs"][0]["config"]["seed"] == 11);
  for (const char* key : {"version", "git_commit", "threads", "wall_time_seconds", "hostname", "command"})
    CHECK(prov.contains(key));

  // compare.csv: one line per figure and what-if.
  const std::string csv = slurp(dir.path / "cmp" / "compare.csv");
  CHECK_THAT(csv, Catch::StartsWith("row,kind,whatif,label,replicates,mean,se,ci_low,ci_high,diff_mean,diff_se,"
                                    "diff_ci_low,diff_ci_high,unit\n"));
  CHECK(count_lines(csv) == 1 + doc["rows"].size() * 2);
  CHECK_THAT(csv, Catch::Contains("\nrecovered,final,B,params.beta=0.4,4,"));
  CHECK_THAT(csv, Catch::Contains("\nrecovered,final,A,params.beta=0.05,4,"));
  CHECK_THAT(csv, Catch::Contains("\nnew_infections,total,B,params.beta=0.4,4,"));
  CHECK_THAT(csv, Catch::Contains(",persons\n"));
}

TEST_CASE("wom compare: identical what-ifs give bit-identical runs and a difference of exactly 0", "[compare]") {
  TempDir dir;
  dir.write("sir.yaml", kSir);
  SECTION("--vary with a repeated value") {
    Result r = run_wom(dir, "compare sir.yaml --vary params.beta=0.2,0.2 --out same -q");
    INFO(r.err);
    REQUIRE(r.rc == 0);
  }
  SECTION("two copies of one config file") {
    dir.write("copy/sir.yaml", kSir);
    Result r = run_wom(dir, "compare sir.yaml copy/sir.yaml --out same -q");
    INFO(r.err);
    REQUIRE(r.rc == 0);
  }
  const json doc = json::parse(slurp(dir.path / "same" / "compare.json"));
  for (const auto& rw : doc["rows"]) {
    INFO(rw["name"]);
    CHECK(rw["whatifs"][0]["values"] == rw["whatifs"][1]["values"]);
    const json& d = rw["whatifs"][1]["difference"];
    CHECK(d["mean"] == 0);
    CHECK(d["se"] == 0);
    CHECK(d["ci_low"] == 0);
    CHECK(d["ci_high"] == 0);
  }
  const json& ts = doc["timeseries"]["whatifs"];
  CHECK(ts[0]["series"] == ts[1]["series"]);
}

/// The line of `text` that starts with `start` after leading spaces ("" when there is none).
std::string line_of(const std::string& text, const std::string& start) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto b = line.find_first_not_of(' ');
    if (b != std::string::npos && line.compare(b, start.size(), start) == 0) return line;
  }
  return "";
}

TEST_CASE("wom compare: the return is the paired ΔNPV, split into cash flow and terminal value", "[compare]") {
  TempDir dir;
  dir.write("svc.yaml",
            "model: service_wom\nseed: 2\nreplicates: 3\ntime:\n  steps: 40\n  step_days: 1\n"
            "graph:\n  generator: barabasi_albert\n  n: 400\n  m: 3\n");
  Result r = run_wom(dir, "compare svc.yaml --vary params.policy.acknowledge_rate=0.32,1 --out cmp");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const json doc = json::parse(slurp(dir.path / "cmp" / "compare.json"));
  const json& npv = row(doc, "npv");
  const json& ret = row(doc, "return");
  CHECK(ret["kind"] == "return");
  CHECK(ret["unit"] == "currency");
  CHECK_THAT(ret["note"].get<std::string>(), Catch::Contains("return_cash_flow"));
  CHECK_THAT(ret["note"].get<std::string>(), Catch::Contains("continuing costs"));
  CHECK(ret["whatifs"][0]["difference"].is_null());
  CHECK(ret["whatifs"][1]["difference"] == npv["whatifs"][1]["difference"]);
  CHECK(ret["whatifs"][1]["estimate"].is_null());
  // The split: Δ npv_cash_flows and Δ terminal_value, which add up to the return in every
  // replicate (NPV = cash flows + terminal value, up to the rounding of one addition).
  const json& cash = row(doc, "return_cash_flow");
  const json& terminal = row(doc, "return_terminal_value");
  CHECK(cash["kind"] == "return");
  CHECK(terminal["kind"] == "return");
  CHECK(cash["whatifs"][1]["differences"] == row(doc, "npv_cash_flows")["whatifs"][1]["differences"]);
  CHECK(terminal["whatifs"][1]["differences"] == row(doc, "terminal_value")["whatifs"][1]["differences"]);
  const auto d = ret["whatifs"][1]["differences"].get<std::vector<double>>();
  const auto dc = cash["whatifs"][1]["differences"].get<std::vector<double>>();
  const auto dt = terminal["whatifs"][1]["differences"].get<std::vector<double>>();
  const auto a = npv["whatifs"][0]["values"].get<std::vector<double>>();
  const auto b = npv["whatifs"][1]["values"].get<std::vector<double>>();
  REQUIRE(d.size() == 3);
  REQUIRE(dc.size() == 3);
  REQUIRE(dt.size() == 3);
  for (std::size_t i = 0; i < d.size(); ++i) {
    INFO("replicate " << i);
    // Three roundings of numbers no larger than |a| + |b|.
    CHECK(std::fabs(d[i] - (dc[i] + dt[i])) <= 4 * 2.3e-16 * (std::fabs(a[i]) + std::fabs(b[i])));
  }
  // Rows next to each other, right after the NPV.
  std::vector<std::string> names;
  for (const auto& rw : doc["rows"]) names.push_back(rw["name"]);
  const auto at = std::find(names.begin(), names.end(), "npv") - names.begin();
  REQUIRE(std::size_t(at + 3) < names.size());
  CHECK(names[std::size_t(at + 1)] == "return");
  CHECK(names[std::size_t(at + 2)] == "return_cash_flow");
  CHECK(names[std::size_t(at + 3)] == "return_terminal_value");
  // Units: every row says its unit, the measures block says what each figure is.
  CHECK(npv["unit"] == "currency");
  CHECK(row(doc, "retention_per_year")["unit"] == "share");
  CHECK(doc["currency"] == "$");
  CHECK(doc["measures"]["metrics"]["npv"]["unit"] == "currency");
  CHECK(doc["measures"]["metrics"]["npv"]["headline"].get<int>() > 0);
  CHECK(doc["measures"]["metrics"]["acquisitions"]["aggregate"] == "level");
  CHECK(doc["measures"]["columns"]["acquisitions"]["aggregate"] == "sum");
  CHECK(doc["measures"]["columns"]["rating"]["unit"] == "stars");
  CHECK(doc["measures"]["returns"]["return_terminal_value"]["unit"] == "currency");
  for (const auto& rw : doc["rows"]) {
    INFO(rw["name"]);
    const char* group = rw["kind"] == "metric" ? "metrics" : rw["kind"] == "return" ? "returns" : "columns";
    CHECK(doc["measures"][group].contains(rw["name"].get<std::string>()));
  }
  // customers is among the columns, so its series is there for the report's plot.
  CHECK(doc["timeseries"]["whatifs"][1]["series"].contains("customers"));
  const std::string csv = slurp(dir.path / "cmp" / "compare.csv");
  CHECK_THAT(csv, Catch::Contains("\nreturn_cash_flow,return,B,"));
  CHECK_THAT(csv, Catch::Contains("\nreturn_terminal_value,return,B,"));

  // The terminal: a verdict per change, then the headline figures in the model's order and units.
  const std::string verdict = line_of(r.out, "B (params.policy.acknowledge_rate=1): return ");
  INFO(r.out);
  REQUIRE(!verdict.empty());
  CHECK_THAT(verdict,
             Catch::Matches(R"(B \(params\.policy\.acknowledge_rate=1\): return −?\$[0-9,]+ \(95 % CI −?\$.*)"));
  CHECK_THAT(verdict, Catch::Contains(" = cash flow over the horizon "));
  CHECK_THAT(verdict, Catch::Contains(" + terminal value "));
  const json& e = ret["whatifs"][1]["difference"];
  const bool excludes = e["ci_low"].get<double>() > 0 || e["ci_high"].get<double>() < 0;
  CHECK_THAT(verdict, Catch::EndsWith(excludes ? "; the CI excludes 0" : "; the CI includes 0"));
  std::size_t last = 0;
  for (const char* name : {"retention_per_year", "annual_defection_rate", "customers_start", "customers_end",
                           "acquisitions", "npv", "= npv_cash_flows", "+ terminal_value", "share_positive_stories",
                           "rating_end", "return", "= return_cash_flow", "+ return_terminal_value"}) {
    INFO(name);
    const auto pos = r.out.find(std::string("  ") + name + " ", last);
    REQUIRE(pos != std::string::npos);
    last = pos;
  }
  CHECK_THAT(line_of(r.out, "retention_per_year"), Catch::Contains(" % ["));
  CHECK_THAT(line_of(r.out, "retention_per_year"), Catch::Contains(" pp ["));  // a difference of shares
  CHECK_THAT(line_of(r.out, "npv "), Catch::Contains("$"));
  CHECK_THAT(line_of(r.out, "rating_end"), Catch::Contains(" ★ ["));
  CHECK_THAT(line_of(r.out, "customers_end"), !Catch::Contains("e+"));
  CHECK_THAT(r.out, !Catch::Contains("prospects (final)"));  // only with --all
  CHECK_THAT(r.out, Catch::Contains("with --all"));
  CHECK_THAT(r.out, Catch::Contains("compare.csv"));

  // --all: every row, columns read as the model declares them.
  Result all = run_wom(dir, "compare svc.yaml --vary params.policy.acknowledge_rate=0.32,1 --all");
  INFO(all.err);
  REQUIRE(all.rc == 0);
  CHECK_THAT(all.out, Catch::Contains("prospects (final)"));
  CHECK_THAT(all.out, Catch::Contains("acquisitions (total)"));
  CHECK_THAT(all.out, Catch::Contains("largest_cascade (max)"));
  CHECK_THAT(all.out, Catch::Contains("clv_analytic"));
  CHECK_THAT(all.out, !Catch::Contains("with --all"));
  CHECK(count_lines(all.out) > count_lines(r.out) + 50);
}

TEST_CASE("wom compare: what-ifs that cannot be paired are refused, naming the key", "[compare]") {
  TempDir dir;
  dir.write("a.yaml", kSir);
  std::string other = kSir;
  other.replace(other.find("n: 400"), 6, "n: 500");
  dir.write("b.yaml", other);
  Result r = run_wom(dir, "compare a.yaml b.yaml --out cmp");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::StartsWith("wom: error: "));
  CHECK_THAT(r.err, Catch::Contains("cannot be paired"));
  CHECK_THAT(r.err, Catch::Contains("graph.n differs (400 vs 500)"));
  CHECK(!fs::exists(dir.path / "cmp"));
  CHECK(dir.temp_entries().empty());

  // --vary on a key of the world is refused alike.
  r = run_wom(dir, "compare a.yaml --vary graph.mean_degree=4,8 --out cmp");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot be paired"));
  CHECK_THAT(r.err, Catch::Contains("graph.mean_degree"));

  // Replicate counts must agree (or be set for all with --replicates).
  std::string reps = kSir;
  reps.replace(reps.find("replicates: 4"), 13, "replicates: 3");
  dir.write("c.yaml", reps);
  r = run_wom(dir, "compare a.yaml c.yaml");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("replicates differs (4 vs 3)"));
  r = run_wom(dir, "compare a.yaml c.yaml --replicates 2 -q");
  INFO(r.err);
  CHECK(r.rc == 0);

  // The model's initial population is part of the world too.
  dir.write("p1.yaml",
            "model: service_wom\nreplicates: 1\ntime:\n  steps: 5\ngraph:\n  generator: erdos_renyi\n"
            "  n: 200\n  mean_degree: 4\n");
  dir.write("p2.yaml", "extends: p1.yaml\nparams:\n  population:\n    customer_share: 0.5\n");
  r = run_wom(dir, "compare p1.yaml p2.yaml");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("params.population.customer_share differs"));
}

TEST_CASE("wom compare --vary: bad arguments name the --vary argument and the accepted form", "[compare]") {
  TempDir dir;
  dir.write("sir.yaml", kSir);
  struct Case {
    std::string args, expect1, expect2;
  };
  const std::vector<Case> cases = {
      {"--vary params.bta=0.1,0.2", "--vary 'params.bta=0.1,0.2' (value '0.1')", "did you mean 'params.beta'?"},
      {"--vary params.beta=0.1,1.5", "--vary 'params.beta=0.1,1.5' (value '1.5')", "accepted [0, 1]"},
      {"--vary params.beta=0.1,abc", "(value 'abc')", "expected a number"},
      {"--vary params.beta=0.1", "two or more", "got 1"},
      {"--vary params.beta=0.1,,0.2", "value 2 is empty", "--vary"},
      {"--vary params.beta", "expected key=v1,v2", "--vary"},
      {"--vary seed=1,2", "same seed", "--seed"},
      {"", "two or more what-ifs", "--vary"},
  };
  for (const auto& c : cases) {
    INFO("wom compare sir.yaml " << c.args);
    Result r = run_wom(dir, "compare sir.yaml " + c.args + " --out cmp");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: "));
    CHECK_THAT(r.err, Catch::Contains(c.expect1));
    CHECK_THAT(r.err, Catch::Contains(c.expect2));
    CHECK(!fs::exists(dir.path / "cmp"));
  }
  // --vary with several config files is ambiguous.
  dir.write("b.yaml", kSir);
  Result r = run_wom(dir, "compare sir.yaml b.yaml --vary params.beta=0.1,0.2");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("exactly one config file"));
  CHECK(dir.temp_entries().empty());
}

TEST_CASE("wom compare writes its outputs atomically", "[compare]") {
  TempDir dir;
  dir.write("sir.yaml", kSir);
  // An earlier comparison's files stay whole when a later one fails.
  REQUIRE(run_wom(dir, "compare sir.yaml --vary params.beta=0.1,0.2 --out cmp -q").rc == 0);
  const std::string before = slurp(dir.path / "cmp" / "compare.json");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path / "cmp")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{".wom-output", "compare.csv", "compare.json"});

  Result r = run_wom(dir, "compare sir.yaml --vary params.beta=0.1,2 --out cmp");
  CHECK(r.rc == 1);
  CHECK(slurp(dir.path / "cmp" / "compare.json") == before);
  CHECK(dir.temp_entries().empty());

  // An output path that is a file: refused before any run.
  dir.write("taken", "x");
  r = run_wom(dir, "compare sir.yaml --vary params.beta=0.1,0.2 --out taken");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("not a folder"));
  CHECK(slurp(dir.path / "taken") == "x");
  CHECK(dir.temp_entries().empty());
}

TEST_CASE("split_vary_values keeps YAML flow values whole", "[compare]") {
  CHECK(wom::split_vary_values("0.1, 0.2,0.3") == std::vector<std::string>{"0.1", "0.2", "0.3"});
  CHECK(wom::split_vary_values("[500,500],[300,700]") == std::vector<std::string>{"[500,500]", "[300,700]"});
  CHECK(wom::split_vary_values("'a,b',c") == std::vector<std::string>{"'a,b'", "c"});
  CHECK(wom::vary_key("params.beta=1,2") == "params.beta");
  CHECK(wom::vary_key("params.beta").empty());
}

TEST_CASE("wom cost: bad arguments name the flag and the accepted range, and leave nothing behind", "[cost]") {
  TempDir dir;
  dir.write("svc.yaml",
            "model: service_wom\nseed: 3\nreplicates: 1\ntime: {steps: 60, step_days: 1}\n"
            "graph: {generator: barabasi_albert, n: 500, m: 3}\n");
  struct Case {
    std::string args, expect1, expect2;
  };
  const std::vector<Case> cases = {
      {"--max-cone 0", "--max-cone", "accepted (0, 1]"},
      {"--max-cone 1.5", "--max-cone", "accepted (0, 1]"},
      {"--max-cone abc", "--max-cone", "accepted (0, 1]"},
      {"--t0 60", "--t0 = 60 days", "accepted [0, 60) days"},
      {"--focal 0", "--focal", "not in range"},
      {"--focal 100000 --t0 10", "fewer than --focal = 100000", "customers at t0"},
      {"--severity huge", "--severity", "huge"},
  };
  for (const auto& c : cases) {
    INFO("wom cost svc.yaml " << c.args);
    Result r = run_wom(dir, "cost svc.yaml " + c.args + " --out out -q");
    CHECK(r.rc == 1);  // flag errors (CLI11's) as well as the study's own
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: "));
    CHECK_THAT(r.err, Catch::Contains(c.expect1));
    CHECK_THAT(r.err, Catch::Contains(c.expect2));
    CHECK(!fs::exists(dir.path / "out"));
  }
  CHECK(dir.temp_entries().empty());
}
