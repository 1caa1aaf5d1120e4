#include "report/ope_section.h"

#include <algorithm>
#include <cmath>

#include "report/format.h"
#include "report/html.h"

namespace reclift::host::report {
namespace {

std::string Percent(double share) {
  if (!std::isfinite(share)) return std::string(kMissing);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
  return buf;
}

std::string Verdict(const Json& c) {
  return StringAt(c, "verdict", "");
}

std::string Interval(const Json& j) {
  return "[" + FormatMetric(NumberAt(j, "ci_low")) + ", " + FormatMetric(NumberAt(j, "ci_high")) + "]";
}

std::string SignedInterval(const Json& j) {
  return "[" + FormatSignedMetric(NumberAt(j, "ci_low")) + ", " + FormatSignedMetric(NumberAt(j, "ci_high")) +
         "]";
}

std::string LoggedLine(const Json& ope) {
  const Json& logged = ObjectAt(ope, "logged");
  std::string line = FormatCount(NumberAt(logged, "rounds")) + " rounds of " +
                     FormatCount(NumberAt(logged, "slate_size")) + " positions over " +
                     FormatCount(NumberAt(logged, "actions")) + " items and " +
                     FormatCount(NumberAt(logged, "users")) + " users";
  const std::string policy = StringAt(logged, "logging_policy");
  if (!policy.empty()) {
    line += ", simulated under a " + policy + " logging policy with " +
            (StringAt(logged, "click_model") == "cascade" ? "cascade" : "position-based") +
            " clicks (truth known)";
  }
  const Json& logging = ObjectAt(ope, "logging");
  line += "; the logging policy's on-policy value " + FormatMetric(NumberAt(logging, "value")) + " " +
          Interval(logging);
  const Json& model = ObjectAt(ope, "reward_model");
  if (!model.empty()) line += "; reward model: " + StringAt(model, "kind");
  return line;
}

bool HasTruth(const Json& ope) {
  return ObjectAt(ope, "logged").value("has_truth", false);
}

std::string YesNo(const Json& j, std::string_view key) {
  const Json* v = Find(j, key);
  if (v == nullptr || !v->is_boolean()) return std::string(kMissing);
  return v->get<bool>() ? "yes" : "no";
}

}  // namespace

void RenderOpeMarkdown(const Json& results, std::string& out) {
  const Json* found = Find(results, "ope");
  if (found == nullptr || !found->is_object()) return;
  const Json& ope = *found;
  const bool truth = HasTruth(ope);
  out += "## Off-policy evaluation\n\n";
  out += EscapeMarkdown(LoggedLine(ope)) + ".\n\n";
  const std::string primary = StringAt(ope, "primary_estimator");
  out += "### Offline A/B (" + EscapeMarkdown(primary) + ") against " +
         EscapeMarkdown(StringAt(ope, "control")) + "\n\n";
  out += "| policy | value | difference | interval | relative | adjusted p | verdict |" +
         std::string(truth ? " true difference |" : "") + "\n|---|---|---|---|---|---|---|" +
         (truth ? "---|" : "") + "\n";
  for (const Json& c : ArrayAt(ope, "comparisons")) {
    if (!c.value("primary", false)) continue;
    out += "| " + EscapeMarkdown(StringAt(c, "treatment")) + " | " +
           FormatMetric(NumberAt(c, "treatment_value")) + " | " +
           FormatSignedMetric(NumberAt(c, "difference")) + " | " + SignedInterval(c) + " | " +
           FormatSignedPercent(NumberAt(c, "relative")) + " | " + FormatPValue(NumberAt(c, "p_adjusted")) +
           " | " + EscapeMarkdown(Verdict(c)) + " |" +
           (truth ? " " + FormatSignedMetric(NumberAt(c, "true_difference")) + " |" : "") + "\n";
  }
  out += "\n";
  for (const Json& seg : ArrayAt(ope, "segments")) {
    out += "By segment of " + EscapeMarkdown(StringAt(seg, "profiler")) + ":\n\n";
    out += "| segment | rounds | policy | difference | interval | adjusted p | verdict |" +
           std::string(truth ? " true difference |" : "") + "\n|---|---|---|---|---|---|---|" +
           (truth ? "---|" : "") + "\n";
    for (const Json& c : ArrayAt(seg, "comparisons")) {
      out += "| " + EscapeMarkdown(StringAt(c, "segment")) + " | " + FormatCount(NumberAt(c, "rounds")) +
             " | " + EscapeMarkdown(StringAt(c, "treatment")) + " | " +
             FormatSignedMetric(NumberAt(c, "difference")) + " | " + SignedInterval(c) + " | " +
             FormatPValue(NumberAt(c, "p_adjusted")) + " | " + EscapeMarkdown(Verdict(c)) + " |" +
             (truth ? " " + FormatSignedMetric(NumberAt(c, "true_difference")) + " |" : "") + "\n";
    }
    out += "\n";
  }
  for (const Json& p : ArrayAt(ope, "policies")) {
    const Json& d = ObjectAt(p, "diagnostics");
    out += "### " + EscapeMarkdown(StringAt(p, "name")) + " (" + EscapeMarkdown(StringAt(p, "policy")) +
           " of arm " + EscapeMarkdown(StringAt(p, "arm")) + ")\n\n";
    if (truth) out += "True value: " + FormatMetric(NumberAt(p, "truth")) + ".\n\n";
    out += "| estimator | estimate | interval |" +
           std::string(truth ? " error | relative error | covers truth |" : "") + "\n|---|---|---|" +
           (truth ? "---|---|---|" : "") + "\n";
    for (const Json& e : ArrayAt(p, "estimates")) {
      const std::string failure = StringAt(e, "failure");
      if (!failure.empty()) {
        out += "| " + EscapeMarkdown(StringAt(e, "estimator")) + " | not run: " + EscapeMarkdown(failure) +
               " | |" + (truth ? " | | |" : "") + "\n";
        continue;
      }
      out += "| " + EscapeMarkdown(StringAt(e, "estimator")) + " | " + FormatMetric(NumberAt(e, "value")) +
             " | " + Interval(e) + " |";
      if (truth) {
        out += " " + FormatSignedMetric(NumberAt(e, "error")) + " | " +
               FormatSignedPercent(NumberAt(e, "relative_error")) + " | " + YesNo(e, "covers_truth") + " |";
      }
      out += "\n";
    }
    out += "\nDiagnostics: effective sample size " + FormatCount(NumberAt(d, "ess")) + " (" +
           Percent(NumberAt(d, "ess_share")) + " of the logged positions), max weight " +
           FormatMetric(NumberAt(d, "max_weight")) + ", mean weight " +
           FormatMetric(NumberAt(d, "mean_weight")) + ", unsupported mass " +
           Percent(NumberAt(d, "unsupported_share"));
    if (std::isfinite(NumberAt(d, "slate_ess"))) {
      out += ", slate effective sample size " + FormatCount(NumberAt(d, "slate_ess"));
    }
    out += ".\n\n";
    for (const std::string& w : StringsAt(d, "warnings"))
      out += "> **Not to be trusted:** " + EscapeMarkdown(w) + "\n";
    if (!StringsAt(d, "warnings").empty()) out += "\n";
  }
}

void RenderOpeHtml(const Json& results, std::string& out) {
  const Json* found = Find(results, "ope");
  if (found == nullptr || !found->is_object()) return;
  const Json& ope = *found;
  const bool truth = HasTruth(ope);
  out += "<section id=\"ope\"><h2>Off-policy evaluation</h2><p>" + EscapeHtml(LoggedLine(ope)) + ".</p>";
  out += "<h3>Offline A/B (" + EscapeHtml(StringAt(ope, "primary_estimator")) + ") against " +
         EscapeHtml(StringAt(ope, "control")) + "</h3>";
  out +=
      "<table><thead><tr><th>policy</th><th>value</th><th>difference</th><th>interval</th><th>relative</th>"
      "<th>adjusted p</th><th>verdict</th>" +
      std::string(truth ? "<th>true difference</th>" : "") + "</tr></thead><tbody>";
  for (const Json& c : ArrayAt(ope, "comparisons")) {
    if (!c.value("primary", false)) continue;
    out += "<tr><td>" + EscapeHtml(StringAt(c, "treatment")) + "</td><td>" +
           FormatMetric(NumberAt(c, "treatment_value")) + "</td><td>" +
           FormatSignedMetric(NumberAt(c, "difference")) + "</td><td>" + SignedInterval(c) + "</td><td>" +
           FormatSignedPercent(NumberAt(c, "relative")) + "</td><td>" +
           FormatPValue(NumberAt(c, "p_adjusted")) + "</td><td>" + VerdictBadge(Verdict(c)) + "</td>" +
           (truth ? "<td>" + FormatSignedMetric(NumberAt(c, "true_difference")) + "</td>" : "") + "</tr>";
  }
  out += "</tbody></table>";
  for (const Json& seg : ArrayAt(ope, "segments")) {
    out += "<h4>By segment of " + EscapeHtml(StringAt(seg, "profiler")) + "</h4>";
    out +=
        "<table><thead><tr><th>segment</th><th>rounds</th><th>policy</th><th>difference</th><th>interval</th>"
        "<th>adjusted p</th><th>verdict</th>" +
        std::string(truth ? "<th>true difference</th>" : "") + "</tr></thead><tbody>";
    for (const Json& c : ArrayAt(seg, "comparisons")) {
      out += "<tr><td>" + EscapeHtml(StringAt(c, "segment")) + "</td><td>" +
             FormatCount(NumberAt(c, "rounds")) + "</td><td>" + EscapeHtml(StringAt(c, "treatment")) +
             "</td><td>" + FormatSignedMetric(NumberAt(c, "difference")) + "</td><td>" + SignedInterval(c) +
             "</td><td>" + FormatPValue(NumberAt(c, "p_adjusted")) + "</td><td>" + VerdictBadge(Verdict(c)) +
             "</td>" + (truth ? "<td>" + FormatSignedMetric(NumberAt(c, "true_difference")) + "</td>" : "") +
             "</tr>";
    }
    out += "</tbody></table>";
  }
  for (const Json& p : ArrayAt(ope, "policies")) {
    const Json& d = ObjectAt(p, "diagnostics");
    const double t = NumberAt(p, "truth");
    out += "<h3>" + EscapeHtml(StringAt(p, "name")) + " <span class=\"note\">(" +
           EscapeHtml(StringAt(p, "policy")) + " of arm " + EscapeHtml(StringAt(p, "arm")) + ")</span></h3>";
    // interval chart: one row per estimator, the truth as a dashed line
    double lo = std::isfinite(t) ? t : INFINITY, hi = std::isfinite(t) ? t : -INFINITY;
    for (const Json& e : ArrayAt(p, "estimates")) {
      for (const char* key : {"ci_low", "ci_high", "value"}) {
        const double x = NumberAt(e, key);
        if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
      }
    }
    const auto& estimates = ArrayAt(p, "estimates");
    if (std::isfinite(lo) && std::isfinite(hi) && !estimates.empty()) {
      if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
      const double width = 560, left = 110, row = 18,
                   height = row * static_cast<double>(estimates.size()) + 36;
      auto X = [&](double x) { return left + (x - lo) / (hi - lo) * (width - left - 20); };
      char buf[256];
      out += "<svg role=\"img\" aria-label=\"estimates with intervals\" width=\"" +
             std::to_string(int(width)) + "\" height=\"" + std::to_string(int(height)) + "\" viewBox=\"0 0 " +
             std::to_string(int(width)) + " " + std::to_string(int(height)) + "\">";
      size_t i = 0;
      for (const Json& e : estimates) {
        const double y = 12 + row * static_cast<double>(i++);
        std::snprintf(buf, sizeof buf, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">",
                      left - 8, y + 4);
        out += buf + EscapeHtml(StringAt(e, "estimator")) + "</text>";
        const double v = NumberAt(e, "value"), a = NumberAt(e, "ci_low"), b = NumberAt(e, "ci_high");
        if (std::isfinite(a) && std::isfinite(b)) {
          std::snprintf(
              buf, sizeof buf,
              "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#0072B2\" stroke-width=\"2\"/>",
              X(a), X(b), y, y);
          out += buf;
        }
        if (std::isfinite(v)) {
          std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#0072B2\"/>", X(v),
                        y);
          out += buf;
        }
      }
      // the axis and its two ends
      std::snprintf(
          buf, sizeof buf,
          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#666\">%s</text>"
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#666\" text-anchor=\"end\">%s</text>",
          X(lo), X(hi), height - 12, height - 12, X(lo), height - 1, FormatMetric(lo).c_str(), X(hi),
          height - 1, FormatMetric(hi).c_str());
      out += buf;
      if (std::isfinite(t)) {
        const bool right = X(t) > width - 100;  // label on the left of the line near the right edge
        std::snprintf(
            buf, sizeof buf,
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"2\" y2=\"%.1f\" stroke=\"#D55E00\" stroke-dasharray=\"4 3\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#D55E00\" text-anchor=\"%s\">truth "
            "%s</text>",
            X(t), X(t), height - 12, right ? X(t) - 3 : X(t) + 3, height - 15, right ? "end" : "start",
            FormatMetric(t).c_str());
        out += buf;
      }
      out += "</svg>";
    }
    out += "<table><thead><tr><th>estimator</th><th>estimate</th><th>interval</th>" +
           std::string(truth ? "<th>error</th><th>relative error</th><th>covers truth</th>" : "") +
           "</tr></thead><tbody>";
    for (const Json& e : estimates) {
      const std::string failure = StringAt(e, "failure");
      if (!failure.empty()) {
        out += "<tr><td>" + EscapeHtml(StringAt(e, "estimator")) + "</td><td colspan=\"" +
               (truth ? "5" : "2") + "\" class=\"note\">not run: " + EscapeHtml(failure) + "</td></tr>";
        continue;
      }
      out += "<tr><td>" + EscapeHtml(StringAt(e, "estimator")) + "</td><td>" +
             FormatMetric(NumberAt(e, "value")) + "</td><td>" + Interval(e) + "</td>";
      if (truth) {
        out += "<td>" + FormatSignedMetric(NumberAt(e, "error")) + "</td><td>" +
               FormatSignedPercent(NumberAt(e, "relative_error")) + "</td><td>" + YesNo(e, "covers_truth") +
               "</td>";
      }
      out += "</tr>";
    }
    out += "</tbody></table>";
    out += "<p class=\"note\">Effective sample size " + FormatCount(NumberAt(d, "ess")) + " (" +
           Percent(NumberAt(d, "ess_share")) + " of the logged positions), max weight " +
           FormatMetric(NumberAt(d, "max_weight")) + ", mean weight " +
           FormatMetric(NumberAt(d, "mean_weight")) + ", unsupported mass " +
           Percent(NumberAt(d, "unsupported_share")) + ".</p>";
    for (const std::string& w : StringsAt(d, "warnings")) {
      out += "<p><span class=\"badge worse\">not to be trusted</span> " + EscapeHtml(w) + "</p>";
    }
  }
  out += "</section>\n";
}

}  // namespace reclift::host::report
