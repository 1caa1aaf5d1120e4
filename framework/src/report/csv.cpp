// CSV renderers: aggregates (one row per arm x population x metric, with the
// comparison against control alongside), per-user values, and the scenario
// sections in long format.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "report/format.h"
#include "report/render.h"
#include "report/tuning_section.h"

namespace reclift::host {
namespace {

using report::ArmNames;
using report::ArrayAt;
using report::CsvField;
using report::CsvValue;
using report::Find;
using report::Json;
using report::ObjectAt;
using report::OrderedKeys;
using report::SortByCutoff;
using report::StringAt;
using report::StringsAt;

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

std::string Header(std::initializer_list<const char*> names) {
  std::string out;
  AppendRow(out, std::vector<std::string>(names.begin(), names.end()));
  return out;
}

std::string Bool(bool value) {
  return value ? "true" : "false";
}

// A scenario section that ran: an object without "error".
const Json* RanSection(const Json& results, std::string_view key) {
  const Json* section = Find(results, key);
  if (section == nullptr || !section->is_object() || Find(*section, "error") != nullptr) return nullptr;
  return section;
}

const Json* Element(const Json& array, size_t i) {
  return i < array.size() ? &array[i] : nullptr;
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

std::string RenderColdStartUsersCsv(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderColdStartUsersCsv");
  std::string out =
      Header({"arm", "mode", "shots", "metric", "mean", "ci_low", "ci_high", "n", "status", "error",
              "reference", "overtakes_reference_at", "significantly_overtakes_reference_at"});
  const Json* section = RanSection(results, "cold_start_users");
  if (section == nullptr) return out;
  const Json& shots = ArrayAt(*section, "shots");
  const std::string metric =
      CsvField(StringAt(*section, "metric", StringAt(ObjectAt(results, "ab"), "primary_metric")));
  const std::string reference = StringAt(*section, "reference");
  const std::vector<std::string> declared = ArmNames(results);
  for (const Json& mode : ArrayAt(*section, "modes")) {
    const std::string mode_name = CsvField(StringAt(mode, "mode"));
    const Json& arms = ObjectAt(mode, "arms");
    for (const std::string& arm : OrderedKeys(arms, declared)) {
      const Json& values = arms[arm];
      const bool is_reference = !reference.empty() && arm == reference;
      const std::string status = StringAt(values, "status", "ok");
      // Arm-level columns repeat on each of the arm's rows.
      std::string tail =
          CsvField(status) + ',' + CsvField(StringAt(values, "error")) + ',' + Bool(is_reference);
      for (const char* key : {"overtakes_reference_at", "significantly_overtakes_reference_at"}) {
        tail += ',';
        if (!is_reference && status == "ok") tail += CsvValue(Find(values, key));
      }
      for (size_t i = 0; i < shots.size(); ++i) {
        std::vector<std::string> fields = {CsvField(arm), mode_name, CsvValue(&shots[i]), metric};
        for (const char* key : {"mean", "ci_low", "ci_high", "n"}) {
          fields.push_back(CsvValue(Element(ArrayAt(values, key), i)));
        }
        fields.push_back(tail);
        AppendRow(out, fields);
      }
    }
  }
  return out;
}

std::string RenderColdStartItemsCsv(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderColdStartItemsCsv");
  std::string out = Header({"arm", "group", "metric", "mean", "ci_low", "ci_high", "n", "status", "error",
                            "plugin", "uses_item_features"});
  const Json* section = RanSection(results, "cold_start_items");
  if (section == nullptr) return out;
  std::vector<std::string> overall_order = StringsAt(*section, "metrics");
  for (const std::string& name : ColumnNames(results)) {
    if (std::find(overall_order.begin(), overall_order.end(), name) == overall_order.end())
      overall_order.push_back(name);
  }
  const std::vector<std::string> new_item_order = StringsAt(*section, "new_item_metrics");

  const Json& arms = ArrayAt(*section, "arms");
  std::vector<const Json*> ordered;
  for (const std::string& name : ArmNames(results)) {
    for (const Json& arm : arms) {
      if (StringAt(arm, "name") == name) ordered.push_back(&arm);
    }
  }
  for (const Json& arm : arms) {
    if (std::find(ordered.begin(), ordered.end(), &arm) == ordered.end()) ordered.push_back(&arm);
  }
  for (const Json* arm : ordered) {
    const Json* uses = Find(*arm, "uses_item_features");
    const std::string tail = CsvField(StringAt(*arm, "status", "ok")) + ',' +
                             CsvField(StringAt(*arm, "error")) + ',' + CsvField(StringAt(*arm, "plugin")) +
                             ',' + (uses != nullptr && uses->is_boolean() ? Bool(uses->get<bool>()) : "");
    const std::string name = CsvField(StringAt(*arm, "name"));
    bool any = false;
    auto emit = [&](const char* group, const Json& metrics, std::vector<std::string> keys, bool summaries) {
      for (const std::string& metric : keys) {
        const Json& value = metrics[metric];
        std::vector<std::string> fields = {name, group, CsvField(metric)};
        if (summaries) {
          for (const char* key : kSummaryFields) fields.push_back(CsvValue(Find(value, key)));
        } else {
          fields.insert(fields.end(), {CsvValue(&value), "", "", ""});
        }
        fields.push_back(tail);
        AppendRow(out, fields);
        any = true;
      }
    };
    const Json& new_items = ObjectAt(*arm, "new_items");
    emit("new_items", new_items, OrderedKeys(new_items, new_item_order), true);
    for (const char* group : {"new_item_share", "new_item_coverage"}) {
      const Json& metrics = ObjectAt(*arm, group);
      std::vector<std::string> keys = OrderedKeys(metrics, {});
      SortByCutoff(keys);
      emit(group, metrics, keys, group == std::string_view("new_item_share"));
    }
    const Json& overall = ObjectAt(*arm, "overall");
    emit("overall", overall, OrderedKeys(overall, overall_order), true);
    if (!any) AppendRow(out, {name, "", "", "", "", "", "", tail});
  }
  return out;
}

std::string RenderDiversityCsv(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderDiversityCsv");
  std::string out =
      Header({"arm", "reranker", "similarity", "candidates", "lambda", "users", "metric", "value", "ci_low",
              "ci_high", "higher_is_better", "is_accuracy", "pareto_best", "status", "error"});
  const Json* section = RanSection(results, "diversity");
  if (section == nullptr) return out;
  const std::string accuracy =
      StringAt(*section, "accuracy", StringAt(ObjectAt(results, "ab"), "primary_metric"));
  std::vector<std::string> metric_order = StringsAt(*section, "metrics");
  if (metric_order.empty()) {  // a section without its list: every numeric key of the points
    for (const Json& point : ArrayAt(*section, "points")) {
      if (!point.is_object()) continue;
      for (const auto& [key, value] : point.items()) {
        if (key == "lambda" || key == "users" || key == "candidates" || !value.is_number()) continue;
        if (std::find(metric_order.begin(), metric_order.end(), key) == metric_order.end())
          metric_order.push_back(key);
      }
    }
  }
  const Json& directions = ObjectAt(*section, "higher_is_better");
  const Json& runs = ArrayAt(*section, "runs");
  auto candidates_of = [&](const Json& point) -> const Json* {
    for (const Json& run : runs) {
      if (StringAt(run, "reranker") == StringAt(point, "reranker") &&
          StringAt(run, "similarity") == StringAt(point, "similarity")) {
        return Find(run, "candidates");
      }
    }
    return nullptr;
  };
  for (const Json& point : ArrayAt(*section, "points")) {
    const std::vector<std::string> head = {
        CsvField(StringAt(point, "arm")),        CsvField(StringAt(point, "reranker")),
        CsvField(StringAt(point, "similarity")), CsvValue(candidates_of(point)),
        CsvValue(Find(point, "lambda")),         CsvValue(Find(point, "users"))};
    const Json& ci = ObjectAt(point, "ci");
    const Json& pareto = ArrayAt(point, "pareto_best");
    // The metrics this point carries (a re-ranker's own, such as
    // miscalibration, are not on the others' points), in the section's order.
    std::vector<std::string> metrics;
    for (const std::string& name : metric_order) {
      if (point.is_object() && point.contains(name)) metrics.push_back(name);
    }
    for (const std::string& metric : metrics) {
      std::vector<std::string> fields = head;
      fields.push_back(CsvField(metric));
      fields.push_back(CsvValue(Find(point, metric)));
      const Json* interval = Find(ci, metric);
      const bool has_interval = interval != nullptr && interval->is_array() && interval->size() == 2;
      fields.push_back(has_interval ? CsvValue(&(*interval)[0]) : "");
      fields.push_back(has_interval ? CsvValue(&(*interval)[1]) : "");
      fields.push_back(CsvValue(Find(directions, metric)));
      const bool is_accuracy = metric == accuracy;
      fields.push_back(Bool(is_accuracy));
      fields.push_back(
          is_accuracy ? "" : Bool(std::find(pareto.begin(), pareto.end(), Json(metric)) != pareto.end()));
      fields.push_back("ok");
      fields.push_back("");
      AppendRow(out, fields);
    }
  }
  const Json& arms = ObjectAt(*section, "arms");
  for (const std::string& arm : OrderedKeys(arms, ArmNames(results))) {
    const std::string status = StringAt(arms[arm], "status", "ok");
    if (status == "ok") continue;
    AppendRow(out, {CsvField(arm), "", "", "", "", "", "", "", "", "", "", "", "", CsvField(status),
                    CsvField(StringAt(arms[arm], "error"))});
  }
  for (const Json& run : runs) {
    const std::string error = StringAt(run, "error");
    if (error.empty()) continue;
    AppendRow(out, {"", CsvField(StringAt(run, "reranker")), CsvField(StringAt(run, "similarity")),
                    CsvValue(Find(run, "candidates")), "", "", "", "", "", "", "", "", "", "failed",
                    CsvField(error)});
  }
  return out;
}

std::vector<ReportFile> RenderScenarioCsvs(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderScenarioCsvs");
  std::vector<ReportFile> files;
  auto has = [&](std::string_view key) {
    const Json* section = Find(results, key);
    return section != nullptr && section->is_object();
  };
  if (has("cold_start_users")) files.push_back({"cold_start_users.csv", RenderColdStartUsersCsv(results)});
  if (has("cold_start_items")) files.push_back({"cold_start_items.csv", RenderColdStartItemsCsv(results)});
  if (has("diversity")) files.push_back({"diversity.csv", RenderDiversityCsv(results)});
  if (has("tuning")) files.push_back({"tuning.csv", RenderTuningCsv(results)});  // report/tuning_section.h
  return files;
}

}  // namespace reclift::host
