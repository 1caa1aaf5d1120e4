// The HTML report and the LaTeX table, and the pieces of HTML the run
// comparison (report/compare.h) shares with them.
//
// RenderHtml writes one self-contained file that opens offline: inline CSS,
// inline SVG charts, and a few lines of script that only sort tables when a
// header is clicked and open every collapsed section before printing. It
// reads results.json (schema in results/results.h) and nothing else.
//
// Sections, each left out when the document has nothing for it: summary
// (verdict on the primary metric per treatment), forest plot of the
// primary metric's lifts, per-segment heatmap of the primary metric, one
// table per metric (arms, mean, CI, lift and relative lift with CIs,
// adjusted p, verdict badge; the primary open, the others collapsed with
// their own forest plot), cold-start learning curves, accuracy/diversity
// trade-offs, cost, dataset and split, failed arms, warnings and the run
// log, and a reproducibility appendix (plugin versions, seeds, fingerprint,
// the resolved configuration as pretty JSON).
//
// Two optional top-level sections are not in schema v1 yet. When present
// they must have these shapes (anything else is ignored, never an error):
//
//   "cold_start": {
//     "metric": "ndcg@10",            // the metric on the y axis
//     "shots": [0, 1, 3, 5, 10],      // interactions known per cold user
//     "arms": {"als": {"mean": [..], "ci_low": [..], "ci_high": [..]}, ...}
//   }                                 // arrays as long as "shots"; null = missing
//
//   "diversity": {
//     "reranker": "mmr",              // optional, shown in the caption
//     "points": [{"arm": "als", "lambda": 0.3,
//                 "ndcg@10": 0.15, "ild@10": 0.62, "coverage@10": 0.31}, ...]
//   }
//
// The trade-off plot puts the accuracy metric (ab.primary_metric when the
// points carry it, else the first metric key) on the y axis and draws one
// panel per other metric key on the x axis, one line per arm through its
// points in increasing lambda, each point labelled with its lambda.
//
// Every string from data or configuration is escaped. Colours are the
// Okabe-Ito palette, and every encoding by colour is doubled by a marker
// shape, a dash pattern or a glyph so the charts read in grey print.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace reclift::host {

// The self-contained HTML report. Throws Error when `results` is not a
// results.json of schema version 1; missing optional fields are left out.
std::string RenderHtml(const nlohmann::json& results);

// A LaTeX table (booktabs; the preamble needs \usepackage{booktabs,amssymb})
// of arms x metrics: the primary metric first, then the other
// metrics with the primary's cutoff k. Each cell: mean and its CI; a
// treatment's cell carries a mark when its verdict against control is
// better ($^{\blacktriangle}$) or worse ($^{\blacktriangledown}$); the best
// mean of each column is bold. Failed arms are left out and named in the
// caption. Names are escaped for LaTeX text mode.
//
// When the run has a cold_start_users section, a second table follows: the
// learning curves, one column per N and one block of arms per mode
// (retrain, fold-in), each cell the mean of the scenario's metric and half
// its interval ({\scriptsize$\pm$...}), the best of each N and mode in bold,
// an arm that is not ok marked with its status and "--" cells, and, when
// there is a popularity reference, the N from which each arm stays above it
// (by mean and significantly).
std::string RenderLatex(const nlohmann::json& results);

namespace report {

// Escapes &, <, >, " and ' so text is safe in element content and in
// quoted attribute values alike.
std::string EscapeHtml(std::string_view text);

// "<!DOCTYPE html>...<body>" with the report's stylesheet and `title`
// (escaped here), and the matching end with the sorting script.
std::string HtmlPageStart(std::string_view title);
std::string HtmlPageEnd();

// A verdict as a coloured badge with a glyph: "better" (blue, up triangle),
// "worse" (vermillion, down triangle), anything else grey.
std::string VerdictBadge(std::string_view verdict);

// One row of a forest plot: an estimate with its interval (NaN bounds draw
// the point alone) and the verdict that picks its marker.
struct ForestRow {
  std::string label;  // raw text, escaped when drawn
  double estimate = 0;
  double low = 0;
  double high = 0;
  std::string verdict;
  std::string detail;  // raw text for the hover tooltip
};

// A forest plot as inline SVG: one row per entry, a dashed line at 0,
// whiskers for intervals, markers by verdict and a legend. `percent`
// formats the axis as percentages of the values (0.1 -> +10%).
std::string ForestPlotSvg(const std::vector<ForestRow>& rows, std::string_view axis_label, bool percent);

}  // namespace report
}  // namespace reclift::host
