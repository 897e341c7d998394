// Numbers that cannot be trusted are refused, not printed (issue 8 point 7): a run too large
// for memory is refused up front with the estimate and the key to lower; money and discount
// ranges keep the fixed-point sums and the terminal value's perpetuity finite; a rating with
// neither a prior nor reviews is refused as undefined.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

namespace {

using wom::test::Result;
using wom::test::run_wom;

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-limits") {}
};

const char* kSmall =
    "model: service_wom\nseed: 3\nreplicates: 2\ntime: {steps: 30, step_days: 1}\n"
    "graph: {generator: barabasi_albert, n: 500, m: 3}\n";

}  // namespace

TEST_CASE("a run too large for memory is refused up front, naming the key and the estimate", "[cli][limits]") {
  TempDir dir;
  dir.write("s.yaml", kSmall);
  SECTION("graph.n") {
    const Result r = run_wom(dir, "run s.yaml --set graph.n=3000000000 --out o -q");
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: "));
    CHECK_THAT(r.err, Catch::Contains("needs an estimated") && Catch::Contains("is available") &&
                          Catch::Contains("lower graph.n (= 3000000000)"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "o"));
  }
  SECTION("time.steps with per-step storage") {
    const Result r = run_wom(dir, "run s.yaml --set time.steps=1000000000 -q");
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("time series") && Catch::Contains("lower time.steps (= 1000000000)"));
  }
  SECTION("wom cost and wom compare check too") {
    Result r = run_wom(dir, "cost s.yaml --t0 10 --set graph.n=3000000000 -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("lower graph.n"));
    r = run_wom(dir, "compare s.yaml --set graph.n=3000000000 --vary params.policy.acknowledge_rate=0.3,0.9 -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("lower graph.n"));
  }
  SECTION("the limit is the memory available: a small run under a tiny limit is refused, and runs without it") {
    Result r = run_wom(dir, "run s.yaml -q");
    CHECK(r.rc == 0);
    const std::string cmd = "WOM_MEMORY_LIMIT=100000 '" + wom::test::kWom + "' run s.yaml -q";
    const int status = std::system(("cd '" + dir.path.string() + "' && " + cmd + " 2>/dev/null").c_str());
    CHECK(WEXITSTATUS(status) == 1);
  }
}

TEST_CASE("money and discount ranges keep the arithmetic finite, and an undefined rating is refused", "[cli][limits]") {
  TempDir dir;
  dir.write("s.yaml", kSmall);
  struct Case {
    const char* set;
    const char* says;
  };
  const Case cases[] = {
      {"params.economics.margin_per_year=1e300", "economics.margin_per_year"},
      {"params.economics.margin_per_year=.inf", "economics.margin_per_year"},
      {"params.economics.cac=1e12", "economics.cac"},
      {"params.economics.margin_sigma=5", "economics.margin_sigma"},
      {"params.economics.discount_rate_per_year=0", "economics.discount_rate_per_year"},
      {"params.policy.training_cost_per_year=1e15", "policy.training_cost_per_year"},
      {"params.policy.review_reply_cost=-1", "policy.review_reply_cost"},
      {"params.review.prior_weight=0", "review.prior_weight"},
  };
  for (const Case& c : cases) {
    INFO(c.set);
    const Result r = run_wom(dir, std::string("run s.yaml -q --set ") + c.set);
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::StartsWith("wom: error: ") && Catch::Contains(c.says) && Catch::Contains("accepted"));
  }
  // One terminal rule: r and c pinned together or not at all.
  const Result half = run_wom(dir, "run s.yaml -q --set params.economics.terminal_retention=0.8");
  CHECK(half.rc == 1);
  CHECK_THAT(half.err, Catch::Contains("economics.terminal_retention") &&
                           Catch::Contains("economics.terminal_cost_per_customer_year") && Catch::Contains("both"));
  const Result both = run_wom(dir,
                              "run s.yaml -q --set params.economics.terminal_retention=0.8 "
                              "--set params.economics.terminal_cost_per_customer_year=2");
  CHECK(both.rc == 0);
  // wom params states the limits.
  const Result p = run_wom(dir, "params economics.discount_rate_per_year");
  CHECK(p.rc == 0);
  CHECK_THAT(p.out, Catch::Contains("[0.01, 1]"));
  const Result w = run_wom(dir, "params review.prior_weight");
  CHECK_THAT(w.out, Catch::Contains("(0, 1000000000]"));
}
