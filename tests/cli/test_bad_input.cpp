// The bad-input catalogue (issue 14, point 4): every class of bad input wom handles — config
// files, graph edge lists, command-line flags, sweep specs — as one table, each row the input,
// the command, the exit status and what the message must say (file, line, key, accepted
// range), or, for input that is accepted, why. docs/bad-input.md is the same table with the
// full messages; the last test checks that the two list the same rows (the Python rows are in
// tests/python/test_bad_input.py).
//
// To see every row's actual message (e.g. to update docs/bad-input.md), run
//   WOM_BAD_INPUT_TABLE=rows.tsv build/tests/test_bad_input
// which writes "id, exit status, first line of stderr" per row.
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

namespace fs = std::filesystem;
using wom::test::Result;
using wom::test::run_wom;
using wom::test::slurp;

namespace {

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-bad-input") {}
};

using Files = std::vector<std::pair<std::string, std::string>>;

/// One row: files written into a fresh folder, `wom ARGS` run there, its exit status and the
/// substrings its stderr (or, when accepted, its stdout) must hold.
struct Case {
  std::string id;
  Files files;
  std::string args;
  int rc;
  std::vector<std::string> says;
};

// A small valid SIR config, as lines: the rows replace or add one.
const std::string kModel = "model: sir\n";
const std::string kPlan = "seed: 1\nreplicates: 1\n";
const std::string kTime = "time: {steps: 5}\n";
const std::string kGraph = "graph: {generator: erdos_renyi, n: 200, mean_degree: 4}\n";
const std::string kParams = "params: {beta: 0.3, gamma: 0.1}\n";
const std::string kOk = kModel + kPlan + kTime + kGraph + kParams;

/// The config with params.beta written as `v`.
std::string beta(const std::string& v) {
  return kModel + kPlan + kTime + kGraph + "params: {beta: " + v + ", gamma: 0.1}\n";
}

/// A config on the edge list `e.txt` (or another file).
std::string on_file(const std::string& path = "e.txt") {
  return kModel + kPlan + kTime + "graph: {generator: file, path: " + path + "}\n" + kParams;
}

/// A config run: `wom run c.yaml -q`.
Case config(std::string id, std::string text, int rc, std::vector<std::string> says, Files more = {}) {
  Files files{{"c.yaml", std::move(text)}};
  files.insert(files.end(), more.begin(), more.end());
  return {std::move(id), std::move(files), "run c.yaml -q", rc, std::move(says)};
}

/// An edge list read by `wom graph stats e.txt` (its own name when given).
Case edges(std::string id, std::string text, int rc, std::vector<std::string> says, std::string name = "e.txt") {
  return {std::move(id), {{name, std::move(text)}}, "graph stats " + name, rc, std::move(says)};
}

/// A command line on the valid config c.yaml.
Case flags(std::string id, std::string args, int rc, std::vector<std::string> says) {
  return {std::move(id), {{"c.yaml", kOk}}, std::move(args), rc, std::move(says)};
}

/// A sweep spec over configs/default.yaml (its runs made tiny), with `body` in place of the
/// design and vary lines.
std::string spec(const std::string& body, const std::string& rest = "replicates: 1\nmetrics: [npv]\n",
                 const std::string& overrides = "{time.steps: 5, graph.n: 300}") {
  return "base: " WOM_SOURCE_DIR "/configs/default.yaml\nseed: 1\n" + body + "\n" + rest + "overrides: " + overrides +
         "\n";
}
const std::string kVary = "design: grid\nvary: {params.policy.acknowledge_rate: [0.1, 0.2]}";
const std::string kTwo =
    "vary: {params.policy.acknowledge_rate: {min: 0, max: 1}, params.talk.negativity_bias: {min: "
    "0.5, max: 2}}";
const std::string kHeader = "params.policy.acknowledge_rate,params.talk.negativity_bias\n";

/// `wom sweep s.yaml --out sw -q`, with more files (a CSV design).
Case sweep(std::string id, std::string text, int rc, std::vector<std::string> says, Files more = {}) {
  Files files{{"s.yaml", std::move(text)}};
  files.insert(files.end(), more.begin(), more.end());
  return {std::move(id), std::move(files), "sweep s.yaml --out sw -q", rc, std::move(says)};
}

/// A CSV design d.csv of two varied keys.
Case design(std::string id, std::string csv, int rc, std::vector<std::string> says) {
  return sweep(std::move(id), spec("design: csv\nfile: d.csv\n" + kTwo), rc, std::move(says),
               {{"d.csv", std::move(csv)}});
}

/// The text with every "\n" written as "\r\n" (Windows line ends). Not std::regex_replace: GCC 12
/// warns (-Wmaybe-uninitialized, a false positive) inside <regex> in the asan build.
std::string crlf(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c == '\n') s += '\r';
    s += c;
  }
  return s;
}

std::string nested(int depth) { return std::string(std::size_t(depth), '[') + std::string(std::size_t(depth), ']'); }

/// YAML aliases that each repeat the previous one ten times: 10^7 values from 8 lines.
std::string laughs() {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "..." + std::string&&.
  std::string s = kModel + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 7; ++i) {
    const std::string p = "*a" + std::to_string(i - 1);
    s.append("a").append(std::to_string(i)).append(": &a").append(std::to_string(i)).append(" [").append(p);
    for (int k = 1; k < 10; ++k) s.append(", ").append(p);
    s += "]\n";
  }
  return s;
}

std::string ring(int n) {
  std::string s;
  for (int v = 0; v < n; ++v) s += std::to_string(v) + " " + std::to_string((v + 1) % n) + "\n";
  return s;
}

/// A gzip file of `text` (via gzip(1), which Debian always has).
std::string gzip_of(const TempDir& d, const std::string& text) {
  const std::string plain = d.write("gz-src.txt", text);
  REQUIRE(std::system(("gzip -n -c '" + plain + "' > '" + plain + ".gz'").c_str()) == 0);
  return slurp(plain + ".gz");
}

std::vector<Case> config_cases() {
  const std::string bad_crlf = crlf(kModel + kPlan + kTime + kGraph + "params: {beta: 2, gamma: 0.1}\n");
  return {
      config("C01", "\xef\xbb\xbf" + kOk, 0, {}),
      config("C02", crlf(kOk), 0, {}),
      config("C03", bad_crlf, 1, {"c.yaml:6: params.beta = 2 is out of range: accepted [0, 1]"}),
      config("C04", kModel + "time:\n\tsteps: 5\n", 1,
             {"c.yaml:3:", "YAML syntax error", "line 3 is indented with a tab, which YAML does not allow"}),
      config("C05", "model:\tsir\n" + kPlan + kTime + kGraph + kParams, 0, {}),
      config("C06", kOk + "model: bass\n", 1, {"c.yaml:7: duplicate key 'model' (first given at c.yaml:1)"}),
      config("C07", kOk + "graph.n: 300\n", 1, {"c.yaml:7: duplicate key 'graph.n' (first given at c.yaml:5)"}),
      config("C08",
             kModel + kPlan + kTime + "graph: &g {generator: erdos_renyi, n: 200, mean_degree: 4}\n" + kParams +
                 "followers: *g\n",
             0, {}),
      config("C09",
             kModel + kPlan + kTime + "graph:\n  <<: {generator: erdos_renyi, n: 200}\n  mean_degree: 4\n" + kParams, 1,
             {"c.yaml:6: graph: '<<' (a YAML merge key) is not supported", "extends:"}),
      config("C10", kModel + "x: &x\n  y: *x\n", 1,
             {"c.yaml:", "nested more than 64 levels deep (a YAML alias that contains itself?)"}),
      config("C11", laughs(), 1, {"c.yaml: YAML aliases repeat more than 10000 values (aliases that repeat"}),
      config("C12", kModel + "x: " + nested(1000) + "\n", 1, {"c.yaml:2:", "YAML syntax error: nested more than"}),
      config("C13", kOk + "---\nmodel: bass\n", 1, {"c.yaml:8: a second YAML document (after '---')"}),
      config("C14", beta(".nan"), 1, {"c.yaml:6: params.beta = .nan is out of range: accepted [0, 1]"}),
      config("C15", beta(".inf"), 1, {"c.yaml:6: params.beta = .inf is out of range: accepted [0, 1]"}),
      config("C16", beta("-.inf"), 1, {"c.yaml:6: params.beta = -.inf is out of range: accepted [0, 1]"}),
      config("C17", beta("nan"), 1, {"c.yaml:6: params.beta: expected a number, got 'nan' (accepted: [0, 1]"}),
      config("C18", beta("1e400"), 1, {"c.yaml:6: params.beta = 1e400 is out of range: accepted [0, 1]"}),
      config("C19", beta("0"), 0, {}),
      config("C20", beta("1"), 0, {}),
      config("C21", beta("1.0000001"), 1, {"c.yaml:6: params.beta = 1.0000001 is out of range: accepted [0, 1]"}),
      config("C22", beta("-1e-300"), 1, {"c.yaml:6: params.beta = -1e-300 is out of range: accepted [0, 1]"}),
      config("C23", kModel + kPlan + "time: {steps: 5, dt: 0}\n" + kGraph + kParams, 1,
             {"c.yaml:4: time.dt = 0 is out of range: accepted (0, 1e12]"}),
      config("C24", kModel + kPlan + "time: {steps: 1}\n" + kGraph + kParams, 0, {}),
      config("C25", kModel + kPlan + "time: {steps: 0}\n" + kGraph + kParams, 1,
             {"c.yaml:4: time.steps = 0 is out of range: accepted [1, 1000000000] (integer)"}),
      config("C26", kModel + kPlan + "time: {steps: 1000000001}\n" + kGraph + kParams, 1,
             {"c.yaml:4: time.steps = 1000000001 is out of range: accepted [1, 1000000000] (integer)"}),
      config("C27", kModel + "seed: 1\nreplicates: 10000001\n" + kTime + kGraph + kParams, 1,
             {"c.yaml:3: replicates = 10000001 is out of range: accepted [1, 10000000] (integer)"}),
      config("C28", kModel + "seed: 1\nreplicates: 9223372036854775808\n" + kTime + kGraph + kParams, 1,
             {"c.yaml:3: replicates = 9223372036854775808 is out of range: accepted [1, 10000000] (integer)"}),
      config("C29", kModel + "seed: 1\nreplicates: 1e19\n" + kTime + kGraph + kParams, 1,
             {"c.yaml:3: replicates = 1e19 is out of range"}),
      config("C30", kModel + "seed: 18446744073709551615\nreplicates: 1\n" + kTime + kGraph + kParams, 0, {}),
      config("C31", kModel + "seed: 18446744073709551616\nreplicates: 1\n" + kTime + kGraph + kParams, 1,
             {"c.yaml:2: seed = 18446744073709551616 is out of range: accepted [0, 2^64-1] (integer)"}),
      config("C32", kModel + "seed: -1\nreplicates: 1\n" + kTime + kGraph + kParams, 1,
             {"c.yaml:2: seed = -1 is out of range: accepted [0, 2^64-1] (integer)"}),
      config("C33",
             kModel + kPlan + kTime + "graph: {generator: erdos_renyi, n: 10000000000, mean_degree: 4}\n" + kParams, 1,
             {"c.yaml:5: graph.n = 10000000000 is out of range: accepted [1, 4294967294] (integer)"}),
      config("C34",
             kModel + kPlan + kTime + "graph: {generator: erdos_renyi, n: 4294967294, mean_degree: 1000}\n" + kParams,
             1, {"c.yaml: this run needs an estimated", "is available: lower graph.n (= 4294967294)"}),
      config("C35", kModel + kPlan + kTime + "graph: {generator: erdos_renyi, n: 200, mean_degree: 199.5}\n" + kParams,
             1, {"c.yaml:5: graph.mean_degree = 199.5 is out of range: accepted [0, n-1 = 199]"}),
      config("C36", kModel + kPlan + "time: {steps: 2.5}\n" + kGraph + kParams, 1,
             {"c.yaml:4: time.steps: expected an integer, got '2.5' (accepted: [1, 1000000000] (integer))"}),
      config("C37", kModel + kPlan + "time: {steps: 5e0}\n" + kGraph + kParams, 0, {}),
      config("C38", beta("[0.3]"), 1, {"c.yaml:6: params.beta: expected a number, got a list"}),
      config("C39", beta("true"), 1, {"c.yaml:6: params.beta: expected a number, got 'true'"}),
      config("C40", kModel + kPlan + kTime + "graph: 5\n" + kParams, 1,
             {"c.yaml:5: graph: expected a section of keys, got '5'"}),
      config("C41", kModel + kPlan + kTime + "graph: {generator: erdos_renyi, n: 200, directed: maybe}\n" + kParams, 1,
             {"c.yaml:5: graph.directed: expected true or false, got 'maybe'"}),
      config("C42", beta("'0.3'"), 0, {}),
      config("C43", beta("null"), 0, {}),
      config("C44", kOk + "grph: {n: 5}\n", 1,
             {"c.yaml:7: unknown key 'grph'; did you mean 'graph'?", "accepted in the top level:"}),
      config("C45", kModel + kPlan + kTime + kGraph + "params: {bta: 0.3, gamma: 0.1}\n", 1,
             {"c.yaml:6: unknown key 'params.bta'; did you mean 'params.beta'?"}),
      config("C46", kModel + kPlan + kTime + "graph: {generator: erdos_renyi, n: 200, beta: 0.3}\n" + kParams, 1,
             {"c.yaml:5: unknown key 'graph.beta' (accepted in 'graph': generator, n,"}),
      config("C47", kModel + kPlan + kTime + "graph: {generator: erdos_renyl, n: 200}\n" + kParams, 1,
             {"c.yaml:5: graph.generator: unknown value 'erdos_renyl'; did you mean 'erdos_renyi'?"}),
      config("C48", "model: sri\n" + kPlan + kTime + kGraph + kParams, 1,
             {"c.yaml:1: model: unknown model 'sri'; did you mean 'sir'?"}),
      config("C49", kPlan + kTime + kGraph + kParams, 1, {"c.yaml: missing required key 'model'"}),
      config("C50", "", 1, {"c.yaml: empty config file"}),
      config("C51", "# only a comment\n\n", 1, {"c.yaml: empty config file"}),
      {"C52", {{"d.yaml/x", ""}}, "run d.yaml -q", 1, {"cannot read config 'd.yaml': it is a directory"}},
      {"C53", {}, "run none.yaml -q", 1, {"cannot read config 'none.yaml': No such file or directory"}},
      config("C54", std::string("model: sir\n\x00\x01\x02\x03", 15), 1,
             {"c.yaml:2: not a text file: byte 12 is a NUL byte (binary data, or a UTF-16 file"}),
      config("C55", "model: sir # caf\xe9\n", 1, {"c.yaml:1: not UTF-8 text: byte 17 is 0xe9"}),
      config("C56", kOk.substr(0, kOk.size() - 12), 1, {"c.yaml:6:1: YAML syntax error: end of map flow not found"}),
      config("C57", "- model: sir\n", 1,
             {"c.yaml:1: expected a map of keys at the top level (e.g. 'model: sir'), got a list"}),
      config("C58", "extends: b.yaml\n" + kOk, 1,
             {"b.yaml:1: extends 'c.yaml' makes a cycle:", "c.yaml -> ", "b.yaml -> "},
             {{"b.yaml", "extends: c.yaml\n"}}),
      config("C59", "extends: none.yaml\n" + kOk, 1,
             {"c.yaml:1: extends 'none.yaml': cannot read 'none.yaml': No such file or directory"}),
      config("C60", "extends: [1, [2]]\n" + kOk, 1,
             {"c.yaml:1: extends: expected a file name or a list of file names"}),
      config("C61", kOk + "\"\": 1\n", 1, {"c.yaml:7: config: keys must be plain names"}),
      config("C62", kOk + "graph..n: 5\n", 1, {"c.yaml:7: malformed key 'graph..n'"}),
      config("C63", kOk + "output: {dir: ''}\n", 1,
             {"c.yaml:7: output.dir: expected a folder name, got an empty string"}),
      config("C64", on_file("none.txt"), 1, {"c.yaml:5: graph.path: file not found: 'none.txt'"}),
      config("C65", on_file("sub"), 1, {"c.yaml:5: graph.path:", "is a directory, expected a file"}, {{"sub/x", ""}}),
      config("C66", on_file(), 1, {"e.txt:2: 'x' is not a vertex id"}, {{"e.txt", "0 1\n1 x\n"}}),
      config("C67", kModel + kPlan + kTime + kGraph + "params: {beta: 0.3, gamma: 0.1, infectious_steps: 3}\n", 1,
             {"c.yaml:6: sir: set exactly one of params.gamma", "and params.infectious_steps"}),
      config("C68", kModel + kPlan + kTime + kGraph + kParams + "params: {gamma: 0.2}\n", 1,
             {"c.yaml:7: duplicate key 'params.gamma' (first given at c.yaml:6)"}),
  };
}

std::vector<Case> graph_cases(const TempDir& d) {
  const std::string gz = gzip_of(d, ring(2000));
  return {
      edges("G01", "", 1, {"e.txt:0: the edge list holds no arcs (0 lines: 0 comments, 0 blank)"}),
      edges("G02", "# comment\n% comment\n\n", 1,
            {"e.txt:3: the edge list holds no arcs (3 lines: 2 comments, 1 blank)"}),
      edges("G03", "0 1\n1 a\n", 1,
            {"e.txt:2: 'a' is not a vertex id; accepted: one arc per line as two non-negative"}),
      edges("G04", "0 -2\n", 1, {"e.txt:1: '-2' is not a vertex id"}),
      edges("G05", "0x1 2\n", 1, {"e.txt:1: '0x1' is not a vertex id"}),
      edges("G06", "1.5 2\n", 1, {"e.txt:1: '1.5' is not a vertex id"}),
      edges("G07", "1 18446744073709551616\n", 1, {"e.txt:1: id '18446744073709551616' does not fit in 64 bits"}),
      edges("G08", "1 18446744073709551615\n0 5\n", 0, {"4 agents"}),
      edges("G09", "1\n", 1, {"e.txt:1: the line holds one id, but an arc needs two"}),
      edges("G10", "1 1\n1 2\n", 0, {"1 self-loops dropped"}),
      edges("G11", "1 2\n1 2\n2 1\n", 0, {"2 duplicate arcs dropped"}),
      edges("G12", "1 2\r\n2 3\r\n", 0, {"2 arcs read", "3 agents"}),
      edges("G13",
            "\xef\xbb\xbf"
            "1 2\n2 3\n",
            0, {"2 arcs read", "3 agents"}),
      edges("G14", "1 2 0.5 extra\n", 0, {"1 arcs read"}),
      edges("G15", "1,2\n2;3\n3\t4\n", 0, {"3 arcs read"}),
      edges("G16", "1 2", 0, {"1 arcs read"}),
      edges("G17", gz.substr(0, gz.size() / 2), 1,
            {"e.gz:", "cannot decompress the gzip edge list", "unexpected end of file"}, "e.gz"),
      edges("G18", std::string(gz).replace(20, 4, "\xff\xff\xff\xff"), 1,
            {"e.gz:", "cannot decompress the gzip edge list"}, "e.gz"),
      edges("G19", "\x1f\x8b", 1, {"e.gz:1: cannot decompress the gzip edge list"}, "e.gz"),
      edges("G20", gz, 0, {"gzip edge list", "2000 arcs read"}, "e.gz"),
      {"G21", {{"e/x", ""}}, "graph stats e", 1, {"e: cannot open edge list: it is a directory, expected a file"}},
      {"G22", {}, "graph stats none.txt", 1, {"none.txt: cannot open edge list: No such file or directory"}},
      edges("G23", std::string("\x89PNG\r\n\x1a\n\x00\x00", 10), 1, {"e.txt:1: '\\x89PNG' is not a vertex id"}),
      config("G24", on_file(), 0, {}, {{"e.txt", "# a small graph\n0 1\n1 2\n2 0\n2 2\n0 1\n"}}),
  };
}

std::vector<Case> flag_cases() {
  const std::string seed = "accepted: a whole number from 0 to 2^64 - 1 = 18446744073709551615";
  return {
      flags("F01", "run c.yaml -q --seed -1", 1, {"--seed: -1 is negative; " + seed}),
      flags("F02", "run c.yaml -q --seed 18446744073709551616", 1,
            {"--seed: 18446744073709551616 is out of range; " + seed}),
      flags("F03", "run c.yaml -q --seed abc", 1, {"--seed: 'abc' is not a whole number; " + seed}),
      flags("F04", "run c.yaml -q --seed 1.5", 1, {"--seed: '1.5' is not a whole number"}),
      flags("F05", "run c.yaml -q --seed 0x10", 1, {"--seed: '0x10' is not a whole number"}),
      flags("F06", "run c.yaml -q --seed 18446744073709551615", 0, {}),
      flags("F07", "run c.yaml -q --replicates 0", 1, {"--replicates: Value 0 not in range 1 to 10000000"}),
      flags("F08", "run c.yaml -q --replicates 1e3", 1,
            {"--replicates: '1e3' is not a whole number in decimal digits"}),
      flags("F09", "run c.yaml -q --replicates 10000001", 1,
            {"--replicates: Value 10000001 not in range 1 to 10000000"}),
      flags("F10", "run c.yaml -q --replicates 99999999999999999999", 1,
            {"--replicates: 99999999999999999999 is out of range for a whole number"}),
      flags("F11", "run c.yaml -q --threads -1", 1, {"--threads: Value -1 not in range 0 to 65536"}),
      flags("F12", "run c.yaml -q --threads x", 1, {"--threads: 'x' is not a whole number in decimal digits"}),
      flags("F13", "run c.yaml -q --bogus", 1,
            {"The following argument was not expected: --bogus", "`wom run --help` shows usage"}),
      flags("F14", "rn c.yaml", 1, {"'rn' is not a wom command; did you mean 'run'?"}),
      flags("F15", "--seed 3 run c.yaml", 1,
            {"unknown option '--seed' (options come after the command: wom COMMAND [OPTIONS])"}),
      flags("F16", "run c.yaml -q --set", 1, {"--set: 1 required TEXT missing"}),
      flags("F17", "run c.yaml -q --set params.beta", 1,
            {"--set 'params.beta': expected key=value, e.g. --set params.beta=0.3"}),
      flags("F18", "run c.yaml -q --set =3", 1, {"--set '=3': expected key=value"}),
      flags("F19", "run c.yaml -q --set params.beta=", 1,
            {"--set 'params.beta=': empty value; give one (--set params.beta=VALUE), --set params.beta=null to unset"}),
      flags("F20", "run c.yaml -q --set params.nope=1", 1,
            {"--set 'params.nope=1': unknown key 'params.nope' (accepted in 'params': beta, gamma, infectious_steps, "
             "initial)"}),
      flags("F21", "run c.yaml -q --set params.bta=0.3", 1, {"unknown key 'params.bta'; did you mean 'params.beta'?"}),
      flags("F22", "run c.yaml -q --set graph=5", 1,
            {"--set 'graph=5': graph is a section of keys, not a value: set one of its keys, e.g. --set "
             "graph.KEY=VALUE"}),
      flags("F23", "run c.yaml -q --set 'params.beta=[1'", 1,
            {"--set 'params.beta=[1': cannot parse the value as YAML"}),
      flags("F24", "run c.yaml -q --set params.beta=2", 1,
            {"--set 'params.beta=2': params.beta = 2 is out of range: accepted [0, 1]"}),
      flags("F25", "run c.yaml -q --set extends=x.yaml", 1,
            {"--set 'extends=x.yaml': 'extends' can be given only in a config file"}),
      flags("F26", "run c.yaml -q --set graph..n=5", 1, {"--set 'graph..n=5': malformed key 'graph..n'"}),
      flags("F27", "run c.yaml -q --out ''", 1, {"--out: expected a name, got an empty string"}),
      flags("F28", "run c.yaml -q --force", 1, {"--force replaces the output folder; give --out DIR"}),
      flags("F29", "run c.yaml -q --report", 1, {"--report: the report goes into the output folder; give --out DIR"}),
      flags("F30", "run c.yaml -q --seed 1 --seed 2", 1, {"--seed: At Most 1 required but received 2"}),
      flags("F31", "cost c.yaml -q --focal 0", 1, {"--focal: Value 0 not in range 1 to 1000000"}),
      flags("F32", "cost c.yaml -q --max-cone 2", 1, {"--max-cone: Value 2 is out of range: accepted (0, 1]"}),
      flags("F33", "compare c.yaml -q", 1, {"compare: expected two or more what-ifs, got 1"}),
      flags(
          "F34", "compare c.yaml --vary params.beta -q", 1,
          {"--vary 'params.beta': expected key=v1,v2,... (a dotted key and two or more comma-separated YAML values)"}),
      flags("F35", "sweep c.yaml --out sw --shard 3/2", 1, {"--shard 3/2: accepted I/N with 0 <= I < N (N >= 1)"}),
      flags("F36", "sweep c.yaml --out sw --shard x", 1, {"--shard x: expected I/N, e.g. 0/4"}),
      flags("F37", "sweep c.yaml --out sw --retry-failed", 1, {"--retry-failed: only with --resume"}),
      flags("F38", "sweep c.yaml", 1, {"wom sweep: --out DIR is required: the sweep's folder"}),
      flags("F39", "params bta", 1, {"'bta' is not a parameter of model 'service_wom'"}),
      flags("F40", "graph stats c.yaml --set graph.n=0", 1,
            {"--set 'graph.n=0': graph.n = 0 is out of range: accepted [1, 4294967294]"}),
  };
}

std::vector<Case> sweep_cases() {
  return {
      sweep("S01", spec("design: gird\nvary: {params.policy.acknowledge_rate: [0.1, 0.2]}"), 1,
            {"s.yaml:3: design: unknown design 'gird' (accepted: grid | random | lhs | sobol | morris | csv)"}),
      sweep("S02", spec("design: grid\nvary: {}"), 1, {"s.yaml:4: vary: expected a map of keys to lists or ranges"}),
      sweep("S03", spec("design: grid"), 1, {"s.yaml: vary: missing: name the keys the sweep varies"}),
      sweep("S04", spec("design: grid\nlevels: 3\nvary: {params.policy.acknowledge_rate: {min: 0.9, max: 0.1}}"), 1,
            {"s.yaml:5: vary: params.policy.acknowledge_rate: the range [0.9, 0.1] is empty or inverted: accepted min "
             "< max"}),
      sweep("S05", spec("design: grid\nlevels: 3\nvary: {params.policy.acknowledge_rate: {min: 0.5, max: 0.5}}"), 1,
            {"the range [0.5, 0.5] is empty or inverted"}),
      sweep("S06", spec("design: grid\nlevels: 3\nvary: {params.talk.negativity_bias: {min: 0, max: 2, log: true}}"), 1,
            {"s.yaml:5: vary: params.talk.negativity_bias: log: true needs min > 0, got min = 0"}),
      sweep("S07", spec("design: grid\nlevels: 3\nvary: {params.talk.negativity_bias: {min: -1, max: 2, log: true}}"),
            1, {"log: true needs min > 0, got min = -1"}),
      sweep("S08", spec("design: grid\nlevels: 3\nvary: {params.policy.acknowledge_rate: {min: .nan, max: 1}}"), 1,
            {"s.yaml:5: vary.params.policy.acknowledge_rate.min: expected a finite number, got '.nan'"}),
      sweep("S09", spec("design: grid\nlevels: 3\nvary: {params.policy.acknowledge_rate: {min: 0, max: .inf}}"), 1,
            {"vary.params.policy.acknowledge_rate.max: expected a finite number, got '.inf'"}),
      sweep("S10", spec("design: grid\nvary: {params.policy.acknowledge_rate: []}"), 1,
            {"s.yaml:4: vary: params.policy.acknowledge_rate: an empty list: give at least one value"}),
      sweep("S11", spec("design: grid\nvary: {params.policy.acknowledge_rate: [0.1, 7]}"), 1,
            {"s.yaml: point 1 is not a valid scenario: --set 'params.policy.acknowledge_rate=7': "
             "params.policy.acknowledge_rate = 7 is out of range: accepted [0, 1]"}),
      sweep("S12", spec("design: grid\nvary: {params.policy.acknowledge_rat: [0.1, 0.2]}"), 1,
            {"s.yaml: point 0 is not a valid scenario:", "did you mean 'params.policy.acknowledge_rate'?"}),
      sweep("S13", spec("design: sobol\npoints: 6\nvary: {params.policy.acknowledge_rate: {min: 0, max: 1}}"), 1,
            {"s.yaml:4: points = 6 is not a power of 2: design sobol accepts 2, 4, 8, 16, ..."}),
      sweep("S14", spec("design: random\npoints: 0\nvary: {params.policy.acknowledge_rate: {min: 0, max: 1}}"), 1,
            {"s.yaml:4: points = 0 is out of range: accepted [1, 16777216]"}),
      sweep("S15", spec(kVary + "\nvary: {params.policy.acknowledge_rate: [0.3]}"), 1,
            {"s.yaml:5: duplicate key 'vary'"}),
      sweep("S16", spec(kVary + "\nbogus: 1"), 1,
            {"s.yaml:5: unknown key 'bogus' (accepted: base, seed, design, points, levels, file, vary, replicates, "
             "metrics, "
             "overrides, crn)"}),
      sweep("S17", spec(kVary, "replicates: 1\nmetrics: [nope]\n"), 1,
            {"s.yaml:6: metrics: unknown metric 'nope' of model 'service_wom' (did you mean 'npv'?); accepted:"}),
      sweep("S18", spec(kVary, "replicates: 0\nmetrics: [npv]\n"), 1,
            {"s.yaml:5: replicates = 0 is out of range: accepted [1, 1000000]"}),
      sweep("S19", "base: none.yaml\nseed: 1\n" + kVary + "\nreplicates: 1\nmetrics: [npv]\n", 1,
            {"s.yaml:1: base: cannot read config 'none.yaml': No such file or directory"}),
      sweep("S20", spec(kVary, "replicates: 1\nmetrics: [npv]\n", "{params.nope: 1}"), 1,
            {"s.yaml:7: overrides: --set 'params.nope=1': unknown key 'params.nope'"}),
      {"S21", {}, "sweep none.yaml --out sw", 1, {"none.yaml: cannot read the sweep spec: No such file or directory"}},
      {"S22", {{"d.yaml/x", ""}}, "sweep d.yaml --out sw", 1, {"d.yaml: sweep spec is a folder, not a file"}},
      sweep("S23", "base: x # caf\xe9\n", 1, {"s.yaml:1: not UTF-8 text: byte 14 is 0xe9"}),
      sweep(
          "S24",
          spec("design: grid\nvary: {params.policy.acknowledge_rate: [0.1, 0.2]}", "replicates: 1\nmetrics: [npv]\n") +
              "overrides: {time.steps: 5}\n",
          1, {"duplicate key 'overrides'"}),
      design("S25", "params.policy.acknowledge_rate\n0.5\n", 1,
             {"d.csv:1: missing column 'params.talk.negativity_bias' (varied at s.yaml:5); the columns must be the "
              "varied keys"}),
      design("S26", kHeader.substr(0, kHeader.size() - 1) + ",extra\n0.5,1,2\n", 1,
             {"d.csv:1: extra column 'extra' is not a varied key"}),
      design("S27", kHeader + ".nan,1\n", 1,
             {"s.yaml: point 0 is not a valid scenario: --set 'params.policy.acknowledge_rate=.nan': "
              "params.policy.acknowledge_rate = .nan is out of range: accepted [0, 1]"}),
      design("S28", kHeader + "nan,1\n", 1, {"params.policy.acknowledge_rate: expected a number, got 'nan'"}),
      design("S29", kHeader + "0.5\n", 1, {"d.csv:2: 1 values for 2 columns"}),
      design("S30", kHeader + "0.5,1,3\n", 1, {"d.csv:2: 3 values for 2 columns"}),
      design("S31", kHeader + ",1\n", 1, {"d.csv:2: empty value in column 'params.policy.acknowledge_rate'"}),
      design("S32", kHeader, 1, {"d.csv: the csv design has a header but no points"}),
      design("S33", "", 1, {"d.csv: the csv design is empty: expected a header line"}),
      design("S34", crlf(kHeader + "0.5,1\n"), 0, {}),
      design("S35", "\xef\xbb\xbf" + kHeader + "0.5,1\n", 0, {}),
      design("S36", kHeader + "1.5,1\n", 1, {"params.policy.acknowledge_rate = 1.5 is out of range: accepted [0, 1]"}),
      sweep("S37", spec(kVary, "replicates: 1\nmetrics: [npv]\n", "{time.steps: 5, graph.n: 3000000000}"), 1,
            {"s.yaml: point 0 does not fit in memory:", "needs an estimated", "lower graph.n (= 3000000000)"}),
  };
}

/// Runs one row and checks it; appends its first message line to the table file when asked.
void check(const TempDir& parent, const Case& c) {
  INFO(c.id << ": wom " << c.args);
  const fs::path dir = parent.path / c.id;
  fs::create_directories(dir);
  for (const auto& [name, text] : c.files) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << text;
  }
  const std::string cmd = "cd '" + dir.string() + "' && '" + wom::test::kWom + "' " + c.args + " >.out 2>.err";
  const int status = std::system(cmd.c_str());
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string out = slurp(dir / ".out"), err = slurp(dir / ".err");
  INFO("stderr: " << err);
  if (const char* table = std::getenv("WOM_BAD_INPUT_TABLE"))
    std::ofstream(table, std::ios::app) << c.id << '\t' << rc << '\t' << err.substr(0, err.find('\n')) << '\n';
  CHECK(rc == c.rc);
  if (c.rc == 0) {
    for (const auto& s : c.says) CHECK_THAT(out, Catch::Contains(s));
    return;
  }
  CHECK_THAT(err, Catch::StartsWith("wom: error: "));
  CHECK(std::count(err.begin(), err.end(), '\n') >= 1);
  for (const auto& s : c.says) CHECK_THAT(err, Catch::Contains(s));
}

std::set<std::string> ids_of(const std::vector<Case>& cases) {
  std::set<std::string> ids;
  for (const auto& c : cases) {
    INFO(c.id);
    CHECK(ids.insert(c.id).second);  // each id once
  }
  return ids;
}

}  // namespace

TEST_CASE("bad config files: each refused with file, line, key and range, or accepted as documented",
          "[bad-input][config]") {
  TempDir d;
  for (const auto& c : config_cases()) check(d, c);
}

TEST_CASE("bad edge lists: each refused with file, line and the accepted form, or accepted as documented",
          "[bad-input][graph]") {
  TempDir d;
  for (const auto& c : graph_cases(d)) check(d, c);
}

TEST_CASE("bad command lines: each refused naming the flag and what it accepts", "[bad-input][flags]") {
  TempDir d;
  for (const auto& c : flag_cases()) check(d, c);
}

TEST_CASE("bad sweep specs and CSV designs: each refused before anything runs, naming file, line and key",
          "[bad-input][sweep]") {
  TempDir d;
  for (const auto& c : sweep_cases()) {
    check(d, c);
    if (c.rc != 0) CHECK_FALSE(fs::exists(d.path / c.id / "sw"));  // nothing was started
  }
}

TEST_CASE("docs/bad-input.md lists exactly the rows this file tests", "[bad-input][docs]") {
  TempDir d;
  std::set<std::string> tested;
  for (const auto& cases : {config_cases(), graph_cases(d), flag_cases(), sweep_cases()})
    for (const auto& id : ids_of(cases)) CHECK(tested.insert(id).second);
  const std::string doc = slurp(fs::path(WOM_SOURCE_DIR) / "docs" / "bad-input.md");
  REQUIRE_FALSE(doc.empty());
  std::set<std::string> listed;
  // Rows are lines "| X00 | ..." with X one of C, G, F, S.
  for (std::size_t at = doc.find("\n| "); at != std::string::npos; at = doc.find("\n| ", at + 1)) {
    const std::string id = doc.substr(at + 3, 3);
    if (id.size() == 3 && std::string("CGFS").find(id[0]) != std::string::npos && std::isdigit((unsigned char)id[1]) &&
        std::isdigit((unsigned char)id[2]) && doc.compare(at + 6, 2, " |") == 0)
      CHECK(listed.insert(id).second);  // each row once
  }
  CHECK(listed == tested);
}
