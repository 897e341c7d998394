#include "models/registry.hpp"

#include "models/bass/bass.hpp"
#include "models/independent_cascade/independent_cascade.hpp"
#include "models/linear_threshold/linear_threshold.hpp"
#include "models/service_wom/service_wom.hpp"
#include "models/sir/sir.hpp"
#include "sim/core/model.hpp"

namespace wom {

void register_models() {
  auto& r = Registry::instance();
  if (!r.all().empty()) return;
  // One line per model.
  r.add(models::bass_info());
  r.add(models::independent_cascade_info());
  r.add(models::sir_info());
  r.add(models::linear_threshold_info());
  r.add(models::service_wom_info());
}

}  // namespace wom
