// Bad service_wom inputs: each names file:line, the key and the accepted range.
#include <catch2/catch.hpp>
#include <string>

#include "models/registry.hpp"
#include "sim/core/error.hpp"
#include "sim/io/config.hpp"
#include "tests/support/tempdir.hpp"

using namespace wom;

namespace {

std::string error_of_text(const std::string& params) {
  register_models();
  try {
    scenario_from_yaml_text(
        "model: service_wom\ngraph: {generator: erdos_renyi, n: 100, mean_degree: 4}\nparams:\n" + params,
        "what_if.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("service_wom rejects bad parameter values with file, line, key and range", "[cli][service_wom]") {
  SECTION("a probability outside [0, 1]") {
    const std::string e = error_of_text("  voice:\n    complain_large: 1.2\n");
    CHECK_THAT(e, Catch::Contains("what_if.yaml:5") && Catch::Contains("params.voice.complain_large") &&
                      Catch::Contains("[0, 1]"));
  }
  SECTION("a negative rate") {
    const std::string e = error_of_text("  problems:\n    rate_per_year: -0.1\n");
    CHECK_THAT(e, Catch::Contains("what_if.yaml:5") && Catch::Contains("params.problems.rate_per_year") &&
                      Catch::Contains("out of range"));
  }
  SECTION("a policy rate outside [0, 1]") {
    const std::string e = error_of_text("  policy: {acknowledge_rate: 1.5}\n");
    CHECK_THAT(e, Catch::Contains("what_if.yaml:4") && Catch::Contains("params.policy.acknowledge_rate") &&
                      Catch::Contains("[0, 1]"));
  }
  SECTION("an unknown key, with a suggestion") {
    const std::string e = error_of_text("  policy:\n    acknowledge_rat: 0.5\n");
    CHECK_THAT(e, Catch::Contains("what_if.yaml:5") && Catch::Contains("acknowledge_rat") &&
                      Catch::Contains("did you mean") && Catch::Contains("acknowledge_rate"));
  }
  SECTION("a wrong type") {
    const std::string e = error_of_text("  talk: {reach_negative: many}\n");
    CHECK_THAT(e, Catch::Contains("what_if.yaml:4") && Catch::Contains("params.talk.reach_negative") &&
                      Catch::Contains("expected a number"));
  }
  SECTION("a valid what-if loads") { CHECK(error_of_text("  policy: {acknowledge_rate: 0.9}\n").empty()); }
}

TEST_CASE("an empty config and a broken extends chain are refused", "[cli][service_wom]") {
  register_models();
  test::TempDir dir("wom-inputs");
  auto err = [](const std::string& path) {
    try {
      load_scenario(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(err(dir.write("empty.yaml", "\n# nothing\n")), Catch::Contains("empty.yaml") && Catch::Contains("empty"));
  CHECK_THAT(err(dir.write("child.yaml", "extends: missing.yaml\nmodel: service_wom\n")),
             Catch::Contains("child.yaml") && Catch::Contains("missing.yaml"));
  dir.write("a.yaml", "extends: b.yaml\nmodel: service_wom\n");
  CHECK_THAT(err(dir.write("b.yaml", "extends: a.yaml\n")), Catch::Contains("cycle") || Catch::Contains("itself"));
  CHECK_THAT(err(dir.write("g.yaml", "model: service_wom\ngraph: {generator: file, path: no_such_graph.txt}\n")),
             Catch::Contains("no_such_graph.txt"));
}
