// The suite reports, every one rendered from suite.json alone.
#include <cmath>
#include <sstream>

#include "report/format.h"
#include "report/html.h"
#include "suite/cd_diagram.h"
#include "suite/suite_runner.h"
#include "util/atomic_file.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace reclift::host::suite {
namespace {

using report::CsvField;
using report::CsvValue;
using report::EscapeHtml;
using report::EscapeMarkdown;
using report::FormatMetric;
using report::FormatPValue;
using report::kMissing;

double Number(const Json& j, const char* key) {
  if (!j.is_object()) return NAN;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : NAN;
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Metric(double x) {
  return std::isfinite(x) ? FormatMetric(x) : std::string(kMissing);
}
std::string PValue(double p) {
  return std::isfinite(p) ? FormatPValue(p) : std::string(kMissing);
}
std::string Fixed(double x, int digits) {
  if (!std::isfinite(x)) return std::string(kMissing);
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << x;
  return s.str();
}

const Json* Cell(const Json& doc, const std::string& dataset, const std::string& arm) {
  auto table = doc.find("table");
  if (table == doc.end() || !table->is_array()) return nullptr;
  for (const Json& c : *table) {
    if (Str(c, "dataset") == dataset && Str(c, "arm") == arm) return &c;
  }
  return nullptr;
}

std::string VerdictGlyph(const std::string& v) {
  if (v == "better") return " \u25B2";
  if (v == "worse") return " \u25BC";
  return "";
}

std::string CellText(const Json* c) {
  if (c == nullptr) return std::string(kMissing);
  if (Str(*c, "status") != "ok") return "failed";
  std::string text = Metric(Number(*c, "mean"));
  const double lo = Number(*c, "ci_low"), hi = Number(*c, "ci_high");
  if (std::isfinite(lo) && std::isfinite(hi)) text += " [" + Metric(lo) + ", " + Metric(hi) + "]";
  return text + VerdictGlyph(Str(*c, "verdict"));
}

std::vector<std::string> Strings(const Json& doc, const char* key) {
  std::vector<std::string> out;
  for (const Json& s : doc.value(key, Json::array())) {
    if (s.is_string()) out.push_back(s);
  }
  return out;
}

// The figures of the omnibus tests as one paragraph of plain text.
std::string OmnibusText(const Json& st) {
  if (!st.value("omnibus_meaningful", false)) return Str(st, "omnibus_note");
  const Json& f = st["friedman"];
  const Json& id = st["iman_davenport"];
  const Json& nem = st["nemenyi"];
  std::string text = "Friedman chi\u00B2 = " + Fixed(Number(f, "chi2"), 3) + " (df " +
                     Fixed(Number(f, "df"), 0) + ", p = " + PValue(Number(f, "p_value")) +
                     "; tie-corrected " + Fixed(Number(f, "chi2_tie_corrected"), 3) +
                     "). Iman\u2013Davenport F = " +
                     (Str(id, "f") == "inf" ? std::string("\u221E (every dataset ranks the arms alike)")
                                            : Fixed(Number(id, "f"), 3)) +
                     " (df " + Fixed(Number(id, "df1"), 0) + ", " + Fixed(Number(id, "df2"), 0) +
                     "), p = " + PValue(Number(id, "p_value")) + ". ";
  const double cd = Number(nem, "critical_difference");
  if (std::isfinite(cd)) {
    text += "Nemenyi critical difference at alpha " + Fixed(Number(nem, "alpha"), 2) +
            ": CD = " + Fixed(cd, 3) + " (q = " + Fixed(Number(nem, "q_alpha"), 3) + ").";
  } else {
    text += "No Nemenyi critical difference: q_alpha is tabulated for alpha 0.05 and 0.10 and up to 30 arms.";
  }
  return text;
}

// With N datasets the smallest two-sided exact Wilcoxon p-value is 2 / 2^N:
// below 6 datasets no pair can reach 0.05, whatever the differences.
std::string WilcoxonPowerNote(const Json& doc) {
  const size_t n = doc.value("datasets", Json::array()).size();
  if (n == 0 || n >= 6) return "";
  return "With " + std::to_string(n) + " datasets the smallest possible two-sided p-value is " +
         FormatPValue(2.0 / static_cast<double>(1u << n)) +
         ": no pair can be significant at 0.05 (it takes 6).";
}

}  // namespace

std::string RenderSuiteMarkdown(const Json& doc) {
  const auto arms = Strings(doc, "arms");
  const auto datasets = Strings(doc, "datasets");
  const Json& st = doc.value("statistics", Json::object());
  const std::string primary = Str(doc, "primary_metric");
  std::ostringstream md;
  md << "# Suite " << EscapeMarkdown(Str(doc["suite"], "name")) << "\n\n";
  if (!Str(doc["suite"], "description").empty())
    md << EscapeMarkdown(Str(doc["suite"], "description")) << "\n\n";
  md << "Primary metric **" << EscapeMarkdown(primary) << "** ("
     << (doc.value("higher_is_better", true) ? "higher" : "lower") << " is better), control **"
     << EscapeMarkdown(Str(doc, "control")) << "**, " << datasets.size()
     << (datasets.size() == 1 ? " dataset, " : " datasets, ") << arms.size()
     << " arms. \u25B2/\u25BC: significantly better/worse than the control on that dataset.\n\n";

  md << "## " << EscapeMarkdown(primary) << " per dataset\n\n| Dataset |";
  for (const auto& a : arms) md << " " << EscapeMarkdown(a) << " |";
  md << "\n|---|";
  for (size_t i = 0; i < arms.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& d : datasets) {
    md << "| " << EscapeMarkdown(d) << " |";
    for (const auto& a : arms) md << " " << CellText(Cell(doc, d, a)) << " |";
    md << "\n";
  }

  md << "\n## Ranks (1 = best)\n\n| Dataset |";
  for (const auto& a : arms) md << " " << EscapeMarkdown(a) << " |";
  md << "\n|---|";
  for (size_t i = 0; i < arms.size(); ++i) md << "---|";
  md << "\n";
  const Json& ranks = st.value("ranks", Json::object());
  for (const auto& [d, row] : ranks.items()) {
    md << "| " << EscapeMarkdown(d) << " |";
    for (const auto& a : arms) md << " " << Fixed(Number(row, a.c_str()), 1) << " |";
    md << "\n";
  }
  md << "| **mean rank** |";
  for (const auto& a : arms)
    md << " **" << Fixed(Number(st.value("mean_ranks", Json::object()), a.c_str()), 3) << "** |";
  md << "\n";
  const auto incomplete = Strings(st, "incomplete_datasets");
  if (!incomplete.empty()) {
    md << "\nLeft out of the ranks (some arm has no result): ";
    for (size_t i = 0; i < incomplete.size(); ++i) md << (i ? ", " : "") << EscapeMarkdown(incomplete[i]);
    md << "\n";
  }

  md << "\n## Tests over datasets\n\n" << EscapeMarkdown(OmnibusText(st)) << "\n\n";
  md << "Pairwise Wilcoxon signed-rank over datasets (two-sided, Holm-adjusted over all pairs; "
        "Benavoli et al. 2016). "
     << EscapeMarkdown(WilcoxonPowerNote(doc))
     << "\n\n| A | B | A better | B better | W+ | n | p | p (Holm) | significant |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
  for (const Json& p : st.value("wilcoxon_holm", Json::array())) {
    md << "| " << EscapeMarkdown(Str(p, "a")) << " | " << EscapeMarkdown(Str(p, "b")) << " | "
       << p.value("a_better", 0) << " | " << p.value("b_better", 0) << " | "
       << Fixed(Number(p, "statistic"), 1) << " | " << p.value("n", 0) << " | "
       << PValue(Number(p, "p_value")) << " | " << PValue(Number(p, "p_adjusted")) << " | "
       << (p.value("significant", false) ? "yes" : "no") << " |\n";
  }
  md << "\n## Win / tie / loss against " << EscapeMarkdown(Str(doc, "control"))
     << "\n\nA win is a significantly better per-dataset verdict, a loss a significantly worse one.\n\n"
        "| Arm | win | tie | loss |\n|---|---|---|---|\n";
  const Json wtl = st.value("win_tie_loss", Json::object());
  for (const auto& arm : arms) {
    if (!wtl.contains(arm)) continue;
    const Json& w = wtl[arm];
    md << "| " << EscapeMarkdown(arm) << " | " << w.value("win", 0) << " | " << w.value("tie", 0) << " | "
       << w.value("loss", 0) << " |\n";
  }
  md << "\n## Members\n\n| Member | Dataset | Status | Run folder |\n|---|---|---|---|\n";
  for (const Json& m : doc.value("members", Json::array())) {
    std::string status = Str(m, "status");
    if (!Str(m, "error").empty()) status += ": " + Str(m, "error");
    md << "| " << EscapeMarkdown(Str(m, "name")) << " | " << EscapeMarkdown(Str(m, "dataset")) << " | "
       << EscapeMarkdown(status) << " | " << EscapeMarkdown(Str(m, "run_dir")) << " |\n";
  }
  for (const Json& w : doc.value("warnings", Json::array())) {
    if (w.is_string()) md << "\n> warning: " << EscapeMarkdown(w.get<std::string>()) << "\n";
  }
  return md.str();
}

std::string RenderSuiteHtml(const Json& doc) {
  const auto arms = Strings(doc, "arms");
  const auto datasets = Strings(doc, "datasets");
  const Json& st = doc.value("statistics", Json::object());
  const std::string name = Str(doc["suite"], "name");
  const std::string primary = Str(doc, "primary_metric");
  std::string out = report::HtmlPageStart("reclift suite: " + name);
  out += "<main class=\"wrap\">\n<h1>Suite " + EscapeHtml(name) + "</h1>\n";
  out += "<p>Primary metric <b>" + EscapeHtml(primary) + "</b> (" +
         (doc.value("higher_is_better", true) ? "higher" : "lower") + " is better), control <b>" +
         EscapeHtml(Str(doc, "control")) + "</b>, " + std::to_string(datasets.size()) +
         (datasets.size() == 1 ? " dataset, " : " datasets, ") + std::to_string(arms.size()) + " arms.</p>\n";
  out += "<h2>" + EscapeHtml(primary) +
         " per dataset</h2>\n<table class=\"suite-table\"><thead><tr><th>Dataset</th>";
  for (const auto& a : arms) out += "<th>" + EscapeHtml(a) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& d : datasets) {
    out += "<tr><th>" + EscapeHtml(d) + "</th>";
    for (const auto& a : arms) {
      const Json* c = Cell(doc, d, a);
      out += "<td>";
      if (c == nullptr) {
        out += std::string(kMissing);
      } else if (Str(*c, "status") != "ok") {
        out += "<span title=\"" + EscapeHtml(Str(*c, "error")) + "\">failed</span>";
      } else {
        out += Metric(Number(*c, "mean"));
        const double lo = Number(*c, "ci_low"), hi = Number(*c, "ci_high");
        if (std::isfinite(lo) && std::isfinite(hi))
          out += " <small>[" + Metric(lo) + ", " + Metric(hi) + "]</small>";
        if (!c->value("is_control", false)) out += " " + report::VerdictBadge(Str(*c, "verdict"));
      }
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n<h2>Mean ranks and critical difference</h2>\n";
  std::vector<double> mean_ranks;
  bool have_ranks = !arms.empty();
  for (const auto& a : arms) {
    mean_ranks.push_back(Number(st.value("mean_ranks", Json::object()), a.c_str()));
    have_ranks = have_ranks && std::isfinite(mean_ranks.back());
  }
  const double cd = st.value("omnibus_meaningful", false)
                        ? Number(st.value("nemenyi", Json::object()), "critical_difference")
                        : NAN;
  if (have_ranks) out += CdDiagramSvg(arms, mean_ranks, cd, "Critical-difference diagram of " + primary);
  out += "<p>" + EscapeHtml(OmnibusText(st)) + "</p>\n";
  out += "<h2>Pairwise Wilcoxon signed-rank over datasets (Holm)</h2>\n";
  if (const std::string note = WilcoxonPowerNote(doc); !note.empty())
    out += "<p>" + EscapeHtml(note) + "</p>\n";
  out +=
      "<table><thead><tr><th>A</th><th>B</th>"
      "<th>A better</th><th>B better</th><th>W+</th><th>n</th><th>p</th><th>p (Holm)</th><th>significant</th>"
      "</tr></thead><tbody>\n";
  for (const Json& p : st.value("wilcoxon_holm", Json::array())) {
    out += "<tr><td>" + EscapeHtml(Str(p, "a")) + "</td><td>" + EscapeHtml(Str(p, "b")) + "</td><td>" +
           std::to_string(p.value("a_better", 0)) + "</td><td>" + std::to_string(p.value("b_better", 0)) +
           "</td><td>" + Fixed(Number(p, "statistic"), 1) + "</td><td>" + std::to_string(p.value("n", 0)) +
           "</td><td>" + PValue(Number(p, "p_value")) + "</td><td>" + PValue(Number(p, "p_adjusted")) +
           "</td><td>" + (p.value("significant", false) ? "yes" : "no") + "</td></tr>\n";
  }
  out += "</tbody></table>\n<h2>Win / tie / loss against " + EscapeHtml(Str(doc, "control")) +
         "</h2>\n<table><thead><tr><th>Arm</th><th>win</th><th>tie</th><th>loss</th></tr></thead><tbody>\n";
  const Json wtl = st.value("win_tie_loss", Json::object());
  for (const auto& arm : arms) {
    if (!wtl.contains(arm)) continue;
    const Json& w = wtl[arm];
    out += "<tr><td>" + EscapeHtml(arm) + "</td><td>" + std::to_string(w.value("win", 0)) + "</td><td>" +
           std::to_string(w.value("tie", 0)) + "</td><td>" + std::to_string(w.value("loss", 0)) +
           "</td></tr>\n";
  }
  out +=
      "</tbody></table>\n<h2>Members</h2>\n<table><thead><tr><th>Member</th><th>Dataset</th><th>Status</th>"
      "<th>Run folder</th></tr></thead><tbody>\n";
  for (const Json& m : doc.value("members", Json::array())) {
    std::string status = Str(m, "status");
    if (!Str(m, "error").empty()) status += ": " + Str(m, "error");
    out += "<tr><td>" + EscapeHtml(Str(m, "name")) + "</td><td>" + EscapeHtml(Str(m, "dataset")) +
           "</td><td>" + EscapeHtml(status) + "</td><td>" + EscapeHtml(Str(m, "run_dir")) + "</td></tr>\n";
  }
  out += "</tbody></table>\n";
  for (const Json& w : doc.value("warnings", Json::array())) {
    if (w.is_string()) out += "<p class=\"warning\">warning: " + EscapeHtml(w.get<std::string>()) + "</p>\n";
  }
  out += "</main>\n" + report::HtmlPageEnd();
  return out;
}

std::string RenderSuiteCsv(const Json& doc) {
  std::ostringstream csv;
  csv << "suite,dataset,arm,status,metric,mean,ci_low,ci_high,verdict,p_adjusted,rank\n";
  const std::string name = Str(doc["suite"], "name");
  const std::string primary = Str(doc, "primary_metric");
  const Json& ranks = doc.value("statistics", Json::object()).value("ranks", Json::object());
  for (const Json& c : doc.value("table", Json::array())) {
    const std::string d = Str(c, "dataset"), a = Str(c, "arm");
    const Json* rank = ranks.contains(d) && ranks[d].contains(a) ? &ranks[d][a] : nullptr;
    csv << CsvField(name) << "," << CsvField(d) << "," << CsvField(a) << "," << CsvField(Str(c, "status"))
        << "," << CsvField(primary) << "," << CsvValue(c.contains("mean") ? &c["mean"] : nullptr) << ","
        << CsvValue(c.contains("ci_low") ? &c["ci_low"] : nullptr) << ","
        << CsvValue(c.contains("ci_high") ? &c["ci_high"] : nullptr) << ","
        << CsvValue(c.contains("verdict") ? &c["verdict"] : nullptr) << ","
        << CsvValue(c.contains("p_adjusted") ? &c["p_adjusted"] : nullptr) << "," << CsvValue(rank) << "\n";
  }
  return csv.str();
}

std::vector<fs::path> WriteSuiteReports(const Json& doc, const fs::path& dir,
                                        const std::vector<std::string>& formats) {
  std::vector<fs::path> written;
  auto has = [&](const char* f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
  auto write = [&](const char* file, const std::string& content) {
    WriteFileAtomic(dir / file, content);
    written.push_back(dir / file);
  };
  if (has("json")) write("suite.json", doc.dump(2) + "\n");
  if (has("md")) write("suite.md", RenderSuiteMarkdown(doc));
  if (has("csv")) write("suite.csv", RenderSuiteCsv(doc));
  if (has("html")) {
    write("suite.html", RenderSuiteHtml(doc));
    const Json& st = doc.value("statistics", Json::object());
    std::vector<std::string> arms = Strings(doc, "arms");
    std::vector<double> mean_ranks;
    bool ok = !arms.empty();
    for (const auto& a : arms) {
      mean_ranks.push_back(Number(st.value("mean_ranks", Json::object()), a.c_str()));
      ok = ok && std::isfinite(mean_ranks.back());
    }
    const double cd = st.value("omnibus_meaningful", false)
                          ? Number(st.value("nemenyi", Json::object()), "critical_difference")
                          : NAN;
    if (ok) write("cd.svg", CdDiagramSvg(arms, mean_ranks, cd, "Critical-difference diagram"));
  }
  return written;
}

}  // namespace reclift::host::suite
