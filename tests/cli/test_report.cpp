// report.html in a real browser: headless Chromium loads each report (of `wom run`, of
// `wom compare` and of a cost.json fixture) with no console error and no network request, and
// every plotted mark's data-value equals the number at its data-key in the JSON or CSV the
// report was drawn from. Chromium is required: without it these tests fail (CI installs it
// with scripts/setup.sh).
#include <sys/wait.h>
#include <unistd.h>

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

#include "output.hpp"
#include "support/tempdir.hpp"
#include "support/wom_cli.hpp"

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
/// from the file.
std::map<std::string, std::vector<wom::Estimate>> csv_bands(const std::string& text) {
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
  for (std::size_t c = 2; c < header.size(); ++c)
    for (const auto& v : values[c]) out[header[c]].push_back(wom::estimate(v));
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
  if (fs::exists(dir / "timeseries.csv")) bands = csv_bands(slurp(dir / "timeseries.csv"));
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

  // 445.75 in total, of which 95.5 + 42.25 = 137.75 is the ripple.
  CHECK_THAT(page.dom, Catch::Contains("Each argued interaction costs about"));
  CHECK_THAT(page.dom, Catch::Contains("$446"));
  CHECK_THAT(page.dom, Catch::Contains("$138"));

  const auto by_source = check_marks(page.dom, out);
  REQUIRE(by_source.count("cost.json"));
  const auto& ms = by_source.at("cost.json");
  CHECK(has_key(ms, "/partition/retention_ripple/mean + /partition/acquisition_ripple/mean", "span"));
  for (const char* part :
       {"own_margin", "retention_ripple", "acquisition_ripple", "remedy", "acquisition_spend", "terminal_value"}) {
    INFO(part);
    CHECK(has_key(ms, std::string("/partition/") + part + "/mean", "rect"));
    CHECK(has_key(ms, std::string("/partition/") + part + "/ci_low", "path"));
    CHECK(has_key(ms, std::string("/partition/") + part + "/ci_high", "path"));
    CHECK(has_key(ms, std::string("/lost_customer/partition/") + part + "/mean", "rect"));
  }
  CHECK(has_key(ms, "/total/mean", "rect"));
  for (int d = 0; d < 10; ++d) {
    CHECK(has_key(ms, "/by_degree_decile/" + std::to_string(d) + "/cost/mean", "rect"));
    CHECK(has_key(ms, "/by_degree_decile/" + std::to_string(d) + "/cost/ci_high", "path"));
  }
  for (const char* ch : {"talk", "weak_ties", "tweets", "reviews"}) {
    CHECK(has_key(ms, std::string("/by_channel/") + ch + "/mean", "rect"));
    CHECK(has_key(ms, std::string("/wom_by_channel/") + ch + "/positive", "rect"));
    CHECK(has_key(ms, std::string("/wom_by_channel/") + ch + "/negative", "rect"));
  }
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
