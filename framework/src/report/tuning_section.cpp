#include "report/tuning_section.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "report/format.h"
#include "report/html.h"

namespace reclift::host {
namespace {

using report::Json;

const Json* Tuning(const Json& results) {
  const Json* t = report::Find(results, "tuning");
  return t != nullptr && t->is_object() ? t : nullptr;
}

// The searched parameters of an arm, in the order of its space.
std::vector<std::string> ParamNames(const Json& arm) {
  std::vector<std::string> names;
  for (const auto& [name, space] : report::ObjectAt(arm, "space").items()) names.push_back(name);
  return names;
}

bool IsLog(const Json& arm, const std::string& param) {
  const Json& space = report::ObjectAt(arm, "space");
  return space.contains(param) && space[param].is_object() && space[param].contains("log_uniform");
}

std::string ValueText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {  // parameter values: 4 significant digits (0.0797, 432.3, 10)
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v.get<double>());
    return buf;
  }
  if (v.is_null()) return "";
  return v.dump();
}

// The arm's test value of `metric` (its mean in "arms"), NaN when absent.
double TestValue(const Json& results, const std::string& arm, const std::string& metric) {
  for (const Json& a : report::ArrayAt(results, "arms")) {
    if (report::StringAt(a, "name") != arm) continue;
    return report::NumberAt(report::ObjectAt(report::ObjectAt(a, "metrics"), metric), "mean");
  }
  return NAN;
}

std::string Num(double x) {
  return std::isfinite(x) ? report::FormatMetric(x) : "–";
}

std::string Px(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::string Tick(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

struct Frame {
  double width = 420, height = 220, left = 56, right = 26, top = 12, bottom = 40;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool log_x = false;
  double X(double x) const {
    const double a = log_x ? std::log10(x0) : x0, b = log_x ? std::log10(x1) : x1;
    const double v = log_x ? std::log10(x) : x;
    return left + (b > a ? (v - a) / (b - a) : 0.5) * (width - left - right);
  }
  double Y(double y) const {
    return height - bottom - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * (height - top - bottom);
  }
};

std::string Axes(const Frame& f, const std::string& x_label, const std::string& y_label,
                 const std::vector<std::pair<double, std::string>>& x_ticks) {
  std::string s = "<line x1=\"" + Px(f.left) + "\" y1=\"" + Px(f.height - f.bottom) + "\" x2=\"" +
                  Px(f.width - f.right) + "\" y2=\"" + Px(f.height - f.bottom) + "\" stroke=\"#555\"/>";
  s += "<line x1=\"" + Px(f.left) + "\" y1=\"" + Px(f.top) + "\" x2=\"" + Px(f.left) + "\" y2=\"" +
       Px(f.height - f.bottom) + "\" stroke=\"#555\"/>";
  for (int i = 0; i <= 4; ++i) {
    const double y = f.y0 + (f.y1 - f.y0) * i / 4.0;
    s += "<text x=\"" + Px(f.left - 4) + "\" y=\"" + Px(f.Y(y) + 4) +
         "\" font-size=\"10\" text-anchor=\"end\">" + Tick(y) + "</text>";
  }
  for (const auto& [x, label] : x_ticks) {
    s += "<text x=\"" + Px(f.X(x)) + "\" y=\"" + Px(f.height - f.bottom + 14) +
         "\" font-size=\"10\" text-anchor=\"middle\">" + report::EscapeHtml(label) + "</text>";
  }
  s += "<text x=\"" + Px((f.left + f.width - f.right) / 2) + "\" y=\"" + Px(f.height - 6) +
       "\" font-size=\"11\" text-anchor=\"middle\">" + report::EscapeHtml(x_label) + "</text>";
  s += "<text x=\"12\" y=\"" + Px((f.top + f.height - f.bottom) / 2) +
       "\" font-size=\"11\" text-anchor=\"middle\" "
       "transform=\"rotate(-90 12 " +
       Px((f.top + f.height - f.bottom) / 2) + ")\">" + report::EscapeHtml(y_label) + "</text>";
  return s;
}

std::string SvgOpen(const Frame& f, const std::string& label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" + report::EscapeHtml(label) +
         "\" width=\"" + Px(f.width) + "\" height=\"" + Px(f.height) + "\" viewBox=\"0 0 " + Px(f.width) +
         " " + Px(f.height) + "\">";
}

void SetYRange(Frame& f, const std::vector<double>& values) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  const double pad = hi > lo ? 0.05 * (hi - lo) : 0.05 * std::max(std::abs(hi), 1e-3);
  f.y0 = lo - pad;
  f.y1 = hi + pad;
}

// The validation value of every trial (dots) and the best so far (a step line).
std::string BestSoFarSvg(const Json& arm, const std::string& metric) {
  const Json& trials = report::ArrayAt(arm, "trials");
  const Json& best = report::ArrayAt(arm, "best_so_far");
  Frame f;
  std::vector<double> values;
  for (const Json& t : trials) values.push_back(report::NumberAt(t, "value"));
  SetYRange(f, values);
  f.x0 = 0;
  f.x1 = std::max<double>(1, static_cast<double>(trials.size()) - 1);
  std::vector<std::pair<double, std::string>> ticks;
  for (int i = 0; i <= 4; ++i) {
    const double x = std::round(f.x1 * i / 4.0);
    ticks.emplace_back(x, std::to_string(static_cast<int>(x)));
  }
  std::string s = SvgOpen(f, "validation " + metric + " per trial and best so far");
  s += Axes(f, "trial", "validation " + metric, ticks);
  std::string path;
  for (size_t i = 0; i < best.size(); ++i) {
    if (!best[i].is_number()) continue;
    const double y = f.Y(best[i].get<double>());
    path += (path.empty() ? "M" : " L") + Px(f.X(static_cast<double>(i))) + " " + Px(y);
    if (i + 1 < best.size()) path += " L" + Px(f.X(static_cast<double>(i + 1))) + " " + Px(y);
  }
  if (!path.empty()) s += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\"/>";
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      // a failed trial: a cross on the axis
      const double x = f.X(static_cast<double>(i)), y = f.height - f.bottom;
      s += "<path d=\"M" + Px(x - 3) + " " + Px(y - 3) + " L" + Px(x + 3) + " " + Px(y + 3) + " M" +
           Px(x + 3) + " " + Px(y - 3) + " L" + Px(x - 3) + " " + Px(y + 3) +
           "\" stroke=\"#D55E00\"><title>trial " + std::to_string(i) + " failed</title></path>";
      continue;
    }
    s += "<circle cx=\"" + Px(f.X(static_cast<double>(i))) + "\" cy=\"" + Px(f.Y(values[i])) +
         "\" r=\"3\" fill=\"#999\"><title>trial " + std::to_string(i) + ": " + Num(values[i]) +
         "</title></circle>";
  }
  return s + "</svg>";
}

// Validation value against one searched parameter.
std::string ScatterSvg(const Json& arm, const std::string& param, const std::string& metric) {
  const Json& trials = report::ArrayAt(arm, "trials");
  Frame f;
  f.width = 300;
  f.log_x = IsLog(arm, param);
  std::vector<double> values;
  std::vector<std::string> categories;  // non-numeric choices, evenly spaced
  bool numeric = true;
  for (const Json& t : trials) {
    const Json& v = report::ObjectAt(t, "params").value(param, Json());
    if (!v.is_number()) numeric = false;
    values.push_back(report::NumberAt(t, "value"));
  }
  std::vector<double> xs;
  for (const Json& t : trials) {
    const Json& v = report::ObjectAt(t, "params").value(param, Json());
    if (numeric) {
      xs.push_back(v.get<double>());
    } else {
      const std::string text = ValueText(v);
      auto it = std::find(categories.begin(), categories.end(), text);
      if (it == categories.end()) categories.push_back(text), it = categories.end() - 1;
      xs.push_back(static_cast<double>(it - categories.begin()));
    }
  }
  SetYRange(f, values);
  std::vector<std::pair<double, std::string>> ticks;
  if (numeric && !xs.empty()) {
    f.x0 = *std::min_element(xs.begin(), xs.end());
    f.x1 = *std::max_element(xs.begin(), xs.end());
    const Json& space = report::ObjectAt(arm, "space").value(param, Json());
    if (space.is_object() && !space.empty()) {  // the whole range, not just the tried part
      const Json& range = space.begin().value();
      if (range.is_array() && range.size() == 2) f.x0 = range[0].get<double>(), f.x1 = range[1].get<double>();
    }
    if (f.log_x && f.x0 <= 0) f.log_x = false;
    for (int i = 0; i <= 3; ++i) {
      const double x =
          f.log_x ? std::pow(10.0, std::log10(f.x0) + (std::log10(f.x1) - std::log10(f.x0)) * i / 3.0)
                  : f.x0 + (f.x1 - f.x0) * i / 3.0;
      ticks.emplace_back(x, Tick(x));
    }
  } else {
    f.x0 = -0.5;
    f.x1 = static_cast<double>(categories.size()) - 0.5;
    for (size_t c = 0; c < categories.size(); ++c) ticks.emplace_back(static_cast<double>(c), categories[c]);
  }
  std::string s = SvgOpen(f, "validation " + metric + " against " + param);
  s += Axes(f, param + (f.log_x ? " (log scale)" : ""), metric, ticks);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    s += "<circle cx=\"" + Px(f.X(xs[i])) + "\" cy=\"" + Px(f.Y(values[i])) +
         "\" r=\"3\" fill=\"#0072B2\" fill-opacity=\"0.7\"><title>trial " + std::to_string(i) +
         "</title></circle>";
  }
  return s + "</svg>";
}

std::string ParamsText(const Json& params) {
  std::string out;
  for (const auto& [name, value] : params.items()) {
    out += (out.empty() ? "" : ", ") + name + " = " + ValueText(value);
  }
  return out;
}

}  // namespace

std::string RenderTuningHtml(const nlohmann::json& results) {
  const Json* tuning = Tuning(results);
  if (tuning == nullptr) return "";
  const std::string metric = report::StringAt(*tuning, "metric");
  std::string out =
      "<section id=\"tuning\"><h2>Tuning</h2>\n<p class=\"note\">" +
      report::EscapeHtml(report::StringAt(*tuning, "method")) + " search of " + metric +
      " on a validation split carved from training (" +
      report::FormatCount(report::NumberAt(report::ObjectAt(*tuning, "validation"), "validation")) +
      " validation interactions); the chosen configuration was " +
      (tuning->value("refit", true) ? "refitted on the whole training split"
                                    : "kept as fitted without validation") +
      " and evaluated on test.</p>\n";
  for (const Json& arm : report::ArrayAt(*tuning, "arms")) {
    const std::string name = report::StringAt(arm, "arm");
    const std::vector<std::string> params = ParamNames(arm);
    const Json* best = report::Find(arm, "best");
    out += "<h3>" + report::EscapeHtml(name) + " (" +
           report::EscapeHtml(report::StringAt(arm, "recommender")) + ")</h3>\n";
    if (best == nullptr || !best->is_object()) {
      out += "<p class=\"note\">Every trial failed; the arm kept its own parameters.</p>\n";
    } else {
      out += "<table><thead><tr><th>best parameters</th><th>trial</th><th>validation " +
             report::EscapeHtml(metric) + "</th><th>test " + report::EscapeHtml(metric) +
             "</th></tr></thead><tbody><tr><td>" +
             report::EscapeHtml(ParamsText(report::ObjectAt(*best, "params"))) + "</td><td class=\"num\">" +
             std::to_string(best->value("trial", 0)) + "</td><td class=\"num\">" +
             Num(report::NumberAt(*best, "value")) + "</td><td class=\"num\">" +
             Num(TestValue(results, name, metric)) + "</td></tr></tbody></table>\n";
    }
    const size_t failed = static_cast<size_t>(std::max(0.0, report::NumberAt(arm, "failed")));
    if (failed > 0)
      out += "<p class=\"note\">" + std::to_string(failed) + " trial(s) failed; the search went on.</p>\n";
    out += "<div class=\"charts\">" + BestSoFarSvg(arm, metric);
    for (const std::string& p : params) out += ScatterSvg(arm, p, metric);
    out += "</div>\n<details><summary>All " + std::to_string(report::ArrayAt(arm, "trials").size()) +
           " trials</summary><table class=\"sortable\"><thead><tr><th>trial</th><th>rung</th>";
    for (const std::string& p : params) out += "<th>" + report::EscapeHtml(p) + "</th>";
    out += "<th>budget</th><th>validation " + report::EscapeHtml(metric) +
           "</th><th>fit s</th><th>status</th></tr></thead><tbody>";
    for (const Json& t : report::ArrayAt(arm, "trials")) {
      out += "<tr><td class=\"num\">" + std::to_string(t.value("trial", 0)) + "</td><td class=\"num\">" +
             std::to_string(t.value("rung", 0)) + "</td>";
      for (const std::string& p : params) {
        out +=
            "<td>" + report::EscapeHtml(ValueText(report::ObjectAt(t, "params").value(p, Json()))) + "</td>";
      }
      const std::string status = report::StringAt(t, "status");
      out += "<td class=\"num\">" + ValueText(t.value("budget", Json())) + "</td><td class=\"num\">" +
             Num(report::NumberAt(t, "value")) + "</td><td class=\"num\">" +
             Tick(report::NumberAt(t, "fit_seconds")) + "</td><td>" +
             report::EscapeHtml(status == "ok" ? status : status + ": " + report::StringAt(t, "error")) +
             "</td></tr>";
    }
    out += "</tbody></table></details>\n";
  }
  return out + "</section>\n";
}

std::string RenderTuningMarkdown(const nlohmann::json& results) {
  const Json* tuning = Tuning(results);
  if (tuning == nullptr) return "";
  const std::string metric = report::StringAt(*tuning, "metric");
  std::string out =
      "## Tuning\n\n" + report::EscapeMarkdown(report::StringAt(*tuning, "method")) + " search of `" +
      metric + "` on a validation split (" +
      report::FormatCount(report::NumberAt(report::ObjectAt(*tuning, "validation"), "validation")) +
      " interactions carved from training); refit " + (tuning->value("refit", true) ? "on" : "off") +
      ".\n\n| arm | best parameters | trials | failed | validation | test |\n|---|---|---:|---:|---:|---:|\n";
  for (const Json& arm : report::ArrayAt(*tuning, "arms")) {
    const std::string name = report::StringAt(arm, "arm");
    const Json* best = report::Find(arm, "best");
    const bool has_best = best != nullptr && best->is_object();
    out += "| " + report::EscapeMarkdown(name) + " | " +
           (has_best ? report::EscapeMarkdown(ParamsText(report::ObjectAt(*best, "params")))
                     : "every trial failed") +
           " | " + std::to_string(report::ArrayAt(arm, "trials").size()) + " | " +
           report::FormatCount(report::NumberAt(arm, "failed")) + " | " +
           (has_best ? Num(report::NumberAt(*best, "value")) : "–") + " | " +
           Num(TestValue(results, name, metric)) + " |\n";
  }
  out += "\n";
  for (const Json& arm : report::ArrayAt(*tuning, "arms")) {
    const std::vector<std::string> params = ParamNames(arm);
    out += "<details><summary>" + report::EscapeMarkdown(report::StringAt(arm, "arm")) +
           ": every trial</summary>\n\n| trial | rung |";
    for (const std::string& p : params) out += " " + report::EscapeMarkdown(p) + " |";
    out += " budget | validation " + metric + " | fit s | status |\n|---:|---:|";
    for (size_t i = 0; i < params.size(); ++i) out += "---|";
    out += "---:|---:|---:|---|\n";
    for (const Json& t : report::ArrayAt(arm, "trials")) {
      out += "| " + std::to_string(t.value("trial", 0)) + " | " + std::to_string(t.value("rung", 0)) + " |";
      for (const std::string& p : params) {
        out += " " + report::EscapeMarkdown(ValueText(report::ObjectAt(t, "params").value(p, Json()))) + " |";
      }
      const std::string status = report::StringAt(t, "status");
      out += " " + ValueText(t.value("budget", Json())) + " | " + Num(report::NumberAt(t, "value")) + " | " +
             Tick(report::NumberAt(t, "fit_seconds")) + " | " +
             report::EscapeMarkdown(status == "ok" ? status : status + ": " + report::StringAt(t, "error")) +
             " |\n";
    }
    out += "\n</details>\n\n";
  }
  return out;
}

std::string RenderTuningCsv(const nlohmann::json& results) {
  const Json* tuning = Tuning(results);
  if (tuning == nullptr) return "";
  std::set<std::string> all_params;
  for (const Json& arm : report::ArrayAt(*tuning, "arms")) {
    for (const std::string& p : ParamNames(arm)) all_params.insert(p);
  }
  std::string out = "arm,trial,rung,budget,status,metric,value,fit_seconds,seconds,best_so_far";
  for (const std::string& p : all_params) out += "," + report::CsvField("param." + p);
  out += ",error\n";
  const std::string metric = report::StringAt(*tuning, "metric");
  for (const Json& arm : report::ArrayAt(*tuning, "arms")) {
    const Json& best = report::ArrayAt(arm, "best_so_far");
    size_t i = 0;
    for (const Json& t : report::ArrayAt(arm, "trials")) {
      auto number = [](double x) {
        if (!std::isfinite(x)) return std::string();
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.10g", x);
        return std::string(buf);
      };
      out += report::CsvField(report::StringAt(arm, "arm")) + "," + std::to_string(t.value("trial", 0)) +
             "," + std::to_string(t.value("rung", 0)) + "," + ValueText(t.value("budget", Json())) + "," +
             report::StringAt(t, "status") + "," + report::CsvField(metric) + "," +
             number(report::NumberAt(t, "value")) + "," + number(report::NumberAt(t, "fit_seconds")) + "," +
             number(report::NumberAt(t, "seconds")) + "," +
             (i < best.size() && best[i].is_number() ? number(best[i].get<double>()) : "");
      for (const std::string& p : all_params) {
        const Json& v = report::ObjectAt(t, "params").value(p, Json());
        out += "," + report::CsvField(v.is_number_float() ? number(v.get<double>()) : ValueText(v));
      }
      out += "," + report::CsvField(report::StringAt(t, "error")) + "\n";
      ++i;
    }
  }
  return out;
}

}  // namespace reclift::host
