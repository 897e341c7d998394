#pragma once
/// Closed forms the tests compare against (never the implementation's own output).
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace wom::theory {

/// Bond percolation on a configuration-model graph with degree distribution pk
/// (Newman 2002, PRE 66, 016128; Callaway et al. 2000).
struct Percolation {
  std::vector<double> pk;  ///< pk[k] = share of vertices with degree k
  double k1 = 0, k2 = 0;   ///< <k>, <k^2>

  explicit Percolation(std::vector<double> p) : pk(std::move(p)) {
    for (std::size_t k = 0; k < pk.size(); ++k) {
      k1 += double(k) * pk[k];
      k2 += double(k) * double(k) * pk[k];
    }
  }
  double G0(double x) const {
    double s = 0, xp = 1;
    for (std::size_t k = 0; k < pk.size(); ++k, xp *= x) s += pk[k] * xp;
    return s;
  }
  double G1(double x) const {  // sum k pk x^(k-1) / <k>
    double s = 0, xp = 1;
    for (std::size_t k = 1; k < pk.size(); ++k, xp *= x) s += double(k) * pk[k] * xp;
    return s / k1;
  }
  /// T_c = <k> / (<k^2> - <k>).
  double threshold() const { return k1 / (k2 - k1); }
  /// Smallest root of u = G1(1 - T + T u), by monotone iteration from 0.
  double u(double T) const {
    double x = 0;
    for (int i = 0; i < 100000; ++i) {
      const double nx = G1(1 - T + T * x);
      if (std::abs(nx - x) < 1e-15) return nx;
      x = nx;
    }
    return x;
  }
  /// Giant outbreak share: S = 1 - G0(1 - T + T u).
  double giant(double T) const { return 1 - G0(1 - T + T * u(T)); }
  /// Mean outbreak size from one random seed below threshold: 1 + T G0'(1)/(1 - T G1'(1)).
  double mean_outbreak(double T) const { return 1 + T * k1 / (1 - T * (k2 - k1) / k1); }
};

/// Bass recursion with step dt, and its linear-noise variance for N agents: the
/// stochastic model adds binomial noise pi(1-pi)(1-F)/N each step, propagated by
/// f'(F) = 1 - pi + (1-F) q dt e^{-(p+qF)dt}.
struct BassRecursion {
  std::vector<double> F, var;
  BassRecursion(double p, double q, double dt, int steps, double N, double F0 = 0) {
    F = {F0};
    var = {0};
    for (int n = 0; n < steps; ++n) {
      const double f = F.back(), e = std::exp(-(p + q * f) * dt), pi = 1 - e;
      const double d = 1 - pi + (1 - f) * q * dt * e;
      F.push_back(f + pi * (1 - f));
      var.push_back(d * d * var.back() + pi * (1 - pi) * (1 - f) / N);
    }
  }
};

/// Bass closed form F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).
inline double bass_closed(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
}

/// Sample mean and standard error.
struct Sample {
  std::vector<double> x;
  void add(double v) { x.push_back(v); }
  std::size_t n() const { return x.size(); }
  double mean() const { return x.empty() ? 0 : std::accumulate(x.begin(), x.end(), 0.0) / double(x.size()); }
  double sd() const {
    if (x.size() < 2) return 0;
    const double m = mean();
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return std::sqrt(s / double(x.size() - 1));
  }
  double se() const { return x.empty() ? 0 : sd() / std::sqrt(double(x.size())); }
};

}  // namespace wom::theory

#include <cstdio>
#include <string>

namespace wom::theory {
/// Appends one line of theory-check figures to <build>/theory_report.txt (printed by
/// .ci/run) and returns it, so tests can also WARN it into their own output.
inline std::string report(const std::string& line) {
#ifdef WOM_BINARY_DIR
  if (std::FILE* f = std::fopen(WOM_BINARY_DIR "/theory_report.txt", "a")) {
    std::fputs((line + "\n").c_str(), f);
    std::fclose(f);
  }
#endif
  return line;
}
}  // namespace wom::theory

/// WARNs a formatted line of theory figures and records it in theory_report.txt.
#define THEORY_REPORT(...) WARN(::wom::theory::report(fmt::format(__VA_ARGS__)))
