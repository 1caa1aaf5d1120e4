// Typed plugin parameters, declared by each plugin and checked by the host.
//
// A plugin declares its parameters as a static array of ParamSpec. The host
// validates an experiment file against those specs before it reads any data,
// fills in defaults, and hands the plugin a Params that is known to be valid:
//
//   static const reclift::ParamSpec kParams[] = {
//       {"factors", reclift::ParamType::kInt, "64", 1, 4096, nullptr,
//        "number of latent factors"},
//       {"similarity", reclift::ParamType::kString, "cosine", 0, 0,
//        "cosine|pearson", "item-item similarity"},
//   };
//   ...
//   int factors = params.GetInt("factors");
//
// Thread-safety: Params is immutable once built; concurrent reads are safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "reclift/status.h"

namespace reclift {

enum class ParamType : int { kInt = 0, kFloat = 1, kBool = 2, kString = 3 };

inline const char* ParamTypeName(ParamType t) {
  switch (t) {
    case ParamType::kInt: return "integer";
    case ParamType::kFloat: return "float";
    case ParamType::kBool: return "boolean";
    case ParamType::kString: return "string";
  }
  return "?";
}

// One declared parameter. Plain data so that it can live in a plugin's static
// storage and be read by the host through the exported PluginInfo.
struct ParamSpec {
  const char* name;           // snake_case key used in the TOML file
  ParamType type;             // value type; an integer literal is accepted for a float
  const char* default_value;  // textual default: "64", "0.05", "true", "cosine"
  double min = -std::numeric_limits<double>::infinity();  // inclusive, numeric types only
  double max = std::numeric_limits<double>::infinity();   // inclusive, numeric types only
  const char* choices = nullptr;                          // strings only: "a|b|c", or nullptr for any string
  const char* doc = "";                                   // one line shown by `reclift plugins`
};

using ParamValue = std::variant<int64_t, double, bool, std::string>;

// Renders a value as it would be written in TOML: 64, 0.05, true, "cosine".
inline std::string ParamValueToString(const ParamValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return "\"" + std::get<std::string>(v) + "\"";
}

namespace detail {
inline std::vector<std::string_view> SplitChoices(const char* choices) {
  std::vector<std::string_view> out;
  if (choices == nullptr) return out;
  std::string_view s(choices);
  size_t start = 0;
  while (start <= s.size()) {
    size_t bar = s.find('|', start);
    if (bar == std::string_view::npos) bar = s.size();
    out.push_back(s.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

inline std::string FormatNumber(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

inline std::string ExpectedText(const ParamSpec& spec) {
  std::string text = std::string(spec.type == ParamType::kInt ? "an " : "a ") + ParamTypeName(spec.type);
  if (spec.type == ParamType::kInt || spec.type == ParamType::kFloat) {
    if (!std::isinf(spec.min) || !std::isinf(spec.max)) {
      text += " in [" + FormatNumber(spec.min) + ", " + FormatNumber(spec.max) + "]";
    }
  } else if (spec.type == ParamType::kString && spec.choices != nullptr) {
    text += " (one of " + std::string(spec.choices) + ")";
  }
  return text;
}
}  // namespace detail

// Checks one value against its spec and converts it to the spec's type
// (an integer given for a float parameter becomes a double).
// On error the message reads: parameter 'factors': expected an integer in
// [1, 4096], found -3
inline Status CheckParam(const ParamSpec& spec, ParamValue& value) {
  auto fail = [&](const std::string& found) {
    return Status::InvalidArgument("parameter '" + std::string(spec.name) + "': expected " +
                                   detail::ExpectedText(spec) + ", found " + found);
  };
  switch (spec.type) {
    case ParamType::kInt: {
      auto* i = std::get_if<int64_t>(&value);
      if (i == nullptr) return fail(ParamValueToString(value));
      if (static_cast<double>(*i) < spec.min || static_cast<double>(*i) > spec.max) {
        return fail(std::to_string(*i));
      }
      return Status::Ok();
    }
    case ParamType::kFloat: {
      if (auto* i = std::get_if<int64_t>(&value)) value = static_cast<double>(*i);
      auto* d = std::get_if<double>(&value);
      if (d == nullptr) return fail(ParamValueToString(value));
      if (!std::isfinite(*d) || *d < spec.min || *d > spec.max) return fail(detail::FormatNumber(*d));
      return Status::Ok();
    }
    case ParamType::kBool:
      if (!std::holds_alternative<bool>(value)) return fail(ParamValueToString(value));
      return Status::Ok();
    case ParamType::kString: {
      auto* s = std::get_if<std::string>(&value);
      if (s == nullptr) return fail(ParamValueToString(value));
      auto choices = detail::SplitChoices(spec.choices);
      if (choices.empty()) return Status::Ok();
      for (auto c : choices) {
        if (c == *s) return Status::Ok();
      }
      return fail("\"" + *s + "\"");
    }
  }
  return Status::Internal("unknown parameter type");
}

// Parses a spec's textual default into a value of the spec's type.
inline Status ParseParamDefault(const ParamSpec& spec, ParamValue& out) {
  std::string text = spec.default_value ? spec.default_value : "";
  try {
    switch (spec.type) {
      case ParamType::kInt: {
        size_t pos = 0;
        long long v = std::stoll(text, &pos);
        if (pos != text.size()) throw std::invalid_argument(text);
        out = static_cast<int64_t>(v);
        break;
      }
      case ParamType::kFloat: {
        size_t pos = 0;
        double v = std::stod(text, &pos);
        if (pos != text.size()) throw std::invalid_argument(text);
        out = v;
        break;
      }
      case ParamType::kBool:
        if (text != "true" && text != "false") throw std::invalid_argument(text);
        out = (text == "true");
        break;
      case ParamType::kString: out = text; break;
    }
  } catch (const std::exception&) {
    return Status::Internal("parameter '" + std::string(spec.name) + "': default '" + text + "' is not " +
                            detail::ExpectedText(spec));
  }
  return CheckParam(spec, out);
}

// A complete, validated set of parameter values: every declared parameter has
// a value (the plugin's default unless the experiment set it).
class Params {
 public:
  Params() = default;

  // Builds the parameters from declared specs plus explicit values.
  // Unknown names, wrong types and out-of-range values are errors; the
  // message names the parameter, what was expected and what was found.
  static Status Build(std::span<const ParamSpec> specs, const std::map<std::string, ParamValue>& given,
                      Params& out) {
    Params p;
    for (const auto& [name, value] : given) {
      bool known = false;
      for (const auto& spec : specs) known = known || name == spec.name;
      if (!known) return Status::InvalidArgument("unknown parameter '" + name + "'");
    }
    for (const auto& spec : specs) {
      ParamValue v;
      auto it = given.find(spec.name);
      if (it != given.end()) {
        v = it->second;
        RECLIFT_RETURN_IF_ERROR(CheckParam(spec, v));
      } else {
        RECLIFT_RETURN_IF_ERROR(ParseParamDefault(spec, v));
      }
      p.values_[spec.name] = std::move(v);
    }
    out = std::move(p);
    return Status::Ok();
  }

  bool Has(std::string_view name) const { return values_.find(std::string(name)) != values_.end(); }
  int64_t GetInt(std::string_view name) const { return std::get<int64_t>(At(name)); }
  double GetFloat(std::string_view name) const { return std::get<double>(At(name)); }
  bool GetBool(std::string_view name) const { return std::get<bool>(At(name)); }
  const std::string& GetString(std::string_view name) const { return std::get<std::string>(At(name)); }
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& At(std::string_view name) const {
    auto it = values_.find(std::string(name));
    if (it == values_.end()) throw std::out_of_range("undeclared parameter '" + std::string(name) + "'");
    return it->second;
  }
  std::map<std::string, ParamValue> values_;
};

}  // namespace reclift
