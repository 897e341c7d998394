/// `wom`: one command for every model, a thin front end on the facade (api/wom.hpp). Model
/// parameters live in config files; flags only choose the run plan (seed, replicates) and how
/// to run (threads, output).
///
///   wom run CONFIG [--set key=value]... [--seed S] [--replicates R] [--threads N] [--out DIR [--force]]
///               [--report] [--quiet]
///   wom compare CONFIG... [--vary key=v1,v2,...] [--set key=value]... [--seed S] [--replicates R] [--threads N]
///               [--out DIR [--force]] [--report] [--all] [--quiet]
///   wom cost CONFIG [...] [--out DIR [--force]] [--report]
///   wom report DIR
///   wom graph stats SOURCE [--directed] [--reverse] [--reorder X]
///   wom list-models
///   wom bench [--short] [--filter RE] [--out DIR] [--compare BASELINE.json [--baseline-binary WOM]]
///
/// Each command writes its outputs as one new folder (sim/io/output.hpp): `wom run` into --out
/// or the config's output.dir, compare and cost only into --out.
///
/// Errors, command-line ones included, print `wom: error: <message>` on stderr and exit 1;
/// --help and --version print and exit 0.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/wom.hpp"
#include "cli/bench_command.hpp"
#include "cli/common.hpp"
#include "cli/cost_command.hpp"
#include "cli/sweep_command.hpp"
#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/core/model.hpp"
#include "sim/core/reorder.hpp"
#include "sim/core/stats.hpp"
#include "sim/io/config.hpp"
#include "sim/io/edgelist.hpp"
#include "sim/io/output.hpp"
#include "wom/version.hpp"

namespace {

using namespace wom;
using wom::cli::command_text;
using wom::cli::example_vary;
using wom::cli::print_next;
using wom::cli::print_written;
using wom::cli::shell_word;

void print_warnings(const Scenario& sc) {
  for (const auto& w : sc.warnings) fmt::print(stderr, "wom: warning: {}\n", w);
}

// ---------------------------------------------------------------------------------------
// wom run

struct RunArgs {
  std::string config;
  std::vector<std::string> sets;
  wom::cli::PlanFlags plan;
  std::string out;
  bool force = false;
  bool quiet = false;
  bool report = false;
  std::string events;
  CLI::Option* out_opt = nullptr;
};

/// `wom compare CONFIG --vary K=a,b --out DIR --report` for this scenario (empty when the model
/// offers no real parameter to vary).
std::string compare_suggestion(const std::string& config, const Scenario& sc) {
  const std::string vary = example_vary(sc);
  return vary.empty() ? "" : fmt::format("wom compare {} --vary {} --out DIR --report", shell_word(config), vary);
}

int cmd_run(const RunArgs& a, const std::vector<std::string>& command) {
  const Config cfg = load_config(a.config, a.sets);
  const Scenario& sc = cfg.scenario;
  print_warnings(sc);

  RunOptions opt;
  opt.threads = a.plan.threads;
  opt.progress = !a.quiet;
  // --out wins over output.dir.
  opt.output_dir = a.out_opt->count() ? a.out : cfg.output_dir;
  opt.force = a.force;
  opt.report = a.report;
  opt.events = a.events;
  if (a.report && opt.output_dir.empty())
    throw Error("--report: the report goes into the output folder; give --out DIR (or output.dir in the config)");
  if (a.force && opt.output_dir.empty())
    throw Error("--force replaces the output folder; give --out DIR (or output.dir in the config)");

  const RunResult res = wom::run(sc, a.plan.choice().applied_to(cfg.plan), opt, command);
  for (const auto& w : res.output.warnings) fmt::print(stderr, "wom: warning: {}\n", w);
  if (!a.quiet) {
    const std::string& out_dir = opt.output_dir;
    fmt::print("{}", format_run_summary(sc, res.output, !res.written.empty()));
    print_written(out_dir, res.written);
    const std::string compare = compare_suggestion(a.config, sc);
    if (res.written.empty())
      print_next({command_text(command) + " --out DIR --report", compare});
    else if (!a.report)
      print_next({"wom report " + shell_word(out_dir), compare});
    else
      print_next({compare});
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// wom compare

struct CompareArgs {
  std::vector<std::string> configs;
  std::string vary;
  std::vector<std::string> sets;
  wom::cli::PlanFlags plan;
  std::string out;
  bool force = false;
  bool report = false;
  bool quiet = false;
  bool all = false;
};

int cmd_compare(const CompareArgs& a, const std::vector<std::string>& command) {
  // The configs' output.dir is where `wom run` writes: a comparison writes only where --out
  // says, so that run, compare and cost of one config never target one folder.
  const RunOptions opt =
      wom::cli::out_flag_options(a.plan, a.out, a.force, a.report, a.quiet, "the comparison's output folder");
  if (!a.out.empty()) check_output_folder(OutputFolder{a.out, "compare", a.force});

  const PlanChoice choice = a.plan.choice();
  std::vector<WhatIf> whatifs = load_whatifs(CompareRequest{a.configs, a.vary, a.sets}, choice);
  // What-ifs of one config share its warnings: say each once.
  std::vector<std::string> said;
  for (const auto& w : whatifs)
    for (const auto& text : w.scenario.warnings)
      if (std::find(said.begin(), said.end(), text) == said.end()) {
        fmt::print(stderr, "wom: warning: {}\n", text);
        said.push_back(text);
      }
  const CompareResult res = wom::compare(std::move(whatifs), choice, opt, vary_key(a.vary), command);
  for (const auto& w : res.comparison.warnings) fmt::print(stderr, "wom: warning: {}\n", w);
  if (!a.quiet) {
    fmt::print("{}", format_comparison(res.comparison, a.all));
    print_written(a.out, res.written);
    if (res.written.empty()) print_next({command_text(command) + " --out DIR --report"});
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// wom report

int cmd_report(const std::string& dir, bool quiet) {
  const std::string path = write_report(dir);
  if (!quiet) fmt::print("report      {}\n", path);
  return 0;
}

// ---------------------------------------------------------------------------------------
// wom graph stats

struct StatsArgs {
  std::string source;
  std::vector<std::string> sets;
  bool directed = false;
  bool reverse = false;
  std::string reorder = "none";
  std::uint64_t replicate = 0;
  CLI::Option* directed_opt = nullptr;
  CLI::Option* reverse_opt = nullptr;
  CLI::Option* reorder_opt = nullptr;
};

bool is_config(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".yaml" || ext == ".yml";
}

std::string build_text(const BuildReport& b) {
  return fmt::format("{} arcs read, {} self-loops dropped, {} duplicate arcs dropped", b.input_arcs, b.self_loops,
                     b.duplicates);
}

int cmd_graph_stats(const StatsArgs& a) {
  Graph g;
  BuildReport build;
  if (is_config(a.source)) {
    // The config's graph block, built as replicate `a.replicate` of the config's seed;
    // flags given explicitly override the block.
    std::vector<std::string> sets = a.sets;
    if (a.directed_opt->count()) sets.push_back("graph.directed=true");
    if (a.reverse_opt->count()) sets.push_back("graph.reverse=true");
    if (a.reorder_opt->count()) sets.push_back("graph.reorder=" + a.reorder);
    LoadOptions lo;
    lo.graph_only = true;
    const Config cfg = load_config(a.source, sets, lo);
    const Scenario& sc = cfg.scenario;
    print_warnings(sc);
    GraphInfo info;
    g = make_graph(sc.graph, cfg.plan.seed, a.replicate, &info);
    build = info.build;
    fmt::print("{:<18}{} (graph block, seed {}, replicate {})\n", "source", a.source, cfg.plan.seed, a.replicate);
    fmt::print("{:<18}{}\n", "description", info.description);
  } else {
    if (!a.sets.empty()) throw Error("--set applies only when SOURCE is a config file (.yaml or .yml)");
    EdgeListInfo info;
    g = load_edge_list(a.source, a.directed, a.reverse, &build, &info);
    if (a.reorder != "none") g = reorder(g, a.reorder);
    fmt::print("{:<18}{} ({}edge list, {}{}): {} lines, {} comments, {} blank, {} arcs read\n", "source", a.source,
               info.gzip ? "gzip " : "", a.directed ? "directed" : "undirected",
               a.directed && a.reverse ? ", reversed" : "", info.lines, info.comment_lines, info.blank_lines,
               info.arcs);
    if (a.reorder != "none") fmt::print("{:<18}{}\n", "reorder", a.reorder);
  }
  fmt::print("{:<18}{}\n", "build", build_text(build));
  fmt::print("{}\n", format_stats(compute_stats(g)));
  return 0;
}

// ---------------------------------------------------------------------------------------
// wom list-models

std::string default_text(const ParamSpec& s) {
  if (!s.has_default) return s.required ? "(required)" : "(optional)";
  switch (s.type) {
    case ParamType::Real:
      return fmt::format("{}", s.def);
    case ParamType::Int:
      return fmt::format("{}", std::int64_t(s.def));
    case ParamType::Bool:
      return s.def != 0 ? "true" : "false";
    case ParamType::String:
      return s.def_str.empty() ? "\"\"" : s.def_str;
  }
  return "";
}

int cmd_list_models() {
  const auto& models = Registry::instance().all();
  for (std::size_t i = 0; i < models.size(); ++i) {
    const ModelInfo& m = models[i];
    if (i) fmt::print("\n");
    fmt::print("{}\n  {}\n  citation: {}\n", m.name, m.summary, m.citation.empty() ? "-" : m.citation);
    if (m.supports_complete_graph) fmt::print("  runs on graph.generator: complete (mean-field)\n");
    if (m.params.empty()) {
      fmt::print("  no parameters\n");
      continue;
    }
    std::size_t wk = 3, wd = 7, wr = 5;
    for (const auto& p : m.params) {
      wk = std::max(wk, p.key.size() + 7);  // "params." prefix
      wd = std::max(wd, default_text(p).size());
      wr = std::max(wr, p.range_text().size());
    }
    fmt::print("  {:<{}}  {:<{}}  {:<{}}  {}\n", "key", wk, "default", wd, "range", wr, "unit — meaning");
    for (const auto& p : m.params) {
      std::string unit = p.unit.empty() ? "" : p.unit;
      std::string help = p.help.empty() ? "" : (unit.empty() ? p.help : " — " + p.help);
      fmt::print("  {:<{}}  {:<{}}  {:<{}}  {}{}\n", "params." + p.key, wk, default_text(p), wd, p.range_text(), wr,
                 unit, help);
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// wom params [KEY]

struct ParamsArgs {
  std::string key;
  std::string model;
};

const ModelInfo& params_model(const std::string& name) {
  const auto& reg = Registry::instance();
  // By default the first registered model that offers a cost question (the product's model),
  // else the first one.
  std::string want = name;
  for (const auto& m : reg.all())
    if (want.empty() && !m.offers.cost.treatment.empty()) want = m.name;
  if (want.empty() && !reg.all().empty()) want = reg.all().front().name;
  if (const ModelInfo* m = reg.find(want)) return *m;
  std::string names;
  for (const auto& m : reg.all()) names += (names.empty() ? "" : ", ") + m.name;
  throw Error(fmt::format("--model '{}' is not a registered model: accepted {}", want, names));
}

int cmd_params(const ParamsArgs& a) {
  const ModelInfo& m = params_model(a.model);
  if (a.key.empty()) {
    std::size_t wk = 3, wd = 7, wr = 5, wu = 4;
    for (const auto& p : m.params) {
      wk = std::max(wk, p.key.size());
      wd = std::max(wd, default_text(p).size());
      wr = std::max(wr, p.range_text().size());
      wu = std::max(wu, p.unit.size());
    }
    fmt::print("parameters of model '{}' (keys under params.; `wom params KEY` explains one)\n", m.name);
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", "key", wk, "default", wd, "range", wr, "unit", wu, "source");
    for (const auto& p : m.params)
      fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", p.key, wk, default_text(p), wd, p.range_text(), wr, p.unit, wu,
                 p.source);
    // What the model offers `wom cost` (sim/core/offers.hpp).
    const Offers& of = m.offers;
    if (!of.interventions.empty()) {
      std::size_t w = 4;
      for (const auto& i : of.interventions) w = std::max(w, i.name.size());
      for (const auto& o : of.options) w = std::max(w, o.name.size());
      fmt::print("\ninterventions of model '{}' (`wom cost` prices {} against {}{})\n", m.name, of.cost.treatment,
                 of.cost.control, of.cost.removal.empty() ? "" : ", and " + of.cost.removal);
      for (const auto& i : of.interventions) fmt::print("{:<{}}  {}\n", i.name, w, i.meaning);
      if (!of.options.empty()) {
        fmt::print("\nintervention options (`wom cost --option KEY=VALUE`; the first value is the default)\n");
        for (const auto& o : of.options) {
          std::string values;
          for (const auto& c : o.choices) values += (values.empty() ? "" : "|") + c.value;
          fmt::print("{:<{}}  {}: {}\n", o.name, w, values, o.meaning);
        }
      }
      if (!of.channels.empty()) {
        fmt::print("\nchannels (`wom cost` prices the ripple through each one that is on)\n");
        for (const auto& c : of.channels) fmt::print("{:<{}}  {} (params.{})\n", c.name, w, c.meaning, c.param);
      }
    }
    return 0;
  }
  std::string key = a.key.rfind("params.", 0) == 0 ? a.key.substr(7) : a.key;
  for (const auto& p : m.params) {
    if (p.key != key) continue;
    fmt::print("params.{}  (model {})\n", p.key, m.name);
    fmt::print("  meaning  {}\n  default  {}\n  range    {}\n  unit     {}\n  source   {}\n", p.help, default_text(p),
               p.range_text(), p.unit.empty() ? "-" : p.unit, p.source);
    return 0;
  }
  // The nearest full key (a typo in the section or the prefix too: "param.policy.x"), else the
  // key whose last part is nearest ("acknowledge_rate" → policy.acknowledge_rate).
  auto last = [](const std::string& k) { return k.substr(k.rfind('.') == std::string::npos ? 0 : k.rfind('.') + 1); };
  std::string best;
  std::size_t bd = SIZE_MAX;
  for (const auto& p : m.params)
    if (std::size_t d = std::min(edit_distance(key, p.key), edit_distance(a.key, "params." + p.key)); d < bd)
      bd = d, best = p.key;
  if (bd > std::max<std::size_t>(2, key.size() / 3)) {
    std::size_t bl = SIZE_MAX;
    for (const auto& p : m.params)
      if (std::size_t d = edit_distance(last(key), last(p.key)); d < bl) bl = d, best = p.key;
    if (bl > std::max<std::size_t>(1, last(key).size() / 4)) best.clear();
  }
  // Answer in the form asked: "params.policy.x" (or a typo of that prefix) gets a "params." key.
  const std::string first = a.key.substr(0, a.key.find('.'));
  bool prefixed = a.key.find('.') != std::string::npos && edit_distance(first, "params") <= 2;
  for (const auto& p : m.params) prefixed = prefixed && p.key.rfind(first + ".", 0) != 0;
  throw Error(fmt::format("'{}' is not a parameter of model '{}'{}; `wom params` lists them", a.key, m.name,
                          best.empty() ? "" : fmt::format(" (did you mean '{}{}'?)", prefixed ? "params." : "", best)));
}

}  // namespace

static int wom_main(int argc, char** argv) {
  std::vector<std::string> command(argv, argv + argc);
  try {
    wom::init();
  } catch (const std::exception& e) {
    fmt::print(stderr, "wom: error: {}\n", e.what());
    return 1;
  }

  CLI::App app{"wom — a parallel agent-based simulator of word of mouth", "wom"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("wom {} (git {})", wom::kVersion, wom::kGitCommit));
  app.option_defaults()->always_capture_default();
  app.footer(
      "A manager's session (README.md, \"Using it\"):\n"
      "  wom run configs/default.yaml\n"
      "  wom compare configs/default.yaml --vary params.policy.acknowledge_rate=0.32,0.9 --out out/cmp --report\n"
      "  wom cost configs/default.yaml --out out/cost --report\n"
      "`wom COMMAND --help` shows a command's flags and their defaults.");

  RunArgs ra;
  CLI::App* run = app.add_subcommand("run", "Run a scenario; print its final state; write outputs with --out");
  run->add_option("CONFIG", ra.config, "scenario file (YAML); see configs/")->required();
  run->add_option("--set", ra.sets,
                  "override a config key: --set key=value (dotted key, YAML value; repeatable; wins over the file "
                  "and its extends)")
      ->allow_extra_args(false);
  wom::cli::add_plan_flags(run, ra.plan, "random seed, 0 to 2^64-1 (replaces the config's 'seed')",
                           "config's seed, else 1", "number of replicates (replaces 'replicates')",
                           "config's replicates, else 1");
  ra.out_opt = run->add_option("--out", ra.out,
                               "write timeseries.csv, summary.json and config.yaml as this new folder once the run "
                               "completes (replaces 'output.dir'); an existing folder is refused unless --force")
                   ->check(wom::cli::non_empty())
                   ->default_str("config's output.dir, else no files");
  wom::cli::add_force_flag(run, ra.force);
  run->add_option("--events", ra.events,
                  "write who told whom (replicate 0) as CSV: replicate,step,from,to,channel,valence,generation; "
                  "FILE.gz compresses")
      ->check(wom::cli::non_empty())
      ->default_str("no event log");
  run->add_flag("--report", ra.report,
                "also write report.html (self-contained, plots inline) into the output folder; needs --out or "
                "output.dir")
      ->default_str("false");
  run->add_flag("--quiet,-q", ra.quiet, "print nothing but warnings and errors (no progress bar, no summary)")
      ->default_str("false");

  CompareArgs ca;
  CLI::App* compare = app.add_subcommand(
      "compare",
      "Run what-ifs on common random numbers and compare them side by side: several config files, or one config "
      "with --vary; paired differences to the first");
  compare->add_option("CONFIG", ca.configs, "scenario files (YAML); the first is the baseline")->required();
  compare
      ->add_option("--vary", ca.vary,
                   "one config, several what-ifs: a dotted key and two or more comma-separated YAML values, e.g. "
                   "--vary params.beta=0.05,0.1 (each value is a what-if labelled key=value)")
      ->default_str("none: the config files are the what-ifs");
  compare->add_option("--set", ca.sets, "override a config key in every what-if: --set key=value (repeatable)")
      ->allow_extra_args(false)
      ->default_str("none");
  wom::cli::add_plan_flags(
      compare, ca.plan, "random seed shared by every what-if, 0 to 2^64-1", "the first config's seed, else 1",
      "replicates of every what-if (paired replicate by replicate)", "the configs' replicates (must agree)");
  compare
      ->add_option("--out", ca.out,
                   "write compare.csv and compare.json as this new folder once every what-if completes; an existing "
                   "folder is refused unless --force (the configs' output.dir is where `wom run` writes, never "
                   "`wom compare`)")
      ->check(wom::cli::non_empty())
      ->default_str("no files");
  wom::cli::add_force_flag(compare, ca.force);
  compare->add_flag("--report", ca.report, "also write report.html into the output folder; needs --out")
      ->default_str("false");
  compare->add_flag("--quiet,-q", ca.quiet, "print nothing but warnings and errors")->default_str("false");
  compare->add_flag("--all", ca.all, "print every compared figure, not only the model's headline figures")
      ->default_str("false");

  std::string report_dir;
  bool report_quiet = false;
  CLI::App* report = app.add_subcommand(
      "report",
      "Write report.html (one self-contained file: no network, plots inline) from an output folder of "
      "wom run, compare or cost");
  report
      ->add_option("DIR", report_dir, "output folder holding summary.json + timeseries.csv, compare.json or cost.json")
      ->required();
  report->add_flag("--quiet,-q", report_quiet, "print nothing but errors")->default_str("false");

  StatsArgs sa;
  CLI::App* graph = app.add_subcommand("graph", "Graph tools");
  graph->require_subcommand(1);
  CLI::App* stats =
      graph->add_subcommand("stats", "Structural statistics of an edge list (plain or .gz) or of a config's graph");
  stats->add_option("SOURCE", sa.source, "edge list (one 'source target' per line) or config file (.yaml/.yml)")
      ->required();
  sa.directed_opt = stats->add_flag("--directed", sa.directed, "read the edge list as directed arcs (u v: v hears u)")
                        ->default_str("false (config: its graph.directed)");
  sa.reverse_opt = stats->add_flag("--reverse", sa.reverse, "flip every arc of a directed edge list (u v: u hears v)")
                       ->default_str("false (config: its graph.reverse)");
  sa.reorder_opt = stats->add_option("--reorder", sa.reorder, "locality reordering before the statistics")
                       ->check(CLI::IsMember({"none", "rcm", "degree"}))
                       ->default_str("none (config: its graph.reorder)");
  stats->add_option("--set", sa.sets, "config only: override a key, as for 'wom run'");
  stats->add_option("--replicate", sa.replicate, "config only: which replicate's graph to build")
      ->check(wom::cli::uint64_check())
      ->default_str("0");

  app.add_subcommand("list-models", "List models with their parameters (default, range, unit)");

  ParamsArgs pa;
  CLI::App* params = app.add_subcommand("params", "Table of a model's parameters, or one parameter explained");
  params->add_option("KEY", pa.key, "a parameter key (with or without 'params.')")->default_str("none: the table");
  params->add_option("--model", pa.model, "the model")
      ->default_str("the first model with a cost question (service_wom)");

  wom::cli::CostArgs cost_args;
  CLI::App* cost = wom::cli::add_cost_command(app, cost_args);
  wom::cli::SweepArgs sweep_args;
  CLI::App* sweep = wom::cli::add_sweep_command(app, sweep_args);
  wom::cli::BenchArgs bench_args;
  CLI::App* bench = wom::cli::add_bench_command(app, bench_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0: CLI11 prints them.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    // Every other command-line error reads like a config error, and exits 1.
    std::string where = "wom";
    for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
      sub = sub->get_subcommands().front();
      where += " " + sub->get_name();
    }
    std::string what = e.what();
    const bool leading_option = argc > 1 && argv[1][0] == '-';
    if (leading_option && !app.get_subcommands().empty()) {
      // `wom --seed 3 run c.yaml`: CLI11 would say "arguments were not expected: 3 --seed".
      what = fmt::format("unknown option '{}' (options come after the command: wom COMMAND [OPTIONS])", argv[1]);
    } else if (app.get_subcommands().empty() && argc > 1) {
      // CLI11 says only "A subcommand is required": name the word it did not know.
      const std::string word = argv[1];
      std::vector<std::string> names;
      for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
      std::string near;
      std::size_t bd = SIZE_MAX;
      for (const auto& n : names)
        if (std::size_t d = edit_distance(word, n); d < bd) bd = d, near = n;
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      what = word.rfind('-', 0) == 0
                 ? fmt::format("unknown option '{}' (options come after the command: wom COMMAND [OPTIONS])", word)
                 : fmt::format("'{}' is not a wom command{} (commands: {})", word,
                               bd <= 2 ? fmt::format("; did you mean '{}'?", near) : "", list);
    }
    fmt::print(stderr, "wom: error: {} (`{} --help` shows usage)\n", what, where);
    return 1;
  }

  try {
    // Ctrl-C and SIGTERM stop these commands at their next step, leaving nothing half-written
    // (the sweep installs them itself: not under mpirun).
    if (run->parsed() || cost->parsed() || compare->parsed() || stats->parsed()) wom::cli::install_interrupt_handlers();
    if (run->parsed()) return cmd_run(ra, command);
    if (cost->parsed()) return wom::cli::run_cost_command(cost_args, command);
    if (sweep->parsed()) return wom::cli::run_sweep_command(sweep_args);
    if (bench->parsed()) return wom::cli::run_bench_command(bench_args, argv[0]);
    if (compare->parsed()) return cmd_compare(ca, command);
    if (report->parsed()) return cmd_report(report_dir, report_quiet);
    if (stats->parsed()) return cmd_graph_stats(sa);
    if (app.got_subcommand("list-models")) return cmd_list_models();
    if (params->parsed()) return cmd_params(pa);
  } catch (const wom::Cancelled&) {
    // Outputs are written whole or not at all: a stopped command has written nothing.
    return wom::cli::interrupted_exit("nothing was written");
  } catch (const wom::Error& e) {
    fmt::print(stderr, "wom: error: {}\n", e.what());
    return 1;
  } catch (const YAML::Exception& e) {
    fmt::print(stderr, "wom: error: YAML: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    // Anything else (out of memory, file system) is still reported, not a crash.
    fmt::print(stderr, "wom: error: {}\n", e.what());
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  // A file-size limit makes a write fail (EFBIG), reported like a full disk, not a kill.
  wom::cli::ignore_file_size_signal();
  // Nothing escapes: an exception thrown while the command line is set up is an error too.
  try {
    return wom_main(argc, argv);
  } catch (const std::exception& e) {
    std::fputs("wom: error: ", stderr);
    std::fputs(e.what(), stderr);
    std::fputs("\n", stderr);
  } catch (...) {
    std::fputs("wom: error: unknown exception\n", stderr);
  }
  return 1;
}
