// Comparing two runs: the structured diff first (CompareRuns), then its two
// renderings, so the Markdown and HTML pages never disagree.
#include "report/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "report/format.h"
#include "report/html.h"
#include "stats/stats.h"

namespace reclift::host {
namespace {

using report::ArmNames;
using report::ArrayAt;
using report::EscapeHtml;
using report::EscapeMarkdown;
using report::Find;
using report::FormatCount;
using report::FormatMetric;
using report::FormatPValue;
using report::FormatSignedMetric;
using report::FormatSignedPercent;
using report::Json;
using report::NumberAt;
using report::ObjectAt;
using report::StringAt;
using report::StringsAt;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kNotTested = "not tested";

Json NumberOrNull(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

double NumberOf(const Json& value) {
  return value.is_number() ? value.get<double>() : kNaN;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(separator) : "") + parts[i];
  return out;
}

const Json* FindArm(const Json& results, std::string_view name) {
  for (const Json& arm : ArrayAt(results, "arms")) {
    if (StringAt(arm, "name") == name) return &arm;
  }
  return nullptr;
}

bool Completed(const Json* arm) {
  return arm != nullptr && StringAt(*arm, "status", "ok") != "failed";
}

Json RunSummary(const Json& results) {
  const Json& experiment = ObjectAt(results, "experiment");
  return {{"experiment", StringAt(experiment, "name")},
          {"started_at", StringAt(experiment, "started_at")},
          {"run_dir", StringAt(experiment, "run_dir")},
          {"fingerprint", StringAt(ObjectAt(results, "dataset"), "fingerprint")},
          {"reclift_version", StringAt(results, "reclift_version")}};
}

// ---------------------------------------------------------------------------
// Configuration diff. Objects are compared key by key; arrays of objects
// that each carry a distinct "name" (arms) or "plugin" (profilers,
// evaluators) are matched by it, so inserting an arm does not report every
// later arm as changed; other arrays are compared as whole values.

std::string ElementKey(const Json& element) {
  const std::string name = StringAt(element, "name");
  return name.empty() ? StringAt(element, "plugin") : name;
}

bool KeyedArray(const Json& array) {
  std::set<std::string> keys;
  for (const Json& element : array) {
    const std::string key = ElementKey(element);
    if (key.empty() || !keys.insert(key).second) return false;
  }
  return true;
}

void AddChange(Json& changes, const std::string& path, const char* change, const Json* a, const Json* b) {
  changes.push_back({{"path", path.empty() ? "(root)" : path},
                     {"change", change},
                     {"a", a != nullptr ? *a : Json(nullptr)},
                     {"b", b != nullptr ? *b : Json(nullptr)}});
}

void DiffConfig(const std::string& path, const Json& a, const Json& b, Json& changes) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string child = path.empty() ? key : path + "." + key;
      const auto it = b.find(key);
      if (it == b.end()) {
        AddChange(changes, child, "removed", &value, nullptr);
      } else {
        DiffConfig(child, value, *it, changes);
      }
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key))
        AddChange(changes, path.empty() ? key : path + "." + key, "added", nullptr, &value);
    }
    return;
  }
  if (a.is_array() && b.is_array() && !a.empty() && !b.empty() && KeyedArray(a) && KeyedArray(b)) {
    std::map<std::string, const Json*> in_b;
    for (const Json& element : b) in_b.emplace(ElementKey(element), &element);
    std::set<std::string> in_a;
    for (const Json& element : a) {
      const std::string key = ElementKey(element);
      in_a.insert(key);
      const std::string child = path + "[" + key + "]";
      const auto it = in_b.find(key);
      if (it == in_b.end()) {
        AddChange(changes, child, "removed", &element, nullptr);
      } else {
        DiffConfig(child, element, *it->second, changes);
      }
    }
    for (const Json& element : b) {
      const std::string key = ElementKey(element);
      if (in_a.count(key) == 0) AddChange(changes, path + "[" + key + "]", "added", nullptr, &element);
    }
    return;
  }
  if (a != b) AddChange(changes, path, "changed", &a, &b);
}

// {"<arm>": {chosen params}} of a run's tuning section (tuning/stage.h); {} without one.
Json TunedParams(const Json& results) {
  Json out = Json::object();
  const Json* tuning = Find(results, "tuning");
  if (tuning == nullptr || !tuning->is_object()) return out;
  for (const Json& arm : ArrayAt(*tuning, "arms")) out[StringAt(arm, "arm")] = ObjectAt(arm, "chosen_params");
  return out;
}

// ---------------------------------------------------------------------------
// Plugin versions: every "name@version" a run used, by plugin name.

struct PluginUse {
  std::string id;  // als@1.0.0
  std::vector<std::string> used_by;
};

std::map<std::string, PluginUse> PluginsOf(const Json& results) {
  std::map<std::string, PluginUse> plugins;
  auto use = [&](const std::string& id, const std::string& user) {
    if (id.empty()) return;
    PluginUse& entry = plugins[id.substr(0, id.find('@'))];
    if (entry.id.empty()) entry.id = id;
    if (std::find(entry.used_by.begin(), entry.used_by.end(), user) == entry.used_by.end()) {
      entry.used_by.push_back(user);
    }
  };
  for (const Json& arm : ArrayAt(results, "arms"))
    use(StringAt(arm, "plugin"), "arm " + StringAt(arm, "name"));
  for (const Json& profiler : ArrayAt(results, "profilers")) use(StringAt(profiler, "plugin"), "profiler");
  for (const Json& column : ArrayAt(results, "columns")) use(StringAt(column, "evaluator"), "evaluator");
  return plugins;
}

// ---------------------------------------------------------------------------
// Statistics.

struct Pairing {
  std::vector<size_t> a_index;  // per shared user, its row in A's per_user
  std::vector<size_t> b_index;
};

// Users of A and B matched by id, in A's order.
Pairing PairUsers(const Json& a, const Json& b) {
  Pairing pairing;
  const Json& a_users = ArrayAt(ObjectAt(a, "per_user"), "users");
  const Json& b_users = ArrayAt(ObjectAt(b, "per_user"), "users");
  std::unordered_map<std::string, size_t> b_rows;
  for (size_t i = 0; i < b_users.size(); ++i) {
    if (b_users[i].is_string()) b_rows.emplace(b_users[i].get<std::string>(), i);
  }
  for (size_t i = 0; i < a_users.size(); ++i) {
    if (!a_users[i].is_string()) continue;
    const auto it = b_rows.find(a_users[i].get<std::string>());
    if (it == b_rows.end()) continue;
    pairing.a_index.push_back(i);
    pairing.b_index.push_back(it->second);
  }
  return pairing;
}

const Json* PerUserValues(const Json& results, std::string_view arm, std::string_view metric) {
  const Json* values = Find(ObjectAt(ObjectAt(ObjectAt(results, "per_user"), "arms"), arm), metric);
  return values != nullptr && values->is_array() ? values : nullptr;
}

// The standard error a run's interval implies: half its width over the
// quantile it was built with.
double StandardError(const Json& summary, double alpha) {
  const double low = NumberAt(summary, "ci_low"), high = NumberAt(summary, "ci_high");
  if (!std::isfinite(low) || !std::isfinite(high)) return kNaN;
  const double n = NumberAt(summary, "n");
  const double quantile =
      n > 1 ? stats::StudentTQuantile(1 - alpha / 2, n - 1) : stats::NormalQuantile(1 - alpha / 2);
  return (high - low) / (2 * quantile);
}

double RunAlpha(const Json& results) {
  const double alpha = NumberAt(ObjectAt(results, "ab"), "alpha");
  return alpha > 0 && alpha < 1 ? alpha : 0.05;
}

struct Row {
  std::string arm;
  std::string metric;
  bool primary = false;
  bool higher_is_better = true;
  bool directional = true;
  double a = kNaN, b = kNaN;
  double difference = kNaN, ci_low = kNaN, ci_high = kNaN;
  double relative = kNaN, relative_low = kNaN, relative_high = kNaN;
  double n = kNaN;
  std::string test = "none";
  double p = kNaN, p_adjusted = kNaN;
  std::string verdict = kNotTested;
};

void PairedTest(const Json& a_values, const Json& b_values, const Pairing& pairing, double alpha,
                const CompareOptions& options, uint64_t seed, Row& row) {
  std::vector<double> a, b, diffs;
  a.reserve(pairing.a_index.size());
  b.reserve(pairing.a_index.size());
  for (size_t k = 0; k < pairing.a_index.size(); ++k) {
    const size_t i = pairing.a_index[k], j = pairing.b_index[k];
    const double x = i < a_values.size() ? NumberOf(a_values[i]) : kNaN;
    const double y = j < b_values.size() ? NumberOf(b_values[j]) : kNaN;
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    a.push_back(x);
    b.push_back(y);
    diffs.push_back(y - x);
  }
  if (diffs.empty()) return;
  const stats::TestResult t = stats::PairedTTest(diffs);
  row.test = "paired";
  row.n = static_cast<double>(t.n);
  row.p = t.p_value;
  row.difference = stats::Mean(diffs);
  const double a_mean = stats::Mean(a);
  if (a_mean != 0) row.relative = row.difference / a_mean;
  const bool constant = std::all_of(diffs.begin(), diffs.end(), [&](double d) { return d == diffs.front(); });
  if (constant && a_mean != 0) {
    // Every user moved by the same amount (often 0: an arm that did not
    // change): every resample gives that amount, so skip the resampling.
    row.ci_low = row.ci_high = diffs.front();
    row.relative_low = row.relative_high = row.relative;
  } else if (options.bootstrap_samples > 0) {
    const stats::LiftIntervals lift =
        stats::BootstrapPairedLift(a, b, alpha, options.bootstrap_samples, seed);
    row.ci_low = lift.absolute.low, row.ci_high = lift.absolute.high;
    row.relative_low = lift.relative.low, row.relative_high = lift.relative.high;
  } else {
    const stats::Interval ci = stats::MeanCi(diffs, alpha);
    row.ci_low = ci.low, row.ci_high = ci.high;
  }
}

void ApproximateTest(const Json& a_summary, const Json& b_summary, double a_alpha, double b_alpha,
                     double alpha, Row& row) {
  row.difference = row.b - row.a;
  if (std::isfinite(row.difference) && row.a != 0) row.relative = row.difference / row.a;
  const double se_a = StandardError(a_summary, a_alpha), se_b = StandardError(b_summary, b_alpha);
  if (!std::isfinite(se_a) || !std::isfinite(se_b) || !std::isfinite(row.difference)) return;
  const double se = std::sqrt(se_a * se_a + se_b * se_b);
  row.test = "approximate";
  if (se > 0) {
    row.p = 2 * stats::NormalCdf(-std::fabs(row.difference / se));
  } else {
    row.p = row.difference == 0 ? 1 : 0;
  }
  const double half = stats::NormalQuantile(1 - alpha / 2) * se;
  row.ci_low = row.difference - half, row.ci_high = row.difference + half;
}

Json RowToJson(const Row& row) {
  return {{"arm", row.arm},
          {"metric", row.metric},
          {"primary", row.primary},
          {"higher_is_better", row.higher_is_better},
          {"directional", row.directional},
          {"a", NumberOrNull(row.a)},
          {"b", NumberOrNull(row.b)},
          {"difference", NumberOrNull(row.difference)},
          {"ci_low", NumberOrNull(row.ci_low)},
          {"ci_high", NumberOrNull(row.ci_high)},
          {"relative_difference", NumberOrNull(row.relative)},
          {"relative_ci_low", NumberOrNull(row.relative_low)},
          {"relative_ci_high", NumberOrNull(row.relative_high)},
          {"n", NumberOrNull(row.n)},
          {"test", row.test},
          {"p_value", NumberOrNull(row.p)},
          {"p_value_adjusted", NumberOrNull(row.p_adjusted)},
          {"verdict", row.verdict}};
}

std::string Short(const std::string& fingerprint) {
  return fingerprint.empty() ? "none" : fingerprint.substr(0, 12);
}

// ---------------------------------------------------------------------------
// Scenarios. results.json keeps each scenario's aggregates but no per-user
// values, so nothing can be paired or tested: each figure of A and B is put
// side by side with B - A.

std::string ValueList(const Json& values) {
  std::vector<std::string> parts;
  for (const Json& value : values)
    parts.push_back(value.is_string() ? value.get<std::string>() : value.dump());
  return Join(parts, ", ");
}

// The two runs' sections of one scenario kind when both have one that ran;
// otherwise a warning says why the scenario is not compared.
std::pair<const Json*, const Json*> BothSections(const Json& a, const Json& b, std::string_view key,
                                                 std::string_view kind, Json& warnings) {
  auto section = [&](const Json& results) -> const Json* {
    const Json* s = Find(results, key);
    return s != nullptr && s->is_object() ? s : nullptr;
  };
  const Json* x = section(a);
  const Json* y = section(b);
  if (x == nullptr && y == nullptr) return {nullptr, nullptr};
  if (x == nullptr || y == nullptr) {
    warnings.push_back(fmt::format("scenario {} only in {}, not compared", kind, x != nullptr ? "A" : "B"));
    return {nullptr, nullptr};
  }
  const bool failed_a = Find(*x, "error") != nullptr, failed_b = Find(*y, "error") != nullptr;
  if (failed_a || failed_b) {
    warnings.push_back(fmt::format("scenario {} could not run in {}, not compared", kind,
                                   failed_a && failed_b ? "A and B"
                                   : failed_a           ? "A"
                                                        : "B"));
    return {nullptr, nullptr};
  }
  return {x, y};
}

Json DifferenceOf(const Json* a, const Json* b) {
  const double x = a != nullptr ? NumberOf(*a) : kNaN, y = b != nullptr ? NumberOf(*b) : kNaN;
  return NumberOrNull(y - x);
}

Json CompareColdStartUsers(const Json& a, const Json& b, Json& warnings) {
  const auto [x, y] = BothSections(a, b, "cold_start_users", "cold-start-users", warnings);
  if (x == nullptr) return nullptr;
  const std::string metric = StringAt(*x, "metric"), b_metric = StringAt(*y, "metric");
  if (metric != b_metric) {
    warnings.push_back(fmt::format("scenario cold-start-users measured {} in A and {} in B, not compared",
                                   metric, b_metric));
    return nullptr;
  }
  const Json& a_shots = ArrayAt(*x, "shots");
  const Json& b_shots = ArrayAt(*y, "shots");
  std::vector<std::pair<size_t, size_t>> shots;  // (index in A, index in B)
  Json shot_values = Json::array();
  for (size_t i = 0; i < a_shots.size(); ++i) {
    for (size_t j = 0; j < b_shots.size(); ++j) {
      if (a_shots[i] == b_shots[j]) {
        shots.emplace_back(i, j);
        shot_values.push_back(a_shots[i]);
        break;
      }
    }
  }
  if (a_shots != b_shots) {
    warnings.push_back(fmt::format(
        "scenario cold-start-users: shots differ (A {}; B {}); {}", ValueList(a_shots), ValueList(b_shots),
        shots.empty() ? "none in both, not compared" : "only those in both are compared"));
  }
  if (shots.empty()) return nullptr;
  if (NumberAt(*x, "users") != NumberAt(*y, "users") || StringAt(*x, "order") != StringAt(*y, "order")) {
    warnings.push_back(
        fmt::format("scenario cold-start-users held out {} users ({} order) in A and {} ({} order) in B: the "
                    "curves are of "
                    "different users",
                    FormatCount(NumberAt(*x, "users")), StringAt(*x, "order", "?"),
                    FormatCount(NumberAt(*y, "users")), StringAt(*y, "order", "?")));
  }
  const std::vector<std::string> declared = ArmNames(a);
  Json arms = Json::array();
  std::vector<std::string> b_modes;
  for (const Json& mode : ArrayAt(*y, "modes")) b_modes.push_back(StringAt(mode, "mode"));
  for (const Json& a_mode : ArrayAt(*x, "modes")) {
    const std::string mode = StringAt(a_mode, "mode");
    const Json* b_mode = nullptr;
    for (const Json& candidate : ArrayAt(*y, "modes")) {
      if (StringAt(candidate, "mode") == mode) b_mode = &candidate;
    }
    if (b_mode == nullptr) {
      warnings.push_back(fmt::format("scenario cold-start-users: mode {} only in A, not compared", mode));
      continue;
    }
    std::erase(b_modes, mode);
    const Json& a_arms = ObjectAt(a_mode, "arms");
    const Json& b_arms = ObjectAt(*b_mode, "arms");
    for (const std::string& arm : report::OrderedKeys(a_arms, declared)) {
      const Json* b_values = Find(b_arms, arm);
      if (b_values == nullptr) continue;  // an arm of one run only: listed with the arms
      const Json& a_values = a_arms[arm];
      Json entry = {
          {"mode", mode},
          {"arm", arm},
          {"status", {{"a", StringAt(a_values, "status", "ok")}, {"b", StringAt(*b_values, "status", "ok")}}},
          {"a", Json::array()},
          {"b", Json::array()},
          {"difference", Json::array()}};
      const Json& a_mean = ArrayAt(a_values, "mean");
      const Json& b_mean = ArrayAt(*b_values, "mean");
      for (const auto& [i, j] : shots) {
        const Json* p = i < a_mean.size() && a_mean[i].is_number() ? &a_mean[i] : nullptr;
        const Json* q = j < b_mean.size() && b_mean[j].is_number() ? &b_mean[j] : nullptr;
        entry["a"].push_back(p != nullptr ? *p : Json(nullptr));
        entry["b"].push_back(q != nullptr ? *q : Json(nullptr));
        entry["difference"].push_back(DifferenceOf(p, q));
      }
      for (const char* key : {"overtakes_reference_at", "significantly_overtakes_reference_at"}) {
        const Json* p = Find(a_values, key);
        const Json* q = Find(*b_values, key);
        entry[key] = {{"a", p != nullptr ? *p : Json(nullptr)}, {"b", q != nullptr ? *q : Json(nullptr)}};
      }
      arms.push_back(std::move(entry));
    }
  }
  for (const std::string& mode : b_modes) {
    warnings.push_back(fmt::format("scenario cold-start-users: mode {} only in B, not compared", mode));
  }
  if (arms.empty()) return nullptr;
  const std::string reference = StringAt(*x, "reference");
  return {{"metric", metric},
          {"shots", shot_values},
          {"reference", reference.empty() ? Json(nullptr) : Json(reference)},
          {"arms", std::move(arms)}};
}

Json CompareColdStartItems(const Json& a, const Json& b, Json& warnings) {
  const auto [x, y] = BothSections(a, b, "cold_start_items", "cold-start-items", warnings);
  if (x == nullptr) return nullptr;
  if (NumberAt(*x, "new_items") != NumberAt(*y, "new_items")) {
    warnings.push_back(
        fmt::format("scenario cold-start-items held out {} items in A and {} in B: the new items differ",
                    FormatCount(NumberAt(*x, "new_items")), FormatCount(NumberAt(*y, "new_items"))));
  }
  auto find_arm = [](const Json& section, const std::string& name) -> const Json* {
    for (const Json& arm : ArrayAt(section, "arms")) {
      if (StringAt(arm, "name") == name) return &arm;
    }
    return nullptr;
  };
  std::vector<std::string> names;
  for (const std::string& name : ArmNames(a)) {
    if (find_arm(*x, name) != nullptr) names.push_back(name);
  }
  for (const Json& arm : ArrayAt(*x, "arms")) {
    if (std::find(names.begin(), names.end(), StringAt(arm, "name")) == names.end())
      names.push_back(StringAt(arm, "name"));
  }
  const std::vector<std::string> new_item_order = StringsAt(*x, "new_item_metrics");
  const std::vector<std::string> overall_order = StringsAt(*x, "metrics");
  Json rows = Json::array();
  for (const std::string& name : names) {
    const Json* a_arm = find_arm(*x, name);
    const Json* b_arm = find_arm(*y, name);
    if (b_arm == nullptr) continue;
    const std::string a_status = StringAt(*a_arm, "status", "ok"),
                      b_status = StringAt(*b_arm, "status", "ok");
    if (a_status != "ok" || b_status != "ok") {
      warnings.push_back(fmt::format("scenario cold-start-items: arm \"{}\" failed in {}, not compared", name,
                                     a_status != "ok" && b_status != "ok" ? "A and B"
                                     : a_status != "ok"                   ? "A"
                                                                          : "B"));
      continue;
    }
    for (const char* group : {"new_items", "new_item_share", "new_item_coverage", "overall"}) {
      const std::string_view g = group;
      const Json& a_group = ObjectAt(*a_arm, group);
      const Json& b_group = ObjectAt(*b_arm, group);
      std::vector<std::string> keys =
          report::OrderedKeys(a_group, g == "new_items" ? new_item_order
                                       : g == "overall" ? overall_order
                                                        : std::vector<std::string>{});
      if (g == "new_item_share" || g == "new_item_coverage") report::SortByCutoff(keys);
      for (const std::string& metric : keys) {
        const Json* b_value = Find(b_group, metric);
        if (b_value == nullptr) continue;
        const Json* p = &a_group[metric];
        const Json* q = b_value;
        if (g != "new_item_coverage") {  // a summary: compare its mean
          p = Find(*p, "mean");
          q = Find(*q, "mean");
        }
        rows.push_back({{"arm", name},
                        {"group", group},
                        {"metric", metric},
                        {"a", p != nullptr && p->is_number() ? *p : Json(nullptr)},
                        {"b", q != nullptr && q->is_number() ? *q : Json(nullptr)},
                        {"difference", DifferenceOf(p, q)}});
      }
    }
  }
  if (rows.empty()) return nullptr;
  return {{"rows", std::move(rows)}};
}

Json CompareDiversity(const Json& a, const Json& b, Json& warnings) {
  const auto [x, y] = BothSections(a, b, "diversity", "diversity", warnings);
  if (x == nullptr) return nullptr;
  const std::vector<std::string> a_metrics = StringsAt(*x, "metrics"), b_metrics = StringsAt(*y, "metrics");
  std::vector<std::string> metrics, only_a, only_b;
  for (const std::string& m : a_metrics) {
    (std::find(b_metrics.begin(), b_metrics.end(), m) != b_metrics.end() ? metrics : only_a).push_back(m);
  }
  for (const std::string& m : b_metrics) {
    if (std::find(a_metrics.begin(), a_metrics.end(), m) == a_metrics.end()) only_b.push_back(m);
  }
  if (!only_a.empty())
    warnings.push_back("scenario diversity: metrics only in A, not compared: " + Join(only_a, ", "));
  if (!only_b.empty())
    warnings.push_back("scenario diversity: metrics only in B, not compared: " + Join(only_b, ", "));
  auto same_setting = [](const Json& p, const Json& q) {
    return StringAt(p, "arm") == StringAt(q, "arm") && StringAt(p, "reranker") == StringAt(q, "reranker") &&
           StringAt(p, "similarity") == StringAt(q, "similarity") &&
           NumberAt(p, "lambda") == NumberAt(q, "lambda");
  };
  const Json& a_points = ArrayAt(*x, "points");
  const Json& b_points = ArrayAt(*y, "points");
  const Json& directions = ObjectAt(*x, "higher_is_better");
  size_t unmatched_a = 0;
  std::vector<bool> matched_b(b_points.size(), false);
  Json rows = Json::array();
  for (const Json& p : a_points) {
    const Json* q = nullptr;
    for (size_t j = 0; j < b_points.size() && q == nullptr; ++j) {
      if (same_setting(p, b_points[j])) {
        q = &b_points[j];
        matched_b[j] = true;
      }
    }
    if (q == nullptr) {
      ++unmatched_a;
      continue;
    }
    for (const std::string& metric : metrics) {
      if (!p.contains(metric) || !q->contains(metric)) continue;  // another re-ranker's metric
      const Json* higher = Find(directions, metric);
      const Json* pv = Find(p, metric);
      const Json* qv = Find(*q, metric);
      const std::string similarity = StringAt(p, "similarity");
      rows.push_back({{"arm", StringAt(p, "arm")},
                      {"reranker", StringAt(p, "reranker")},
                      {"similarity", similarity.empty() ? Json(nullptr) : Json(similarity)},
                      {"lambda", NumberOrNull(NumberAt(p, "lambda"))},
                      {"metric", metric},
                      {"higher_is_better", higher == nullptr || !higher->is_boolean() || higher->get<bool>()},
                      {"a", pv != nullptr && pv->is_number() ? *pv : Json(nullptr)},
                      {"b", qv != nullptr && qv->is_number() ? *qv : Json(nullptr)},
                      {"difference", DifferenceOf(pv, qv)}});
    }
  }
  const size_t unmatched_b = static_cast<size_t>(std::count(matched_b.begin(), matched_b.end(), false));
  if (unmatched_a > 0 || unmatched_b > 0) {
    warnings.push_back(fmt::format(
        "scenario diversity: {} settings (arm, re-ranker, lambda) only in A and {} only in B, not compared",
        unmatched_a, unmatched_b));
  }
  if (rows.empty()) return nullptr;
  return {{"accuracy", StringAt(*x, "accuracy")}, {"rows", std::move(rows)}};
}

// The scenario kinds both runs have, each compared; {} when there is none.
Json CompareScenarios(const Json& a, const Json& b, Json& warnings) {
  Json out = Json::object();
  if (Json users = CompareColdStartUsers(a, b, warnings); !users.is_null()) out["cold_start_users"] = users;
  if (Json items = CompareColdStartItems(a, b, warnings); !items.is_null()) out["cold_start_items"] = items;
  if (Json diversity = CompareDiversity(a, b, warnings); !diversity.is_null()) out["diversity"] = diversity;
  return out;
}

}  // namespace

nlohmann::json CompareRuns(const nlohmann::json& a, const nlohmann::json& b, const CompareOptions& options) {
  report::CheckSchema(a, "CompareRuns (run A)");
  report::CheckSchema(b, "CompareRuns (run B)");
  Json out = Json::object();
  out["a"] = RunSummary(a);
  out["b"] = RunSummary(b);
  const double alpha = RunAlpha(a);
  out["alpha"] = alpha;
  Json warnings = Json::array();

  // Is it the same experiment on the same data?
  const std::string a_name = out["a"]["experiment"], b_name = out["b"]["experiment"];
  if (a_name != b_name) {
    warnings.push_back(fmt::format("experiment names differ: A is \"{}\", B is \"{}\"", a_name, b_name));
  }
  const std::string a_fingerprint = out["a"]["fingerprint"], b_fingerprint = out["b"]["fingerprint"];
  const bool same_data = !a_fingerprint.empty() && a_fingerprint == b_fingerprint;
  if (!same_data) {
    warnings.push_back(fmt::format(
        "dataset fingerprints differ (A {}, B {}): the runs saw different data, so differences mix data and "
        "algorithm changes",
        Short(a_fingerprint), Short(b_fingerprint)));
  }
  const Json& a_split = ObjectAt(a, "split");
  const Json& b_split = ObjectAt(b, "split");
  const bool same_split = a_split == b_split;
  if (!same_split) {
    std::vector<std::string> differences;
    for (const char* key : {"method", "seed", "train", "test", "test_users", "cutoff_time"}) {
      const Json* x = Find(a_split, key);
      const Json* y = Find(b_split, key);
      const std::string xs = x == nullptr ? "none" : x->is_string() ? x->get<std::string>() : x->dump();
      const std::string ys = y == nullptr ? "none" : y->is_string() ? y->get<std::string>() : y->dump();
      if (xs != ys) differences.push_back(fmt::format("{} {} vs {}", key, xs, ys));
    }
    warnings.push_back("splits differ" +
                       (differences.empty() ? std::string() : ": " + Join(differences, ", ")) +
                       "; the runs were tested on different interactions");
  }
  const Json& a_ab = ObjectAt(a, "ab");
  const Json& b_ab = ObjectAt(b, "ab");
  for (const char* key : {"control", "primary_metric"}) {
    if (StringAt(a_ab, key) != StringAt(b_ab, key)) {
      warnings.push_back(
          fmt::format("ab.{} differs: A \"{}\", B \"{}\"", key, StringAt(a_ab, key), StringAt(b_ab, key)));
    }
  }

  // Pair users when both runs evaluated the same users on the same data.
  Pairing pairing;
  const bool has_per_user = !ArrayAt(ObjectAt(a, "per_user"), "users").empty() &&
                            !ArrayAt(ObjectAt(b, "per_user"), "users").empty();
  if (same_data && same_split && has_per_user) pairing = PairUsers(a, b);
  const bool paired = !pairing.a_index.empty();
  if (!has_per_user) {
    warnings.push_back("per-user values are missing in " +
                       std::string(ArrayAt(ObjectAt(a, "per_user"), "users").empty() ? "A" : "B") +
                       ": significance is approximated from the two confidence intervals");
  } else if (paired) {
    const size_t a_users = ArrayAt(ObjectAt(a, "per_user"), "users").size();
    const size_t b_users = ArrayAt(ObjectAt(b, "per_user"), "users").size();
    if (pairing.a_index.size() < std::max(a_users, b_users)) {
      warnings.push_back(fmt::format("only {} of {} (A) and {} (B) evaluated users are in both runs",
                                     pairing.a_index.size(), a_users, b_users));
    }
  }
  out["paired"] = paired;
  out["shared_users"] = pairing.a_index.size();
  const int percent = static_cast<int>(std::lround((1 - alpha) * 100));
  out["method"] = paired ? fmt::format(
                               "paired t-test on per-user differences B - A over {} shared users, {}% "
                               "paired bootstrap intervals, Holm-corrected",
                               pairing.a_index.size(), percent)
                         : fmt::format(
                               "approximate z-test from each run's confidence interval (runs treated as "
                               "independent, conservative), {}% intervals, Holm-corrected",
                               percent);

  // Arms and plugins.
  Json added = Json::array(), removed = Json::array();
  for (const Json& arm : ArrayAt(b, "arms")) {
    if (FindArm(a, StringAt(arm, "name")) == nullptr) added.push_back(StringAt(arm, "name"));
  }
  for (const Json& arm : ArrayAt(a, "arms")) {
    const std::string name = StringAt(arm, "name");
    const Json* other = FindArm(b, name);
    if (other == nullptr) {
      removed.push_back(name);
    } else if (Completed(&arm) != Completed(other)) {
      warnings.push_back(
          fmt::format("arm \"{}\" failed in {}: not compared", name, Completed(&arm) ? "B" : "A"));
    }
  }
  out["arms_added"] = added;
  out["arms_removed"] = removed;
  Json plugins_changed = Json::array();
  const auto a_plugins = PluginsOf(a), b_plugins = PluginsOf(b);
  for (const auto& [plugin, use] : a_plugins) {
    const auto it = b_plugins.find(plugin);
    if (it == b_plugins.end() || it->second.id == use.id) continue;
    std::vector<std::string> used_by = use.used_by;
    for (const std::string& user : it->second.used_by) {
      if (std::find(used_by.begin(), used_by.end(), user) == used_by.end()) used_by.push_back(user);
    }
    plugins_changed.push_back(
        {{"plugin", plugin}, {"a", use.id}, {"b", it->second.id}, {"used_by", used_by}});
  }
  out["plugins_changed"] = plugins_changed;
  Json config_changes = Json::array();
  DiffConfig("", ObjectAt(a, "config"), ObjectAt(b, "config"), config_changes);
  // tuned runs: the parameters the tuner chose are an outcome, not config; list their changes too
  DiffConfig("tuning.chosen_params", TunedParams(a), TunedParams(b), config_changes);
  out["config_changes"] = config_changes;

  // Metrics both runs report, the primary first.
  const std::string primary = StringAt(a_ab, "primary_metric");
  struct Metric {
    std::string name;
    bool higher_is_better;
    bool directional;
  };
  std::vector<Metric> metrics;
  std::set<std::string> b_metrics;
  for (const Json& column : ArrayAt(b, "columns")) b_metrics.insert(StringAt(column, "name"));
  std::vector<std::string> only_a, only_b;
  for (const Json& column : ArrayAt(a, "columns")) {
    const std::string name = StringAt(column, "name");
    if (b_metrics.erase(name) == 0) {
      only_a.push_back(name);
      continue;
    }
    const Json* higher = Find(column, "higher_is_better");
    const bool higher_is_better = higher == nullptr || !higher->is_boolean() || higher->get<bool>();
    const Json* directional = Find(column, "directional");
    const Metric m{name, higher_is_better,
                   directional == nullptr || !directional->is_boolean() || directional->get<bool>()};
    if (name == primary) {
      metrics.insert(metrics.begin(), m);
    } else {
      metrics.push_back(m);
    }
  }
  for (const Json& column : ArrayAt(b, "columns")) {
    if (b_metrics.count(StringAt(column, "name")) != 0) only_b.push_back(StringAt(column, "name"));
  }
  if (!only_a.empty()) warnings.push_back("metrics only in A, not compared: " + Join(only_a, ", "));
  if (!only_b.empty()) warnings.push_back("metrics only in B, not compared: " + Join(only_b, ", "));

  std::vector<Row> rows;
  const double a_alpha = RunAlpha(a), b_alpha = RunAlpha(b);
  for (const Json& a_arm : ArrayAt(a, "arms")) {
    const std::string arm = StringAt(a_arm, "name");
    const Json* b_arm = FindArm(b, arm);
    if (!Completed(&a_arm) || !Completed(b_arm)) continue;
    for (const auto& [metric, higher_is_better, directional] : metrics) {
      Row row;
      row.arm = arm;
      row.metric = metric;
      row.primary = metric == primary;
      row.higher_is_better = higher_is_better;
      row.directional = directional;
      const Json& a_summary = ObjectAt(ObjectAt(a_arm, "metrics"), metric);
      const Json& b_summary = ObjectAt(ObjectAt(*b_arm, "metrics"), metric);
      row.a = NumberAt(a_summary, "mean");
      row.b = NumberAt(b_summary, "mean");
      const Json* a_values = paired ? PerUserValues(a, arm, metric) : nullptr;
      const Json* b_values = paired ? PerUserValues(b, arm, metric) : nullptr;
      if (a_values != nullptr && b_values != nullptr) {
        // A seed per row keeps rows' resamples independent yet reproducible.
        PairedTest(*a_values, *b_values, pairing, alpha, options, options.seed + rows.size(), row);
      } else {
        ApproximateTest(a_summary, b_summary, a_alpha, b_alpha, alpha, row);
      }
      rows.push_back(std::move(row));
    }
  }
  std::vector<double> p_values;
  for (const Row& row : rows) p_values.push_back(row.p);
  const std::vector<double> adjusted = stats::HolmAdjust(p_values);
  Json json_rows = Json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    Row& row = rows[i];
    if (row.test != "none") {
      row.p_adjusted = adjusted[i];
      row.verdict =
          stats::Verdict(row.p_adjusted, row.difference, alpha, row.higher_is_better, row.directional);
    }
    json_rows.push_back(RowToJson(row));
  }
  out["scenarios"] = CompareScenarios(a, b, warnings);
  out["warnings"] = warnings;
  out["rows"] = json_rows;
  return out;
}

namespace {

// A configuration value in one line, cut to stay readable in a table.
std::string ValueText(const Json& value) {
  if (value.is_null()) return "\u2014";
  std::string text = value.is_string() ? value.get<std::string>()
                                       : value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string Interval(double low, double high, std::string (*format)(double)) {
  if (!std::isfinite(low) || !std::isfinite(high)) return "";
  return "[" + format(low) + ", " + format(high) + "]";
}

// Rows grouped by metric, primary first, in the order CompareRuns made them.
std::vector<std::pair<std::string, std::vector<const Json*>>> RowsByMetric(const Json& comparison) {
  std::vector<std::pair<std::string, std::vector<const Json*>>> groups;
  for (const Json& row : ArrayAt(comparison, "rows")) {
    const std::string metric = StringAt(row, "metric");
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == metric; });
    if (it == groups.end()) it = groups.insert(groups.end(), {metric, {}});
    it->second.push_back(&row);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& x, const auto& y) {
    const bool px = !x.second.empty() && x.second.front()->value("primary", false);
    const bool py = !y.second.empty() && y.second.front()->value("primary", false);
    return px && !py;
  });
  return groups;
}

std::string VerdictCounts(const std::vector<const Json*>& rows) {
  int better = 0, worse = 0, none = 0, untested = 0;
  for (const Json* row : rows) {
    const std::string verdict = StringAt(*row, "verdict");
    (verdict == stats::kVerdictBetter  ? better
     : verdict == stats::kVerdictWorse ? worse
     : verdict == kNotTested           ? untested
                                       : none) += 1;
  }
  std::vector<std::string> parts;
  if (better > 0) parts.push_back(fmt::format("{} better", better));
  if (worse > 0) parts.push_back(fmt::format("{} worse", worse));
  if (none > 0) parts.push_back(fmt::format("{} no detectable difference", none));
  if (untested > 0) parts.push_back(fmt::format("{} not tested", untested));
  return Join(parts, ", ");
}

std::string RunLine(const Json& run) {
  std::string line = EscapeMarkdown(StringAt(run, "experiment", "?"));
  const std::string started = StringAt(run, "started_at");
  if (!started.empty()) line += ", run " + EscapeMarkdown(started);
  const std::string dir = StringAt(run, "run_dir");
  if (!dir.empty()) line += " in " + EscapeMarkdown(dir);
  const std::string fingerprint = StringAt(run, "fingerprint");
  if (!fingerprint.empty()) line += ", data " + EscapeMarkdown(fingerprint.substr(0, 12));
  return line;
}

void MarkdownMetricTable(const std::string& metric, const std::vector<const Json*>& rows, std::string& out) {
  const bool higher = rows.empty() || rows.front()->value("higher_is_better", true);
  out += "#### " + EscapeMarkdown(metric) + (higher ? " (higher is better)" : " (lower is better)");
  if (!rows.empty() && rows.front()->value("primary", false)) out += ", primary";
  out +=
      "\n\n| arm | A | B | B \u2212 A | CI | rel. | p (adj) | verdict |\n|:--|--:|--:|--:|:--|--:|--:|:--|\n";
  for (const Json* row : rows) {
    const std::string verdict = StringAt(*row, "verdict");
    const bool significant = verdict == stats::kVerdictBetter || verdict == stats::kVerdictWorse;
    out += "| " + EscapeMarkdown(StringAt(*row, "arm")) + " | " + FormatMetric(NumberAt(*row, "a")) + " | " +
           FormatMetric(NumberAt(*row, "b")) + " | " + FormatSignedMetric(NumberAt(*row, "difference")) +
           " | " + Interval(NumberAt(*row, "ci_low"), NumberAt(*row, "ci_high"), FormatSignedMetric) + " | " +
           FormatSignedPercent(NumberAt(*row, "relative_difference")) + " | " +
           FormatPValue(NumberAt(*row, "p_value_adjusted")) + " | " +
           (significant ? "**" + verdict + "**" : EscapeMarkdown(verdict)) + " |\n";
  }
  out += "\n";
}

// The scenario comparison as tables of raw text, rendered as Markdown or
// HTML by the two pages below so they never disagree.
struct ScenarioCell {
  std::string text;
  double sort = kNaN;  // what a sortable HTML table orders by
};

struct ScenarioTable {
  std::string caption;  // raw text; a folded table's summary line
  bool folded = false;
  std::vector<std::string> header;
  std::vector<bool> numeric;  // right-aligned columns
  std::vector<std::vector<ScenarioCell>> rows;
};

struct ScenarioBlock {
  std::string heading;  // raw text
  std::string lead;     // raw text, may be empty
  std::vector<ScenarioTable> tables;
};

constexpr const char* kScenarioNote =
    "Each figure of A and B side by side with B \u2212 A. results.json keeps no per-user values for "
    "scenarios, so no significance test is made: read a difference against the intervals in each run's "
    "report.";

// "0.1000 → 0.1200 (+0.0200)"
ScenarioCell Change(const Json& a, const Json& b, const Json& difference) {
  const double x = NumberOf(a), y = NumberOf(b), d = NumberOf(difference);
  if (!std::isfinite(x) && !std::isfinite(y)) return {std::string(report::kMissing), kNaN};
  if (x == y) return {FormatMetric(x) + " (unchanged)", 0.0};
  return {FormatMetric(x) + " \u2192 " + FormatMetric(y) + " (" + FormatSignedMetric(d) + ")", d};
}

std::string ShotOrNever(const Json& value) {
  return value.is_number() ? fmt::format("{:g}", value.get<double>()) : "never";
}

std::string StatusNote(const Json& status) {
  const std::string a = StringAt(status, "a", "ok"), b = StringAt(status, "b", "ok");
  if (a == b) return a == "ok" ? "" : " (" + a + ")";
  return " (A " + a + ", B " + b + ")";
}

// "3 of 160 figures differ; the largest difference: als, overall ndcg@10,
// 0.2000 → 0.1900 (-0.0100)."
std::string ChangeSummary(const Json& rows, const std::function<std::string(const Json&)>& label) {
  size_t changed = 0;
  const Json* largest = nullptr;
  for (const Json& row : rows) {
    const double d = NumberAt(row, "difference");
    if (!std::isfinite(d) || d == 0) continue;
    ++changed;
    if (largest == nullptr || std::fabs(d) > std::fabs(NumberAt(*largest, "difference"))) largest = &row;
  }
  if (largest == nullptr) return fmt::format("No figure differs ({} compared).", rows.size());
  return fmt::format("{} of {} figures differ; the largest difference: {}, {} \u2192 {} ({}).", changed,
                     rows.size(), label(*largest), FormatMetric(NumberAt(*largest, "a")),
                     FormatMetric(NumberAt(*largest, "b")),
                     FormatSignedMetric(NumberAt(*largest, "difference")));
}

std::vector<ScenarioBlock> ScenarioBlocks(const Json& scenarios) {
  std::vector<ScenarioBlock> blocks;
  if (const Json* users = Find(scenarios, "cold_start_users"); users != nullptr) {
    ScenarioBlock block;
    block.heading = "Cold start: new users (" + StringAt(*users, "metric") + ")";
    const std::string reference = StringAt(*users, "reference");
    const Json& shots = ArrayAt(*users, "shots");
    std::vector<std::string> modes;
    for (const Json& entry : ArrayAt(*users, "arms")) {
      const std::string mode = StringAt(entry, "mode");
      if (std::find(modes.begin(), modes.end(), mode) == modes.end()) modes.push_back(mode);
    }
    for (const std::string& mode : modes) {
      ScenarioTable table;
      table.caption = mode == "fold-in"   ? "Fold-in (scored from the N interactions, no retraining)"
                      : mode == "retrain" ? "Retrain (fitted with the N interactions)"
                                          : mode;
      table.header.push_back("arm");
      table.numeric.push_back(false);
      for (const Json& n : shots) {
        table.header.push_back("N = " + ShotOrNever(n));
        table.numeric.push_back(true);
      }
      if (!reference.empty()) {
        table.header.insert(table.header.end(), {"above " + reference + " from N", "significantly from N"});
        table.numeric.insert(table.numeric.end(), {true, true});
      }
      for (const Json& entry : ArrayAt(*users, "arms")) {
        if (StringAt(entry, "mode") != mode) continue;
        const std::string arm = StringAt(entry, "arm");
        std::vector<ScenarioCell> row = {
            {arm + (arm == reference ? " (reference)" : "") + StatusNote(ObjectAt(entry, "status")), kNaN}};
        const Json& a = ArrayAt(entry, "a");
        const Json& b = ArrayAt(entry, "b");
        const Json& d = ArrayAt(entry, "difference");
        static const Json kNull;
        auto at = [](const Json& array, size_t i) -> const Json& {
          return i < array.size() ? array[i] : kNull;
        };
        for (size_t i = 0; i < shots.size(); ++i) row.push_back(Change(at(a, i), at(b, i), at(d, i)));
        if (!reference.empty()) {
          const Json& status = ObjectAt(entry, "status");
          const bool ok = StringAt(status, "a", "ok") == "ok" && StringAt(status, "b", "ok") == "ok";
          for (const char* key : {"overtakes_reference_at", "significantly_overtakes_reference_at"}) {
            const Json& from = ObjectAt(entry, key);
            if (arm == reference || !ok) {
              row.push_back({"", kNaN});
              continue;
            }
            const Json* fa = Find(from, "a");
            const Json* fb = Find(from, "b");
            const std::string from_a = ShotOrNever(fa != nullptr ? *fa : kNull);
            const std::string from_b = ShotOrNever(fb != nullptr ? *fb : kNull);
            row.push_back({from_a == from_b ? from_a + " (unchanged)" : from_a + " \u2192 " + from_b,
                           fb != nullptr ? NumberOf(*fb) : kNaN});
          }
        }
        table.rows.push_back(std::move(row));
      }
      block.tables.push_back(std::move(table));
    }
    blocks.push_back(std::move(block));
  }
  if (const Json* items = Find(scenarios, "cold_start_items"); items != nullptr) {
    ScenarioBlock block;
    block.heading = "Cold start: new items";
    block.lead = ChangeSummary(ArrayAt(*items, "rows"),
                               [](const Json& row) {
                                 return StringAt(row, "arm") + ", " + StringAt(row, "group") + " " +
                                        StringAt(row, "metric");
                               }) +
                 " Groups: new_items, accuracy with only the new items relevant; new_item_share, the share "
                 "of list slots given to new items; new_item_coverage, the share of new items in any list; "
                 "overall, every item.";
    ScenarioTable table;
    table.folded = true;
    table.header = {"arm", "group", "metric", "A", "B", "B \u2212 A"};
    table.numeric = {false, false, false, true, true, true};
    for (const Json& row : ArrayAt(*items, "rows")) {
      const double d = NumberAt(row, "difference");
      table.rows.push_back({{StringAt(row, "arm"), kNaN},
                            {StringAt(row, "group"), kNaN},
                            {StringAt(row, "metric"), kNaN},
                            {FormatMetric(NumberAt(row, "a")), NumberAt(row, "a")},
                            {FormatMetric(NumberAt(row, "b")), NumberAt(row, "b")},
                            {FormatSignedMetric(d), d}});
    }
    table.caption = fmt::format("Every figure ({})", table.rows.size());
    block.tables.push_back(std::move(table));
    blocks.push_back(std::move(block));
  }
  if (const Json* diversity = Find(scenarios, "diversity"); diversity != nullptr) {
    ScenarioBlock block;
    block.heading = "Accuracy and diversity";
    const std::string accuracy = StringAt(*diversity, "accuracy");
    block.lead = ChangeSummary(ArrayAt(*diversity, "rows"), [](const Json& row) {
      const std::string similarity = StringAt(row, "similarity");
      return StringAt(row, "arm") + " \u00B7 " + StringAt(row, "reranker") +
             (similarity.empty() ? "" : " (" + similarity + ")") +
             fmt::format(" \u03BB={:g}, ", NumberAt(row, "lambda")) + StringAt(row, "metric");
    });
    if (!accuracy.empty()) block.lead += " Accuracy is measured by " + accuracy + ".";
    ScenarioTable table;
    table.folded = true;
    table.header = {"arm", "re-ranker", "\u03BB", "metric", "A", "B", "B \u2212 A"};
    table.numeric = {false, false, true, false, true, true, true};
    for (const Json& row : ArrayAt(*diversity, "rows")) {
      const std::string similarity = StringAt(row, "similarity");
      const double lambda = NumberAt(row, "lambda"), d = NumberAt(row, "difference");
      const bool higher = row.value("higher_is_better", true);
      table.rows.push_back(
          {{StringAt(row, "arm"), kNaN},
           {StringAt(row, "reranker") + (similarity.empty() ? "" : " (" + similarity + ")"), kNaN},
           {fmt::format("{:g}", lambda), lambda},
           {StringAt(row, "metric") + (higher ? "" : " (lower is better)"), kNaN},
           {FormatMetric(NumberAt(row, "a")), NumberAt(row, "a")},
           {FormatMetric(NumberAt(row, "b")), NumberAt(row, "b")},
           {FormatSignedMetric(d), d}});
    }
    table.caption = fmt::format("Every setting and metric ({})", table.rows.size());
    block.tables.push_back(std::move(table));
    blocks.push_back(std::move(block));
  }
  return blocks;
}

void MarkdownScenarios(const Json& comparison, std::string& out) {
  const std::vector<ScenarioBlock> blocks = ScenarioBlocks(ObjectAt(comparison, "scenarios"));
  if (blocks.empty()) return;
  out += "### Scenarios\n\n" + EscapeMarkdown(kScenarioNote) + "\n\n";
  for (const ScenarioBlock& block : blocks) {
    out += "#### " + EscapeMarkdown(block.heading) + "\n\n";
    if (!block.lead.empty()) out += EscapeMarkdown(block.lead) + "\n\n";
    for (const ScenarioTable& table : block.tables) {
      if (table.folded) {
        out += "<details><summary>" + EscapeMarkdown(table.caption) + "</summary>\n\n";
      } else if (!table.caption.empty()) {
        out += "**" + EscapeMarkdown(table.caption) + "**\n\n";
      }
      std::string alignment = "|";
      out += "|";
      for (size_t i = 0; i < table.header.size(); ++i) {
        out += " " + EscapeMarkdown(table.header[i]) + " |";
        alignment += table.numeric[i] ? "--:|" : ":--|";
      }
      out += "\n" + alignment + "\n";
      for (const auto& row : table.rows) {
        out += "|";
        for (const ScenarioCell& cell : row)
          out += cell.text.empty() ? " |" : " " + EscapeMarkdown(cell.text) + " |";
        out += "\n";
      }
      out += table.folded ? "\n</details>\n\n" : "\n";
    }
  }
}

void HtmlScenarios(const Json& comparison, std::string& out) {
  const std::vector<ScenarioBlock> blocks = ScenarioBlocks(ObjectAt(comparison, "scenarios"));
  if (blocks.empty()) return;
  out +=
      "<section id=\"scenarios\"><h2>Scenarios</h2><p class=\"lead\">" + EscapeHtml(kScenarioNote) + "</p>";
  for (const ScenarioBlock& block : blocks) {
    out += "<h3>" + EscapeHtml(block.heading) + "</h3>";
    if (!block.lead.empty()) out += "<p class=\"lead\">" + EscapeHtml(block.lead) + "</p>";
    for (const ScenarioTable& table : block.tables) {
      if (table.folded) {
        out += "<details class=\"metric\"><summary>" + EscapeHtml(table.caption) + "</summary>";
      } else if (!table.caption.empty()) {
        out += "<h4>" + EscapeHtml(table.caption) + "</h4>";
      }
      out += "<div class=\"table-wrap\"><table class=\"sortable metric\"><thead><tr>";
      for (size_t i = 0; i < table.header.size(); ++i) {
        std::string header = table.header[i];  // the HTML pages capitalise column headers
        if (!header.empty())
          header[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(header[0])));
        out += (table.numeric[i] ? "<th class=\"num\">" : "<th>") + EscapeHtml(header) + "</th>";
      }
      out += "</tr></thead><tbody>";
      for (const auto& row : table.rows) {
        out += "<tr>";
        for (size_t i = 0; i < row.size(); ++i) {
          const ScenarioCell& cell = row[i];
          const bool numeric = i < table.numeric.size() && table.numeric[i];
          if (!numeric) {
            out += (i == 0 ? "<td class=\"arm\">" : "<td>") + EscapeHtml(cell.text) + "</td>";
          } else if (std::isfinite(cell.sort)) {
            out +=
                fmt::format("<td class=\"num\" data-sort=\"{}\">{}</td>", cell.sort, EscapeHtml(cell.text));
          } else {
            out += "<td class=\"num\">" + EscapeHtml(cell.text) + "</td>";
          }
        }
        out += "</tr>";
      }
      out += "</tbody></table></div>";
      if (table.folded) out += "</details>";
    }
  }
  out += "</section>\n";
}

}  // namespace

std::string RenderComparisonMarkdown(const nlohmann::json& a, const nlohmann::json& b,
                                     const CompareOptions& options) {
  const Json comparison = CompareRuns(a, b, options);
  const Json& run_a = comparison["a"];
  const Json& run_b = comparison["b"];
  std::string out = "## reclift compare: " + EscapeMarkdown(StringAt(run_a, "experiment", "?"));
  if (StringAt(run_b, "experiment") != StringAt(run_a, "experiment")) {
    out += " \u2192 " + EscapeMarkdown(StringAt(run_b, "experiment", "?"));
  }
  out += "\n\n- **A** (baseline) " + RunLine(run_a) + "\n- **B** " + RunLine(run_b) + "\n";
  out += "- **Test** " + EscapeMarkdown(StringAt(comparison, "method")) + "; \"better\" means B beats A\n\n";

  const Json& warnings = ArrayAt(comparison, "warnings");
  if (!warnings.empty()) {
    out += "### Warnings\n\n";
    for (const Json& warning : warnings) out += "- " + EscapeMarkdown(warning.get<std::string>()) + "\n";
    out += "\n";
  }

  out += "### What changed\n\n";
  bool any_change = false;
  for (const Json& plugin : ArrayAt(comparison, "plugins_changed")) {
    std::vector<std::string> users;
    for (const Json& user : ArrayAt(plugin, "used_by"))
      users.push_back(EscapeMarkdown(user.get<std::string>()));
    out += "- plugin " + EscapeMarkdown(StringAt(plugin, "a")) + " \u2192 " +
           EscapeMarkdown(StringAt(plugin, "b")) + " (" + Join(users, ", ") + ")\n";
    any_change = true;
  }
  for (const char* key : {"arms_added", "arms_removed"}) {
    const Json& arms = ArrayAt(comparison, key);
    if (arms.empty()) continue;
    std::vector<std::string> names;
    for (const Json& arm : arms) names.push_back(EscapeMarkdown(arm.get<std::string>()));
    out += std::string("- arms ") +
           (key == std::string_view("arms_added") ? "added in B: " : "removed in B: ") + Join(names, ", ") +
           "\n";
    any_change = true;
  }
  const Json& config_changes = ArrayAt(comparison, "config_changes");
  if (!config_changes.empty()) {
    out += fmt::format("- configuration: {} key{} changed\n\n| key | A | B |\n|:--|:--|:--|\n",
                       config_changes.size(), config_changes.size() == 1 ? "" : "s");
    for (const Json& change : config_changes) {
      out += "| " + EscapeMarkdown(StringAt(change, "path")) + " | " +
             EscapeMarkdown(ValueText(change["a"])) + " | " + EscapeMarkdown(ValueText(change["b"])) + " |\n";
    }
    any_change = true;
  }
  if (!any_change) out += "No plugin, arm or configuration change.\n";
  out += "\n";

  const auto groups = RowsByMetric(comparison);
  if (groups.empty()) {
    out += "No arm completed in both runs, so there are no metrics to compare.\n\n";
    MarkdownScenarios(comparison, out);
    return out;
  }
  out += "### Metrics\n\n";
  // The primary metric stays in view; the others fold away.
  const bool first_primary =
      !groups.front().second.empty() && groups.front().second.front()->value("primary", false);
  const size_t folded_from = first_primary ? 1 : 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g == folded_from) {
      out += fmt::format("<details><summary>{} metrics ({})</summary>\n\n", first_primary ? "Other" : "All",
                         groups.size() - folded_from);
    }
    MarkdownMetricTable(groups[g].first, groups[g].second, out);
  }
  if (groups.size() > folded_from) out += "</details>\n\n";
  MarkdownScenarios(comparison, out);
  return out;
}

std::string RenderComparisonHtml(const nlohmann::json& a, const nlohmann::json& b,
                                 const CompareOptions& options) {
  const Json comparison = CompareRuns(a, b, options);
  const Json& run_a = comparison["a"];
  const Json& run_b = comparison["b"];
  const std::string title = "reclift compare: " + StringAt(run_a, "experiment", "?") +
                            (StringAt(run_b, "experiment") != StringAt(run_a, "experiment")
                                 ? " \u2192 " + StringAt(run_b, "experiment", "?")
                                 : "");
  std::string out = report::HtmlPageStart(title);
  out += "<header class=\"top\"><div class=\"wrap\"><div class=\"kicker\">reclift run comparison</div><h1>" +
         EscapeHtml(title.substr(std::string_view("reclift compare: ").size())) + "</h1>";
  auto run_facts = [](const Json& run) {
    std::string text = EscapeHtml(StringAt(run, "started_at", "unknown time"));
    const std::string dir = StringAt(run, "run_dir");
    if (!dir.empty()) text += " \u00B7 " + EscapeHtml(dir);
    const std::string fingerprint = StringAt(run, "fingerprint");
    if (!fingerprint.empty()) text += " \u00B7 data " + EscapeHtml(fingerprint.substr(0, 12));
    return text;
  };
  out += "<p class=\"facts\"><b>A</b> (baseline) " + run_facts(run_a) + "<br><b>B</b> " + run_facts(run_b) +
         "</p></div></header>\n<main class=\"wrap\">\n";
  std::string method = StringAt(comparison, "method");
  if (!method.empty()) method[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(method[0])));
  out += "<section id=\"method\"><h2>Method</h2><p class=\"lead\">" + EscapeHtml(method) +
         ". Differences are B \u2212 A; <b>better</b> means B beats A in the metric's direction.</p>";
  const Json& warnings = ArrayAt(comparison, "warnings");
  if (!warnings.empty()) {
    out += "<ul class=\"warnings\">";
    for (const Json& warning : warnings) out += "<li>" + EscapeHtml(warning.get<std::string>()) + "</li>";
    out += "</ul>";
  }
  out += "</section>\n<section id=\"changes\"><h2>What changed</h2>";
  bool any_change = false;
  const Json& plugins = ArrayAt(comparison, "plugins_changed");
  if (!plugins.empty()) {
    out += "<table><thead><tr><th>Plugin</th><th>A</th><th>B</th><th>Used by</th></tr></thead><tbody>";
    for (const Json& plugin : plugins) {
      std::vector<std::string> users;
      for (const Json& user : ArrayAt(plugin, "used_by"))
        users.push_back(EscapeHtml(user.get<std::string>()));
      out += "<tr><td>" + EscapeHtml(StringAt(plugin, "plugin")) + "</td><td><code>" +
             EscapeHtml(StringAt(plugin, "a")) + "</code></td><td><code>" +
             EscapeHtml(StringAt(plugin, "b")) + "</code></td><td>" + Join(users, ", ") + "</td></tr>";
    }
    out += "</tbody></table>";
    any_change = true;
  }
  for (const char* key : {"arms_added", "arms_removed"}) {
    const Json& arms = ArrayAt(comparison, key);
    if (arms.empty()) continue;
    std::vector<std::string> names;
    for (const Json& arm : arms) names.push_back("<b>" + EscapeHtml(arm.get<std::string>()) + "</b>");
    out += std::string("<p>Arms ") +
           (key == std::string_view("arms_added") ? "added in B: " : "removed in B: ") + Join(names, ", ") +
           "</p>";
    any_change = true;
  }
  const Json& config_changes = ArrayAt(comparison, "config_changes");
  if (!config_changes.empty()) {
    out +=
        "<h3>Configuration</h3><div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Key</th>"
        "<th>Change</th><th>A</th><th>B</th></tr></thead><tbody>";
    for (const Json& change : config_changes) {
      out += "<tr><td><code>" + EscapeHtml(StringAt(change, "path")) + "</code></td><td>" +
             EscapeHtml(StringAt(change, "change")) + "</td><td><code>" + EscapeHtml(ValueText(change["a"])) +
             "</code></td><td><code>" + EscapeHtml(ValueText(change["b"])) + "</code></td></tr>";
    }
    out += "</tbody></table></div>";
    any_change = true;
  }
  if (!any_change) out += "<p class=\"muted\">No plugin, arm or configuration change.</p>";
  out += "</section>\n<section id=\"metrics\"><h2>Metrics</h2>";
  const auto groups = RowsByMetric(comparison);
  if (groups.empty())
    out += "<p class=\"note\">No arm completed in both runs, so there are no metrics to compare.</p>";
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& [metric, rows] = groups[g];
    const bool primary = !rows.empty() && rows.front()->value("primary", false);
    const bool higher = rows.empty() || rows.front()->value("higher_is_better", true);
    out += fmt::format(
        "<details class=\"metric\"{}><summary><span class=\"metric-name\">{}</span>{} "
        "<span class=\"muted\">{}</span> <span class=\"counts\">{}</span></summary>",
        g == 0 ? " open" : "", EscapeHtml(metric),
        primary ? " <span class=\"tag primary\">primary</span>" : "",
        higher ? "higher is better" : "lower is better", VerdictCounts(rows));
    out +=
        "<div class=\"table-wrap\"><table class=\"sortable metric\"><thead><tr><th>Arm</th><th "
        "class=\"num\">A"
        "</th><th class=\"num\">B</th><th class=\"num\">B \u2212 A [CI]</th><th class=\"num\">Relative "
        "[CI]</th>"
        "<th class=\"num\">p (adj.)</th><th>Test</th><th>Verdict</th></tr></thead><tbody>";
    std::vector<report::ForestRow> forest;
    bool relative = true;
    for (const Json* row : rows) relative = relative && std::isfinite(NumberAt(*row, "relative_difference"));
    for (const Json* row : rows) {
      const std::string verdict = StringAt(*row, "verdict");
      const double difference = NumberAt(*row, "difference"), rel = NumberAt(*row, "relative_difference");
      const double p = NumberAt(*row, "p_value_adjusted");
      auto cell = [](const std::string& text, double sort) {
        return std::isfinite(sort) ? fmt::format("<td class=\"num\" data-sort=\"{}\">{}</td>", sort, text)
                                   : "<td class=\"num\">" + text + "</td>";
      };
      out += "<tr><td class=\"arm\">" + EscapeHtml(StringAt(*row, "arm")) + "</td>" +
             cell(FormatMetric(NumberAt(*row, "a")), NumberAt(*row, "a")) +
             cell(FormatMetric(NumberAt(*row, "b")), NumberAt(*row, "b")) +
             cell(FormatSignedMetric(difference) + " <span class=\"ci\">" +
                      Interval(NumberAt(*row, "ci_low"), NumberAt(*row, "ci_high"), FormatSignedMetric) +
                      "</span>",
                  difference) +
             cell(FormatSignedPercent(rel) + " <span class=\"ci\">" +
                      Interval(NumberAt(*row, "relative_ci_low"), NumberAt(*row, "relative_ci_high"),
                               FormatSignedPercent) +
                      "</span>",
                  rel) +
             cell(FormatPValue(p), p) + "<td>" + EscapeHtml(StringAt(*row, "test")) + "</td><td>" +
             report::VerdictBadge(verdict) + "</td></tr>";
      report::ForestRow f;
      f.label = StringAt(*row, "arm");
      f.verdict = verdict;
      if (relative) {
        f.estimate = rel, f.low = NumberAt(*row, "relative_ci_low"),
        f.high = NumberAt(*row, "relative_ci_high");
      } else {
        f.estimate = difference, f.low = NumberAt(*row, "ci_low"), f.high = NumberAt(*row, "ci_high");
      }
      f.detail = fmt::format("{}: {} \u2192 {} ({})", f.label, FormatMetric(NumberAt(*row, "a")),
                             FormatMetric(NumberAt(*row, "b")), verdict);
      forest.push_back(std::move(f));
    }
    out += "</tbody></table></div>";
    const std::string axis =
        fmt::format("{} change of {}, B vs A ({}; {})", relative ? "Relative" : "Absolute", metric,
                    relative ? "%" : "metric units", higher ? "higher is better" : "lower is better");
    out += "<figure class=\"plot forest\">" + report::ForestPlotSvg(forest, axis, relative) +
           "</figure></details>";
  }
  out += "</section>\n";
  HtmlScenarios(comparison, out);
  out +=
      "</main>\n<footer><div class=\"wrap\">Rendered by reclift from two results.json files. "
      "Self-contained: no network access needed.</div></footer>\n";
  out += report::HtmlPageEnd();
  return out;
}

}  // namespace reclift::host
