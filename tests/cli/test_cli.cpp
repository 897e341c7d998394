// The `wom` binary end to end: outputs appear only when a run completes, failures exit
// non-zero naming file and line and leave nothing behind, and the listing commands work.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include "support/tempdir.hpp"
#include "support/wom_cli.hpp"

#include "edgelist.hpp"
#include "stats.hpp"

namespace fs = std::filesystem;

namespace {

using wom::test::kWom;
using wom::test::Result;
using wom::test::run_wom;
using wom::test::slurp;

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-cli") {}
};

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

const char* kSir =
    "# a small SIR run\n"
    "model: sir\n"
    "seed: 3\n"
    "replicates: 3\n"
    "time:\n  steps: 12\n"
    "graph:\n  generator: erdos_renyi\n  n: 300\n  mean_degree: 5\n"
    "params:\n  beta: 0.2\n  gamma: 0.3\n  initial:\n    count: 4\n";

}  // namespace

TEST_CASE("wom run --out writes timeseries.csv, summary.json and config.yaml", "[cli]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  Result r = run_wom(dir, "run sim.yaml --out results");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("sir"));
  CHECK_THAT(r.out, Catch::Contains("3 replicates × 12 steps"));
  CHECK_THAT(r.out, Catch::Contains("susceptible"));
  CHECK_THAT(r.out, Catch::Contains("±"));
  CHECK(dir.temp_entries().empty());

  const std::string csv = slurp(dir.path / "results" / "timeseries.csv");
  CHECK_THAT(csv, Catch::StartsWith("replicate,step,susceptible,"));
  CHECK(count_lines(csv) == 1 + 3 * (12 + 1));       // header + replicates × (steps + 1)
  CHECK_THAT(csv, Catch::Contains("\n0,0,296,4,"));  // step 0: the initial state, counts without decimals
  CHECK_THAT(csv, Catch::Contains("\n2,12,"));

  const auto summary = nlohmann::json::parse(slurp(dir.path / "results" / "summary.json"));
  CHECK(summary["model"] == "sir");
  CHECK(summary["per_replicate"].size() == 3);
  CHECK(summary["per_replicate"][0]["final"]["susceptible"].contains("fraction"));
  CHECK(summary["across_replicates"]["final"]["recovered"]["count"].contains("se"));
  CHECK(summary["across_replicates"]["final"]["recovered"]["fraction"]["ci95"].size() == 2);
  const auto& prov = summary["provenance"];
  for (const char* key : {"config", "seed", "replicates", "version", "git_commit", "threads", "wall_time_seconds",
                          "hostname", "started_at", "graphs", "command"})
    CHECK(prov.contains(key));
  CHECK(prov["seed"] == 3);
  CHECK(prov["config"]["params"]["beta"] == 0.2);
  CHECK(prov["graphs"].size() == 3);
  CHECK(prov["graphs"][0]["build"].contains("self_loops_dropped"));

  SECTION("config.yaml repeats the run exactly") {
    Result again = run_wom(dir, "run results/config.yaml --out again -q");
    INFO(again.err);
    REQUIRE(again.rc == 0);
    CHECK(again.out.empty());  // --quiet
    CHECK(slurp(dir.path / "again" / "timeseries.csv") == csv);
  }
  SECTION("results do not depend on the thread count") {
    REQUIRE(run_wom(dir, "run sim.yaml --threads 1 --out t1 -q").rc == 0);
    REQUIRE(run_wom(dir, "run sim.yaml --threads 2 --out t2 -q").rc == 0);
    CHECK(slurp(dir.path / "t1" / "timeseries.csv") == slurp(dir.path / "t2" / "timeseries.csv"));
    auto a = nlohmann::json::parse(slurp(dir.path / "t1" / "summary.json"));
    auto b = nlohmann::json::parse(slurp(dir.path / "t2" / "summary.json"));
    a.erase("provenance");
    b.erase("provenance");
    CHECK(a == b);
  }
  SECTION("flags override the config") {
    Result o = run_wom(dir, "run sim.yaml --seed 9 --replicates 2 --set time.steps=5 --out o -q");
    REQUIRE(o.rc == 0);
    CHECK(count_lines(slurp(dir.path / "o" / "timeseries.csv")) == 1 + 2 * 6);
    const auto s = nlohmann::json::parse(slurp(dir.path / "o" / "summary.json"));
    CHECK(s["provenance"]["seed"] == 9);
    CHECK(s["provenance"]["config"]["seed"] == 9);
    CHECK(s["provenance"]["overrides"][0] == "time.steps=5");
  }
}

TEST_CASE("a failing run exits non-zero, names file and line, and leaves no files", "[cli]") {
  TempDir dir;
  const std::string base = "model: sir\ntime:\n  steps: 5\nparams:\n  gamma: 0.2\n";
  std::string config, expect;
  SECTION("missing graph file") {
    config = base + "graph:\n  generator: file\n  path: missing_edges.txt\n";
    expect = "bad.yaml:8: graph.path: file not found";
  }
  SECTION("unknown key") {
    config = base + "graph:\n  generater: file\n";
    expect = "bad.yaml:7: unknown key 'graph.generater'; did you mean 'graph.generator'?";
  }
  SECTION("value out of range") {
    config = base + "graph:\n  n: 100\n  mean_degree: 500\n";
    expect = "bad.yaml:8: graph.mean_degree = 500 is out of range: accepted [0, n-1 = 99]";
  }
  SECTION("non-numeric token in an edge list") {
    dir.write("edges.txt", "# comment\n1 2\n2 x3\n");
    config = base + "graph:\n  generator: file\n  path: edges.txt\n";
    expect = "edges.txt:3";
  }
  SECTION("an edge list with no arcs") {
    dir.write("edges.txt", "# only comments\n% here\n");
    config = base + "graph:\n  generator: file\n  path: edges.txt\n";
    expect = "edges.txt";
  }
  SECTION("a gzip edge list that is corrupt") {
    dir.write("edges.txt.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
    config = base + "graph:\n  generator: file\n  path: edges.txt.gz\n";
    expect = "edges.txt.gz";
  }
  dir.write("bad.yaml", config);
  Result r = run_wom(dir, "run bad.yaml --out results");
  INFO(r.err);
  CHECK(r.rc != 0);
  CHECK_THAT(r.err, Catch::StartsWith("wom: error: "));
  CHECK_THAT(r.err, Catch::Contains(expect));
  CHECK_FALSE(fs::exists(dir.path / "results"));
  CHECK(dir.temp_entries().empty());
}

TEST_CASE("a run whose outputs cannot be moved into place leaves the folder as it was", "[cli]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  fs::create_directories(dir.path / "results" / "summary.json");  // a folder in the way
  dir.write("results/keep.txt", "old\n");
  Result r = run_wom(dir, "run sim.yaml --out results -q");
  CHECK(r.rc != 0);
  CHECK_THAT(r.err, Catch::Contains("summary.json"));
  CHECK_FALSE(fs::exists(dir.path / "results" / "timeseries.csv"));  // no file arrived
  CHECK(slurp(dir.path / "results" / "keep.txt") == "old\n");
  CHECK(dir.temp_entries().empty());

  SECTION("--out naming a file fails before the run") {
    dir.write("plain", "x");
    Result f = run_wom(dir, "run sim.yaml --out plain");
    CHECK(f.rc != 0);
    CHECK_THAT(f.err, Catch::Contains("'plain' exists and is not a folder"));
  }
}

TEST_CASE("wom run reports usage and config errors with exit codes", "[cli]") {
  TempDir dir;
  SECTION("no config") {
    Result r = run_wom(dir, "run");
    CHECK(r.rc != 0);
    CHECK_THAT(r.err, Catch::Contains("CONFIG"));
  }
  SECTION("a config that does not exist") {
    Result r = run_wom(dir, "run nothere.yaml");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("wom: error: cannot read config 'nothere.yaml'"));
  }
  SECTION("a bad --set names the argument") {
    dir.write("sim.yaml", kSir);
    Result r = run_wom(dir, "run sim.yaml --set params.beta=high");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("--set 'params.beta=high': params.beta: expected a number, got 'high'"));
  }
  SECTION("an unknown subcommand") { CHECK(run_wom(dir, "fly").rc != 0); }
}

TEST_CASE("wom --help shows every flag's default", "[cli]") {
  TempDir dir;
  Result r = run_wom(dir, "run --help");
  CHECK(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("--threads"));
  CHECK_THAT(r.out, Catch::Contains("=0"));
  CHECK_THAT(r.out, Catch::Contains("--seed"));
  CHECK_THAT(r.out, Catch::Contains("--replicates"));
  CHECK_THAT(r.out, Catch::Contains("--out"));
  CHECK_THAT(r.out, Catch::Contains("--quiet=false"));
}

TEST_CASE("wom list-models lists the four canonical models with their parameters", "[cli]") {
  TempDir dir;
  Result r = run_wom(dir, "list-models");
  REQUIRE(r.rc == 0);
  for (const char* m : {"bass", "independent_cascade", "sir", "linear_threshold"})
    CHECK_THAT(r.out, Catch::Contains(m));
  CHECK_THAT(r.out, Catch::Contains("params.beta"));
  CHECK_THAT(r.out, Catch::Contains("[0, 1]"));
  CHECK_THAT(r.out, Catch::Contains("citation"));
}

TEST_CASE("wom graph stats describes an edge list and a config's graph", "[cli]") {
  TempDir dir;
  const std::string edges =
      dir.write("edges.txt", "# a triangle, a self-loop and a duplicate\n1 2\n2 3\n3 1\n3 3\n1 2\n");
  Result r = run_wom(dir, "graph stats edges.txt");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  wom::Graph g = wom::load_edge_list(edges, false, false);
  CHECK_THAT(r.out, Catch::Contains(wom::format_stats(wom::compute_stats(g))));
  CHECK(g.n == 3);
  CHECK(g.num_arcs() == 6);
  CHECK_THAT(r.out, Catch::Contains("5 arcs read, 1 self-loops dropped, 1 duplicate arcs dropped"));

  SECTION("directed, reversed and reordered") {
    Result d = run_wom(dir, "graph stats edges.txt --directed --reverse --reorder rcm");
    REQUIRE(d.rc == 0);
    wom::Graph gd = wom::load_edge_list(edges, true, true);
    CHECK_THAT(d.out, Catch::Contains(wom::format_stats(wom::compute_stats(gd))));
  }
  SECTION("a config's graph block") {
    dir.write("g.yaml", "seed: 4\ngraph:\n  generator: barabasi_albert\n  n: 200\n  m: 2\n");
    Result c = run_wom(dir, "graph stats g.yaml");
    INFO(c.err);
    REQUIRE(c.rc == 0);
    CHECK_THAT(c.out, Catch::Contains("barabasi_albert n=200 m=2"));
    CHECK_THAT(c.out, Catch::Contains("seed 4"));
  }
  SECTION("a missing file") {
    Result m = run_wom(dir, "graph stats nothere.txt");
    CHECK(m.rc == 1);
    CHECK_THAT(m.err, Catch::Contains("nothere.txt"));
  }
}

TEST_CASE("a followers layer of another size is refused and leaves no files", "[cli]") {
  TempDir dir;
  const std::string cfg =
      dir.write("f.yaml", std::string(kSir) + "followers:\n  generator: erdos_renyi\n  n: 299\n  mean_degree: 5\n");
  const Result r = run_wom(dir, "run f.yaml --out res");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("followers layer") && Catch::Contains("300"));
  CHECK_FALSE(fs::exists(dir.path / "res"));
  CHECK(dir.temp_entries().empty());
  const std::string ok =
      dir.write("g.yaml", std::string(kSir) + "followers:\n  generator: erdos_renyi\n  n: 300\n  mean_degree: 5\n");
  CHECK(run_wom(dir, "run g.yaml -q").rc == 0);
}

TEST_CASE("wom run --events writes who told whom, complete or not at all", "[cli]") {
  TempDir dir;
  dir.write("s.yaml",
            "model: service_wom\nseed: 2\ntime: {steps: 40, step_days: 1}\n"
            "graph: {generator: barabasi_albert, n: 3000, m: 4}\n");
  const Result r = run_wom(dir, "run s.yaml -q --events ev.csv");
  REQUIRE(r.rc == 0);
  const std::string log = slurp(dir.path / "ev.csv");
  CHECK(log.rfind("replicate,step,from,to,channel,valence,generation\n", 0) == 0);
  CHECK(log.find(",talk,") != std::string::npos);
  CHECK(dir.temp_entries().empty());
  const Result bad = run_wom(dir, "run s.yaml -q --events no/such/dir/ev.csv");
  CHECK(bad.rc == 1);
  CHECK_THAT(bad.err, Catch::Contains("event log"));
  CHECK_FALSE(fs::exists(dir.path / "no"));
}

TEST_CASE("a reach the graph's degrees cannot carry is warned about, with how much is lost", "[cli]") {
  TempDir dir;
  dir.write("r.yaml",
            "model: service_wom\ntime: {steps: 5, step_days: 1}\n"
            "graph: {generator: erdos_renyi, n: 2000, mean_degree: 4}\n"
            "params: {talk: {reach_negative: 20}}\n");
  const Result r = run_wom(dir, "run r.yaml -q");
  CHECK(r.rc == 0);
  CHECK_THAT(r.err, Catch::Contains("warning") && Catch::Contains("params.talk.reach_negative = 20") &&
                        Catch::Contains("are lost"));
}
