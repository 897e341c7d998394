#pragma once
namespace wom {
/// Registers every model of models/ with wom::Registry::instance(). Idempotent.
void register_models();
}  // namespace wom
