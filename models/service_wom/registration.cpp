// Registration of service_wom (ModelInfo): its parameters, measures, offers and metrics, the
// memory per person and per arc, the configuration check, the graph warnings and the factory.
#include <fmt/format.h>
#include <memory>

#include "models/service_wom/model.hpp"

namespace wom::models {

ModelInfo service_wom_info() {
  ModelInfo m;
  m.name = "service_wom";
  m.summary =
      "customer service and word of mouth: problems, complaint handling (argue vs acknowledge), stories over strong "
      "and weak ties, tweets, reviews, churn, acquisition and customer value (rates per year, time.step_days)";
  m.citation =
      "TARP (1986); Goldenberg, Libai & Muller (2001) Marketing Letters 12(3):211-223; Gupta & Lehmann (2003); "
      "see models/service_wom/README.md";
  m.supports_complete_graph = true;
  m.step_in_days = true;  // rates per year; RunContext::dt = time.step_days
  m.params = swom::service_wom_params();
  m.measures = service_wom_measures();
  m.offers = service_wom_offers();
  m.bytes_per_agent = 80;  // 65 bytes of state measured, plus the sweep's per-block scratch
  m.bytes_per_arc = 6;     // 5.6 measured (bookings of tellings)
  m.metrics = [](const Params& p, const Trajectory& tr, double step_days) {
    const auto s = service_wom_summary(p, tr, step_days);
    return std::vector<std::pair<std::string, double>>(s.begin(), s.end());
  };
  m.check = [](const Params& p) {
    (void)swom::read_config(p);  // every key present with its type
    // One terminal rule: pinning r without c would give every what-if the same retention after
    // the horizon but charge each its own continuing costs (and the reverse), a biased return.
    if (p.has("economics.terminal_retention") != p.has("economics.terminal_cost_per_customer_year"))
      throw Error(
          "params.economics.terminal_retention and params.economics.terminal_cost_per_customer_year pin the terminal "
          "value's rule together: set both, or neither (each run then measures its own)");
  };
  // A teller reaches at most its out-degree: say how much of the intended reach is lost.
  m.graph_warnings = [](const Params& p, const Graph& g) {
    std::vector<std::string> out;
    if (g.complete || g.n == 0 || !p.boolean("channels.talk")) return out;
    for (const char* key : {"talk.reach_negative", "talk.reach_positive"}) {
      const double reach = p.real(key);
      if (reach <= 0) continue;
      double carried = 0;
      std::uint64_t short_of = 0;
      for (vid v = 0; v < g.n; ++v) {
        const double k = double(g.out_degree(v));
        carried += std::min(reach, k);
        short_of += k < reach;
      }
      const double lost = 1.0 - carried / (reach * double(g.n));
      if (lost > 0.05)  // a few percent is within the noise of any calibration
        out.push_back(fmt::format(
            "params.{} = {} exceeds the out-degree of {:.0f} % of persons (mean out-degree "
            "{:.1f}): they can tell at most their out-degree, so {:.0f} % of the intended "
            "first-hand listeners are lost",
            key, reach, 100.0 * double(short_of) / double(g.n), double(g.num_arcs()) / double(g.n), 100.0 * lost));
    }
    return out;
  };
  m.make = [](const Params& p) { return std::make_unique<swom::ServiceWom>(p); };
  return m;
}

}  // namespace wom::models
