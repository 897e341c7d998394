#pragma once
/// Typed, validated model parameters and their specifications.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace wom {

enum class ParamType { Real, Int, Bool, String };

/// One parameter of a model: key relative to `params.`, type, default, unit, valid range
/// and source. Ranges are closed unless `lo_open`/`hi_open`.
struct ParamSpec {
  std::string key;
  ParamType type = ParamType::Real;
  std::string unit;
  std::string help;
  std::string source = "assumption";
  bool has_default = true;  ///< false: optional, or required when `required`
  bool required = false;
  double def = 0;       ///< default for Real/Int/Bool (Bool: 0/1)
  std::string def_str;  ///< default for String
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  std::vector<std::string> choices;  ///< String: allowed values (empty = any)

  /// "[0, 1]", "(0, inf)", "one of: a, b".
  std::string range_text() const;
  bool in_range(double v) const;
};

using ParamValue = std::variant<double, std::int64_t, bool, std::string>;

/// Validated values, keyed by the spec key. Every key with a default is present.
class Params {
 public:
  void set(const std::string& key, ParamValue v) { values_[key] = std::move(v); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  double real(const std::string& key) const;  ///< Real or Int, as double
  std::int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& str(const std::string& key) const;
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& at(const std::string& key) const;
  std::map<std::string, ParamValue> values_;
};

/// The default of a parameter that has one, as a typed value.
ParamValue default_value(const ParamSpec& s);

/// Every parameter that has a default, set to it (optional parameters stay absent).
Params default_params(const std::vector<ParamSpec>& specs);

/// Builders that keep model headers short.
ParamSpec real_param(std::string key, double def, double lo, double hi, std::string unit, std::string help,
                     std::string source = "assumption");
ParamSpec int_param(std::string key, std::int64_t def, double lo, double hi, std::string unit, std::string help,
                    std::string source = "assumption");
ParamSpec optional_param(ParamSpec s);  ///< removes the default: key may be absent

}  // namespace wom
