#include "cli/cost_command.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "api/wom.hpp"
#include "cli/common.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"
#include "sim/io/config.hpp"
#include "sim/io/output.hpp"
#include "sim/io/runner.hpp"

namespace wom::cli {

CLI::App* add_cost_command(CLI::App& app, CostArgs& a) {
  CLI::App* c = app.add_subcommand(
      "cost", "Price one argued interaction and one lost customer, counting everyone the story reaches");
  c->add_option("CONFIG", a.config, "scenario file (YAML); its model must support interventions (service_wom)")
      ->required();
  c->add_option("--set", a.sets, "override a config key: --set key=value (repeatable)");
  add_plan_flags(c, a.plan, "random seed, 0 to 2^64-1", "config's seed, else 1",
                 "replicates (each its own graph and population)", "config's replicates");
  c->add_option("--focal", a.focal, "focal events per replicate (customers drawn uniformly at t0)")
      ->transform(wom::cli::decimal_integer())
      ->check(CLI::Range(std::int64_t(1), std::int64_t(1000000)));
  c->add_option("--channel-focal", a.channel_focal,
                "of those, how many are also priced with each channel off (cost by channel)")
      ->transform(wom::cli::decimal_integer())
      ->check(CLI::Range(std::int64_t(0), std::int64_t(1000000)))
      ->default_str("all");
  c->add_flag("--no-cone", a.no_cone,
              "price every variant by a full paired run instead of its causal cone (same numbers, slower)")
      ->default_str("false");
  c->add_option("--max-cone", a.max_cone,
                "a cone larger than this share of all persons is priced by a full run instead")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || *end != '\0' || !(x > 0 && x <= 1))
              return "Value " + v + " is out of range: accepted (0, 1], a share of all persons";
            return {};
          },
          "SHARE in (0, 1]"));
  c->add_option("--by-degree", a.by_degree,
                "extra focal customers per out-degree decile (stratified draw) for the by-degree table; 0: group "
                "the uniform sample by decile")
      ->transform(wom::cli::decimal_integer())
      ->check(CLI::Range(std::int64_t(0), std::int64_t(100000)));
  c->add_option("--t0", a.t0_days, "day of the focal events (burn-in)")
      ->transform(wom::cli::decimal_integer())
      ->check(CLI::Range(std::int64_t(0), std::int64_t(36500000)));
  c->add_option("--option", a.options,
                "an option of the injected interventions, as the model declares them: --option KEY=VALUE "
                "(repeatable; `wom params` lists a model's interventions and options)");
  c->add_option("--severity", a.severity,
                "service_wom: severity of the focal complaints (mix: as complaints arrive, ~78 % large); the same as "
                "--option severity=VALUE")
      ->check(CLI::IsMember({"mix", "small", "large"}))
      ->default_str("mix");
  c->add_flag("--misunderstanding", a.misunderstanding,
              "service_wom: focal complaints are misunderstandings (default: valid); the same as --option "
              "misunderstanding=true")
      ->default_str("false");
  c->add_option("--out", a.out,
                "write cost.json and cost_events.csv as this new folder once complete; an existing folder is refused "
                "unless --force (the config's output.dir is where `wom run` writes, never `wom cost`)")
      ->check(non_empty())
      ->default_str("no files");
  add_force_flag(c, a.force);
  c->add_flag("--report", a.report, "also write report.html into the output folder (needs --out)")
      ->default_str("false");
  c->add_flag("--quiet,-q", a.quiet, "no progress bar and no summary")->default_str("false");
  return c;
}

int run_cost_command(const CostArgs& a, const std::vector<std::string>& command) {
  const Config cfg = load_config(a.config, a.sets);
  const Scenario& sc = cfg.scenario;
  for (const auto& w : sc.warnings) fmt::print(stderr, "wom: warning: {}\n", w);
  CostOptions o;
  o.focal = a.focal;
  o.channel_focal = a.channel_focal < 0 ? -1 : std::min(a.channel_focal, a.focal);
  o.cone = !a.no_cone;
  o.max_cone = a.max_cone;
  o.t0_days = a.t0_days;
  o.by_degree = a.by_degree;
  for (const auto& kv : a.options) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(fmt::format("--option {}: expected KEY=VALUE (e.g. --option severity=large)", kv));
    o.options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!a.severity.empty()) o.options.emplace_back("severity", a.severity);
  if (a.misunderstanding) o.options.emplace_back("misunderstanding", "true");
  // The config's output.dir is where `wom run` writes: a cost study writes only where --out
  // says, so that run, compare and cost of one config never target one folder.
  const RunOptions opt = out_flag_options(a.plan, a.out, a.force, a.report, a.quiet, "the cost study's output folder");

  const CostResult res = wom::cost(sc, a.plan.choice().applied_to(cfg.plan), o, opt, command);
  if (!a.quiet) {
    const std::string& out_dir = a.out;
    fmt::print("{}", format_cost_summary(res.output));
    print_written(out_dir, res.written);
    if (res.written.empty())
      print_next({command_text(command) + " --out DIR --report"});
    else if (!a.report)
      print_next({"wom report " + shell_word(out_dir)});
    else if (const std::string vary = example_vary(sc); !vary.empty())
      print_next({fmt::format("wom compare {} --vary {} --out DIR --report", shell_word(a.config), vary)});
  }
  return 0;
}

}  // namespace wom::cli
