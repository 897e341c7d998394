// wom sweep: specs and their errors, common random numbers, crash-safe resume, shards and
// locks, adaptive replicates, and the sensitivity analysis of a real sweep.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "models/registry.hpp"
#include "sim/core/error.hpp"
#include "sweep/spec.hpp"
#include "sweep/store.hpp"
#include "sweep/sweep.hpp"
#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

using namespace wom;
using namespace wom::sweep;
using Catch::Matchers::Contains;
using wom::test::run_wom;
using wom::test::slurp;
using wom::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kBase = WOM_SOURCE_DIR "/configs/default.yaml";

/// A small sweep of the default scenario: 3,000 persons for 60 days.
std::string spec_text(const std::string& body, const std::string& overrides = "{time.steps: 60, graph.n: 3000}") {
  return "base: " + kBase + "\nseed: 3\n" + body + "\noverrides: " + overrides + "\n";
}

const std::string kGrid =
    "design: grid\n"
    "vary:\n"
    "  params.policy.acknowledge_rate: [0.2, 0.9]\n"
    "  params.talk.negativity_bias: {min: 0.5, max: 2.0, log: true}\n"
    "levels: 3\n"
    "replicates: 2\n"
    "metrics: [npv, customers_end]";

SweepOptions quiet(const std::string& out) {
  register_models();
  SweepOptions o;
  o.out = out;
  return o;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string spec_error(const TempDir& d, const std::string& text, bool design = true) {
  register_models();
  const std::string p = d.write("bad.yaml", text);
  try {
    const Spec s = load_spec(p);
    if (design) make_design(s);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a grid sweep writes its design, manifest and one row per point and replicate", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string spec = d.write("grid.yaml", spec_text(kGrid));
  const SweepRun r = run_sweep(spec, quiet((d.path / "out").string()));
  CHECK(r.ran == 12);
  CHECK(r.status.complete());
  CHECK(r.collected);
  const auto design = lines(slurp(d.path / "out/design.csv"));
  REQUIRE(design.size() == 7);
  CHECK(design[0] == "point_id,params.policy.acknowledge_rate,params.talk.negativity_bias");
  CHECK(design[1] == "0,0.2,0.5");
  CHECK(design[2] == "1,0.2,1");  // log range: 0.5, 1, 2
  const auto results = lines(slurp(d.path / "out/results.csv"));
  REQUIRE(results.size() == 13);
  CHECK(results[0] ==
        "point_id,replicate,seed,params.policy.acknowledge_rate,params.talk.negativity_bias,npv,"
        "customers_end");
  CHECK(lines(slurp(d.path / "out/results.jsonl")).size() == 12);
  const auto manifest = nlohmann::json::parse(slurp(d.path / "out/manifest.json"));
  CHECK(manifest["kind"] == "wom sweep");
  CHECK(manifest["spec_hash"].get<std::string>().size() == 16);
  CHECK(manifest["seeds"].size() == 6);
  CHECK(fs::exists(d.path / "out/writers/shard-0-of-1.json"));

  SECTION("wom run reproduces every row: replicate r of a point is replicate r of the base run with its values") {
    for (int p : {0, 5}) {
      const std::string ack = p == 0 ? "0.2" : "0.9", nb = p == 0 ? "0.5" : "2";
      const auto rr =
          run_wom(d, "run " + kBase +
                         " --seed 3 --replicates 2 --set time.steps=60 --set graph.n=3000"
                         " --set params.policy.acknowledge_rate=" +
                         ack + " --set params.talk.negativity_bias=" + nb + " --out run" + std::to_string(p));
      REQUIRE(rr.rc == 0);
      const auto summary = nlohmann::json::parse(slurp(d.path / ("run" + std::to_string(p)) / "summary.json"));
      for (int rep = 0; rep < 2; ++rep) {
        std::istringstream row(results[std::size_t(1 + 2 * p + rep)]);
        std::vector<std::string> cells;
        for (std::string c; std::getline(row, c, ',');) cells.push_back(c);
        REQUIRE(cells.size() == 7);
        CHECK(cells[0] == std::to_string(p));
        CHECK(cells[1] == std::to_string(rep));
        CHECK(cells[2] == "3");
        CHECK(std::stod(cells[5]) == summary["per_replicate"][rep]["metrics"]["npv"].get<double>());
        CHECK(std::stod(cells[6]) == summary["per_replicate"][rep]["metrics"]["customers_end"].get<double>());
      }
    }
  }
  SECTION("the points share each replicate's graph, with the same results as building it per run") {
    CHECK(r.graphs_built == 2);  // one per replicate: no point varies a graph key
    CHECK(r.graphs_reused == 10);
    SweepOptions o = quiet((d.path / "fresh").string());
    o.reuse_graphs = false;
    const SweepRun fresh = run_sweep(spec, o);
    CHECK(fresh.graphs_built == 0);
    CHECK(slurp(d.path / "fresh/results.csv") == slurp(d.path / "out/results.csv"));
  }
  SECTION("an existing sweep folder needs --resume, and then nothing is redone") {
    CHECK_THROWS_WITH(run_sweep(spec, quiet((d.path / "out").string())), Contains("add --resume"));
    SweepOptions o = quiet((d.path / "out").string());
    o.resume = true;
    const SweepRun again = run_sweep(spec, o);
    CHECK(again.ran == 0);
    CHECK(again.skipped == 12);
    CHECK(lines(slurp(d.path / "out/results.csv")) == results);
  }
  SECTION("--resume refuses another spec and a folder that is not a sweep") {
    SweepOptions o = quiet((d.path / "out").string());
    o.resume = true;
    const std::string other = d.write("other.yaml", spec_text(kGrid + "\ncrn: false"));
    CHECK_THROWS_WITH(run_sweep(other, o), Contains("holds a sweep of another spec"));
    d.write("plain/file.txt", "x");
    o.out = (d.path / "plain").string();
    CHECK_THROWS_WITH(run_sweep(spec, o), Contains("is not a sweep folder"));
    CHECK_THROWS_WITH(sweep_status((d.path / "plain").string()), Contains("not a sweep folder"));
  }
  SECTION("a second writer of the same shard is refused") {
    StoreWriter held((d.path / "out/records/shard-0-of-1.log").string());
    const auto rr = run_wom(d, "sweep grid.yaml --out out --resume");
    CHECK(rr.rc == 1);
    CHECK_THAT(rr.err, Contains("another wom process is writing this shard"));
  }
}

TEST_CASE("sweep seeds: common random numbers by default, per-point streams with crn: false", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string body =
      "design: grid\nvary:\n  params.policy.acknowledge_rate: [0.3, 0.3000001]\nreplicates: 1\nmetrics: [npv]";
  const std::string crn = d.write("crn.yaml", spec_text(body));
  const std::string own = d.write("own.yaml", spec_text(body + "\ncrn: false"));
  run_sweep(crn, quiet((d.path / "crn").string()));
  run_sweep(own, quiet((d.path / "own").string()));
  const auto a = nlohmann::json::parse(slurp(d.path / "crn/manifest.json"))["seeds"];
  const auto b = nlohmann::json::parse(slurp(d.path / "own/manifest.json"))["seeds"];
  CHECK(a[0] == 3);
  CHECK(a[1] == 3);
  CHECK(b[0] != b[1]);
  CHECK(b[0] != 3);
  // The seeds depend on (seed, point) only: the same in a second folder.
  run_sweep(own, quiet((d.path / "own2").string()));
  CHECK(nlohmann::json::parse(slurp(d.path / "own2/manifest.json"))["seeds"] == b);
  CHECK(slurp(d.path / "own2/results.csv") == slurp(d.path / "own/results.csv"));
}

TEST_CASE("a sweep killed with kill -9 resumes to the same table as an uninterrupted one", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string spec =
      d.write("s.yaml",
              spec_text("design: lhs\npoints: 12\nvary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}\n"
                        "  params.talk.negativity_bias: {min: 0.5, max: 2}\nreplicates: 2\nmetrics: [npv, rating_end]",
                        "{time.steps: 120, graph.n: 20000}"));
  REQUIRE(run_wom(d, "sweep s.yaml --out whole --threads 1").rc == 0);
  const std::string whole = slurp(d.path / "whole/results.csv");
  REQUIRE(lines(whole).size() == 25);

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::chdir(d.path.c_str());
    ::execl(wom::test::kWom.c_str(), "wom", "sweep", "s.yaml", "--out", "cut", "--threads", "1", "-q",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Kill it once some rows are durable, with more to come.
  const fs::path log = d.path / "cut/records/shard-0-of-1.log";
  std::size_t rows = 0;
  for (int i = 0; i < 6000 && rows < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    rows = read_store(log.string()).records.size();
  }
  ::kill(child, SIGKILL);
  int st = 0;
  ::waitpid(child, &st, 0);
  REQUIRE(WIFSIGNALED(st));
  const SweepStatus cut = sweep_status((d.path / "cut").string());
  INFO("rows recorded before the kill: " << cut.rows);
  CHECK(cut.rows >= 3);
  CHECK(cut.rows < 24);
  CHECK_FALSE(cut.complete());
  CHECK(run_wom(d, "sweep status cut").out.find("pending") != std::string::npos);
  // A torn last record (as a kill in mid-write leaves) is dropped too.
  { std::ofstream(log, std::ios::app) << "57 deadbeef {\"point\":"; }
  const auto res = run_wom(d, "sweep s.yaml --out cut --resume");
  CHECK(res.rc == 0);
  CHECK(slurp(d.path / "cut/results.csv") == whole);
  const SweepStatus done = sweep_status((d.path / "cut").string());
  CHECK(done.rows == 24);
  CHECK(done.complete());
}

TEST_CASE("shards share one folder and merge into the one-process table", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string spec = d.write("grid.yaml", spec_text(kGrid));
  run_sweep(spec, quiet((d.path / "one").string()));
  SweepOptions a = quiet((d.path / "sharded").string());
  a.shard = {0, 2};
  const SweepRun first = run_sweep(spec, a);
  CHECK_FALSE(first.collected);  // shard 1 has not run
  CHECK(first.status.points_pending == 3);
  // A SLURM array task finds its share in the environment (ids from SLURM_ARRAY_TASK_MIN).
  const auto unsharded = run_wom(d, "sweep grid.yaml --out sharded -q");
  CHECK(unsharded.rc == 1);
  CHECK_THAT(unsharded.err, Contains("already holds this sweep"));  // an unsharded run needs --resume
  ::setenv("SLURM_ARRAY_TASK_ID", "2", 1);
  ::setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
  ::setenv("SLURM_ARRAY_TASK_COUNT", "2", 1);
  const auto rr = run_wom(d, "sweep grid.yaml --out sharded -q");
  for (const char* v : {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"}) ::unsetenv(v);
  CHECK(rr.rc == 0);
  const SweepStatus s = sweep_status((d.path / "sharded").string());
  CHECK(s.complete());
  CHECK(s.writers == std::vector<std::string>{"shard-0-of-2", "shard-1-of-2"});
  CHECK(slurp(d.path / "sharded/results.csv") == slurp(d.path / "one/results.csv"));
}

TEST_CASE("shards that start at the same moment all join one folder", "[sweep]") {
  TempDir d("wom-sweep");
  d.write("grid.yaml", spec_text(kGrid));
  REQUIRE(run_wom(d, "sweep grid.yaml --out one -q").rc == 0);
  // As a SLURM array's tasks do: the folder must appear whole (manifest and all) to each.
  for (int round = 0; round < 5; ++round) {
    const std::string out = "race" + std::to_string(round);
    std::string cmd;
    for (int i = 0; i < 4; ++i)
      cmd += "'" + wom::test::kWom + "' sweep grid.yaml --out " + out + " -q --shard " + std::to_string(i) +
             "/4 > /dev/null 2>> errors.txt & ";
    const auto rr = run_wom(d, "--version > /dev/null; " + cmd + "wait");
    INFO(slurp(d.path / "errors.txt"));
    CHECK(slurp(d.path / "errors.txt").empty());
    CHECK(slurp(d.path / out / "results.csv") == slurp(d.path / "one/results.csv"));
    CHECK(d.temp_entries().empty());
  }
}

TEST_CASE("a failed run is recorded with its message and the sweep goes on", "[sweep]") {
  TempDir d("wom-sweep");
  // An edge list that is readable but malformed passes the checks of the spec and fails when
  // its run reads it (a point too large for memory is refused up front instead: test_faults).
  std::string ring;
  for (int v = 0; v < 2000; ++v) ring += std::to_string(v) + " " + std::to_string((v + 1) % 2000) + "\n";
  const std::string good = d.write("good.txt", ring), bad = d.write("bad.txt", ring + "17 x\n");
  d.write("base.yaml", "extends: " + kBase + "\ngraph: {generator: file, path: good.txt}\n");
  const std::string spec =
      d.write("f.yaml", "base: base.yaml\nseed: 3\ndesign: grid\nvary:\n  graph.path: [" + good + ", " + bad +
                            "]\nreplicates: 1\nmetrics: [npv]\noverrides: {time.steps: 30}\n");
  const SweepRun r = run_sweep(spec, quiet((d.path / "out").string()));
  CHECK(r.status.points_done == 1);
  CHECK(r.status.points_failed == 1);
  CHECK(r.collected);
  CHECK_THAT(slurp(d.path / "out/failures.csv"), Contains("1,0,3,") && Contains("'x' is not a vertex id"));
  CHECK(lines(slurp(d.path / "out/results.csv")).size() == 2);
  // --retry-failed runs a failed row again, and its ok row then replaces the failed record.
  const std::string grid = d.write("g.yaml", spec_text(kGrid));
  run_sweep(grid, quiet((d.path / "g").string()));
  const std::string whole = slurp(d.path / "g/results.csv");
  fs::remove(d.path / "g/records/shard-0-of-1.log");
  {
    StoreWriter w((d.path / "g/records/shard-0-of-1.log").string());
    w.append(R"({"point":0,"replicate":0,"seed":3,"error":"a run that failed"})");
  }
  CHECK(sweep_status((d.path / "g").string()).points_failed == 1);
  SweepOptions retry = quiet((d.path / "g").string());
  retry.resume = true;
  retry.retry_failed = true;
  const SweepRun again = run_sweep(grid, retry);
  CHECK(again.status.complete());
  CHECK(again.status.points_failed == 0);
  CHECK(slurp(d.path / "g/results.csv") == whole);
  SweepOptions ff = quiet((d.path / "ff").string());
  ff.fail_fast = true;
  CHECK_THROWS_WITH(run_sweep(spec, ff), Contains("--fail-fast"));
}

TEST_CASE("replicates until a target precision, or max", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string spec =
      d.write("a.yaml", spec_text("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.2, 0.9]\n"
                                  "replicates: {min: 3, max: 12, batch: 3, target: {metric: npv, ci_halfwidth: 0.01, "
                                  "relative: true}}\nmetrics: [customers_end]"));
  const SweepRun r = run_sweep(spec, quiet((d.path / "out").string()));
  CHECK(r.status.complete());
  const auto pts = lines(slurp(d.path / "out/points.csv"));
  REQUIRE(pts.size() == 3);
  const auto results = lines(slurp(d.path / "out/results.csv"));
  CHECK(results[0] == "point_id,replicate,seed,params.policy.acknowledge_rate,customers_end,npv");
  // Each point stops at the first batch whose 95 % CI half-width is within 1 % of its mean.
  for (const std::string& row : {pts[1], pts[2]}) {
    const auto reps = std::stoi(row.substr(row.rfind(',', row.rfind(',') - 1) + 1));
    CHECK(reps >= 3);
    CHECK(reps <= 12);
    CHECK(reps % 3 == 0);
  }
  CHECK(std::int64_t(results.size()) - 1 == r.status.rows);
}

TEST_CASE("Morris and Sobol sweeps of wom give sensitivity tables", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string vary =
      "vary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}\n  params.economics.margin_per_year: {min: 50, max: "
      "150}\n";
  const std::string morris =
      d.write("m.yaml", spec_text("design: morris\npoints: 4\nlevels: 4\n" + vary + "replicates: 1\nmetrics: [npv]"));
  const SweepRun r = run_sweep(morris, quiet((d.path / "m").string()));
  CHECK(r.ran == 4 * 3);
  std::vector<std::string> written;
  const std::string text = analyze((d.path / "m").string(), &written);
  CHECK_THAT(text, Contains("params.economics.margin_per_year"));
  const auto sens = lines(slurp(d.path / "m/sensitivity.csv"));
  REQUIRE(sens.size() == 3);
  CHECK(sens[0] == "metric,key,mu,mu_star,sigma");
  CHECK(sens[1].rfind("npv,params.economics.margin_per_year,", 0) == 0);  // margin moves NPV most

  const std::string sobol =
      d.write("s.yaml", spec_text("design: sobol\npoints: 8\n" + vary + "replicates: 1\nmetrics: [npv]"));
  CHECK(run_sweep(sobol, quiet((d.path / "s").string())).ran == 8 * 4);
  analyze((d.path / "s").string());
  CHECK(lines(slurp(d.path / "s/sensitivity.csv"))[0] == "metric,key,S1,S1_low,S1_high,ST,ST_low,ST_high");
  const std::string grid = d.write("g.yaml", spec_text(kGrid));
  run_sweep(grid, quiet((d.path / "g").string()));
  CHECK_THROWS_WITH(analyze((d.path / "g").string()), Contains("has no sensitivity indices"));
}

TEST_CASE("cost metrics run wom cost for the row's replicate", "[sweep]") {
  TempDir d("wom-sweep");
  const std::string spec =
      d.write("c.yaml", spec_text("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.2]\nreplicates: 1\n"
                                  "metrics: [npv, cost.total, cost.by_whom.ripple, cost.lost_customer.total]",
                                  "{time.steps: 150, graph.n: 4000}"));
  run_sweep(spec, quiet((d.path / "out").string()));
  const auto rows = lines(slurp(d.path / "out/results.csv"));
  REQUIRE(rows.size() == 2);
  std::vector<std::string> cells;
  std::istringstream in(rows[1]);
  for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
  REQUIRE(cells.size() == 8);
  const auto rr = run_wom(d, "cost " + kBase +
                                 " --seed 3 --replicates 1 --set time.steps=150 --set graph.n=4000"
                                 " --set params.policy.acknowledge_rate=0.2 --out cost -q");
  REQUIRE(rr.rc == 0);
  const auto doc = nlohmann::json::parse(slurp(d.path / "cost/cost.json"));
  CHECK(std::stod(cells[5]) == doc["total"]["mean"].get<double>());
  CHECK(std::stod(cells[6]) == doc["by_whom"]["ripple"]["total"]["mean"].get<double>());
  CHECK(std::stod(cells[7]) == doc["lost_customer"]["total"]["mean"].get<double>());
}

TEST_CASE("bad sweep specs are refused before anything runs, naming the key and the accepted form", "[sweep]") {
  TempDir d("wom-sweep");
  auto bad = [&](const std::string& body, const std::string& expect) {
    INFO(body);
    CHECK_THAT(spec_error(d, spec_text(body)), Contains(expect));
  };
  bad("design: grid\nvary:\n  params.policy.acknowledge_rat: [0.1]", "unknown");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.1]\n  params.policy.acknowledge_rate: [0.2]",
      "duplicate key");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: []", "an empty list");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: {min: 0.9, max: 0.1}", "empty or inverted");
  bad("design: grid\nvary:\n  params.talk.negativity_bias: {min: 0, max: 2, log: true}", "log: true needs min > 0");
  bad("design: factorial\nvary:\n  params.policy.acknowledge_rate: [0.1]", "unknown design 'factorial'");
  bad("design: sobol\npoints: 100\nvary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}", "not a power of 2");
  bad("design: sobol\nvary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}", "points: missing");
  bad("design: morris\npoints: 4\nlevels: 5\nvary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}", "odd");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.1, 1.5]", "point 1 is not a valid scenario");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.1]\nmetrics: [npvv]", "did you mean 'npv'");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.1]\nreplicate: 2", "unknown key 'replicate'");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.1]\nmetrics: [cost.totl]", "unknown cost metric");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: [0.1]\nreplicates: 0", "replicates = 0 is out of range");
  bad("design: grid\nvary:\n  params.policy.acknowledge_rate: 0.5", "expected a list of values");
  bad("design: csv\nfile: nope.csv", "cannot read the csv design");
  d.write("p.csv", "params.policy.acknowledge_rate,params.economics.margin\n0.1,90\n");
  bad("design: csv\nfile: " + (d.path / "p.csv").string() + "\nvary:\n  params.policy.acknowledge_rate: [0]",
      "extra column 'params.economics.margin'");
  bad("design: csv\nfile: " + (d.path / "p.csv").string() +
          "\nvary:\n  params.policy.acknowledge_rate: [0]\n  params.economics.margin: [1]\n  "
          "params.talk.negativity_bias: [1]",
      "missing column 'params.talk.negativity_bias'");
  d.write("q.csv", "params.policy.acknowledge_rate\n0.1\n0.2,3\n");
  bad("design: csv\nfile: " + (d.path / "q.csv").string(), "2 values for 1 columns");
  // A csv design with its header naming the keys runs as given.
  register_models();
  d.write("ok.csv", "\xEF\xBB\xBFparams.policy.acknowledge_rate\r\n0.25\r\n0.75\r\n");
  const Spec ok = load_spec(d.write("ok.yaml", spec_text("design: csv\nfile: " + (d.path / "ok.csv").string())));
  const auto pts = make_design(ok);
  REQUIRE(pts.size() == 2);
  CHECK(pts[1].values == std::vector<std::string>{"0.75"});
  // The CLI names the problem and exits 1; --out that is a file is refused.
  d.write("g.yaml", spec_text(kGrid));
  d.write("afile", "x");
  const auto rr = run_wom(d, "sweep g.yaml --out afile");
  CHECK(rr.rc == 1);
  CHECK_THAT(rr.err, Contains("is not a folder"));
  CHECK(run_wom(d, "sweep g.yaml").rc == 1);
}

// Regressions found by fuzzing the spec reader (fuzz/fuzz_sweep_spec.cpp, fuzz/README.md).
TEST_CASE("fuzz: a spec JSON cannot hold, or a design too large to hold, is refused before anything runs",
          "[sweep][fuzz]") {
  TempDir d("wom-sweep");
  // The spec's text goes into manifest.json: a Latin-1 comment failed there as a JSON error.
  const std::string latin1 = spec_text(kGrid) + "# caf\xe9\n";
  CHECK_THAT(spec_error(d, latin1, false),
             Contains("bad.yaml:11: not UTF-8 text: byte " + std::to_string(latin1.find('\xe9') + 1) + " is 0xe9"));
  // N (k + 2) and r (k + 1) rows were made (and held) whatever their number, as grid's are not.
  const std::string one = "vary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}\n";
  const std::string two = one + "  params.talk.negativity_bias: {min: 0.5, max: 2}\n";
  CHECK_THAT(spec_error(d, spec_text("design: sobol\npoints: 16777216\n" + one), false),
             Contains("points = 16777216 with 1 varied keys makes 50331648 design rows (N (k + 2)), more than "
                      "16777216: lower points or vary fewer keys"));
  CHECK_THAT(spec_error(d, spec_text("design: morris\npoints: 8388608\n" + two), false),
             Contains("makes 25165824 design rows (r (k + 1))"));
  CHECK(spec_error(d, spec_text("design: sobol\npoints: 4194304\n" + two), false).empty());  // 2^24 rows exactly
}
