#include "report/format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "results/results.h"
#include "util/error.h"

namespace reclift::host::report {

void CheckSchema(const Json& results, std::string_view renderer) {
  if (!results.is_object()) {
    throw Error(
        fmt::format("{}: expected a results.json object, got a JSON {}", renderer, results.type_name()));
  }
  const Json* version = Find(results, "schema_version");
  if (version == nullptr || !version->is_number_integer()) {
    throw Error(fmt::format("{}: not a reclift results document (no integer \"schema_version\")", renderer));
  }
  if (version->get<int>() != kResultsSchemaVersion) {
    throw Error(fmt::format("{}: results.json has schema version {}, this reclift reads version {}", renderer,
                            version->get<int>(), kResultsSchemaVersion));
  }
}

const Json* Find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

double NumberAt(const Json& object, std::string_view key) {
  const Json* value = Find(object, key);
  return value != nullptr && value->is_number() ? value->get<double>()
                                                : std::numeric_limits<double>::quiet_NaN();
}

std::string StringAt(const Json& object, std::string_view key, std::string_view fallback) {
  const Json* value = Find(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string(fallback);
}

const Json& ArrayAt(const Json& object, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json* value = Find(object, key);
  return value != nullptr && value->is_array() ? *value : kEmpty;
}

const Json& ObjectAt(const Json& object, std::string_view key) {
  static const Json kEmpty = Json::object();
  const Json* value = Find(object, key);
  return value != nullptr && value->is_object() ? *value : kEmpty;
}

std::vector<std::string> OrderedKeys(const Json& object, const std::vector<std::string>& preferred) {
  std::vector<std::string> keys;
  if (!object.is_object()) return keys;
  for (const std::string& key : preferred) {
    if (object.contains(key)) keys.push_back(key);
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> ArmNames(const Json& results) {
  std::vector<std::string> names;
  for (const Json& arm : ArrayAt(results, "arms")) names.push_back(StringAt(arm, "name"));
  return names;
}

std::vector<std::string> StringsAt(const Json& object, std::string_view key) {
  std::vector<std::string> out;
  for (const Json& value : ArrayAt(object, key)) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

void SortByCutoff(std::vector<std::string>& names) {
  auto split = [](const std::string& name) {
    const size_t at = name.rfind('@');
    if (at == std::string::npos) return std::pair<std::string_view, long>(name, -1);
    return std::pair<std::string_view, long>(std::string_view(name).substr(0, at),
                                             std::strtol(name.c_str() + at + 1, nullptr, 10));
  };
  std::stable_sort(names.begin(), names.end(),
                   [&](const std::string& x, const std::string& y) { return split(x) < split(y); });
}

namespace {

std::string ComparisonKey(std::string_view treatment, std::string_view metric, std::string_view profiler,
                          std::string_view segment) {
  // \x1f (unit separator) cannot be confused with characters of names.
  return fmt::format("{}\x1f{}\x1f{}\x1f{}", treatment, metric, profiler, segment);
}

}  // namespace

ComparisonIndex::ComparisonIndex(const Json& results) {
  for (const Json& row : ArrayAt(ObjectAt(results, "ab"), "comparisons")) {
    const std::string key = ComparisonKey(StringAt(row, "treatment"), StringAt(row, "metric"),
                                          StringAt(row, "profiler"), StringAt(row, "segment"));
    rows_.emplace(key, &row);  // the first row of a key wins
  }
}

const Json* ComparisonIndex::Get(std::string_view treatment, std::string_view metric,
                                 std::string_view profiler, std::string_view segment) const {
  const auto it = rows_.find(ComparisonKey(treatment, metric, profiler, segment));
  return it == rows_.end() ? nullptr : it->second;
}

std::string FormatMetric(double x) {
  if (!std::isfinite(x)) return std::string(kMissing);
  const double magnitude = std::fabs(x);
  if (x == 0 || (magnitude >= 1e-3 && magnitude < 1e6)) return fmt::format("{:.4f}", x);
  return fmt::format("{:.3e}", x);
}

std::string FormatSignedMetric(double x) {
  if (!std::isfinite(x)) return std::string(kMissing);
  if (x == 0) return FormatMetric(0.0);
  return (x > 0 ? "+" : "") + FormatMetric(x);
}

std::string FormatSignedPercent(double ratio) {
  if (!std::isfinite(ratio)) return std::string(kMissing);
  const double percent = 100 * ratio;
  if (std::fabs(percent) >= 1000) return fmt::format("{:+.0f}%", percent);
  return fmt::format("{:+.1f}%", percent);
}

std::string FormatPValue(double p) {
  if (!std::isfinite(p)) return std::string(kMissing);
  if (p < 1e-4) return "<1e-4";
  return fmt::format("{:.4f}", p);
}

std::string FormatCount(double count) {
  if (!std::isfinite(count)) return std::string(kMissing);
  const std::string digits = fmt::format("{:.0f}", std::fabs(count));
  std::string out = count < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string EscapeMarkdown(std::string_view text) {
  // ASCII punctuation that starts emphasis, code, links, HTML, tables,
  // headings, strike-through, entities or math; a backslash before any ASCII
  // punctuation is a literal in CommonMark, so over-escaping is harmless.
  constexpr std::string_view kSpecial = "\\`*_[]<>|#~&$";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += ' ';
      continue;
    }
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvValue(const Json* value) {
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return CsvField(value->get_ref<const std::string&>());
  if (value->is_boolean()) return value->get<bool>() ? "true" : "false";
  if (value->is_number_unsigned()) return fmt::format("{}", value->get<uint64_t>());
  if (value->is_number_integer()) return fmt::format("{}", value->get<int64_t>());
  if (value->is_number_float()) {
    const double x = value->get<double>();
    return std::isfinite(x) ? fmt::format("{}", x) : "";
  }
  return CsvField(value->dump());  // an object or array: keep it readable
}

ResultsView::ResultsView(const Json& r) : results(r), ab(ObjectAt(r, "ab")), comparisons(r) {
  for (const Json& column : ArrayAt(r, "columns")) {
    const Json* higher = Find(column, "higher_is_better");
    const Json* directional = Find(column, "directional");
    columns.push_back({StringAt(column, "name"),
                       higher == nullptr || !higher->is_boolean() || higher->get<bool>(),
                       StringAt(column, "aggregation", "mean") == "mean",
                       directional == nullptr || !directional->is_boolean() || directional->get<bool>()});
  }
  control = StringAt(ab, "control");
  for (const Json& arm : ArrayAt(r, "arms")) {
    if (StringAt(arm, "status", "ok") == "failed") {
      failed_arms.push_back(&arm);
      continue;
    }
    ok_arms.push_back(&arm);
    if (StringAt(arm, "name") == control) {
      control_arm = &arm;
    } else {
      treatments.push_back(&arm);
    }
  }
  primary = StringAt(ab, "primary_metric");
  if (primary.empty() && !columns.empty()) primary = columns.front().name;
  const double a = NumberAt(ab, "alpha");
  if (a > 0 && a < 1) alpha = a;
  corrected = StringAt(ab, "correction", "none") != "none";
  confidence = fmt::format("{:g}%", std::round((1 - alpha) * 100 * 1e4) / 1e4);
}

const ResultsColumn* ResultsView::FindColumn(std::string_view name) const {
  for (const ResultsColumn& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

}  // namespace reclift::host::report
