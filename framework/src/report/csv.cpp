// CSV renderers: aggregates (one row per arm x population x metric, with the
// comparison against control alongside) and per-user values.
#include <algorithm>
#include <string>
#include <vector>

#include "report/format.h"
#include "report/render.h"

namespace reclift::host {
namespace {

using report::ArrayAt;
using report::CsvField;
using report::CsvValue;
using report::Find;
using report::Json;
using report::ObjectAt;
using report::OrderedKeys;
using report::StringAt;

constexpr const char* kSummaryFields[] = {"mean", "ci_low", "ci_high", "n"};
constexpr const char* kComparisonFields[] = {"lift",          "lift_ci_low",          "lift_ci_high",
                                             "relative_lift", "relative_lift_ci_low", "relative_lift_ci_high",
                                             "p_value_t",     "p_value_wilcoxon",     "p_value_adjusted",
                                             "verdict"};

std::vector<std::string> ColumnNames(const Json& results) {
  std::vector<std::string> names;
  for (const Json& column : ArrayAt(results, "columns")) names.push_back(StringAt(column, "name"));
  return names;
}

std::vector<std::string> ProfilerNames(const Json& results) {
  std::vector<std::string> names;
  for (const Json& profiler : ArrayAt(results, "profilers")) names.push_back(StringAt(profiler, "name"));
  return names;
}

const Json* FindProfiler(const Json& results, std::string_view name) {
  for (const Json& profiler : ArrayAt(results, "profilers")) {
    if (StringAt(profiler, "name") == name) return &profiler;
  }
  return nullptr;
}

std::vector<std::string> SegmentNames(const Json* profiler) {
  std::vector<std::string> names;
  if (profiler == nullptr) return names;
  for (const Json& segment : ArrayAt(*profiler, "segments")) {
    names.push_back(segment.is_string() ? segment.get<std::string>() : segment.dump());
  }
  return names;
}

void AppendRow(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += fields[i];
  }
  out += '\n';
}

}  // namespace

std::string RenderAggregateCsv(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderAggregateCsv");
  const std::vector<std::string> columns = ColumnNames(results);
  const std::vector<std::string> profilers = ProfilerNames(results);
  const report::ComparisonIndex comparisons(results);

  std::string out;
  std::vector<std::string> header = {"arm", "profiler", "segment", "metric"};
  header.insert(header.end(), std::begin(kSummaryFields), std::end(kSummaryFields));
  header.insert(header.end(), std::begin(kComparisonFields), std::end(kComparisonFields));
  AppendRow(out, header);

  for (const Json& arm : ArrayAt(results, "arms")) {
    const std::string arm_name = StringAt(arm, "name");
    auto emit = [&](const Json& metrics, const std::string& profiler, const std::string& segment) {
      for (const std::string& metric : OrderedKeys(metrics, columns)) {
        const Json& summary = metrics[metric];
        std::vector<std::string> fields = {CsvField(arm_name), CsvField(profiler), CsvField(segment),
                                           CsvField(metric)};
        for (const char* key : kSummaryFields) fields.push_back(CsvValue(Find(summary, key)));
        const Json* comparison = comparisons.Get(arm_name, metric, profiler, segment);
        for (const char* key : kComparisonFields) {
          fields.push_back(comparison == nullptr ? "" : CsvValue(Find(*comparison, key)));
        }
        AppendRow(out, fields);
      }
    };
    emit(ObjectAt(arm, "metrics"), "", "");
    const Json& segments = ObjectAt(arm, "segments");
    for (const std::string& profiler : OrderedKeys(segments, profilers)) {
      const Json& by_segment = ObjectAt(segments, profiler);
      for (const std::string& segment :
           OrderedKeys(by_segment, SegmentNames(FindProfiler(results, profiler)))) {
        emit(ObjectAt(by_segment, segment), profiler, segment);
      }
    }
  }
  return out;
}

std::string RenderPerUserCsv(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderPerUserCsv");
  const Json& per_user = ObjectAt(results, "per_user");
  const Json& users = ArrayAt(per_user, "users");
  const Json& arm_values = ObjectAt(per_user, "arms");

  std::vector<std::string> arm_order;
  for (const Json& arm : ArrayAt(results, "arms")) arm_order.push_back(StringAt(arm, "name"));
  const std::vector<std::string> arms = OrderedKeys(arm_values, arm_order);

  // Metric columns: every column any arm has per-user values for, in the
  // declared order (list-level metrics have none and are left out).
  std::vector<std::string> metrics;
  {
    std::vector<std::string> candidates = ColumnNames(results);
    for (const std::string& arm : arms) {
      for (const std::string& key : OrderedKeys(ObjectAt(arm_values, arm), {})) candidates.push_back(key);
    }
    for (const std::string& name : candidates) {
      if (std::find(metrics.begin(), metrics.end(), name) != metrics.end()) continue;
      for (const std::string& arm : arms) {
        if (Find(ObjectAt(arm_values, arm), name) != nullptr) {
          metrics.push_back(name);
          break;
        }
      }
    }
  }
  const Json& segment_indices = ObjectAt(per_user, "segments");
  const std::vector<std::string> profilers = OrderedKeys(segment_indices, ProfilerNames(results));
  std::vector<std::vector<std::string>> segment_labels;
  for (const std::string& profiler : profilers) {
    std::vector<std::string> labels;
    for (const std::string& name : SegmentNames(FindProfiler(results, profiler)))
      labels.push_back(CsvField(name));
    segment_labels.push_back(std::move(labels));
  }

  // Resolve every array once: the rows below are users x arms x metrics.
  std::vector<std::vector<const Json*>> values(arms.size(),
                                               std::vector<const Json*>(metrics.size(), nullptr));
  for (size_t a = 0; a < arms.size(); ++a) {
    for (size_t m = 0; m < metrics.size(); ++m) {
      const Json* array = Find(ObjectAt(arm_values, arms[a]), metrics[m]);
      if (array != nullptr && array->is_array()) values[a][m] = array;
    }
  }
  std::vector<const Json*> segment_arrays;
  for (const std::string& profiler : profilers) segment_arrays.push_back(&ArrayAt(segment_indices, profiler));

  std::string out;
  std::vector<std::string> header = {"user", "arm"};
  for (const std::string& metric : metrics) header.push_back(CsvField(metric));
  for (const std::string& profiler : profilers) header.push_back(CsvField(profiler));
  AppendRow(out, header);

  auto element = [](const Json* array, size_t i) -> const Json* {
    return array != nullptr && i < array->size() ? &(*array)[i] : nullptr;
  };
  std::vector<std::string> arm_fields;
  for (const std::string& arm : arms) arm_fields.push_back(CsvField(arm));
  std::vector<std::string> segments_of_user(profilers.size());
  for (size_t u = 0; u < users.size(); ++u) {
    for (size_t p = 0; p < profilers.size(); ++p) {
      const Json* index = element(segment_arrays[p], u);
      segments_of_user[p].clear();
      if (index != nullptr && index->is_number_integer()) {
        const auto i = index->get<int64_t>();
        if (i >= 0 && static_cast<size_t>(i) < segment_labels[p].size())
          segments_of_user[p] = segment_labels[p][i];
      }
    }
    const std::string user = CsvValue(&users[u]);
    for (size_t a = 0; a < arms.size(); ++a) {
      out += user;
      out += ',';
      out += arm_fields[a];
      for (size_t m = 0; m < metrics.size(); ++m) {
        out += ',';
        out += CsvValue(element(values[a][m], u));
      }
      for (const std::string& segment : segments_of_user) {
        out += ',';
        out += segment;
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace reclift::host
