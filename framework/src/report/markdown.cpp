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
#include "report/ope_section.h"
#include "report/render.h"
#include "report/tuning_section.h"
#include "stats/stats.h"
#include "util/text.h"

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

using Column = report::ResultsColumn;

// Everything the sections share, read once from the document.
struct Document : report::ResultsView {
  using ResultsView::ResultsView;
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
  out += "#### " + EscapeMarkdown(column.name) + " (" + column.DirectionText() + ")";
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

// "0.150 ±0.020": a mean and the half-width of its interval, compact enough
// for a table with a column per shot.
std::string MeanPlusMinus(double mean, double low, double high) {
  if (!std::isfinite(mean)) return std::string(report::kMissing);
  std::string text = FormatMetric(mean);
  if (std::isfinite(low) && std::isfinite(high)) text += " \u00B1" + FormatMetric((high - low) / 2);
  return text;
}

std::string ShotText(const Json* value) {
  return value != nullptr && value->is_number() ? fmt::format("{:g}", value->get<double>()) : "never";
}

void RenderColdStartUsers(const Document& doc, std::string& out) {
  const Json* section = Find(doc.results, "cold_start_users");
  if (section == nullptr || !section->is_object()) return;
  const std::string metric = StringAt(*section, "metric", doc.primary);
  out += "### Cold start: new users (" + EscapeMarkdown(metric) + ")\n\n";
  if (const std::string error = StringAt(*section, "error"); !error.empty()) {
    out += "The scenario could not run: " + EscapeMarkdown(error) + "\n\n";
    return;
  }
  out += fmt::format(
      "{} users ({:g}% of the {} with more interactions than the largest N) held out of training; each "
      "given their first N interactions ({} order) and evaluated on the same later ones. Mean \u00B1 half "
      "the {} interval.\n\n",
      FormatCount(NumberAt(*section, "users")), NumberAt(*section, "user_fraction") * 100,
      FormatCount(NumberAt(*section, "eligible_users")), EscapeMarkdown(StringAt(*section, "order", "?")),
      doc.confidence);
  const Json& shots = ArrayAt(*section, "shots");
  const std::string reference = StringAt(*section, "reference");
  for (const Json& mode : ArrayAt(*section, "modes")) {
    const std::string name = StringAt(mode, "mode");
    out += name == "fold-in" ? "**Fold-in** (scored from the N interactions, no retraining)\n\n"
                             : "**Retrain** (fitted with the N interactions)\n\n";
    out += "| arm |";
    std::string alignment = "|:--|";
    for (const Json& n : shots) {
      out += " N = " + ShotText(&n) + " |";
      alignment += "--:|";
    }
    if (!reference.empty()) {
      out += " above " + EscapeMarkdown(reference) + " from N | significantly from N |";
      alignment += "--:|--:|";
    }
    out += "\n" + alignment + "\n";
    for (const auto& [arm, values] : ObjectAt(mode, "arms").items()) {
      const std::string status = StringAt(values, "status", "ok");
      out += "| " + EscapeMarkdown(arm) + (arm == reference ? " (reference)" : "") +
             (status == "ok" ? "" : " (" + EscapeMarkdown(status) + ")") + " |";
      const Json& mean = ArrayAt(values, "mean");
      const Json& low = ArrayAt(values, "ci_low");
      const Json& high = ArrayAt(values, "ci_high");
      for (size_t i = 0; i < shots.size(); ++i) {
        auto at = [&](const Json& a) { return i < a.size() && a[i].is_number() ? a[i].get<double>() : NAN; };
        out += " " + MeanPlusMinus(at(mean), at(low), at(high)) + " |";
      }
      if (!reference.empty()) {
        if (arm == reference || status != "ok") {
          out += " | |";
        } else {
          out += " " + ShotText(Find(values, "overtakes_reference_at")) + " | " +
                 ShotText(Find(values, "significantly_overtakes_reference_at")) + " |";
        }
      }
      out += "\n";
    }
    out += "\n";
  }
}

void RenderColdStartItems(const Document& doc, std::string& out) {
  const Json* section = Find(doc.results, "cold_start_items");
  if (section == nullptr || !section->is_object()) return;
  out += "### Cold start: new items\n\n";
  if (const std::string error = StringAt(*section, "error"); !error.empty()) {
    out += "The scenario could not run: " + EscapeMarkdown(error) + "\n\n";
    return;
  }
  out += fmt::format(
      "{} items held out of training ({} training interactions removed), kept in the catalogue with their "
      "features. New-item metrics count only new items as relevant ({} users have one).\n\n",
      FormatCount(NumberAt(*section, "new_items")),
      FormatCount(NumberAt(*section, "train_interactions_removed")),
      FormatCount(NumberAt(*section, "users_with_new_relevant")));
  std::vector<std::string> new_metrics, shares, coverages;
  for (const Json& name : ArrayAt(*section, "new_item_metrics")) {
    if (!name.is_string()) continue;
    const std::string n = name.get<std::string>();
    if (n.rfind("recall@", 0) == 0 || n.rfind("ndcg@", 0) == 0) new_metrics.push_back(n);
  }
  for (const Json& arm : ArrayAt(*section, "arms")) {
    for (const auto& [key, value] : ObjectAt(arm, "new_item_share").items()) {
      if (std::find(shares.begin(), shares.end(), key) == shares.end()) shares.push_back(key);
    }
    for (const auto& [key, value] : ObjectAt(arm, "new_item_coverage").items()) {
      if (std::find(coverages.begin(), coverages.end(), key) == coverages.end()) coverages.push_back(key);
    }
  }
  out += "| arm |";
  std::string alignment = "|:--|";
  for (const std::string& m : new_metrics)
    out += " new-item " + EscapeMarkdown(m) + " |", alignment += "--:|";
  for (const std::string& m : shares) out += " " + EscapeMarkdown(m) + " |", alignment += "--:|";
  for (const std::string& m : coverages) out += " " + EscapeMarkdown(m) + " |", alignment += "--:|";
  out += " overall " + EscapeMarkdown(doc.primary) + " |\n" + alignment + "--:|\n";
  auto cell = [](const Json& summary) {
    return " " +
           MeanPlusMinus(NumberAt(summary, "mean"), NumberAt(summary, "ci_low"),
                         NumberAt(summary, "ci_high")) +
           " |";
  };
  for (const Json& arm : ArrayAt(*section, "arms")) {
    out += "| " + ArmName(arm);
    if (const std::string note = StringAt(arm, "note"); !note.empty())
      out += " (" + EscapeMarkdown(note) + ")";
    if (StringAt(arm, "status", "ok") != "ok") {
      out += " (failed: " + EscapeMarkdown(StringAt(arm, "error")) + ")";
    }
    out += " |";
    for (const std::string& m : new_metrics) out += cell(ObjectAt(ObjectAt(arm, "new_items"), m));
    for (const std::string& m : shares) out += cell(ObjectAt(ObjectAt(arm, "new_item_share"), m));
    for (const std::string& m : coverages)
      out += " " + FormatMetric(NumberAt(ObjectAt(arm, "new_item_coverage"), m)) + " |";
    out += cell(ObjectAt(ObjectAt(arm, "overall"), doc.primary)) + "\n";
  }
  out += "\n";
}

std::string RunLabel(const Json& point) {
  const std::string reranker = StringAt(point, "reranker");
  const std::string similarity = StringAt(point, "similarity");
  return similarity.empty() ? reranker : reranker + " (" + similarity + ")";
}

void RenderDiversity(const Document& doc, std::string& out) {
  const Json* section = Find(doc.results, "diversity");
  if (section == nullptr || !section->is_object()) return;
  out += "### Accuracy and diversity\n\n";
  if (const std::string error = StringAt(*section, "error"); !error.empty()) {
    out += "The scenario could not run: " + EscapeMarkdown(error) + "\n\n";
    return;
  }
  const std::string accuracy = StringAt(*section, "accuracy", doc.primary);
  std::vector<std::string> metrics;
  for (const Json& name : ArrayAt(*section, "metrics")) {
    if (name.is_string()) metrics.push_back(name.get<std::string>());
  }
  for (const Json& run : ArrayAt(*section, "runs")) {
    if (const std::string error = StringAt(run, "error"); !error.empty()) {
      out += "- " + EscapeMarkdown(StringAt(run, "reranker")) + ": " + EscapeMarkdown(error) + "\n";
    }
  }
  for (const auto& [arm, status] : ObjectAt(*section, "arms").items()) {
    if (StringAt(status, "status", "ok") != "ok") {
      out += "- arm " + EscapeMarkdown(arm) + " failed: " + EscapeMarkdown(StringAt(status, "error")) + "\n";
    }
  }
  const Json& pareto = ObjectAt(*section, "pareto");
  if (!pareto.empty()) {
    out += "Pareto-best settings: for each metric, the settings no other setting beats on both it and " +
           EscapeMarkdown(accuracy) + ".\n\n";
    for (const auto& [metric, best] : pareto.items()) {
      std::vector<std::string> settings;
      for (const Json& p : best) {
        settings.push_back(EscapeMarkdown(StringAt(p, "arm")) + " \u00B7 " + EscapeMarkdown(RunLabel(p)) +
                           fmt::format(" \u03BB={:g}", NumberAt(p, "lambda")));
      }
      out += "- **" + EscapeMarkdown(metric) +
             "**: " + (settings.empty() ? std::string(report::kMissing) : Join(settings, ", ")) + "\n";
    }
    out += "\n";
  }
  const Json& points = ArrayAt(*section, "points");
  out += fmt::format("<details><summary>Every setting ({})</summary>\n\n| arm | re-ranker | \u03BB |",
                     points.size());
  std::string alignment = "|:--|:--|--:|";
  for (const std::string& m : metrics) out += " " + EscapeMarkdown(m) + " |", alignment += "--:|";
  out += "\n" + alignment + "\n";
  for (const Json& point : points) {
    out += "| " + EscapeMarkdown(StringAt(point, "arm")) + " | " + EscapeMarkdown(RunLabel(point)) + " | " +
           fmt::format("{:g}", NumberAt(point, "lambda")) + " |";
    for (const std::string& m : metrics) out += " " + FormatMetric(NumberAt(point, m)) + " |";
    out += "\n";
  }
  out += "\n</details>\n\n";
}

void RenderRepeats(const Document& doc, std::string& out) {
  const Json& repeats = ObjectAt(doc.results, "repeats");
  const Json& arms = ObjectAt(repeats, "arms");
  if (arms.empty() || doc.primary.empty()) return;
  const size_t cells = ArrayAt(repeats, "cells").size();
  out += "### Repeats: " + EscapeMarkdown(doc.primary) + " over " + std::to_string(cells) +
         " cells (splits x folds x seeds)\n\n";
  out +=
      "| arm | mean | " + doc.confidence + " CI | sd across splits | sd across seeds | lift vs control |\n";
  out += "|:--|--:|:--|--:|--:|:--|\n";
  const Json& lifts = ObjectAt(repeats, "lifts");
  for (const auto& [name, metrics] : arms.items()) {
    const Json& m = ObjectAt(metrics, doc.primary);
    const Json& l = ObjectAt(ObjectAt(lifts, name), doc.primary);
    std::string lift;
    if (!l.empty()) {
      lift = FormatSignedMetric(NumberAt(l, "mean")) + " [" + FormatSignedMetric(NumberAt(l, "ci_low")) +
             ", " + FormatSignedMetric(NumberAt(l, "ci_high")) + "]";
    }
    out += "| " + EscapeMarkdown(name) + (name == doc.control ? " (control)" : "") + " | " +
           FormatMetric(NumberAt(m, "mean")) + " | [" + FormatMetric(NumberAt(m, "ci_low")) + ", " +
           FormatMetric(NumberAt(m, "ci_high")) + "] | " + FormatMetric(NumberAt(m, "split_sd")) + " | " +
           FormatMetric(NumberAt(m, "seed_sd")) + " | " + lift + " |\n";
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
    // what the engine kept of a failed cell: its last log lines, the trace
    const Json* failure = arm->contains("failure") ? &(*arm)["failure"] : nullptr;
    if (failure == nullptr || !failure->is_object()) continue;
    std::string block;
    for (const Json& line : ArrayAt(*failure, "last_lines")) {
      if (line.is_string()) block += "    " + line.get<std::string>() + "\n";
    }
    if (!block.empty()) out += "\n  last lines of its log:\n\n" + block + "\n";
    const std::string trace = StringAt(*failure, "trace");
    if (!trace.empty()) {
      std::string shown;
      size_t lines = 0;
      for (size_t p = 0; p < trace.size() && lines < 20; ++lines) {
        const size_t e = std::min(trace.find('\n', p), trace.size());
        shown += "    " + trace.substr(p, e - p) + "\n";
        p = e + 1;
      }
      out += "\n  stack trace of the worker:\n\n" + shown + "\n";
    }
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
  RenderColdStartUsers(doc, out);
  RenderColdStartItems(doc, out);
  RenderDiversity(doc, out);
  report::RenderOpeMarkdown(results, out);  // report/ope_section.h
  RenderRepeats(doc, out);
  out += RenderTuningMarkdown(results);  // report/tuning_section.h
  RenderFailures(doc, out);
  RenderCost(doc, out);
  RenderWarnings(doc, out);
  RenderFooter(doc, out);
  return out;
}

}  // namespace reclift::host
