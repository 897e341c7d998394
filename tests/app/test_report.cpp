// report.html in a real browser: headless Chromium loads each report (of `wom run`, of
// `wom compare` and of a cost.json fixture) with no console error and no network request, and
// every plotted mark's data-value equals the number at its data-key in the JSON or CSV the
// report was drawn from. Chromium is required: without it these tests fail (CI installs it
// with scripts/setup.sh).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/io/output.hpp"
#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using wom::test::kWom;
using wom::test::Result;
using wom::test::run_wom;
using wom::test::slurp;

const std::string kChromium = "/usr/bin/chromium";

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-report") {}
};

/// What the browser made of a page.
struct Rendered {
  int rc = -1;
  std::string dom;                   ///< --dump-dom: the DOM after loading
  std::string log;                   ///< stderr with --enable-logging
  std::vector<std::string> network;  ///< URLs the page asked the network for (from the net log)
};

/// Loads `page` in headless Chromium with a fresh profile. Fails the test when Chromium is
/// missing: a report test that silently passes without a browser would prove nothing.
Rendered render(const fs::path& page) {
  if (!fs::exists(kChromium))
    FAIL("headless Chromium is required to test report.html but " + kChromium +
         " is missing: install it with `apt-get install --no-install-recommends chromium` (scripts/setup.sh does)");
  TempDir profile;
  const fs::path dom = profile.path / "dom.html", log = profile.path / "log.txt", net = profile.path / "net.json";
  const fs::path user = profile.path / "profile";
  const std::string cmd = "timeout 120 '" + kChromium +
                          "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                          "--disable-background-networking --disable-component-update --disable-sync "
                          "--user-data-dir='" +
                          user.string() + "' --enable-logging=stderr --v=0 --virtual-time-budget=5000 --log-net-log='" +
                          net.string() + "' --dump-dom 'file://" + fs::absolute(page).string() + "' >'" + dom.string() +
                          "' 2>'" + log.string() + "'";
  const int status = std::system(cmd.c_str());
  Rendered r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.dom = slurp(dom);
  r.log = slurp(log);
  // The page's own requests carry a file:// network isolation key; the browser's background
  // requests (updates, accounts) do not and are not the page's doing.
  const std::string net_text = slurp(net);
  INFO("chromium log:\n" << r.log);
  REQUIRE(!net_text.empty());
  {
    json netlog = json::parse(net_text, nullptr, false);
    // A net log cut short (the browser exits when virtual time runs out) may lack its closing
    // brackets; close them and retry.
    if (netlog.is_discarded()) netlog = json::parse(net_text + "]}", nullptr, false);
    if (netlog.is_discarded() || !netlog.is_object() || !netlog.contains("events"))
      FAIL("cannot read Chromium's net log " + net.string());
    {
      const int start_job = netlog["constants"]["logEventTypes"].value("URL_REQUEST_START_JOB", -1);
      for (const auto& e : netlog["events"]) {
        if (e.value("type", -2) != start_job || !e.contains("params")) continue;
        const auto& p = e["params"];
        const std::string url = p.value("url", "");
        const std::string nik = p.value("network_isolation_key", "");
        if (nik.find("file://") != std::string::npos && url.rfind("file:", 0) != 0 && url.rfind("data:", 0) != 0)
          r.network.push_back(url);
      }
    }
  }
  return r;
}

/// Lines of the browser log that show a page problem: console messages (the reports have no
/// script, so any is an error, including Content-Security-Policy refusals), uncaught
/// exceptions and failed loads.
std::vector<std::string> page_problems(const Rendered& r) {
  std::vector<std::string> bad;
  std::istringstream in(r.log);
  std::string line;
  while (std::getline(in, line))
    for (const char* needle : {"CONSOLE", "console", "Uncaught", "net::ERR_", "Failed to load resource", "Refused to"})
      if (line.find(needle) != std::string::npos) {
        bad.push_back(line);
        break;
      }
  for (const auto& u : r.network) bad.push_back("network request: " + u);
  return bad;
}

std::string unescape(std::string s) {
  const std::vector<std::pair<std::string, std::string>> entities = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", "\xC2\xA0"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities)
    for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
      s.replace(pos, from.size(), to);
  return s;
}

/// One traced mark of the DOM.
struct Mark {
  std::string tag, source, key, value;
};

std::string attribute(const std::string& tag_text, const std::string& name) {
  const std::string needle = " " + name + "=\"";
  const auto a = tag_text.find(needle);
  if (a == std::string::npos) return "";
  const auto b = tag_text.find('"', a + needle.size());
  return unescape(tag_text.substr(a + needle.size(), b - a - needle.size()));
}

/// Every element of the dumped DOM with a data-key.
std::vector<Mark> marks(const std::string& dom) {
  std::vector<Mark> out;
  for (std::size_t pos = dom.find(" data-key=\""); pos != std::string::npos; pos = dom.find(" data-key=\"", pos + 1)) {
    const auto open = dom.rfind('<', pos);
    const auto close = dom.find('>', pos);
    REQUIRE(open != std::string::npos);
    REQUIRE(close != std::string::npos);
    const std::string tag = dom.substr(open, close - open + 1);
    const auto name_end = tag.find_first_of(" >");
    out.push_back(Mark{tag.substr(1, name_end - 1), attribute(tag, "data-source"), attribute(tag, "data-key"),
                       attribute(tag, "data-value")});
  }
  return out;
}

/// A data-value: numbers separated by commas, "null" for a missing one (NaN here).
std::vector<double> parse_values(const std::string& text) {
  std::vector<double> v;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == "null") {
      v.push_back(std::nan(""));
    } else {
      double x = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), x);
      INFO("data-value item '" << item << "'");
      REQUIRE(ec == std::errc());
      REQUIRE(p == item.data() + item.size());
      v.push_back(x);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return v;
}

/// The number(s) at a data-key of a JSON document: a pointer, or pointers joined by " + ".
std::vector<double> json_values(const json& doc, const std::string& key) {
  std::vector<double> sum;
  std::size_t start = 0;
  for (;;) {
    const auto plus = key.find(" + ", start);
    const std::string ptr = key.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
    const json::json_pointer jp(ptr);
    INFO("JSON pointer " << ptr);
    REQUIRE(doc.contains(jp));
    const json& j = doc.at(jp);
    std::vector<double> v;
    if (j.is_array()) {
      for (const auto& x : j) v.push_back(x.is_null() ? std::nan("") : x.get<double>());
    } else {
      REQUIRE((j.is_number() || j.is_null()));
      v.push_back(j.is_null() ? std::nan("") : j.get<double>());
    }
    if (sum.empty()) {
      sum = v;
    } else {
      REQUIRE(sum.size() == v.size());
      for (std::size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
    }
    if (plus == std::string::npos) break;
    start = plus + 3;
  }
  return sum;
}

/// Per step and column of a timeseries.csv: the estimate across replicates, recomputed here
/// from the file; the CI of a column of persons or counts (`counts`) cut at 0.
std::map<std::string, std::vector<wom::Estimate>> csv_bands(const std::string& text,
                                                            const std::vector<std::string>& counts) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string f; std::getline(hs, f, ',');) header.push_back(f);
  REQUIRE(header.size() > 2);
  // values[column][step] = one value per replicate
  std::vector<std::vector<std::vector<double>>> values(header.size());
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::vector<std::string> f;
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    REQUIRE(f.size() == header.size());
    const std::size_t step = std::stoul(f[1]);
    for (std::size_t c = 2; c < f.size(); ++c) {
      if (values[c].size() <= step) values[c].resize(step + 1);
      values[c][step].push_back(std::stod(f[c]));
    }
  }
  std::map<std::string, std::vector<wom::Estimate>> out;
  for (std::size_t c = 2; c < header.size(); ++c) {
    const bool count = std::find(counts.begin(), counts.end(), header[c]) != counts.end();
    for (const auto& v : values[c]) {
      wom::Estimate e = wom::estimate(v);
      if (count) e.ci_low = std::max(e.ci_low, 0.0), e.ci_high = std::max(e.ci_high, 0.0);
      out[header[c]].push_back(e);
    }
  }
  return out;
}

std::vector<double> csv_values(const std::map<std::string, std::vector<wom::Estimate>>& bands, const std::string& key) {
  // COLUMN/STAT or COLUMN/STAT/STEP
  const auto a = key.find('/');
  REQUIRE(a != std::string::npos);
  const auto b = key.find('/', a + 1);
  const std::string column = key.substr(0, a);
  const std::string stat = key.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  INFO("timeseries.csv key " << key);
  REQUIRE(bands.count(column) == 1);
  auto pick = [&](const wom::Estimate& e) {
    if (stat == "mean") return e.mean;
    if (stat == "ci_low") return e.ci_low;
    REQUIRE(stat == "ci_high");
    return e.ci_high;
  };
  std::vector<double> v;
  if (b == std::string::npos) {
    for (const auto& e : bands.at(column)) v.push_back(pick(e));
  } else {
    v.push_back(pick(bands.at(column).at(std::stoul(key.substr(b + 1)))));
  }
  return v;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

/// Checks every traced mark against its source; returns the marks by source.
std::map<std::string, std::vector<Mark>> check_marks(const std::string& dom, const fs::path& dir) {
  std::map<std::string, std::vector<Mark>> by_source;
  std::map<std::string, json> docs;
  std::map<std::string, std::vector<wom::Estimate>> bands;
  if (fs::exists(dir / "timeseries.csv")) {
    // Columns of persons and counts, from summary.json's measures block.
    std::vector<std::string> counts;
    const json summary = json::parse(slurp(dir / "summary.json"));
    for (const auto& [name, m] : summary["measures"]["columns"].items())
      if (m["unit"] == "persons" || m["unit"] == "count") counts.push_back(name);
    bands = csv_bands(slurp(dir / "timeseries.csv"), counts);
  }
  for (const auto& m : marks(dom)) {
    INFO("mark <" << m.tag << "> data-source=" << m.source << " data-key=" << m.key);
    REQUIRE(!m.source.empty());
    REQUIRE(!m.value.empty());
    std::vector<double> expected;
    if (m.source == "timeseries.csv") {
      expected = csv_values(bands, m.key);
    } else {
      REQUIRE(fs::exists(dir / m.source));
      if (!docs.count(m.source)) docs[m.source] = json::parse(slurp(dir / m.source));
      expected = json_values(docs[m.source], m.key);
    }
    const std::vector<double> shown = parse_values(m.value);
    REQUIRE(shown.size() == expected.size());
    for (std::size_t i = 0; i < shown.size(); ++i) {
      INFO("item " << i << ": shown " << shown[i] << ", in the source " << expected[i]);
      CHECK(same(shown[i], expected[i]));
    }
    by_source[m.source].push_back(m);
  }
  return by_source;
}

bool has_key(const std::vector<Mark>& ms, const std::string& key, const std::string& tag = "") {
  for (const auto& m : ms)
    if (m.key == key && (tag.empty() || m.tag == tag)) return true;
  return false;
}

/// A report must not reach out: no script and no reference other than data: URLs and anchors.
void check_self_contained(const std::string& html) {
  CHECK(html.find("<script") == std::string::npos);
  for (const char* attr : {"src=\"", "href=\"", "url("}) {
    for (std::size_t pos = html.find(attr); pos != std::string::npos; pos = html.find(attr, pos + 1)) {
      const std::string target = html.substr(pos + std::strlen(attr), 8);
      INFO("reference " << attr << target);
      CHECK((target.rfind("data:", 0) == 0 || target.rfind("#", 0) == 0));
    }
  }
}

void check_loads_cleanly(const Rendered& r) {
  INFO("chromium log:\n" << r.log);
  REQUIRE(r.rc == 0);
  REQUIRE(r.dom.find("</html>") != std::string::npos);
  const auto problems = page_problems(r);
  for (const auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

/// The text of the table row of the DOM from the cell that starts with `label` on ("" when
/// there is none), tags removed, searching from position `from`.
std::string dom_row(const std::string& dom, const std::string& label, std::size_t from = 0) {
  const auto at = dom.find("<td>" + label, from);
  if (at == std::string::npos) return "";
  const auto end = dom.find("</tr>", at);
  std::string text;
  bool tag = false;
  for (char c : dom.substr(at, end - at)) {
    if (c == '<') tag = true;
    if (!tag) text += c;
    if (c == '>') tag = false, text += ' ';
  }
  return unescape(text);
}

/// The DOM's text: tags removed, entities decoded.
std::string text_of(const std::string& dom) {
  std::string text;
  bool tag = false;
  for (char c : dom) {
    if (c == '<') tag = true;
    if (!tag) text += c;
    if (c == '>') tag = false;
  }
  return unescape(text);
}

/// Where the heading `title` starts in the DOM.
std::size_t heading(const std::string& dom, const std::string& title) {
  const auto at = dom.find(title);
  INFO("heading " << title);
  REQUIRE(at != std::string::npos);
  return at;
}

const char* kService =
    "model: service_wom\n"
    "seed: 4\n"
    "replicates: 3\n"
    "time:\n  steps: 60\n  step_days: 1\n"
    "graph:\n  generator: barabasi_albert\n  n: 500\n  m: 3\n";

const char* kSir =
    "model: sir\n"
    "seed: 5\n"
    "replicates: 3\n"
    "time:\n  steps: 15\n"
    "graph:\n  generator: erdos_renyi\n  n: 300\n  mean_degree: 5\n"
    "params:\n  beta: 0.2\n  gamma: 0.3\n  initial:\n    count: 4\n";

}  // namespace

TEST_CASE("the browser check catches console errors and network requests", "[report][chromium]") {
  // Guards the checks below against passing vacuously (a log format the checks miss).
  TempDir dir;
  const std::string page =
      dir.write("bad.html",
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><img src=\"http://127.0.0.1:9/x.png\">"
                "<script>console.error('boom'); undefined_function();</script></body></html>");
  const Rendered r = render(page);
  REQUIRE(r.rc == 0);
  const std::string problems = [&] {
    std::string s;
    for (const auto& p : page_problems(r)) s += p + "\n";
    return s;
  }();
  CHECK_THAT(problems, Catch::Contains("boom"));
  CHECK_THAT(problems, Catch::Contains("Uncaught"));
  CHECK_THAT(problems, Catch::Contains("network request: http://127.0.0.1:9/x.png"));
}

TEST_CASE("wom run --report: report.html loads cleanly and plots the timeseries.csv figures", "[report][chromium]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  Result r = run_wom(dir, "run sim.yaml --out out --report -q");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(dir.temp_entries().empty());
  const fs::path out = dir.path / "out";
  REQUIRE(fs::exists(out / "report.html"));
  const std::string html = slurp(out / "report.html");
  check_self_contained(html);

  const Rendered page = render(out / "report.html");
  check_loads_cleanly(page);
  const auto by_source = check_marks(page.dom, out);
  REQUIRE(by_source.count("timeseries.csv"));
  // Every column is plotted as a line with its CI band edges.
  for (const char* col : {"susceptible", "infected", "recovered", "new_infections"}) {
    INFO(col);
    CHECK(has_key(by_source.at("timeseries.csv"), std::string(col) + "/mean", "path"));
    CHECK(has_key(by_source.at("timeseries.csv"), std::string(col) + "/ci_low", "path"));
    CHECK(has_key(by_source.at("timeseries.csv"), std::string(col) + "/ci_high", "path"));
  }
  REQUIRE(by_source.count("summary.json"));
  CHECK(has_key(by_source.at("summary.json"), "/across_replicates/final/recovered/count/mean"));
  // SIR declares no measures: stocks of persons at the end with their share, new_* flows as
  // totals over the run.
  CHECK(has_key(by_source.at("summary.json"), "/across_replicates/final/recovered/fraction/mean"));
  CHECK(has_key(by_source.at("summary.json"), "/across_replicates/over_run/new_infections/total/mean"));
  CHECK_THAT(page.dom, Catch::Contains("Over the run (steps 1 to 15)"));
  const std::size_t over = heading(page.dom, "Over the run");
  CHECK_THAT(dom_row(page.dom, "new infections", over), Catch::Contains("total"));
  CHECK_THAT(dom_row(page.dom, "new infections"), !Catch::Contains("%"));  // a flow has no share of the population
  CHECK_THAT(dom_row(page.dom, "recovered"), Catch::Contains("%"));
  // The scenario says what differs from SIR's defaults (beta 0.05).
  CHECK_THAT(page.dom, Catch::Contains("params.beta"));
  CHECK_THAT(page.dom, Catch::Contains("Provenance"));

  SECTION("wom report DIR redraws the same page from the folder") {
    fs::remove(out / "report.html");
    Result again = run_wom(dir, "report out");
    INFO(again.err);
    REQUIRE(again.rc == 0);
    CHECK(dir.temp_entries().empty());
    CHECK(slurp(out / "report.html") == html);
  }
}

TEST_CASE("wom compare --report: what-ifs over time and the paired differences, as in compare.json",
          "[report][chromium]") {
  TempDir dir;
  dir.write("sim.yaml", kSir);
  Result r = run_wom(dir, "compare sim.yaml --vary params.beta=0.05,0.3 --out cmp --report -q");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const fs::path out = dir.path / "cmp";
  const std::string html = slurp(out / "report.html");
  check_self_contained(html);
  const Rendered page = render(out / "report.html");
  check_loads_cleanly(page);
  const auto by_source = check_marks(page.dom, out);
  REQUIRE(by_source.count("compare.json"));
  const auto& ms = by_source.at("compare.json");
  // SIR has no `customers`: the first column is plotted, per what-if, with its band.
  for (int k : {0, 1})
    for (const char* stat : {"mean", "ci_low", "ci_high"})
      CHECK(has_key(ms, "/timeseries/whatifs/" + std::to_string(k) + "/series/susceptible/" + stat, "path"));
  CHECK(has_key(ms, "/timeseries/whatifs/1/difference/susceptible/mean", "path"));
  // The paired-difference table quotes compare.json's rows.
  const json doc = json::parse(slurp(out / "compare.json"));
  for (std::size_t i = 0; i < doc["rows"].size(); ++i)
    CHECK(has_key(ms, "/rows/" + std::to_string(i) + "/whatifs/1/difference/mean"));
  CHECK_THAT(page.dom, Catch::Contains("params.beta=0.3"));
}

TEST_CASE("wom report on a cost.json: headline, waterfall, deciles and channels equal the JSON", "[report][chromium]") {
  TempDir dir;
  fs::create_directories(dir.path / "cost");
  fs::copy_file(fs::path(WOM_SOURCE_DIR) / "tests" / "data" / "cost.json", dir.path / "cost" / "cost.json");
  Result r = run_wom(dir, "report cost");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(dir.temp_entries().empty());
  const fs::path out = dir.path / "cost";
  const std::string html = slurp(out / "report.html");
  check_self_contained(html);
  const Rendered page = render(out / "report.html");
  check_loads_cleanly(page);

  // 445.75 in total: 252 the complainant and 193.75 the ripple (everyone else).
  const std::string text = text_of(page.dom);
  CHECK_THAT(text, Catch::Contains("Each argued interaction costs about $446 (95 % CI $370 to $521): $252 the "
                                   "complainant (own margin, own terminal value, remedy) and $194 the ripple — "
                                   "everyone else (their margins, terminal values and acquisition spend)."));
  CHECK_THAT(text, Catch::Contains("Customers lost or not won per 100 argued complaints, complainant included: "
                                   "93 (95 % CI 75 to 111); others only: 58.0 (95 % CI 41.9 to 74.1)."));
  CHECK_THAT(text, Catch::Contains("Losing one customer outright costs about $612 (95 % CI $531 to $693), of "
                                   "which $157 is the ripple."));
  CHECK_THAT(text, Catch::Contains("The ripple through each word-of-mouth channel"));
  CHECK_THAT(text, Catch::Contains("The ripple through a channel: the ripple with every channel on minus the ripple "
                                   "with that channel switched off"));

  const auto by_source = check_marks(page.dom, out);
  REQUIRE(by_source.count("cost.json"));
  const auto& ms = by_source.at("cost.json");
  CHECK(has_key(ms, "/by_whom/complainant/total/mean", "span"));
  CHECK(has_key(ms, "/by_whom/ripple/total/mean", "span"));
  for (const char* part :
       {"own_margin", "retention_ripple", "acquisition_ripple", "service", "acquisition_spend", "terminal_value"}) {
    INFO(part);
    CHECK(has_key(ms, std::string("/partition/") + part + "/mean", "rect"));
    CHECK(has_key(ms, std::string("/partition/") + part + "/ci_low", "path"));
    CHECK(has_key(ms, std::string("/partition/") + part + "/ci_high", "path"));
    CHECK(has_key(ms, std::string("/partition/") + part + "/mean", "span"));  // the by-kind table
    CHECK(has_key(ms, std::string("/lost_customer/partition/") + part + "/mean", "rect"));
  }
  // The by-whom table: each part with its CI (none where the fixture's CI is a point), in both
  // costs.
  for (const std::string base : {"", "/lost_customer"}) {
    const json cost = json::parse(slurp(out / "cost.json"));
    for (const char* who : {"complainant", "ripple"})
      for (const auto& [part, e] : cost.at(json::json_pointer(base + "/by_whom/" + who)).items()) {
        INFO(base << " " << who << " " << part);
        const std::string p = base + "/by_whom/" + who + "/" + part;
        CHECK(has_key(ms, p + "/mean", "span"));
        CHECK(has_key(ms, p + "/ci_low", "span") == (e["ci_low"] != e["ci_high"]));
        CHECK(has_key(ms, p + "/ci_high", "span") == (e["ci_low"] != e["ci_high"]));
      }
  }
  CHECK(has_key(ms, "/total/mean", "rect"));
  for (int d = 0; d < 10; ++d) {
    CHECK(has_key(ms, "/by_degree_decile/" + std::to_string(d) + "/cost/mean", "rect"));
    CHECK(has_key(ms, "/by_degree_decile/" + std::to_string(d) + "/cost/ci_high", "path"));
  }
  // The by-channel chart: the whole ripple, then the ripple through each channel.
  CHECK(has_key(ms, "/by_whom/ripple/total/mean", "rect"));
  for (const char* ch : {"talk", "weak_ties", "tweets", "reviews"}) {
    CHECK(has_key(ms, std::string("/by_channel/") + ch + "/mean", "rect"));
    CHECK(has_key(ms, std::string("/wom_by_channel/") + ch + "/positive", "rect"));
    CHECK(has_key(ms, std::string("/wom_by_channel/") + ch + "/negative", "rect"));
  }
  // Units: money in the currency, counts of customers without it.
  CHECK_THAT(dom_row(page.dom, "the ripple — everyone else"), Catch::Contains("$194"));
  CHECK_THAT(dom_row(page.dom, "    own terminal value"), Catch::Contains("$60"));
  CHECK_THAT(dom_row(page.dom, "customers lost or not won per 100 argued complaints, others only"),
             Catch::Contains("58.0"));
  CHECK_THAT(dom_row(page.dom, "customers lost or not won per 100 argued complaints, others only"),
             !Catch::Contains("$"));
  CHECK_THAT(dom_row(page.dom, "prospects not won"), Catch::Contains("0.17"));
  // Provenance: a wall time for people.
  CHECK_THAT(page.dom, Catch::Contains("<dt>wall time</dt><dd>12.5 s</dd>"));
  // The scenario compares the cost run's config with service_wom's defaults.
  CHECK_THAT(page.dom, Catch::Contains("params.policy.acknowledge_rate"));
}

TEST_CASE("wom report: bad folders fail clearly and write nothing", "[report]") {
  TempDir dir;
  fs::create_directories(dir.path / "empty");
  Result r = run_wom(dir, "report empty");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("wom: error: "));
  CHECK_THAT(r.err, Catch::Contains("holds no wom outputs"));
  CHECK(!fs::exists(dir.path / "empty" / "report.html"));

  r = run_wom(dir, "report missing");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("not a folder"));

  fs::create_directories(dir.path / "broken");
  dir.write("broken/cost.json", "{\"currency\": \"$\", \"total\": ");
  r = run_wom(dir, "report broken");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("cost.json"));
  CHECK(!fs::exists(dir.path / "broken" / "report.html"));

  dir.write("nototal/cost.json", "{\"currency\": \"$\", \"partition\": {}}");
  r = run_wom(dir, "report nototal");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("'total'"));
  CHECK(!fs::exists(dir.path / "nototal" / "report.html"));
  CHECK(dir.temp_entries().empty());

  dir.write("sim.yaml", kSir);
  r = run_wom(dir, "run sim.yaml --report");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Catch::Contains("--report"));
  CHECK_THAT(r.err, Catch::Contains("--out"));
}

TEST_CASE("figures are shown in their declared unit, a mean and its CI at one precision", "[report]") {
  using wom::Estimate;
  using wom::FigureFormat;
  using wom::Unit;
  auto e = [](double m, double lo, double hi) { return Estimate{m, 0, lo, hi, 4}; };
  auto texts = [](const FigureFormat& f, const Estimate& x) { return f.texts(x); };
  using V = std::vector<std::string>;
  const FigureFormat money{Unit::Money, "$", false, false};
  CHECK(texts(money, e(7638657.4, 7444098.2, 7833216.4)) == V{"$7,638,657", "$7,444,098", "$7,833,216"});
  CHECK(texts(money, e(7.25, 3.1, 12.4)) == V{"$7", "$3", "$12"});  // whole units: the CI reaches 10
  CHECK(texts(money, e(7.25, 6.1, 8.4)) == V{"$7.25", "$6.10", "$8.40"});
  CHECK(money.text(-27.4) == "−$27");
  CHECK(money.text(-0.001) == "$0.00");  // no minus sign on a zero
  CHECK(FigureFormat{Unit::Money, "EUR", false, false}.text(1234) == "EUR 1,234");
  const FigureFormat share{Unit::Share, "", false, false};
  CHECK(texts(share, e(0.8141, 0.8093, 0.8189)) == V{"81.4 %", "80.9 %", "81.9 %"});
  CHECK(texts(share, e(0.003, -0.0056, 0.0117)) == V{"0.30 %", "−0.56 %", "1.17 %"});
  CHECK(FigureFormat{Unit::Share, "", true, false}.text(0.00689) == "0.689 pp");
  CHECK(FigureFormat{Unit::PerYear, "", false, false}.text(0.206) == "20.6 %/yr");
  const FigureFormat persons{Unit::Persons, "", false, false};
  CHECK(texts(persons, e(20119.75, 19814.6, 20425.0)) == V{"20,120", "19,815", "20,425"});
  CHECK(texts(persons, e(72, 53.5, 90.5)) == V{"72.0", "53.5", "90.5"});  // a mean of counts: one decimal
  CHECK(texts(persons, e(72, 60, 84)) == V{"72", "60", "84"});
  CHECK(texts(persons, e(0.41, 0.27, 0.55)) == V{"0.41", "0.27", "0.55"});
  CHECK(FigureFormat{Unit::Stars, "", false, false}.text(3.4853) == "3.49 ★");
  CHECK(FigureFormat{Unit::Stars, "", false, true}.text(3.4853) == "3.49");
  CHECK(FigureFormat{Unit::Number, "", false, false}.text(2.844e-05) == "0.000028");
  CHECK(FigureFormat{Unit::Money, "$", false, false}.with_ci(e(10, 10, 10)) == "$10");
  // A count's CI stops at 0; money may be negative.
  CHECK(wom::bounded(e(1.5, -0.7, 3.7), Unit::Count).ci_low == 0);
  CHECK(wom::bounded(e(1.5, -0.7, 3.7), Unit::Persons).ci_high == 3.7);
  CHECK(wom::bounded(e(1.5, -0.7, 3.7), Unit::Money).ci_low == -0.7);
  CHECK(wom::unit_of_name("currency") == Unit::Money);
  CHECK(wom::unit_of_name(wom::unit_name(Unit::PerYear)) == Unit::PerYear);
  CHECK(wom::aggregate_of_name("sum") == wom::Aggregate::Sum);
}

TEST_CASE("wom run: the terminal shows the model's headline figures in its order and units, the NPV split",
          "[report]") {
  TempDir dir;
  dir.write("svc.yaml", kService);
  Result r = run_wom(dir, "run svc.yaml --out out");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  INFO(r.out);
  std::size_t last = 0;
  for (const char* name :
       {"retention_per_year", "annual_defection_rate", "customers_start", "customers_end", "acquisitions", "npv",
        "= npv_cash_flows", "+ terminal_value", "share_positive_stories", "rating_end"}) {
    INFO(name);
    const auto pos = r.out.find(std::string(name) + " ", last);
    REQUIRE(pos != std::string::npos);
    last = pos;
  }
  auto line = [&](const std::string& name) {
    const auto at = r.out.find("  " + name + " ");
    REQUIRE(at != std::string::npos);
    return r.out.substr(at, r.out.find('\n', at) - at);
  };
  CHECK_THAT(line("retention_per_year"), Catch::Contains(" % (95 % CI "));
  CHECK_THAT(line("annual_defection_rate"), Catch::Contains(" %/yr"));
  CHECK_THAT(line("npv"), Catch::Contains("$"));
  CHECK_THAT(line("= npv_cash_flows"), Catch::Contains("cash flow over the horizon"));
  CHECK_THAT(line("rating_end"), Catch::Contains(" ★"));
  CHECK_THAT(line("customers_end"), !Catch::Contains(" % ("));  // persons, not a share
  // The NPV is its split: the means add up (to the dollar shown).
  const json summary = json::parse(slurp(dir.path / "out" / "summary.json"));
  const json& m = summary["across_replicates"]["metrics"];
  CHECK(m["npv"]["mean"].get<double>() ==
        Approx(m["npv_cash_flows"]["mean"].get<double>() + m["terminal_value"]["mean"].get<double>()).margin(1e-6));
  // summary.json says what every column and metric measures.
  const json& measures = summary["measures"];
  CHECK(measures["columns"].size() == summary["columns"].size());
  CHECK(measures["metrics"].size() == m.size());
  CHECK(measures["metrics"]["npv"]["unit"] == "currency");
  CHECK(measures["metrics"]["retention_per_year"]["unit"] == "share");
  CHECK(measures["metrics"]["retention_per_year"]["headline"] == 1);
  CHECK(measures["columns"]["rating"]["unit"] == "stars");
  CHECK(measures["columns"]["acquisitions"]["aggregate"] == "sum");
  CHECK(measures["columns"]["largest_cascade"]["aggregate"] == "max");
  CHECK(summary["currency"] == "$");
  // Only stocks of persons have a share of the population; flows have a total over the run.
  const json& fin = summary["across_replicates"]["final"];
  CHECK(fin["customers"].contains("fraction"));
  CHECK(!fin["rating"].contains("fraction"));
  CHECK(fin["rating"].contains("value"));
  CHECK(!fin["npv_cash_flows"].contains("fraction"));
  CHECK(!fin["acquisitions"].contains("fraction"));
  const json& over = summary["across_replicates"]["over_run"];
  CHECK(over["acquisitions"]["total"]["mean"].get<double>() == Approx(m["acquisitions"]["mean"].get<double>()));
  CHECK(over["largest_cascade"]["max"]["mean"].get<double>() == Approx(m["largest_cascade"]["mean"].get<double>()));
  CHECK(!over.contains("customers"));
  CHECK(summary["over_run_period"]["length"] == 60);
  CHECK(summary["over_run_period"]["unit"] == "days");
  // A count's CI never goes below 0 (a rare event over a short run).
  for (const auto& [name, f] : fin.items())
    if (f.contains("count")) {
      INFO(name);
      CHECK(f["count"]["ci95"][0].get<double>() >= 0);
    }
}

TEST_CASE("wom run and compare --report of service_wom: every table in its unit, the NPV and return split",
          "[report][chromium]") {
  TempDir dir;
  dir.write("svc.yaml", kService);
  Result r = run_wom(dir, "run svc.yaml --out run --report -q");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  {
    const Rendered page = render(dir.path / "run" / "report.html");
    check_loads_cleanly(page);
    check_marks(page.dom, dir.path / "run");
    const std::string& dom = page.dom;
    // The headline NPV is the NPV with terminal value, shown with its split.
    const std::string text = text_of(dom);
    CHECK_THAT(text, Catch::Contains("NPV: $"));
    CHECK_THAT(text, Catch::Contains(" = cash flow over the horizon $"));
    CHECK_THAT(text, Catch::Contains(" + terminal value $"));
    CHECK_THAT(text, Catch::Contains("Retention per year: "));
    // Figures: money in the currency, shares as percentages, stars as stars.
    CHECK_THAT(dom_row(dom, "NPV <small>"), Catch::Contains("$"));
    CHECK_THAT(dom_row(dom, "retention per year"), Catch::Contains(" %"));
    CHECK_THAT(dom_row(dom, "rating end"), Catch::Contains(" ★"));
    // State at the end: a share of the population for stocks of persons only.
    const std::size_t end = heading(dom, "State at the end (step 60)");
    const std::string customers = dom_row(dom, "customers<div", end);
    CHECK_THAT(customers, Catch::Contains(" %"));
    const std::string rating = dom_row(dom, "rating<div", end);
    CHECK_THAT(rating, Catch::Contains(" ★"));
    CHECK_THAT(rating, !Catch::Contains("%"));
    const std::string cash = dom_row(dom, "NPV cash flows<div", end);
    CHECK_THAT(cash, Catch::Contains("$"));
    CHECK_THAT(cash, !Catch::Contains("%"));
    // Flows: totals over the stated period, and per year.
    const std::size_t over = heading(dom, "Over the run (steps 1 to 60, 60 days)");
    CHECK(over > end);
    const std::string acq = dom_row(dom, "acquisitions<div", over);
    CHECK_THAT(acq, Catch::Contains("total"));
    CHECK_THAT(acq, !Catch::Contains("%"));
    CHECK_THAT(dom_row(dom, "revenue<div", over), Catch::Contains("$"));
    CHECK_THAT(dom_row(dom, "largest cascade<div", over), Catch::Contains("largest at one step"));
    CHECK(dom.find("acquisitions<div", end) > over);  // not listed as final state
  }

  r = run_wom(dir, "compare svc.yaml --vary params.policy.acknowledge_rate=0.32,0.9 --out cmp --report -q");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const Rendered page = render(dir.path / "cmp" / "report.html");
  check_loads_cleanly(page);
  const auto by_source = check_marks(page.dom, dir.path / "cmp");
  const json doc = json::parse(slurp(dir.path / "cmp" / "compare.json"));
  auto index = [&](const std::string& name) {
    for (std::size_t i = 0; i < doc["rows"].size(); ++i)
      if (doc["rows"][i]["name"] == name) return std::to_string(i);
    FAIL("no row " << name);
    return std::string();
  };
  const auto& ms = by_source.at("compare.json");
  // The return beside its split, in the headline and the chart.
  for (const char* name : {"return", "return_cash_flow", "return_terminal_value"}) {
    INFO(name);
    CHECK(has_key(ms, "/rows/" + index(name) + "/whatifs/1/difference/mean", "span"));
    CHECK(has_key(ms, "/rows/" + index(name) + "/whatifs/1/difference/mean", "rect"));
  }
  CHECK_THAT(text_of(page.dom), Catch::Contains("in net present value = cash flow over the horizon $"));
  // The side-by-side table in the model's units.
  CHECK_THAT(dom_row(page.dom, "retention per year"), Catch::Contains(" pp"));
  CHECK_THAT(dom_row(page.dom, "NPV<div"), Catch::Contains("$"));
  CHECK_THAT(dom_row(page.dom, "&nbsp;&nbsp;+ return terminal value"), Catch::Contains("$"));
  CHECK_THAT(page.dom, Catch::Contains("figures side by side</summary>"));
}
