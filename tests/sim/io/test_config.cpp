// Scenario files: every bad input yields a wom::Error naming file, line, key and the accepted
// form; extends chains merge deep; --set wins; relative paths follow the file that set them.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include "tests/support/tempdir.hpp"

#include "models/registry.hpp"
#include "sim/core/error.hpp"
#include "sim/io/config.hpp"

namespace fs = std::filesystem;
using wom::Error;
using wom::Scenario;

namespace {

/// A model with known specs, so these tests do not depend on the canonical models' ranges.
void setup_models() {
  static const bool done = [] {
    wom::register_models();  // first: it registers nothing once the registry is non-empty
    auto& reg = wom::Registry::instance();
    if (!reg.find("cfgtest")) {
      wom::ModelInfo m;
      m.name = "cfgtest";
      m.summary = "config test model";
      m.params = {wom::real_param("beta", 0.1, 0, 1, "per step", "a probability"),
                  wom::int_param("period", 3, 1, 100, "steps", "an integer"),
                  wom::optional_param(wom::real_param("initial.fraction", 0, 0, 1, "share", "share")),
                  wom::optional_param(wom::int_param("initial.count", 0, 0, 1e9, "agents", "count"))};
      wom::ParamSpec flag;
      flag.key = "switch.on";
      flag.type = wom::ParamType::Bool;
      flag.def = 0;
      m.params.push_back(flag);
      wom::ParamSpec mode;
      mode.key = "mode";
      mode.type = wom::ParamType::String;
      mode.def_str = "fast";
      mode.choices = {"fast", "slow"};
      m.params.push_back(mode);
      wom::ParamSpec need = wom::real_param("need", 0, 0, 10, "units", "a required value");
      need.has_default = false;
      need.required = true;
      m.params.push_back(need);
      m.check = [](const wom::Params& p) {
        if (p.has("initial.count") && p.has("initial.fraction"))
          throw Error("cfgtest: set at most one of params.initial.count and params.initial.fraction");
      };
      m.make = [](const wom::Params&) -> std::unique_ptr<wom::Model> { return nullptr; };
      reg.add(std::move(m));
    }
    return true;
  }();
  (void)done;
}

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-config") {}
};

/// The message of the wom::Error that loading throws ("" if none is thrown).
std::string error_of(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    wom::load_scenario(path, sets);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string text_error(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    wom::scenario_from_yaml_text(text, "sim.yaml", sets);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kBase = "model: cfgtest\nparams:\n  need: 1\n";

}  // namespace

TEST_CASE("a valid config loads with defaults filled in", "[cli][config]") {
  setup_models();
  const wom::Config sc_cfg = wom::config_from_yaml_text(
      "model: cfgtest\n"
      "seed: 42\n"
      "replicates: 3\n"
      "time: {steps: 7, dt: 0.5, step_days: 2}\n"
      "graph:\n  generator: barabasi_albert\n  n: 1e3\n  m: 2\n"
      "params:\n  need: 2.5\n  initial:\n    count: 4\n  switch.on: yes\n",
      "sim.yaml");
  const Scenario& sc = sc_cfg.scenario;
  CHECK(sc.model == "cfgtest");
  REQUIRE(sc.info != nullptr);
  CHECK(sc_cfg.plan.seed == 42);
  CHECK(sc_cfg.plan.replicates == 3);
  CHECK(sc.steps == 7);
  CHECK(sc.dt == 0.5);
  CHECK(sc.step_days == 2);
  CHECK(sc.graph.generator == "barabasi_albert");
  CHECK(sc.graph.n == 1000);
  CHECK(sc.graph.m == 2);
  CHECK(sc.params.real("beta") == 0.1);  // default
  CHECK(sc.params.integer("period") == 3);
  CHECK(sc.params.real("need") == 2.5);
  CHECK(sc.params.integer("initial.count") == 4);
  CHECK_FALSE(sc.params.has("initial.fraction"));  // optional and absent
  CHECK(sc.params.boolean("switch.on"));
  CHECK(sc.params.str("mode") == "fast");
  CHECK(sc.warnings.empty());
  CHECK(sc.resolved["params"]["initial"]["count"] == 4);
  CHECK(sc.resolved["graph"]["m"] == 2);
  CHECK_FALSE(sc.resolved["graph"].contains("k"));  // only what the generator reads
}

TEST_CASE("defaults apply when keys are absent", "[cli][config]") {
  setup_models();
  const wom::Config sc_cfg = wom::config_from_yaml_text(kBase, "sim.yaml");
  const Scenario& sc = sc_cfg.scenario;
  CHECK(sc_cfg.plan.seed == 1);
  CHECK(sc_cfg.plan.replicates == 1);
  CHECK(sc.steps == 100);
  CHECK(sc.dt == 1.0);
  CHECK(sc.step_days == 1.0);
  CHECK(sc.graph.generator == "erdos_renyi");
}

TEST_CASE("an unknown key names file, line, full key and a suggestion", "[cli][config]") {
  setup_models();
  SECTION("in params, nested") {
    std::string msg = text_error("model: cfgtest\nparams:\n  need: 1\n  initial:\n    fractoin: 0.1\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:5"));
    CHECK_THAT(msg, Catch::Contains("params.initial.fractoin"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'params.initial.fraction'?"));
  }
  SECTION("in a section of the engine") {
    std::string msg = text_error(std::string(kBase) + "time:\n  step: 5\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:5"));
    CHECK_THAT(msg, Catch::Contains("unknown key 'time.step'"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'time.steps'?"));
    CHECK_THAT(msg, Catch::Contains("steps, dt, step_days"));  // the accepted keys
  }
  SECTION("in the wrong section") {
    std::string msg = text_error(std::string(kBase) + "steps: 5\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'time.steps'?"));
  }
  SECTION("in graph.degree") {
    std::string msg =
        text_error(std::string(kBase) + "graph:\n  generator: configuration\n  degree:\n    exponnt: 2\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:7"));
    CHECK_THAT(msg, Catch::Contains("graph.degree.exponnt"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'graph.degree.exponent'?"));
  }
}

TEST_CASE("a wrong type names the key, the value and the accepted form", "[cli][config]") {
  setup_models();
  std::string msg = text_error("model: cfgtest\nparams:\n  need: 1\n  beta: abc\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
  CHECK_THAT(msg, Catch::Contains("params.beta: expected a number, got 'abc'"));
  CHECK_THAT(msg, Catch::Contains("[0, 1]"));

  msg = text_error("model: cfgtest\nparams:\n  need: 1\n  period: 2.5\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
  CHECK_THAT(msg, Catch::Contains("params.period: expected an integer, got '2.5'"));

  msg = text_error("model: cfgtest\nparams:\n  need: 1\n  switch:\n    on: maybe\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:5"));
  CHECK_THAT(msg, Catch::Contains("params.switch.on: expected true or false, got 'maybe'"));

  msg = text_error("model: cfgtest\nparams:\n  need: 1\n  mode: slwo\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
  CHECK_THAT(msg, Catch::Contains("did you mean 'slow'?"));
  CHECK_THAT(msg, Catch::Contains("one of: fast, slow"));

  msg = text_error(std::string(kBase) + "graph:\n  n: [1, 2]\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:5"));
  CHECK_THAT(msg, Catch::Contains("graph.n: expected an integer, got a list"));

  msg = text_error(std::string(kBase) + "seed: -3\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
  CHECK_THAT(msg, Catch::Contains("seed = -3 is out of range"));

  msg = text_error("model: cfgtest\nparams: 5\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:2"));
  CHECK_THAT(msg, Catch::Contains("params: expected a section of keys, got '5'"));
}

TEST_CASE("a value out of range names value, file:line and the accepted range", "[cli][config]") {
  setup_models();
  std::string msg = text_error("model: cfgtest\nparams:\n  need: 1\n  beta: 1.5\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
  CHECK_THAT(msg, Catch::Contains("params.beta = 1.5 is out of range: accepted [0, 1]"));

  msg = text_error(std::string(kBase) + "replicates: 0\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4: replicates = 0 is out of range: accepted [1,"));

  msg = text_error(std::string(kBase) + "graph:\n  generator: watts_strogatz\n  n: 100\n  k: 5\n");
  CHECK_THAT(msg,
             Catch::Contains("sim.yaml:7: graph.k = 5 is out of range: accepted an even integer in [2, n-1 = 99]"));

  msg = text_error(std::string(kBase) + "graph:\n  generator: erdos_renyi\n  n: 10\n  mean_degree: 12\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:7: graph.mean_degree = 12 is out of range: accepted [0, n-1 = 9]"));

  msg = text_error(std::string(kBase) + "time:\n  dt: 0\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:5: time.dt = 0 is out of range: accepted (0,"));
}

TEST_CASE("an unknown model lists the registered ones", "[cli][config]") {
  setup_models();
  std::string msg = text_error("model: sri\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:1"));
  CHECK_THAT(msg, Catch::Contains("unknown model 'sri'"));
  CHECK_THAT(msg, Catch::Contains("did you mean 'sir'?"));
  for (const char* m : {"bass", "independent_cascade", "sir", "linear_threshold"}) CHECK_THAT(msg, Catch::Contains(m));
}

TEST_CASE("a missing required key is named with the accepted form", "[cli][config]") {
  setup_models();
  std::string msg = text_error("seed: 2\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml"));
  CHECK_THAT(msg, Catch::Contains("missing required key 'model'"));
  CHECK_THAT(msg, Catch::Contains("sir"));

  msg = text_error("model: cfgtest\nparams:\n  beta: 0.2\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:2"));
  CHECK_THAT(msg, Catch::Contains("missing required parameter 'params.need'"));
  CHECK_THAT(msg, Catch::Contains("[0, 10]"));

  msg = text_error(std::string(kBase) + "graph:\n  generator: file\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml:4"));
  CHECK_THAT(msg, Catch::Contains("graph.path: missing required key"));

  msg = text_error(std::string(kBase) + "graph:\n  generator: sbm\n");
  CHECK_THAT(msg, Catch::Contains("graph.blocks: missing required key"));
}

TEST_CASE("empty, malformed and unreadable files are reported clearly", "[cli][config]") {
  setup_models();
  TempDir dir;
  SECTION("empty file") {
    std::string msg = error_of(dir.write("empty.yaml", "# only a comment\n\n"));
    CHECK_THAT(msg, Catch::Contains("empty.yaml"));
    CHECK_THAT(msg, Catch::Contains("empty config file"));
  }
  SECTION("YAML syntax error with its line") {
    std::string msg = error_of(dir.write("broken.yaml", "model: cfgtest\nparams:\n  need: [1,\nseed: 2\n"));
    CHECK_THAT(msg, Catch::Contains("broken.yaml:"));
    CHECK_THAT(msg, Catch::Contains("YAML syntax error"));
  }
  SECTION("tab indentation") {
    std::string msg = error_of(dir.write("tabs.yaml", "model: cfgtest\nparams:\n\tneed: 1\n"));
    CHECK_THAT(msg, Catch::Contains("tabs.yaml:3"));
  }
  SECTION("a list at the top level") {
    std::string msg = error_of(dir.write("list.yaml", "- model\n- sir\n"));
    CHECK_THAT(msg, Catch::Contains("list.yaml:1"));
    CHECK_THAT(msg, Catch::Contains("expected a map of keys at the top level"));
  }
  SECTION("missing file") {
    std::string msg = error_of((dir.path / "nope.yaml").string());
    CHECK_THAT(msg, Catch::Contains("cannot read config"));
    CHECK_THAT(msg, Catch::Contains("nope.yaml"));
    CHECK_THAT(msg, Catch::Contains("No such file"));
  }
  SECTION("a folder instead of a file") {
    fs::create_directories(dir.path / "folder.yaml");
    CHECK_THAT(error_of((dir.path / "folder.yaml").string()), Catch::Contains("is a directory"));
  }
  SECTION("a key given twice") {
    std::string msg = error_of(dir.write("twice.yaml", "model: cfgtest\nseed: 1\nseed: 2\n"));
    CHECK_THAT(msg, Catch::Contains("twice.yaml:3: duplicate key 'seed' (first given at"));
    CHECK_THAT(msg, Catch::Contains("twice.yaml:2"));
  }
}

TEST_CASE("all problems of a config are reported together, in file order", "[cli][config]") {
  setup_models();
  std::string msg = text_error("model: cfgtest\nparams:\n  need: 1\n  beta: 2\n  period: x\nseeed: 1\n");
  CHECK_THAT(msg, Catch::StartsWith("3 problems in config 'sim.yaml'"));
  auto b = msg.find("sim.yaml:4"), p = msg.find("sim.yaml:5"), s = msg.find("sim.yaml:6");
  REQUIRE(b != std::string::npos);
  REQUIRE(p != std::string::npos);
  REQUIRE(s != std::string::npos);
  CHECK(b < p);
  CHECK(p < s);
}

TEST_CASE("a model's cross-parameter check names the file", "[cli][config]") {
  setup_models();
  std::string msg = text_error("model: cfgtest\nparams:\n  need: 1\n  initial: {count: 3, fraction: 0.1}\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml"));
  CHECK_THAT(msg, Catch::Contains("set at most one of params.initial.count and params.initial.fraction"));

  // A real model: SIR needs exactly one of gamma and infectious_steps.
  msg = text_error("model: sir\nparams:\n  beta: 0.1\n");
  CHECK_THAT(msg, Catch::Contains("sim.yaml"));
  CHECK_THAT(msg, Catch::Contains("params.gamma"));
}

TEST_CASE("extends chains merge deep, later files win, null unsets", "[cli][config]") {
  setup_models();
  TempDir dir;
  dir.write("base/root.yaml",
            "model: cfgtest\nseed: 5\ntime:\n  steps: 10\n  dt: 0.25\n"
            "graph:\n  generator: erdos_renyi\n  n: 300\n  mean_degree: 3\n"
            "params:\n  need: 1\n  beta: 0.3\n  initial:\n    fraction: 0.2\n");
  dir.write("mid/mid.yaml", "extends: ../base/root.yaml\ntime:\n  steps: 20\nparams:\n  period: 7\n");
  const std::string leaf = dir.write("leaf.yaml",
                                     "extends: mid/mid.yaml\nseed: 9\ngraph:\n  n: 400\n"
                                     "params:\n  initial:\n    fraction: ~\n    count: 12\n");
  const wom::Config sc_cfg = wom::load_config(leaf);
  const Scenario& sc = sc_cfg.scenario;
  CHECK(sc_cfg.plan.seed == 9);      // leaf
  CHECK(sc.steps == 20);             // mid over root
  CHECK(sc.dt == 0.25);              // root, kept by the deep merge of time:
  CHECK(sc.graph.n == 400);          // leaf
  CHECK(sc.graph.mean_degree == 3);  // root
  CHECK(sc.params.real("beta") == 0.3);
  CHECK(sc.params.integer("period") == 7);
  CHECK(sc.params.integer("initial.count") == 12);
  CHECK_FALSE(sc.params.has("initial.fraction"));  // unset by the leaf's null
  REQUIRE(sc.files.size() == 3);
  CHECK_THAT(sc.files[0], Catch::EndsWith("root.yaml"));
  CHECK_THAT(sc.files[2], Catch::EndsWith("leaf.yaml"));

  SECTION("a list of parents merges in order") {
    dir.write("a.yaml", "model: cfgtest\nparams:\n  need: 1\n  beta: 0.1\n");
    dir.write("b.yaml", "params:\n  beta: 0.2\n  period: 4\n");
    const wom::Config two_cfg = wom::load_config(dir.write("two.yaml", "extends: [a.yaml, b.yaml]\nseed: 3\n"));
    const Scenario& two = two_cfg.scenario;
    CHECK(two.params.real("beta") == 0.2);
    CHECK(two.params.integer("period") == 4);
    CHECK(two_cfg.plan.seed == 3);
  }
  SECTION("errors in a parent name the parent's file and line") {
    dir.write("bad_parent.yaml", "model: cfgtest\nparams:\n  need: 1\n  beta: 3\n");
    std::string msg = error_of(dir.write("child.yaml", "extends: bad_parent.yaml\nseed: 2\n"));
    CHECK_THAT(msg, Catch::Contains("bad_parent.yaml:4"));
    CHECK_THAT(msg, Catch::Contains("params.beta = 3 is out of range"));
  }
}

TEST_CASE("extends cycles and missing parents are clear errors", "[cli][config]") {
  setup_models();
  TempDir dir;
  SECTION("a cycle through two files") {
    dir.write("a.yaml", "extends: b.yaml\nmodel: cfgtest\n");
    dir.write("b.yaml", "seed: 3\nextends: a.yaml\n");
    std::string msg = error_of((dir.path / "a.yaml").string());
    CHECK_THAT(msg, Catch::Contains("b.yaml:2"));
    CHECK_THAT(msg, Catch::Contains("makes a cycle"));
    CHECK_THAT(msg, Catch::Contains("a.yaml -> "));
  }
  SECTION("a file extending itself") {
    std::string msg = error_of(dir.write("self.yaml", "model: cfgtest\nextends: ./self.yaml\n"));
    CHECK_THAT(msg, Catch::Contains("self.yaml:2"));
    CHECK_THAT(msg, Catch::Contains("makes a cycle"));
  }
  SECTION("a missing parent") {
    std::string msg = error_of(dir.write("orphan.yaml", "model: cfgtest\nextends: gone.yaml\n"));
    CHECK_THAT(msg, Catch::Contains("orphan.yaml:2"));
    CHECK_THAT(msg, Catch::Contains("extends 'gone.yaml'"));
    CHECK_THAT(msg, Catch::Contains("No such file"));
  }
  SECTION("extends of the wrong type") {
    std::string msg = error_of(dir.write("odd.yaml", "model: cfgtest\nextends: {a: 1}\n"));
    CHECK_THAT(msg, Catch::Contains("odd.yaml:2"));
    CHECK_THAT(msg, Catch::Contains("expected a file name or a list of file names"));
  }
}

TEST_CASE("a --set override wins over the file and its parents, its errors name the argument", "[cli][config]") {
  setup_models();
  TempDir dir;
  dir.write("base.yaml", "model: cfgtest\nseed: 4\nparams:\n  need: 1\n  beta: 0.3\n");
  const std::string file = dir.write("run.yaml", "extends: base.yaml\nparams:\n  beta: 0.4\n");

  const wom::Config sc_cfg = wom::load_config(
      file, {"params.beta=0.5", "seed=11", "graph.blocks=[3, 4]", "graph.generator=sbm", "params.initial={count: 2}"});
  const Scenario& sc = sc_cfg.scenario;
  CHECK(sc.params.real("beta") == 0.5);
  CHECK(sc_cfg.plan.seed == 11);
  CHECK(sc.graph.generator == "sbm");
  CHECK(sc.graph.blocks == std::vector<std::int64_t>{3, 4});
  CHECK(sc.graph.n == 7);  // the sum of the blocks
  CHECK(sc.params.integer("initial.count") == 2);
  CHECK(sc.overrides.size() == 5);

  SECTION("the last --set of a key wins") {
    CHECK(wom::load_scenario(file, {"params.beta=0.1", "params.beta=0.2"}).params.real("beta") == 0.2);
  }
  SECTION("null unsets the key; an empty value is refused, saying how to write null and an empty string") {
    CHECK(wom::load_config(file, {"seed=null"}).plan.seed == 1);
    const std::string msg = error_of(file, {"seed="});
    CHECK_THAT(msg, Catch::Contains("--set 'seed=': empty value"));
    CHECK_THAT(msg, Catch::Contains("--set seed=null"));
    CHECK_THAT(msg, Catch::Contains("--set 'seed=\"\"' for an empty string"));
  }
  SECTION("bad values and keys") {
    std::string msg = error_of(file, {"params.beta=abc"});
    CHECK_THAT(msg, Catch::Contains("--set 'params.beta=abc'"));
    CHECK_THAT(msg, Catch::Contains("expected a number, got 'abc'"));
    CHECK_THAT(msg, Catch::Contains("[0, 1]"));

    msg = error_of(file, {"params.beta=2"});
    CHECK_THAT(msg, Catch::Contains("--set 'params.beta=2': params.beta = 2 is out of range: accepted [0, 1]"));

    msg = error_of(file, {"params.btea=0.2"});
    CHECK_THAT(msg, Catch::Contains("--set 'params.btea=0.2': unknown key 'params.btea'"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'params.beta'?"));

    CHECK_THAT(error_of(file, {"novalue"}), Catch::Contains("--set 'novalue': expected key=value"));
    CHECK_THAT(error_of(file, {"a..b=1"}), Catch::Contains("malformed key"));
    CHECK_THAT(error_of(file, {"extends=x.yaml"}), Catch::Contains("only in a config file"));
    CHECK_THAT(error_of(file, {"params.beta=[1,"}), Catch::Contains("cannot parse the value as YAML"));
  }
}

TEST_CASE("relative data paths resolve against the folder of the file that set them", "[cli][config]") {
  setup_models();
  TempDir dir;
  dir.write("data/edges.txt", "1 2\n2 3\n");
  dir.write("data/degrees.txt", "1\n2\n1\n");
  dir.write("data/base.yaml",
            "model: cfgtest\nparams:\n  need: 1\ngraph:\n  generator: file\n  path: edges.txt\n  directed: true\n"
            "  reverse: true\noutput:\n  dir: ../results\n");
  const std::string child = dir.write("runs/child.yaml", "extends: ../data/base.yaml\nseed: 2\n");
  const wom::Config sc_cfg = wom::load_config(child);
  const Scenario& sc = sc_cfg.scenario;
  CHECK(fs::equivalent(sc.graph.path, dir.path / "data" / "edges.txt"));
  CHECK(fs::path(sc.graph.path).is_absolute());
  CHECK(sc.graph.directed);
  CHECK(sc.graph.reverse);
  CHECK(fs::path(sc_cfg.output_dir) == (dir.path / "results").lexically_normal());

  SECTION("a path set in the child resolves against the child's folder") {
    dir.write("runs/local.txt", "5 6\n");
    const Scenario s2 = wom::load_scenario(dir.write("runs/child2.yaml",
                                                     "extends: ../data/base.yaml\n"
                                                     "graph:\n  path: local.txt\n"));
    CHECK(fs::equivalent(s2.graph.path, dir.path / "runs" / "local.txt"));
  }
  SECTION("graph.degree.file too") {
    const Scenario s3 = wom::load_scenario(
        child, {"graph.generator=configuration", "graph.directed=false", "graph.degree.distribution=file",
                "graph.degree.file=" + (dir.path / "data" / "degrees.txt").string()});
    CHECK(fs::equivalent(s3.graph.degree.file, dir.path / "data" / "degrees.txt"));
  }
  SECTION("a missing data file names the line and the resolved path") {
    std::string msg =
        error_of(dir.write("runs/missing.yaml", "extends: ../data/base.yaml\ngraph:\n  path: nope.txt\n"));
    CHECK_THAT(msg, Catch::Contains("missing.yaml:3"));
    CHECK_THAT(msg, Catch::Contains("graph.path: file not found: 'nope.txt'"));
    CHECK_THAT(msg, Catch::Contains((dir.path / "runs" / "nope.txt").string()));
  }
}

TEST_CASE("graph keys follow the generator", "[cli][config]") {
  setup_models();
  SECTION("keys the generator ignores are warnings, not errors") {
    const Scenario sc =
        wom::scenario_from_yaml_text(std::string(kBase) + "graph:\n  generator: barabasi_albert\n  k: 4\n", "sim.yaml");
    REQUIRE(sc.warnings.size() == 1);
    CHECK_THAT(sc.warnings[0], Catch::Contains("sim.yaml:6: graph.k is ignored by generator 'barabasi_albert'"));
  }
  SECTION("sbm: n must agree with the blocks") {
    std::string msg = text_error(std::string(kBase) + "graph:\n  generator: sbm\n  n: 10\n  blocks: [3, 4]\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:6: graph.n = 10 disagrees with the sum of graph.blocks = 7"));
  }
  SECTION("a bad block names its index") {
    std::string msg = text_error(std::string(kBase) + "graph:\n  generator: sbm\n  blocks:\n    - 3\n    - 0\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:8: graph.blocks[1] = 0 is out of range"));
  }
  SECTION("directed needs a generator that makes directed graphs") {
    std::string msg = text_error(std::string(kBase) + "graph:\n  generator: barabasi_albert\n  directed: true\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:6: graph.directed = true is not supported"));
  }
  SECTION("the complete graph needs a model that supports it") {
    std::string msg = text_error("model: sir\nparams:\n  gamma: 0.1\ngraph:\n  generator: complete\n  n: 100\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:5"));
    CHECK_THAT(msg, Catch::Contains("does not run on the implicit complete graph"));
  }
  SECTION("an unknown generator is suggested") {
    std::string msg = text_error(std::string(kBase) + "graph:\n  generator: erdos_renyl\n");
    CHECK_THAT(msg, Catch::Contains("sim.yaml:5"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'erdos_renyi'?"));
  }
  SECTION("graph-only loading skips model and params") {
    wom::LoadOptions lo;
    lo.graph_only = true;
    const Scenario sc = wom::scenario_from_yaml_text("graph:\n  generator: complete\n  n: 5\n", "g.yaml", {}, lo);
    CHECK(sc.graph.n == 5);
    CHECK(sc.info == nullptr);
  }
}

TEST_CASE("the resolved config re-reads to the same scenario", "[cli][config]") {
  setup_models();
  const Scenario sc = wom::scenario_from_yaml_text(
      "model: sir\nseed: 8\ngraph:\n  generator: watts_strogatz\n  n: 50\n  k: 4\n"
      "params:\n  beta: 0.25\n  infectious_steps: 3\n  initial.fraction: 0.1\n",
      "sim.yaml");
  const std::string yaml = wom::to_yaml(sc.resolved);
  const Scenario again = wom::scenario_from_yaml_text(yaml, "resolved.yaml");
  CHECK(again.resolved == sc.resolved);
  CHECK(again.params.values() == sc.params.values());
}

TEST_CASE("the real configs in configs/ load", "[cli][config]") {
  setup_models();
  for (const char* name : {"sir", "independent_cascade", "bass", "linear_threshold", "default"}) {
    INFO(name);
    const Scenario sc = wom::load_scenario(std::string(WOM_SOURCE_DIR) + "/configs/" + name + ".yaml");
    CHECK(sc.info != nullptr);
    CHECK(sc.warnings.empty());
  }
}

TEST_CASE("edit distance counts transpositions as one edit", "[cli][config]") {
  CHECK(wom::edit_distance("beta", "beta") == 0);
  CHECK(wom::edit_distance("bta", "beta") == 1);
  CHECK(wom::edit_distance("initail", "initial") == 1);
  CHECK(wom::edit_distance("", "abc") == 3);
  CHECK(wom::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("a followers layer reads like graph and names its own keys in errors", "[cli][config]") {
  setup_models();
  const Scenario sc = wom::scenario_from_yaml_text(
      "model: cfgtest\nparams:\n  need: 1\n"
      "graph: {generator: erdos_renyi, n: 500, mean_degree: 4}\n"
      "followers:\n  generator: configuration\n  n: 500\n  directed: false\n"
      "  degree: {distribution: power_law, exponent: 2.1, min: 1, max: 200}\n",
      "sim.yaml");
  REQUIRE(sc.followers.has_value());
  CHECK(sc.followers->generator == "configuration");
  CHECK(sc.followers->degree.exponent == 2.1);
  CHECK(sc.resolved.contains("followers"));
  CHECK_FALSE(wom::scenario_from_yaml_text(std::string(kBase), "sim.yaml").followers.has_value());

  const std::string typo = text_error(std::string(kBase) + "followers:\n  generator: barabasi_albert\n  mm: 3\n");
  CHECK_THAT(typo, Catch::Contains("sim.yaml:6") && Catch::Contains("followers.mm") && Catch::Contains("followers.m"));
  const std::string range = text_error(std::string(kBase) + "followers:\n  generator: barabasi_albert\n  m: 0\n");
  CHECK_THAT(range, Catch::Contains("followers.m") && Catch::Contains("out of range"));
}

// Regressions found by fuzzing the loader (fuzz/fuzz_config.cpp, fuzz/README.md).

TEST_CASE("fuzz: a stray ',' is an error, not a hang (yaml-cpp's LoadAll loops on it)", "[cli][config][fuzz]") {
  setup_models();
  CHECK_THAT(text_error(", 0.05\n"), Catch::Matchers::Contains("sim.yaml: empty config file"));
  CHECK_THAT(text_error(std::string(kBase) + ",\n"), Catch::Matchers::Contains("sim.yaml"));
  // A second document is still found, after empty ones too.
  CHECK_THAT(text_error(std::string(kBase) + "---\n---\nmodel: sir\n"),
             Catch::Matchers::Contains("sim.yaml:6: a second YAML document"));
  CHECK(text_error(std::string(kBase) + "---\n").empty());
}

TEST_CASE("fuzz: text that JSON cannot hold is refused where it is read", "[cli][config][fuzz]") {
  setup_models();
  // An overlong encoding of ' ' passed the lax UTF-8 check and failed summary.json after the run.
  CHECK_THAT(text_error(std::string(kBase) + "  mode: \"\xe0\x80\xa0\"\n"),
             Catch::Matchers::Contains("sim.yaml:4: not UTF-8 text: byte 43 is 0xe0"));
  CHECK_THAT(text_error(std::string(kBase) + "  mode: \"\xed\xa0\x80\"\n"), Catch::Matchers::Contains("is 0xed"));
  CHECK_THAT(text_error(kBase, {"params.mode=\xe9"}),
             Catch::Matchers::Contains("--set 'params.mode=\xe9': not UTF-8 text: byte 13 is 0xe9"));
  CHECK_THAT(text_error(std::string(kBase) + "  mode: \"caf\xc3\xa9\"\n"),
             Catch::Matchers::Contains("unknown value 'caf\xc3\xa9'"));
}

TEST_CASE("fuzz: YAML aliases that repeat more than 10000 values are refused", "[cli][config][fuzz]") {
  setup_models();
  // 9^6 values from 8 lines: at 10^6 allowed values this took 26 s and 1.2 GB under ASan; at
  // 100000 allowed values, 5 lines (66 000 repeats) still took 2 s under ASan.
  const auto laughs = [](int levels) {
    std::string text = std::string(kBase) + "l0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < levels; ++i) {
      // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "l" + std::string.
      const std::string n = std::to_string(i), p = std::string("*a").append(std::to_string(i - 1));
      text.append("l").append(n).append(": &a").append(n).append(" [").append(p);
      for (int k = 1; k < 9; ++k) text.append(", ").append(p);
      text += "]\n";
    }
    return text;
  };
  CHECK_THAT(text_error(laughs(7)), Catch::Matchers::Contains("sim.yaml: YAML aliases repeat more than 10000 values"));
  CHECK_THAT(text_error(laughs(5)), Catch::Matchers::Contains("sim.yaml: YAML aliases repeat more than 10000 values"));
  // Under the cap (levels 1-3 repeat 90 + 819 + 7380 = 8289 nodes) the loader goes on: the
  // error is the unknown key, not the aliases.
  CHECK_THAT(text_error(laughs(4)), Catch::Matchers::Contains("unknown key 'l0'"));
  // Written out plainly, a config may hold ten times as many values as aliases may repeat.
  std::string plain = std::string(kBase) + "l0: [x";
  for (int k = 1; k < 50'000; ++k) plain += ", x";
  CHECK_THAT(text_error(plain + "]\n"), Catch::Matchers::Contains("unknown key 'l0'"));
  for (int k = 0; k < 50'001; ++k) plain += ", x";
  CHECK_THAT(text_error(plain + "]\n"),
             Catch::Matchers::Contains("sim.yaml: the config holds more than 100000 values"));
}

TEST_CASE("fuzz: a very long unknown key is reported without comparing it with every key", "[cli][config][fuzz]") {
  setup_models();
  // "Did you mean" compared the key with each known key by edit distance: length × candidates
  // of work and an (n + 1) × (m + 1) table each time (a 1 MB key: 250 MB a comparison).
  const std::string key(1'000'000, 'q');
  const auto t0 = std::chrono::steady_clock::now();
  // An explicit key ('? KEY'): yaml-cpp takes implicit keys of at most 1024 characters.
  const std::string msg = text_error(std::string(kBase) + "? " + key + "\n: 1\n");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_THAT(msg, Catch::Matchers::Contains("unknown key 'qqqq"));
  CHECK(seconds < 3);  // release build: 4.9 s and 140 MB before, 0.3 s and 14 MB after
  // Near misses are still suggested.
  CHECK_THAT(text_error(std::string(kBase) + "  betta: 0.2\n"),
             Catch::Matchers::Contains("did you mean 'params.beta'?"));
  CHECK_THAT(text_error(std::string(kBase) + "  switch.onn: true\n"),
             Catch::Matchers::Contains("did you mean 'params.switch.on'?"));
}
