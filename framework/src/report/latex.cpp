// The LaTeX table: the experiment's headline numbers as a paper would print
// them, ready to \input into a document with booktabs and amssymb.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "report/format.h"
#include "report/html.h"
#include "stats/stats.h"

namespace reclift::host {
namespace {

using report::ArrayAt;
using report::Find;
using report::FormatMetric;
using report::Json;
using report::NumberAt;
using report::ObjectAt;
using report::StringAt;

// Escapes the characters TeX gives a meaning to, and those the default OT1
// text font does not print as themselves (<, >, |); folds line breaks.
std::string EscapeLatex(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '&': out += "\\&"; break;
      case '%': out += "\\%"; break;
      case '$': out += "\\$"; break;
      case '#': out += "\\#"; break;
      case '_': out += "\\_"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      case '|': out += "\\textbar{}"; break;
      case '\r':
      case '\n': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

// A label usable in \label and \ref: lower-case letters, digits and dashes.
std::string LabelOf(std::string_view name) {
  std::string label;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      label += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!label.empty() && label.back() != '-') {
      label += '-';
    }
  }
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label.empty() ? "experiment" : label;
}

struct TableColumn {
  std::string name;
  bool higher_is_better = true;
  bool directional = true;  // false: no arrow and no best value
};

std::string FormatShot(const Json* value) {
  return value != nullptr && value->is_number() ? fmt::format("{:g}", value->get<double>()) : "";
}

// The cold-start-users learning curves as a second table: one column per N,
// one block of arms per mode, mean and half its interval in each cell, the
// best mean of each N and mode in bold. Empty when the run has no such
// section (or it could not run).
std::string ColdStartUsersTable(const Json& results, const std::string& name, const std::string& confidence) {
  const Json* section = Find(results, "cold_start_users");
  if (section == nullptr || !section->is_object() || Find(*section, "error") != nullptr) return "";
  const Json& shots = ArrayAt(*section, "shots");
  const Json& modes = ArrayAt(*section, "modes");
  if (shots.empty() || modes.empty()) return "";
  const std::string metric =
      StringAt(*section, "metric", StringAt(ObjectAt(results, "ab"), "primary_metric"));
  const std::string reference = StringAt(*section, "reference");
  bool higher_is_better = true;
  for (const Json& column : ArrayAt(results, "columns")) {
    const Json* higher = Find(column, "higher_is_better");
    if (StringAt(column, "name") == metric && higher != nullptr && higher->is_boolean())
      higher_is_better = higher->get<bool>();
  }
  std::vector<std::string> declared;
  for (const Json& arm : ArrayAt(results, "arms")) declared.push_back(StringAt(arm, "name"));

  const size_t width = 1 + shots.size() + (reference.empty() ? 0 : 2);
  std::string out = fmt::format("\\begin{{tabular}}{{l{}}}\n\\toprule\nArm", std::string(width - 1, 'c'));
  for (const Json& n : shots) out += " & $N = " + FormatShot(&n) + "$";
  if (!reference.empty()) out += " & From $N$ & Sig.\\ from $N$";
  out += " \\\\\n";
  auto at = [](const Json& values, const char* key, size_t i) {
    const Json& array = ArrayAt(values, key);
    return i < array.size() && array[i].is_number() ? array[i].get<double>()
                                                    : std::numeric_limits<double>::quiet_NaN();
  };
  for (const Json& mode : modes) {
    const std::string mode_name = StringAt(mode, "mode");
    const Json& arms = ObjectAt(mode, "arms");
    out += fmt::format("\\midrule\n\\multicolumn{{{}}}{{l}}{{\\textit{{{}}}}} \\\\\n", width,
                       mode_name == "fold-in"   ? "Fold-in: scored from the $N$ interactions, not retrained"
                       : mode_name == "retrain" ? "Retrained with the $N$ interactions"
                                                : EscapeLatex(mode_name));
    std::vector<double> best(shots.size(), std::numeric_limits<double>::quiet_NaN());
    for (const auto& [arm, values] : arms.items()) {
      for (size_t i = 0; i < shots.size(); ++i) {
        const double mean = at(values, "mean", i);
        if (std::isfinite(mean) &&
            (!std::isfinite(best[i]) || (higher_is_better ? mean > best[i] : mean < best[i])))
          best[i] = mean;
      }
    }
    for (const std::string& arm : report::OrderedKeys(arms, declared)) {
      const Json& values = arms[arm];
      const std::string status = StringAt(values, "status", "ok");
      out += EscapeLatex(arm) + (arm == reference ? " (reference)" : "") +
             (status == "ok" ? "" : " (" + EscapeLatex(status) + ")");
      for (size_t i = 0; i < shots.size(); ++i) {
        const double mean = at(values, "mean", i);
        out += " & ";
        if (!std::isfinite(mean)) {
          out += "--";
          continue;
        }
        out += mean == best[i] ? "\\textbf{" + FormatMetric(mean) + "}" : FormatMetric(mean);
        const double low = at(values, "ci_low", i), high = at(values, "ci_high", i);
        if (std::isfinite(low) && std::isfinite(high))
          out += " {\\scriptsize$\\pm$" + FormatMetric((high - low) / 2) + "}";
      }
      if (!reference.empty()) {
        for (const char* key : {"overtakes_reference_at", "significantly_overtakes_reference_at"}) {
          out += " & ";
          if (arm == reference || status != "ok") continue;
          const std::string shot = FormatShot(Find(values, key));
          out += shot.empty() ? "never" : shot;
        }
      }
      out += " \\\\\n";
    }
  }
  out += "\\bottomrule\n\\end{tabular}\n";

  std::string caption = fmt::format(
      "Cold start of new users in {}: {} of {} users held out of training, given their first $N$ "
      "interactions ({} order) and evaluated on the same later ones; mean $\\pm$ half its {} confidence "
      "interval, best per $N$ in bold.",
      EscapeLatex(name), EscapeLatex(metric), report::FormatCount(NumberAt(*section, "users")),
      EscapeLatex(StringAt(*section, "order", "?")), confidence);
  if (!reference.empty()) {
    caption += " From $N$: the smallest $N$ from which the arm's mean stays above " + EscapeLatex(reference) +
               "'s at every larger $N$; sig.: the same for the interval of the paired per-user difference.";
  }
  return "\\begin{table}[t]\n\\centering\n\\small\n\\caption{" + caption + "}\n\\label{tab:reclift-" +
         LabelOf(name) + "-cold-start-users}\n" + out + "\\end{table}\n";
}

}  // namespace

std::string RenderLatex(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderLatex");
  const Json& ab = ObjectAt(results, "ab");
  const std::string control = StringAt(ab, "control");
  std::string primary = StringAt(ab, "primary_metric");
  const Json& all_columns = ArrayAt(results, "columns");
  if (primary.empty() && !all_columns.empty()) primary = StringAt(all_columns.front(), "name");

  // The primary metric, then the other metrics at its cutoff.
  double primary_k = std::numeric_limits<double>::quiet_NaN();
  for (const Json& column : all_columns) {
    if (StringAt(column, "name") == primary) primary_k = NumberAt(column, "k");
  }
  std::vector<TableColumn> columns;
  for (int pass = 0; pass < 2; ++pass) {
    for (const Json& column : all_columns) {
      const std::string name = StringAt(column, "name");
      const bool is_primary = name == primary;
      if ((pass == 0) != is_primary) continue;
      if (!is_primary && std::isfinite(primary_k) && NumberAt(column, "k") != primary_k) continue;
      const Json* higher = Find(column, "higher_is_better");
      const Json* directional = Find(column, "directional");
      columns.push_back({name, higher == nullptr || !higher->is_boolean() || higher->get<bool>(),
                         directional == nullptr || !directional->is_boolean() || directional->get<bool>()});
    }
  }

  std::vector<const Json*> arms;  // control first, then treatments in order
  std::vector<std::string> failed;
  for (const Json& arm : ArrayAt(results, "arms")) {
    if (StringAt(arm, "status", "ok") == "failed") {
      failed.push_back(StringAt(arm, "name"));
    } else if (StringAt(arm, "name") == control) {
      arms.insert(arms.begin(), &arm);
    } else {
      arms.push_back(&arm);
    }
  }
  const report::ComparisonIndex comparisons(results);
  const double alpha = NumberAt(ab, "alpha") > 0 ? NumberAt(ab, "alpha") : 0.05;
  const std::string confidence = fmt::format("{:g}\\%", std::round((1 - alpha) * 100 * 1e4) / 1e4);

  // The best mean of each column is set in bold.
  std::vector<double> best(columns.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t j = 0; j < columns.size(); ++j) {
    for (const Json* arm : arms) {
      const double mean = NumberAt(ObjectAt(ObjectAt(*arm, "metrics"), columns[j].name), "mean");
      if (!std::isfinite(mean) || !columns[j].directional) continue;
      if (!std::isfinite(best[j]) || (columns[j].higher_is_better ? mean > best[j] : mean < best[j])) {
        best[j] = mean;
      }
    }
  }

  const std::string name = StringAt(ObjectAt(results, "experiment"), "name", "experiment");
  std::string out = fmt::format("\\begin{{tabular}}{{l{}}}\n\\toprule\n", std::string(columns.size(), 'c'));
  out += "Arm";
  for (const TableColumn& column : columns) {
    out += " & " + EscapeLatex(column.name) +
           (!column.directional       ? ""
            : column.higher_is_better ? " $\\uparrow$"
                                      : " $\\downarrow$");
  }
  out += " \\\\\n\\midrule\n";
  for (const Json* arm : arms) {
    const std::string arm_name = StringAt(*arm, "name");
    const bool is_control = arm_name == control;
    out += EscapeLatex(arm_name) + (is_control ? " (control)" : "");
    for (size_t j = 0; j < columns.size(); ++j) {
      const Json& summary = ObjectAt(ObjectAt(*arm, "metrics"), columns[j].name);
      const double mean = NumberAt(summary, "mean");
      out += " & ";
      if (!std::isfinite(mean)) {
        out += "--";
        continue;
      }
      const std::string value = FormatMetric(mean);
      out += mean == best[j] ? "\\textbf{" + value + "}" : value;
      const Json* comparison = is_control ? nullptr : comparisons.Get(arm_name, columns[j].name);
      const std::string verdict = comparison == nullptr ? "" : StringAt(*comparison, "verdict");
      if (verdict == stats::kVerdictBetter) out += "$^{\\blacktriangle}$";
      if (verdict == stats::kVerdictWorse) out += "$^{\\blacktriangledown}$";
      const double low = NumberAt(summary, "ci_low"), high = NumberAt(summary, "ci_high");
      if (std::isfinite(low) && std::isfinite(high)) {
        out += " {\\scriptsize[" + FormatMetric(low) + ", " + FormatMetric(high) + "]}";
      }
    }
    out += " \\\\\n";
  }
  out += "\\bottomrule\n\\end{tabular}\n";

  const std::string correction = StringAt(ab, "correction", "none");
  const std::string correction_text = correction == "holm" ? ", Holm-corrected"
                                      : correction == "bh" ? ", Benjamini--Hochberg-corrected"
                                                           : "";
  std::string caption = "Results of " + EscapeLatex(name);
  const std::string dataset = StringAt(ObjectAt(results, "dataset"), "name");
  if (!dataset.empty()) caption += " on " + EscapeLatex(dataset);
  caption += ": mean over test users with " + confidence + " confidence intervals in brackets; best in bold.";
  if (!control.empty()) {
    caption += fmt::format(
        " $^{{\\blacktriangle}}$/$^{{\\blacktriangledown}}$: significantly better/worse than the control "
        "{} ({} tests{}, $\\alpha = {:g}$).",
        EscapeLatex(control), EscapeLatex(StringAt(ab, "assignment", "paired")), correction_text, alpha);
  }
  if (!failed.empty()) {
    caption += " Failed and not shown: ";
    for (size_t i = 0; i < failed.size(); ++i) caption += (i ? ", " : "") + EscapeLatex(failed[i]);
    caption += ".";
  }
  // booktabs places captions above tables.
  return "% reclift results table for experiment " + EscapeLatex(name) +
         ".\n% Needs \\usepackage{booktabs} and \\usepackage{amssymb} in the preamble.\n"
         "\\begin{table}[t]\n\\centering\n\\small\n\\caption{" +
         caption + "}\n\\label{tab:reclift-" + LabelOf(name) + "}\n" + out + "\\end{table}\n" +
         ColdStartUsersTable(results, name, confidence);
}

}  // namespace reclift::host
