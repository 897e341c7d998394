#include "registry.hpp"

#include "bass/bass.hpp"
#include "independent_cascade/independent_cascade.hpp"
#include "linear_threshold/linear_threshold.hpp"
#include "model.hpp"
#include "service_wom/service_wom.hpp"
#include "sir/sir.hpp"

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
