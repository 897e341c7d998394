// The bench gate's statistics and verdicts (bench/suite/gate.hpp), on documents built here.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "bench/suite/gate.hpp"

using namespace wom::bench;
using json = nlohmann::ordered_json;

namespace {

/// P(W+ >= observed) by enumerating all 2^n sign patterns of the mid-ranks.
double brute_force(const std::vector<double>& d) {
  std::vector<double> a;
  std::vector<bool> pos;
  for (double x : d)
    if (x != 0) a.push_back(std::fabs(x)), pos.push_back(x > 0);
  const std::size_t n = a.size();
  std::vector<double> rank(n);
  for (std::size_t i = 0; i < n; ++i) {
    double less = 0, equal = 0;
    for (std::size_t j = 0; j < n; ++j) less += a[j] < a[i], equal += a[j] == a[i];
    rank[i] = less + (equal + 1) / 2;
  }
  double observed = 0;
  for (std::size_t i = 0; i < n; ++i) observed += pos[i] ? rank[i] : 0;
  std::size_t count = 0;
  for (std::size_t mask = 0; mask < (std::size_t(1) << n); ++mask) {
    double w = 0;
    for (std::size_t i = 0; i < n; ++i) w += (mask >> i & 1) ? rank[i] : 0;
    count += w >= observed - 1e-9;
  }
  return double(count) / double(std::size_t(1) << n);
}

json doc(double instructions, double rss, const std::vector<double>& wall, const std::string& mode = "short") {
  json c;
  c["unit"] = "arcs";
  c["work"] = 100.0;
  c["instructions"] = instructions;
  c["peak_rss_bytes"] = rss;
  c["wall_samples"] = wall;
  json d;
  d["format"] = "wom-bench 1";
  d["mode"] = mode;
  d["threads"] = 2;
  d["machine"] = json{{"cpu", "x"}, {"compiler", "gcc"}, {"build", "Release"}};
  d["cases"]["k"] = c;
  return d;
}

const GateRow& row(const GateResult& g, const std::string& metric) {
  for (const auto& r : g.rows)
    if (r.metric == metric) return r;
  FAIL("no row " << metric);
  return g.rows.front();
}

}  // namespace

TEST_CASE("wilcoxon_greater: the exact null distribution of the signed-rank statistic") {
  // All of n = 10 positive: only one pattern of 2^10 is as large.
  std::vector<double> up(10);
  for (int i = 0; i < 10; ++i) up[std::size_t(i)] = 0.01 * (i + 1);
  CHECK(wilcoxon_greater(up) == Approx(std::ldexp(1.0, -10)));
  CHECK(wilcoxon_floor(10) == Approx(std::ldexp(1.0, -10)));
  // Ranks 1-4 positive, 5 negative: W+ = 10; P(W+ >= 10) = #{subsets of 1..5 summing <= 5} / 32.
  CHECK(wilcoxon_greater(std::vector<double>{1, 2, 3, 4, -5}) == Approx(10.0 / 32));
  // scipy.stats.wilcoxon(d, alternative='greater', mode='exact') = 0.01953125.
  CHECK(wilcoxon_greater(std::vector<double>{0.3, -0.1, 0.25, 0.4, -0.05, 0.2, 0.15, 0.35}) == Approx(0.01953125));
  // Ties (mid-ranks) and zeros (dropped): against enumeration.
  const std::vector<double> ties = {0.1, 0.2, 0.2, -0.1, 0.3, 0.05, -0.2, 0.4, 0.1, 0.15, 0, 0.1};
  CHECK(wilcoxon_greater(ties) == Approx(brute_force(ties)));
  const std::vector<double> down = {-0.3, 0.1, -0.2, -0.2, 0.05, -0.4};
  CHECK(wilcoxon_greater(down) == Approx(brute_force(down)));
  CHECK(wilcoxon_greater(std::vector<double>{0, 0}) == 1.0);
}

TEST_CASE("spread_of: median and quartiles by linear interpolation") {
  const Spread s = spread_of({4, 1, 3, 2, 5});
  CHECK(s.median == 3);
  CHECK(s.min == 1);
  CHECK(s.max == 5);
  CHECK(s.q1 == 2);
  CHECK(s.q3 == 4);
  CHECK(spread_of({1, 2}).median == Approx(1.5));
}

TEST_CASE("compare: instructions beyond the limit fail, within it pass") {
  const Thresholds t;  // +2 %
  const json base = doc(1e9, 50e6, {1, 1, 1});
  CHECK(row(compare(base, doc(1.03e9, 50e6, {1, 1, 1}), t, false), "instructions").verdict == Verdict::Regression);
  CHECK(compare(base, doc(1.03e9, 50e6, {1, 1, 1}), t, false).failed());
  CHECK(row(compare(base, doc(1.01e9, 50e6, {1, 1, 1}), t, false), "instructions").verdict == Verdict::Ok);
  CHECK(row(compare(base, doc(0.9e9, 50e6, {1, 1, 1}), t, false), "instructions").verdict == Verdict::Improved);
  CHECK_FALSE(compare(base, doc(1.01e9, 50e6, {1, 1, 1}), t, false).failed());
}

TEST_CASE("compare: peak memory fails only beyond both the share and the slack") {
  const Thresholds t;  // +10 % and +4 MiB
  const json base = doc(1e9, 10e6, {1});
  CHECK(row(compare(base, doc(1e9, 12e6, {1}), t, false), "peak memory").verdict == Verdict::Ok);  // +20 %, +2 MB
  CHECK(row(compare(base, doc(1e9, 16e6, {1}), t, false), "peak memory").verdict == Verdict::Regression);
  const json big = doc(1e9, 1e9, {1});
  CHECK(row(compare(big, doc(1e9, 1.05e9, {1}), t, false), "peak memory").verdict == Verdict::Ok);  // +5 %
}

TEST_CASE("compare: wall time is judged only on interleaved pairs, by the test and the effect size") {
  const Thresholds t;  // alpha 1 %, min slowdown 5 %
  std::vector<double> b(12), slow(12), same(12), tiny(12);
  for (std::size_t i = 0; i < 12; ++i) {
    b[i] = 1.0 + 0.01 * double(i % 4);
    slow[i] = b[i] * (1.20 + 0.001 * double(i));   // 20 % slower in every pair
    same[i] = b[i] * (i % 2 ? 1.02 : 0.98);        // noise both ways
    tiny[i] = b[i] * (1.02 + 0.0001 * double(i));  // consistently 2 % slower: below the effect size
  }
  const json base = doc(1e9, 1e7, b);
  const GateRow stored = row(compare(base, doc(1e9, 1e7, slow), t, false), "wall time");
  CHECK(stored.verdict == Verdict::Info);  // a stored baseline: shown, not judged
  CHECK(row(compare(base, doc(1e9, 1e7, slow), t, true), "wall time").verdict == Verdict::Regression);
  CHECK(row(compare(base, doc(1e9, 1e7, same), t, true), "wall time").verdict == Verdict::Ok);
  CHECK(row(compare(base, doc(1e9, 1e7, tiny), t, true), "wall time").verdict == Verdict::Ok);
  // Too few pairs to reach the level: never a regression, and the note says why.
  const json base3 = doc(1e9, 1e7, {1, 1, 1});
  const GateRow few = row(compare(base3, doc(1e9, 1e7, {2, 2, 2}), t, true), "wall time");
  CHECK(few.verdict == Verdict::Ok);
  CHECK(few.note.find("more --reps") != std::string::npos);
}

TEST_CASE("compare: differences of mode, cases and machine are noted") {
  const Thresholds t;
  json base = doc(1e9, 1e7, {1}, "full");
  json now = doc(1e9, 1e7, {1}, "short");
  now["cases"]["extra"] = now["cases"]["k"];
  now["machine"]["cpu"] = "y";
  const GateResult g = compare(base, now, t, false);
  std::string notes;
  for (const auto& n : g.notes) notes += n + "\n";
  CHECK(notes.find("full mode") != std::string::npos);
  CHECK(notes.find("extra: not in the baseline") != std::string::npos);
  CHECK(notes.find("machine or build differs") != std::string::npos);
}
