// The Markdown summary: sized for a pull-request comment. The primary
// metric is shown in full; other metrics fold into a <details> block so the
// verdict stays on the first screen.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "report/format.h"
#include "report/render.h"
#include "stats/stats.h"

namespace reclift::host {
namespace {

using report::ArrayAt;
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

struct Column {
  std::string name;
  bool higher_is_better = true;
  bool per_user = true;  // "mean" aggregation: has intervals and comparisons
};

// Everything the sections share, read once from the document.
struct Document {
  const Json& results;
  const Json& ab;
  std::vector<Column> columns;
  std::vector<const Json*> ok_arms;
  std::vector<const Json*> failed_arms;
  std::string control;
  const Json* control_arm = nullptr;
  std::vector<const Json*> treatments;  // ok arms other than the control
  std::string primary;
  double alpha = 0.05;
  bool corrected = true;
  std::string confidence;  // "95%"
  report::ComparisonIndex comparisons;

  explicit Document(const Json& r) : results(r), ab(ObjectAt(r, "ab")), comparisons(r) {
    for (const Json& column : ArrayAt(r, "columns")) {
      const Json* higher = Find(column, "higher_is_better");
      columns.push_back({StringAt(column, "name"),
                         higher == nullptr || !higher->is_boolean() || higher->get<bool>(),
                         StringAt(column, "aggregation", "mean") == "mean"});
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
    const double level = std::round((1 - alpha) * 100 * 1e4) / 1e4;
    confidence = fmt::format("{:g}%", level);
  }

  const Column* FindColumn(std::string_view name) const {
    for (const Column& column : columns) {
      if (column.name == name) return &column;
    }
    return nullptr;
  }
  std::string PLabel() const { return corrected ? "p_adj" : "p"; }
};

std::string ArmName(const Json& arm) {
  return EscapeMarkdown(StringAt(arm, "name"));
}

std::string Bold(const std::string& escaped) {
  return "**" + escaped + "**";
}

// Verdict words as the tables show them: better/worse stand out.
std::string VerdictCell(const std::string& verdict) {
  if (verdict == stats::kVerdictBetter || verdict == stats::kVerdictWorse) return Bold(verdict);
  return verdict.empty() ? std::string(report::kMissing) : EscapeMarkdown(verdict);
}

std::string IntervalText(double low, double high, std::string (*format)(double)) {
  if (!std::isfinite(low) || !std::isfinite(high)) return "";
  return "[" + format(low) + ", " + format(high) + "]";
}

// "+0.0312 (+24.1%, 95% CI [+0.0210, +0.0410]), p_adj = 0.0004 → better"
std::string LiftSentence(const Document& doc, const Json& comparison) {
  std::string text = FormatSignedMetric(NumberAt(comparison, "lift"));
  std::vector<std::string> details;
  const double relative = NumberAt(comparison, "relative_lift");
  if (std::isfinite(relative)) details.push_back(FormatSignedPercent(relative));
  const std::string ci = IntervalText(NumberAt(comparison, "lift_ci_low"),
                                      NumberAt(comparison, "lift_ci_high"), FormatSignedMetric);
  if (!ci.empty()) details.push_back(doc.confidence + " CI " + ci);
  if (!details.empty()) {
    text += " (" + details.front();
    for (size_t i = 1; i < details.size(); ++i) text += ", " + details[i];
    text += ")";
  }
  text += ", " + doc.PLabel() + " = " + FormatPValue(NumberAt(comparison, "p_value_adjusted"));
  text += " \u2192 " + EscapeMarkdown(StringAt(comparison, "verdict", "no verdict"));
  return text;
}

void RenderHeader(const Document& doc, std::string& out) {
  const Json& experiment = ObjectAt(doc.results, "experiment");
  out += "## reclift: " + EscapeMarkdown(StringAt(experiment, "name", "experiment")) + "\n\n";
  const std::string description = StringAt(experiment, "description");
  if (!description.empty()) out += EscapeMarkdown(description) + "\n\n";

  const Json& dataset = ObjectAt(doc.results, "dataset");
  if (!dataset.empty()) {
    out += "- **Dataset** " + EscapeMarkdown(StringAt(dataset, "name", "unnamed"));
    const std::string format = StringAt(dataset, "format");
    if (!format.empty()) out += " (" + EscapeMarkdown(format) + ")";
    out +=
        fmt::format(": {} users, {} items, {} interactions", FormatCount(NumberAt(dataset, "users")),
                    FormatCount(NumberAt(dataset, "items")), FormatCount(NumberAt(dataset, "interactions")));
    std::string fingerprint = StringAt(dataset, "fingerprint").substr(0, 12);
    std::erase(fingerprint, '`');
    if (!fingerprint.empty()) out += ", fingerprint `" + fingerprint + "`";
    out += "\n";
  }
  const Json& split = ObjectAt(doc.results, "split");
  if (!split.empty()) {
    out += "- **Split** " + EscapeMarkdown(StringAt(split, "method", "unknown"));
    const double seed = NumberAt(split, "seed");
    if (std::isfinite(seed)) out += " (seed " + fmt::format("{:.0f}", seed) + ")";
    out += fmt::format(": {} train / {} test interactions, {} test users\n",
                       FormatCount(NumberAt(split, "train")), FormatCount(NumberAt(split, "test")),
                       FormatCount(NumberAt(split, "test_users")));
  }
  if (!doc.control.empty()) {
    const std::string correction = StringAt(doc.ab, "correction", "none");
    std::string correction_text = correction == "holm"   ? "Holm correction"
                                  : correction == "bh"   ? "Benjamini-Hochberg correction"
                                  : correction == "none" ? "no multiple-comparison correction"
                                                         : EscapeMarkdown(correction) + " correction";
    out += "- **A/B** " + EscapeMarkdown(StringAt(doc.ab, "assignment", "paired")) + ", control " +
           Bold(EscapeMarkdown(doc.control)) + ", " + doc.confidence + " intervals, " + correction_text;
    const double samples = NumberAt(doc.ab, "bootstrap_samples");
    if (std::isfinite(samples)) out += ", " + FormatCount(samples) + " bootstrap samples";
    out += "\n";
  }
  out += "\n";
}

void RenderHeadline(const Document& doc, std::string& out) {
  if (doc.primary.empty()) return;
  out += "### Verdict on " + EscapeMarkdown(doc.primary) + "\n\n";
  if (doc.control_arm == nullptr) {
    out += doc.control.empty() ? "No comparison: no control arm is set.\n\n"
                               : "No comparison: the control arm " + Bold(EscapeMarkdown(doc.control)) +
                                     " did not complete.\n\n";
    return;
  }
  if (doc.treatments.empty()) {
    out += "No treatment arm completed.\n\n";
    return;
  }
  for (const Json* arm : doc.treatments) {
    out += "- " + Bold(ArmName(*arm)) + " vs " + Bold(EscapeMarkdown(doc.control)) + " on " +
           EscapeMarkdown(doc.primary) + ": ";
    const Json* comparison = doc.comparisons.Get(StringAt(*arm, "name"), doc.primary);
    out += comparison == nullptr ? "no comparison" : LiftSentence(doc, *comparison);
    out += "\n";
  }
  out += "\n";
}

void RenderMetricTable(const Document& doc, const Column& column, std::string& out) {
  out += "#### " + EscapeMarkdown(column.name) +
         (column.higher_is_better ? " (higher is better)" : " (lower is better)");
  if (!column.per_user) out += ", list-level";
  out += "\n\n";
  out += "| arm | mean | " + doc.confidence + " CI | lift vs control | rel. lift | p (adj) | verdict |\n";
  out += "|:--|--:|:--|--:|--:|--:|:--|\n";
  std::vector<const Json*> rows;
  if (doc.control_arm != nullptr) rows.push_back(doc.control_arm);
  rows.insert(rows.end(), doc.treatments.begin(), doc.treatments.end());
  for (const Json* arm : rows) {
    const Json& summary = ObjectAt(ObjectAt(*arm, "metrics"), column.name);
    const bool is_control = arm == doc.control_arm;
    out += "| " + ArmName(*arm) + (is_control ? " (control)" : "") + " | " +
           FormatMetric(NumberAt(summary, "mean")) + " | " +
           IntervalText(NumberAt(summary, "ci_low"), NumberAt(summary, "ci_high"), FormatMetric) + " | ";
    const Json* comparison = is_control ? nullptr : doc.comparisons.Get(StringAt(*arm, "name"), column.name);
    if (comparison == nullptr) {
      out += " |  |  |  |\n";
      continue;
    }
    const Json& c = *comparison;
    std::string lift = FormatSignedMetric(NumberAt(c, "lift"));
    const std::string lift_ci =
        IntervalText(NumberAt(c, "lift_ci_low"), NumberAt(c, "lift_ci_high"), FormatSignedMetric);
    if (!lift_ci.empty()) lift += " " + lift_ci;
    std::string relative = FormatSignedPercent(NumberAt(c, "relative_lift"));
    const std::string relative_ci = IntervalText(NumberAt(c, "relative_lift_ci_low"),
                                                 NumberAt(c, "relative_lift_ci_high"), FormatSignedPercent);
    if (!relative_ci.empty()) relative += " " + relative_ci;
    out += lift + " | " + relative + " | " + FormatPValue(NumberAt(c, "p_value_adjusted")) + " | " +
           VerdictCell(StringAt(c, "verdict")) + " |\n";
  }
  out += "\n";
}

void RenderMetricTables(const Document& doc, std::string& out) {
  if (doc.ok_arms.empty() || doc.columns.empty()) return;
  const Column* primary = doc.FindColumn(doc.primary);
  if (primary != nullptr) RenderMetricTable(doc, *primary, out);
  std::vector<const Column*> others;
  for (const Column& column : doc.columns) {
    if (&column != primary) others.push_back(&column);
  }
  if (others.empty()) return;
  // Collapsed on GitHub; a blank line after <summary> lets the tables render.
  out += fmt::format("<details><summary>Other metrics ({})</summary>\n\n", others.size());
  for (const Column* column : others) RenderMetricTable(doc, *column, out);
  out += "</details>\n\n";
}

void RenderSegments(const Document& doc, std::string& out) {
  const Json& profilers = ArrayAt(doc.results, "profilers");
  if (profilers.empty() || doc.treatments.empty() || doc.control_arm == nullptr || doc.primary.empty())
    return;
  out += "### " + EscapeMarkdown(doc.primary) + " by segment\n\n";
  out += "| profiler | segment | users |";
  std::string alignment = "|:--|:--|--:|";
  for (const Json* arm : doc.treatments) {
    out += " " + ArmName(*arm) + " |";
    alignment += ":--|";
  }
  out += "\n" + alignment + "\n";
  for (const Json& profiler : profilers) {
    const std::string profiler_name = StringAt(profiler, "name");
    const Json& segments = ArrayAt(profiler, "segments");
    const Json& users = ArrayAt(profiler, "users");
    for (size_t s = 0; s < segments.size(); ++s) {
      const std::string segment =
          segments[s].is_string() ? segments[s].get<std::string>() : segments[s].dump();
      const double count = s < users.size() && users[s].is_number() ? users[s].get<double>() : NAN;
      out += "| " + EscapeMarkdown(profiler_name) + " | " + EscapeMarkdown(segment) + " | " +
             FormatCount(count) + " |";
      for (const Json* arm : doc.treatments) {
        const Json* c = doc.comparisons.Get(StringAt(*arm, "name"), doc.primary, profiler_name, segment);
        if (c == nullptr) {
          out += std::string(" ") + std::string(report::kMissing) + " |";
          continue;
        }
        std::string cell = FormatSignedMetric(NumberAt(*c, "lift"));
        const double relative = NumberAt(*c, "relative_lift");
        if (std::isfinite(relative)) cell += " (" + FormatSignedPercent(relative) + ")";
        cell += ", " + doc.PLabel() + " " + FormatPValue(NumberAt(*c, "p_value_adjusted")) + " \u2192 " +
                VerdictCell(StringAt(*c, "verdict"));
        out += " " + cell + " |";
      }
      out += "\n";
    }
  }
  out += "\n";
}

void RenderFailures(const Document& doc, std::string& out) {
  if (doc.failed_arms.empty()) return;
  out += "### Failed arms\n\n";
  for (const Json* arm : doc.failed_arms) {
    out += "- " + Bold(ArmName(*arm));
    const std::string recommender = StringAt(*arm, "plugin", StringAt(*arm, "recommender"));
    if (!recommender.empty()) out += " (" + EscapeMarkdown(recommender) + ")";
    out += ": " + EscapeMarkdown(StringAt(*arm, "error", "failed without a message")) + "\n";
  }
  out += "\n";
}

void RenderCost(const Document& doc, std::string& out) {
  const Json& arms = ArrayAt(doc.results, "arms");
  if (arms.empty()) return;
  out += "### Cost\n\n| arm | fit s | eval s | peak memory MB |\n|:--|--:|--:|--:|\n";
  auto seconds = [](double s) {
    return std::isfinite(s) ? fmt::format("{:.2f}", s) : std::string(report::kMissing);
  };
  for (const Json& arm : arms) {
    const bool failed = StringAt(arm, "status", "ok") == "failed";
    const double peak = NumberAt(arm, "peak_rss_bytes");
    out += "| " + ArmName(arm) + (failed ? " (failed)" : "") + " | " + seconds(NumberAt(arm, "fit_seconds")) +
           " | " + seconds(NumberAt(arm, "eval_seconds")) + " | " +
           (std::isfinite(peak) ? fmt::format("{:.1f}", peak / 1e6) : std::string(report::kMissing)) + " |\n";
  }
  out += "\n";
}

void RenderWarnings(const Document& doc, std::string& out) {
  std::vector<std::string> warnings;
  for (const Json* list : {&ArrayAt(doc.results, "warnings"), &ArrayAt(doc.ab, "warnings")}) {
    for (const Json& warning : *list) {
      if (!warning.is_string()) continue;
      const std::string text = warning.get<std::string>();
      if (std::find(warnings.begin(), warnings.end(), text) == warnings.end()) warnings.push_back(text);
    }
  }
  if (warnings.empty()) return;
  out += "### Warnings\n\n";
  for (const std::string& warning : warnings) out += "- " + EscapeMarkdown(warning) + "\n";
  out += "\n";
}

void RenderFooter(const Document& doc, std::string& out) {
  const Json& experiment = ObjectAt(doc.results, "experiment");
  std::string footer = "reclift " + EscapeMarkdown(StringAt(doc.results, "reclift_version", "?"));
  const std::string started = StringAt(experiment, "started_at");
  if (!started.empty()) footer += ", run " + EscapeMarkdown(started);
  const double seconds = NumberAt(experiment, "seconds");
  if (std::isfinite(seconds)) footer += fmt::format(" in {:.1f} s", seconds);
  out += "<sub>" + footer + "</sub>\n";
}

}  // namespace

std::string RenderMarkdown(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderMarkdown");
  const Document doc(results);
  std::string out;
  RenderHeader(doc, out);
  RenderHeadline(doc, out);
  RenderMetricTables(doc, out);
  RenderSegments(doc, out);
  RenderFailures(doc, out);
  RenderCost(doc, out);
  RenderWarnings(doc, out);
  RenderFooter(doc, out);
  return out;
}

}  // namespace reclift::host
