#include <fmt/format.h>

#include <algorithm>

#include "sim/core/error.hpp"
#include "sweep/folder.hpp"
#include "sweep/sensitivity.hpp"

namespace wom::sweep {

using namespace detail;

std::string analyze(const std::string& dir_s, std::vector<std::string>* written) {
  const fs::path dir(dir_s);
  const Manifest m = read_manifest(dir);
  if (m.design != "sobol" && m.design != "morris")
    throw Error(fmt::format("{}: design '{}' has no sensitivity indices: analyze reads designs sobol and morris", dir_s,
                            m.design));
  const Recorded rec = read_records(dir, m);
  const std::size_t k = m.keys.size();
  // Per design row, the mean over its replicates.
  std::vector<std::vector<double>> y(m.metrics.size(), std::vector<double>(std::size_t(m.points)));
  std::vector<std::int64_t> missing;
  for (std::int64_t p = 0; p < m.points; ++p) {
    const auto rows = prefix_rows(rec, p);
    std::vector<const Row*> ok;
    for (const Row* r : rows)
      if (r->ok) ok.push_back(r);
    if (ok.empty() || ok.size() != rows.size()) {
      missing.push_back(p);
      continue;
    }
    for (std::size_t j = 0; j < m.metrics.size(); ++j) {
      double s = 0;
      for (const Row* r : ok) s += r->metrics[j];
      y[j][std::size_t(p)] = s / double(ok.size());
    }
  }
  if (!missing.empty())
    throw Error(
        fmt::format("{}: {} design points have no complete results (first: point {}); finish the sweep "
                    "(wom sweep SPEC --out DIR --resume) or see failures.csv",
                    dir_s, missing.size(), missing.front()));
  std::string csv, text;
  if (m.design == "sobol") {
    csv = "metric,key,S1,S1_low,S1_high,ST,ST_low,ST_high\n";
    for (std::size_t j = 0; j < m.metrics.size(); ++j) {
      const auto idx = sobol_indices(std::size_t(m.sobol_n), k, y[j]);
      std::vector<std::size_t> order(k);
      for (std::size_t i = 0; i < k; ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](auto a, auto b) { return idx[a].ST > idx[b].ST; });
      text += fmt::format("{}: total-order ranking (ST, first order S1, 95 % bootstrap CIs)\n", m.metrics[j]);
      for (std::size_t i : order) {
        const auto& s = idx[i];
        csv += fmt::format("{},{},{},{},{},{},{},{}\n", csv_cell(m.metrics[j]), csv_cell(m.keys[i]), s.S1, s.S1_low,
                           s.S1_high, s.ST, s.ST_low, s.ST_high);
        text += fmt::format("  {:<44} ST {:6.3f} [{:6.3f}, {:6.3f}]   S1 {:6.3f} [{:6.3f}, {:6.3f}]\n", m.keys[i], s.ST,
                            s.ST_low, s.ST_high, s.S1, s.S1_low, s.S1_high);
      }
    }
  } else {
    csv = "metric,key,mu,mu_star,sigma\n";
    for (std::size_t j = 0; j < m.metrics.size(); ++j) {
      const auto idx = morris_indices(m.unit, y[j], k);
      std::vector<std::size_t> order(k);
      for (std::size_t i = 0; i < k; ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](auto a, auto b) { return idx[a].mu_star > idx[b].mu_star; });
      text += fmt::format("{}: Morris ranking (mu*, mu, sigma; per unit of each key's range)\n", m.metrics[j]);
      for (std::size_t i : order) {
        csv += fmt::format("{},{},{},{},{}\n", csv_cell(m.metrics[j]), csv_cell(m.keys[i]), idx[i].mu, idx[i].mu_star,
                           idx[i].sigma);
        text += fmt::format("  {:<44} mu* {:.6g}   mu {:.6g}   sigma {:.6g}\n", m.keys[i], idx[i].mu_star, idx[i].mu,
                            idx[i].sigma);
      }
    }
  }
  write_atomic(dir / "sensitivity.csv", csv);
  if (written) written->push_back((dir / "sensitivity.csv").string());
  return text;
}

}  // namespace wom::sweep
