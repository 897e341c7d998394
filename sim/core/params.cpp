#include "sim/core/params.hpp"

#include <fmt/format.h>
#include <cmath>

#include "sim/core/error.hpp"

namespace wom {

namespace {
std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}
}  // namespace

std::string ParamSpec::range_text() const {
  if (type == ParamType::Bool) return "true or false";
  if (type == ParamType::String) {
    if (choices.empty()) return "a string";
    std::string s = "one of: ";
    for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
    return s;
  }
  return fmt::format("{}{}, {}{}{}", lo_open ? "(" : "[", num(lo), num(hi), hi_open ? ")" : "]",
                     type == ParamType::Int ? " (integer)" : "");
}

bool ParamSpec::in_range(double v) const {
  if (std::isnan(v)) return false;
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  if (hi_open ? !(v < hi) : !(v <= hi)) return false;
  return true;
}

const ParamValue& Params::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error(fmt::format("parameter 'params.{}' is not set", key));
  return it->second;
}
double Params::real(const std::string& key) const {
  const auto& v = at(key);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&v)) return double(*i);
  throw Error(fmt::format("parameter 'params.{}' is not a number", key));
}
std::int64_t Params::integer(const std::string& key) const {
  const auto& v = at(key);
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return std::int64_t(*d);
  throw Error(fmt::format("parameter 'params.{}' is not an integer", key));
}
bool Params::boolean(const std::string& key) const {
  if (auto* b = std::get_if<bool>(&at(key))) return *b;
  throw Error(fmt::format("parameter 'params.{}' is not a boolean", key));
}
const std::string& Params::str(const std::string& key) const {
  if (auto* s = std::get_if<std::string>(&at(key))) return *s;
  throw Error(fmt::format("parameter 'params.{}' is not a string", key));
}

ParamValue default_value(const ParamSpec& s) {
  switch (s.type) {
    case ParamType::Bool:
      return s.def != 0;
    case ParamType::Int:
      return std::int64_t(s.def);
    case ParamType::String:
      return s.def_str;
    case ParamType::Real:
      break;
  }
  return s.def;
}

Params default_params(const std::vector<ParamSpec>& specs) {
  Params p;
  for (const auto& s : specs)
    if (s.has_default) p.set(s.key, default_value(s));
  return p;
}

ParamSpec real_param(std::string key, double def, double lo, double hi, std::string unit, std::string help,
                     std::string source) {
  ParamSpec s;
  s.key = std::move(key);
  s.type = ParamType::Real;
  s.def = def;
  s.lo = lo;
  s.hi = hi;
  s.unit = std::move(unit);
  s.help = std::move(help);
  s.source = std::move(source);
  return s;
}
ParamSpec int_param(std::string key, std::int64_t def, double lo, double hi, std::string unit, std::string help,
                    std::string source) {
  ParamSpec s = real_param(std::move(key), double(def), lo, hi, std::move(unit), std::move(help), std::move(source));
  s.type = ParamType::Int;
  return s;
}
ParamSpec optional_param(ParamSpec s) {
  s.has_default = false;
  return s;
}

}  // namespace wom
