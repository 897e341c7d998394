// The `wom` binary end to end: outputs appear only when a run completes, as one folder written
// whole; failures exit 1 naming file and line (or the flag) and leave nothing behind; the
// listing commands work.
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

#include "sim/core/stats.hpp"
#include "sim/io/edgelist.hpp"

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

TEST_CASE("wom run reports usage and config errors with exit codes", "[cli]") {
  TempDir dir;
  SECTION("no config") {
    Result r = run_wom(dir, "run");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("wom: error: CONFIG is required"));
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
  SECTION("an unknown subcommand") { CHECK(run_wom(dir, "fly").rc == 1); }
}

TEST_CASE("command-line errors exit 1 with `wom: error:`, like config errors", "[cli]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  struct Case {
    std::string args;
    std::vector<std::string> expect;
  };
  const std::string range = "accepted: a whole number from 0 to 2^64 - 1 = 18446744073709551615";
  const std::vector<Case> cases = {
      // CLI11's own errors, in wom's words and exit status
      {"", {"A subcommand is required"}},
      {"fly", {"'fly' is not a wom command", "commands: run, compare"}},
      {"rn sim.yaml", {"'rn' is not a wom command; did you mean 'run'?"}},
      {"--bogus", {"unknown option '--bogus'"}},
      {"run sim.yaml --bogus", {"--bogus", "`wom run --help` shows usage"}},
      {"run sim.yaml --threads abc", {"--threads", "abc"}},
      {"graph stats sim.yaml --reorder x", {"--reorder", "`wom graph stats --help` shows usage"}},
      // --set with an empty value, or on a section
      {"run sim.yaml --set params.beta=",
       {"--set 'params.beta=': empty value", "--set params.beta=null to unset", "--set 'params.beta=\"\"'"}},
      {"compare sim.yaml --vary params.beta=0.1,0.2 --set params.beta=", {"--set 'params.beta=': empty value"}},
      {"run sim.yaml --set params.initial=1",
       {"--set 'params.initial=1': params.initial is a section of parameters, not a value",
        "--set params.initial.count=VALUE", "count, fraction"}},
      {"run sim.yaml --set graph=1", {"--set 'graph=1': graph is a section of keys, not a value"}},
      // seeds: beyond 2^64 - 1 (CLI11 saturated them), negative (wrapped), not a number
      {"run sim.yaml --seed 18446744073709551616", {"--seed: 18446744073709551616 is out of range", range}},
      {"run sim.yaml --seed 99999999999999999999999", {"--seed: 99999999999999999999999 is out of range"}},
      {"run sim.yaml --seed -1", {"--seed: -1 is negative", range}},
      {"run sim.yaml --seed 1e3", {"--seed: '1e3' is not a whole number"}},
      {"run sim.yaml --seed ' 7'", {"--seed: ' 7' is not a whole number"}},
      {"compare sim.yaml --vary params.beta=0.1,0.2 --seed 18446744073709551616", {"--seed: 18446744073709551616"}},
      {"cost sim.yaml --seed -5", {"--seed: -5 is negative"}},
      {"graph stats sim.yaml --replicate -1", {"--replicate: -1 is negative"}},
      // an empty --out would silently mean "no files"
      {"run sim.yaml --out ''", {"--out: expected a name, got an empty string"}},
      {"compare sim.yaml --vary params.beta=0.1,0.2 --out ''", {"--out: expected a name, got an empty string"}},
      {"cost sim.yaml --out ''", {"--out: expected a name, got an empty string"}},
      {"run sim.yaml --events ''", {"--events: expected a name, got an empty string"}},
      {"run sim.yaml --force", {"--force replaces the output folder; give --out DIR"}},
  };
  for (const auto& c : cases) {
    INFO("wom " << c.args);
    const Result r = run_wom(dir, c.args);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: "));
    for (const auto& e : c.expect) CHECK_THAT(r.err, Catch::Contains(e));
    CHECK(r.out.empty());
  }
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path)) left.push_back(e.path().filename().string());
  CHECK(left == std::vector<std::string>{"sim.yaml"});

  SECTION("the largest seed is accepted and recorded exactly") {
    const Result r = run_wom(dir, "run sim.yaml --seed 18446744073709551615 --out max -q");
    INFO(r.err);
    REQUIRE(r.rc == 0);
    const auto s = nlohmann::json::parse(slurp(dir.path / "max" / "summary.json"));
    CHECK(s["seed"].get<std::uint64_t>() == 18446744073709551615ULL);
  }
  SECTION("--help and --version still print and exit 0") {
    for (const char* a : {"--help", "--version", "run --help", "cost --help"}) {
      INFO(a);
      const Result r = run_wom(dir, a);
      CHECK(r.rc == 0);
      CHECK_FALSE(r.out.empty());
      CHECK(r.err.empty());
    }
  }
}

TEST_CASE("wom --help shows a three-line example session", "[cli]") {
  TempDir dir;
  const Result r = run_wom(dir, "--help");
  CHECK(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("  wom run configs/default.yaml\n"
                                    "  wom compare configs/default.yaml --vary params.policy.acknowledge_rate=0.32,0.9 "
                                    "--out out/cmp --report\n"
                                    "  wom cost configs/default.yaml --out out/cost --report\n"));
}

TEST_CASE("wom params KEY suggests the nearest key, with or without params.", "[cli]") {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"policy.acknowldge_rate", "did you mean 'policy.acknowledge_rate'?"},
      {"policy.acknowledge_rat", "did you mean 'policy.acknowledge_rate'?"},
      {"params.policy.acknowledge_rat", "did you mean 'params.policy.acknowledge_rate'?"},
      {"param.policy.acknowledge_rate", "did you mean 'params.policy.acknowledge_rate'?"},
      {"acknowledge_rate", "did you mean 'policy.acknowledge_rate'?"},  // the section left out
      {"acknowledge_rat", "did you mean 'policy.acknowledge_rate'?"},
      {"polcy.remedy_rate", "did you mean 'policy.remedy_rate'?"},
  };
  for (const auto& [key, expect] : cases) {
    INFO("wom params " << key);
    const Result r = run_wom(dir, "params " + key);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: '" + key + "' is not a parameter of model 'service_wom'"));
    CHECK_THAT(r.err, Catch::Contains(expect));
  }
  const Result far = run_wom(dir, "params zzz");
  CHECK(far.rc == 1);
  CHECK_THAT(far.err, !Catch::Contains("did you mean"));
  const Result ok = run_wom(dir, "params params.policy.acknowledge_rate");
  CHECK(ok.rc == 0);
  CHECK_THAT(ok.out, Catch::Contains("params.policy.acknowledge_rate"));
}

TEST_CASE("wom run and wom cost end with the next useful command", "[cli]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  dir.write("svc.yaml",
            "model: service_wom\nseed: 3\nreplicates: 2\ntime: {steps: 30, step_days: 1}\n"
            "graph: {generator: barabasi_albert, n: 500, m: 3}\n");
  Result r = run_wom(dir, "run sim.yaml --seed 4");
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::EndsWith("next        wom run sim.yaml --seed 4 --out DIR --report  |  wom compare sim.yaml "
                                    "--vary params.beta=0.2,0.9 --out DIR --report\n"));
  r = run_wom(dir, "run sim.yaml --out res");
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::EndsWith("next        wom report res  |  wom compare sim.yaml --vary params.beta=0.2,0.9 "
                                    "--out DIR --report\n"));
  r = run_wom(dir, "run svc.yaml --out svc --report");
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::EndsWith("next        wom compare svc.yaml --vary params.policy.acknowledge_rate=0.32,0.9 "
                                    "--out DIR --report\n"));

  r = run_wom(dir, "cost svc.yaml --t0 10 --focal 2");
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::EndsWith("next        wom cost svc.yaml --t0 10 --focal 2 --out DIR --report\n"));
  r = run_wom(dir, "cost svc.yaml --t0 10 --focal 2 --out 'my cost'");
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::EndsWith("next        wom report 'my cost'\n"));

  SECTION("the run summary asks for --out only when no files were written") {
    r = run_wom(dir, "run svc.yaml");
    CHECK_THAT(r.out, Catch::Contains("timeseries.csv: --out DIR)"));
    r = run_wom(dir, "run svc.yaml --out svc2");
    CHECK_THAT(r.out, Catch::Contains("more figures") && !Catch::Contains("--out DIR)"));
  }
}

TEST_CASE("provenance records the threads actually used and a rounded wall time", "[cli]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  dir.write("svc.yaml",
            "model: service_wom\nseed: 3\nreplicates: 1\ntime: {steps: 30, step_days: 1}\n"
            "graph: {generator: barabasi_albert, n: 500, m: 3}\n");
  REQUIRE(run_wom(dir, "run sim.yaml --out run -q").rc == 0);
  REQUIRE(run_wom(dir, "compare sim.yaml --vary params.beta=0.1,0.3 --out cmp -q").rc == 0);
  REQUIRE(run_wom(dir, "cost svc.yaml --t0 10 --focal 2 --out cost -q").rc == 0);
  REQUIRE(run_wom(dir, "cost svc.yaml --t0 10 --focal 2 --threads 1 --out cost1 -q").rc == 0);
  for (const auto& [folder, file] : std::vector<std::pair<std::string, std::string>>{
           {"run", "summary.json"}, {"cmp", "compare.json"}, {"cost", "cost.json"}}) {
    INFO(file);
    const auto prov = nlohmann::json::parse(slurp(dir.path / folder / file))["provenance"];
    CHECK(prov["threads"].get<int>() >= 1);  // --threads 0 means all cores: their number is recorded
    const double wall = prov["wall_time_seconds"].get<double>();
    CHECK(std::stod(fmt::format("{:.3g}", wall)) == wall);
  }
  CHECK(nlohmann::json::parse(slurp(dir.path / "cost1" / "cost.json"))["provenance"]["threads"] == 1);
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

// ---------------------------------------------------------------------------------------
// Output folders (issue 8, point 4): each command's outputs are one folder, written whole and
// never merged into; an existing folder is refused before any work unless --force, which
// replaces only an empty folder or a wom output folder; the saved config.yaml re-runs into
// the folder it sits in; `wom report` refuses a folder holding more than one command's outputs.

namespace {

// A config with output.dir, as a manager's would have: `wom run` writes there.
const char* kService =
    "model: service_wom\nseed: 3\nreplicates: 2\ntime: {steps: 30, step_days: 1}\n"
    "graph: {generator: barabasi_albert, n: 500, m: 3}\noutput: {dir: res}\n";

/// The names in a folder, sorted.
std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// Every entry of `dir` a replacement may leave behind (DIR.tmp-PID, DIR.old-PID).
std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.find(".tmp-") != std::string::npos || n.find(".old-") != std::string::npos) found.push_back(n);
  }
  return found;
}

}  // namespace

TEST_CASE("an existing output folder is refused before the run, and --force replaces it whole", "[cli][outputs]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  REQUIRE(run_wom(dir, "run sim.yaml --out results -q").rc == 0);
  CHECK(entries_of(dir.path / "results") ==
        std::vector<std::string>{".wom-output", "config.yaml", "summary.json", "timeseries.csv"});
  CHECK_THAT(slurp(dir.path / "results" / ".wom-output"), Catch::StartsWith("wom run\n"));
  dir.write("results/report.html", "stale\n");  // e.g. from an earlier `wom report`
  const std::string csv = slurp(dir.path / "results" / "timeseries.csv");

  SECTION("without --force: exit 1, the message names the folder and --force, nothing is run or touched") {
    const Result r = run_wom(dir, "run sim.yaml --set time.steps=5 --out results");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: output folder 'results' already exists"));
    CHECK_THAT(r.err, Catch::Contains("--force replaces it whole"));
    CHECK(r.out.empty());  // refused before the run: no summary
    CHECK(slurp(dir.path / "results" / "timeseries.csv") == csv);
    CHECK(slurp(dir.path / "results" / "report.html") == "stale\n");
    CHECK(leftovers(dir.path).empty());
  }
  SECTION("with --force: the new folder replaces the old one whole; no stale file stays") {
    const Result r = run_wom(dir, "run sim.yaml --set time.steps=5 --out results --force -q");
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK(entries_of(dir.path / "results") ==
          std::vector<std::string>{".wom-output", "config.yaml", "summary.json", "timeseries.csv"});
    CHECK(slurp(dir.path / "results" / "timeseries.csv") != csv);
    CHECK(leftovers(dir.path).empty());
  }
  SECTION("--force replaces another command's output folder too, never merging the two") {
    const Result r = run_wom(dir, "compare sim.yaml --vary params.beta=0.1,0.3 --out results --force -q");
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK(entries_of(dir.path / "results") == std::vector<std::string>{".wom-output", "compare.csv", "compare.json"});
    CHECK_THAT(slurp(dir.path / "results" / ".wom-output"), Catch::StartsWith("wom compare\n"));
  }
  SECTION("--force with a run that fails leaves the old folder whole") {
    dir.write("edges.txt.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
    dir.write(
        "bad.yaml",
        "model: sir\ntime:\n  steps: 5\nparams:\n  gamma: 0.2\ngraph:\n  generator: file\n  path: edges.txt.gz\n");
    const Result r = run_wom(dir, "run bad.yaml --out results --force -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("edges.txt.gz"));
    CHECK(slurp(dir.path / "results" / "timeseries.csv") == csv);
    CHECK(slurp(dir.path / "results" / "report.html") == "stale\n");
    CHECK(leftovers(dir.path).empty());
  }
}

TEST_CASE("wom replaces only an empty folder or a wom output folder, even with --force", "[cli][outputs]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  SECTION("a folder holding a file wom did not write is refused, even with --force") {
    dir.write("mine/notes.txt", "keep me\n");
    const Result r = run_wom(dir, "run sim.yaml --out mine --force -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("will not replace output folder 'mine'"));
    CHECK_THAT(r.err, Catch::Contains("'notes.txt', which wom did not write"));
    CHECK(entries_of(dir.path / "mine") == std::vector<std::string>{"notes.txt"});
  }
  SECTION("a wom output folder that someone added a file to is refused, even with --force") {
    REQUIRE(run_wom(dir, "run sim.yaml --out results -q").rc == 0);
    dir.write("results/my_notes.md", "keep me\n");
    const Result r = run_wom(dir, "run sim.yaml --out results --force -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("'my_notes.md', which wom did not write"));
    CHECK(slurp(dir.path / "results" / "my_notes.md") == "keep me\n");
  }
  SECTION("a folder holding a folder is refused, even with --force") {
    fs::create_directories(dir.path / "results" / "summary.json");  // a folder, not wom's file
    const Result r = run_wom(dir, "run sim.yaml --out results --force -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("'summary.json', which wom did not write"));
    CHECK(fs::is_directory(dir.path / "results" / "summary.json"));
  }
  SECTION("a folder of wom's file names but no outputs (only a config.yaml) is refused") {
    dir.write("configs/config.yaml", "model: sir\n");
    const Result r = run_wom(dir, "run sim.yaml --out configs --force -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("it holds no wom outputs"));
    CHECK(entries_of(dir.path / "configs") == std::vector<std::string>{"config.yaml"});
  }
  SECTION("an empty folder: refused without --force, replaced with it") {
    fs::create_directories(dir.path / "empty");
    CHECK(run_wom(dir, "run sim.yaml --out empty -q").rc == 1);
    const Result r = run_wom(dir, "run sim.yaml --out empty --force -q");
    INFO(r.err);
    CHECK(r.rc == 0);
    CHECK(fs::exists(dir.path / "empty" / "summary.json"));
  }
  SECTION("a folder merged by an older wom (no marker, only wom's files) is replaced with --force") {
    REQUIRE(run_wom(dir, "run sim.yaml --out old -q").rc == 0);
    fs::remove(dir.path / "old" / ".wom-output");
    fs::copy_file(fs::path(WOM_SOURCE_DIR) / "tests" / "data" / "cost.json", dir.path / "old" / "cost.json");
    dir.write("old/report.html", "stale\n");
    const Result r = run_wom(dir, "run sim.yaml --out old --force -q");
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK(entries_of(dir.path / "old") ==
          std::vector<std::string>{".wom-output", "config.yaml", "summary.json", "timeseries.csv"});
  }
  SECTION("the current folder, or one above it, is never an output folder") {
    for (const char* out : {".", "..", "./"}) {
      INFO(out);
      const Result r = run_wom(dir, std::string("run sim.yaml -q --force --out ") + out);
      CHECK(r.rc == 1);
      CHECK_THAT(r.err, Catch::Contains("is the current folder or one above it"));
    }
    CHECK(entries_of(dir.path) == std::vector<std::string>{"sim.yaml"});
  }
  CHECK(leftovers(dir.path).empty());
}

TEST_CASE("an output path that cannot be a folder fails before the run", "[cli][outputs]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  dir.write("plain", "x");
  struct Case {
    std::string args, expect;
  };
  std::vector<Case> cases = {
      {"run sim.yaml --out plain", "output folder 'plain' exists and is not a folder"},
      {"run sim.yaml --out plain --force", "output folder 'plain' exists and is not a folder"},
      {"run sim.yaml --out plain/sub", "'plain' is not a folder"},
      {"compare sim.yaml --vary params.beta=0.1,0.3 --out plain", "exists and is not a folder"},
      {"cost sim.yaml --out plain/sub", "'plain' is not a folder"},
  };
  if (::geteuid() != 0) {  // root writes anywhere
    fs::create_directories(dir.path / "locked");
    fs::permissions(dir.path / "locked", fs::perms::owner_read | fs::perms::owner_exec);
    cases.push_back({"run sim.yaml --out locked/sub", "cannot create output folder 'locked/sub'"});
  }
  for (const auto& c : cases) {
    INFO("wom " << c.args);
    const Result r = run_wom(dir, c.args);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: ") && Catch::Contains(c.expect));
    CHECK(r.out.empty());  // nothing ran
  }
  CHECK(slurp(dir.path / "plain") == "x");
  if (fs::exists(dir.path / "locked")) {
    CHECK(fs::is_empty(dir.path / "locked"));
    fs::permissions(dir.path / "locked", fs::perms::owner_all);
  }
  CHECK(leftovers(dir.path).empty());
}

TEST_CASE("run, compare and cost of one config never write into one folder", "[cli][outputs]") {
  TempDir dir;
  dir.write("svc.yaml", kService);
  // `wom run` writes into output.dir.
  REQUIRE(run_wom(dir, "run svc.yaml -q").rc == 0);
  const auto run_files = entries_of(dir.path / "res");
  CHECK(run_files == std::vector<std::string>{".wom-output", "config.yaml", "summary.json", "timeseries.csv"});

  // compare and cost write only where --out says: output.dir is wom run's.
  Result r = run_wom(dir, "compare svc.yaml --vary params.policy.acknowledge_rate=0.32,0.9");
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("next") && Catch::Contains("--out DIR --report"));
  r = run_wom(dir, "cost svc.yaml --t0 10 --focal 2 -q");
  CHECK(r.rc == 0);
  CHECK(entries_of(dir.path / "res") == run_files);
  CHECK(entries_of(dir.path) == std::vector<std::string>{"res", "svc.yaml"});

  for (const char* cmd : {"compare svc.yaml --vary params.policy.acknowledge_rate=0.32,0.9 --report",
                          "cost svc.yaml --t0 10 --focal 2 --report"}) {
    INFO(cmd);
    r = run_wom(dir, cmd);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("--report") && Catch::Contains("give --out DIR"));
  }
  r = run_wom(dir, "compare svc.yaml --vary params.policy.acknowledge_rate=0.32,0.9 --out cmp -q");
  CHECK(r.rc == 0);
  r = run_wom(dir, "cost svc.yaml --t0 10 --focal 2 --out cost -q");
  CHECK(r.rc == 0);
  CHECK(entries_of(dir.path / "cmp") == std::vector<std::string>{".wom-output", "compare.csv", "compare.json"});
  CHECK(entries_of(dir.path / "cost") == std::vector<std::string>{".wom-output", "cost.json", "cost_events.csv"});
  CHECK(entries_of(dir.path / "res") == run_files);
  // And each folder reports its one command.
  for (const char* d : {"res", "cmp", "cost"}) {
    INFO(d);
    r = run_wom(dir, std::string("report ") + d);
    CHECK(r.rc == 0);
    CHECK(fs::exists(dir.path / d / "report.html"));
  }
  CHECK(leftovers(dir.path).empty());
}

TEST_CASE("the saved config.yaml records the folder it is in: re-running it targets that folder", "[cli][outputs]") {
  TempDir dir;
  dir.write("sim.yaml", std::string(kSir) + "output:\n  dir: elsewhere\n");
  REQUIRE(run_wom(dir, "run sim.yaml --out a -q").rc == 0);
  const std::string csv = slurp(dir.path / "a" / "timeseries.csv");
  const std::string saved = slurp(dir.path / "a" / "config.yaml");
  CHECK_THAT(saved, Catch::Contains("output:\n  dir: \".\""));
  const auto summary = nlohmann::json::parse(slurp(dir.path / "a" / "summary.json"));
  CHECK(summary["provenance"]["config"]["output"]["dir"] == ".");

  Result r = run_wom(dir, "run a/config.yaml -q");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("output folder '" + (dir.path / "a").string() + "' already exists"));
  r = run_wom(dir, "run a/config.yaml --force");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("outputs     " + (dir.path / "a").string() + "\n"));
  CHECK(slurp(dir.path / "a" / "timeseries.csv") == csv);  // the same run, in the same folder
  CHECK(slurp(dir.path / "a" / "config.yaml") == saved);
  CHECK_FALSE(fs::exists(dir.path / "elsewhere"));

  // A copied folder re-runs into the copy: "." travels with it.
  fs::copy(dir.path / "a", dir.path / "b");
  fs::remove(dir.path / "b" / "timeseries.csv");
  r = run_wom(dir, "run b/config.yaml --force -q");
  REQUIRE(r.rc == 0);
  CHECK(slurp(dir.path / "b" / "timeseries.csv") == csv);
  CHECK(leftovers(dir.path).empty());
}

TEST_CASE("wom report refuses a folder holding the outputs of more than one command", "[cli][outputs][report]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  REQUIRE(run_wom(dir, "run sim.yaml --out merged -q").rc == 0);
  // As an older wom left it: run and cost merged into one folder, without a marker.
  fs::remove(dir.path / "merged" / ".wom-output");
  fs::copy_file(fs::path(WOM_SOURCE_DIR) / "tests" / "data" / "cost.json", dir.path / "merged" / "cost.json");
  Result r = run_wom(dir, "report merged");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("'merged' holds the outputs of more than one command (wom run, wom cost)"));
  CHECK_FALSE(fs::exists(dir.path / "merged" / "report.html"));

  SECTION("a marker naming another command than the files counts too") {
    fs::remove(dir.path / "merged" / "cost.json");
    dir.write("merged/.wom-output", "wom compare\n");
    r = run_wom(dir, "report merged");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("(wom run, wom compare)"));
  }
  SECTION("one command's folder is reported, report.html added atomically") {
    fs::remove(dir.path / "merged" / "cost.json");
    r = run_wom(dir, "report merged");
    INFO(r.err);
    CHECK(r.rc == 0);
    CHECK(fs::exists(dir.path / "merged" / "report.html"));
    for (const auto& n : entries_of(dir.path / "merged")) CHECK(n.find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("an event log inside the output folder is refused: the folder is written whole", "[cli][outputs]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  const Result r = run_wom(dir, "run sim.yaml --out res --events res/ev.csv -q");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("--events 'res/ev.csv' is inside the output folder"));
  CHECK(entries_of(dir.path) == std::vector<std::string>{"sim.yaml"});
}

TEST_CASE("whole-number flags are decimal: 010 is ten, 0x10 and 1e3 are refused", "[cli]") {
  TempDir dir;
  dir.write("svc.yaml", kService);
  Result r = run_wom(dir, "cost svc.yaml --focal 010 --channel-focal 0 --t0 5 --replicates 1 --out c -q");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(nlohmann::json::parse(slurp(dir.path / "c" / "cost.json"))["focal_events"] == 10);
  for (const char* bad : {"--threads 0x10", "--replicates 1e3", "--replicates +2", "--threads ' 5'"}) {
    INFO(bad);
    r = run_wom(dir, std::string("run svc.yaml -q ") + bad);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: ") && Catch::Contains("not a whole number in decimal digits"));
  }
}

TEST_CASE("the root folder, and the current folder reached through a symbolic link, are refused as outputs",
          "[cli][outputs]") {
  TempDir dir;
  dir.write("svc.yaml", kService);
  Result r = run_wom(dir, "run svc.yaml --out / --force -q");  // must not hang or touch /
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("the current folder or one above it"));
  std::filesystem::create_directory_symlink(dir.path, dir.path / "here");
  r = run_wom(dir, "run svc.yaml --out here --force -q");
  CHECK(r.rc == 1);
  CHECK(std::filesystem::exists(dir.path / "svc.yaml"));
}
