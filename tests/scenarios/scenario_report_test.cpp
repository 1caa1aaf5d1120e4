// The scenario sections of results.json in the HTML report and the Markdown
// summary: each shown, statuses said in words, names escaped.
#include <catch2/catch.hpp>

#include "report/html.h"
#include "report/render.h"

using namespace reclift::host;
using Catch::Matchers::Contains;

namespace {

nlohmann::json Results() {
  nlohmann::json r = nlohmann::json::parse(R"({
    "schema_version": 1, "reclift_version": "0.1.0",
    "experiment": {"name": "scenarios"},
    "columns": [{"name": "ndcg@10", "metric": "ndcg", "k": 10, "higher_is_better": true, "aggregation": "mean"}],
    "arms": [{"name": "pop", "status": "ok", "metrics": {"ndcg@10": {"mean": 0.1, "ci_low": 0.09, "ci_high": 0.11, "n": 9}}},
             {"name": "als", "status": "ok", "metrics": {"ndcg@10": {"mean": 0.2, "ci_low": 0.19, "ci_high": 0.21, "n": 9}}}],
    "ab": {"control": "pop", "primary_metric": "ndcg@10", "alpha": 0.05, "correction": "holm", "comparisons": []}
  })");
  r["cold_start_users"] = nlohmann::json::parse(R"({
    "metric": "ndcg@10", "shots": [0, 1, 10], "order": "temporal", "user_fraction": 0.3,
    "eligible_users": 100, "users": 30, "targets": 250, "reference": "pop",
    "modes": [
      {"mode": "retrain", "arms": {
        "pop": {"status": "ok", "mean": [0.1, 0.1, 0.12], "ci_low": [0.08, 0.08, 0.1], "ci_high": [0.12, 0.12, 0.14], "n": [30, 30, 30]},
        "<b>als</b>": {"status": "ok", "mean": [0.05, 0.15, 0.3], "ci_low": [0.04, 0.12, 0.27], "ci_high": [0.06, 0.18, 0.33], "n": [30, 30, 30],
                       "overtakes_reference_at": 1, "significantly_overtakes_reference_at": 10}}},
      {"mode": "fold-in", "arms": {
        "pop": {"status": "ok", "mean": [0.1, 0.1, 0.12], "ci_low": [0.08, 0.08, 0.1], "ci_high": [0.12, 0.12, 0.14], "n": [30, 30, 30]},
        "<b>als</b>": {"status": "fold-in not supported", "mean": [null, null, null], "ci_low": [null, null, null],
                       "ci_high": [null, null, null], "n": [null, null, null],
                       "overtakes_reference_at": null, "significantly_overtakes_reference_at": null}}}]
  })");
  r["cold_start_items"] = nlohmann::json::parse(R"({
    "item_fraction": 0.1, "new_items": 60, "eligible_items": 500, "train_interactions_removed": 4000,
    "users": 700, "users_with_new_relevant": 280, "new_item_metrics": ["recall@10", "ndcg@10", "precision@10"],
    "metrics": ["ndcg@10"],
    "arms": [
      {"name": "als", "plugin": "als@1.0.0", "status": "ok", "uses_item_features": false, "note": "does not use item features",
       "new_items": {"recall@10": {"mean": 0.0123, "ci_low": 0.01, "ci_high": 0.015, "n": 280},
                     "ndcg@10": {"mean": 0.0101, "ci_low": 0.008, "ci_high": 0.012, "n": 280}},
       "new_item_share": {"new_item_share@10": {"mean": 0.02, "ci_low": 0.01, "ci_high": 0.03, "n": 700}},
       "new_item_coverage": {"new_item_coverage@10": 0.05},
       "overall": {"ndcg@10": {"mean": 0.2, "ci_low": 0.19, "ci_high": 0.21, "n": 700}}},
      {"name": "content", "status": "failed", "error": "Fit failed: boom"}]
  })");
  r["diversity"] = nlohmann::json::parse(R"({
    "reranker": "mmr, calibration", "accuracy": "ndcg@10", "metrics": ["ndcg@10", "ild@10", "miscalibration@10"],
    "higher_is_better": {"ndcg@10": true, "ild@10": true, "miscalibration@10": false},
    "runs": [{"reranker": "mmr", "similarity": "features", "candidates": 100, "lambda": [0.0, 0.5]},
             {"reranker": "calibration", "candidates": 100, "lambda": [0.0, 0.5]}],
    "arms": {"als": {"status": "ok"}},
    "points": [
      {"arm": "als", "reranker": "mmr", "similarity": "features", "lambda": 0.0, "users": 9, "ndcg@10": 0.3, "ild@10": 0.7, "ci": {}, "pareto_best": []},
      {"arm": "als", "reranker": "mmr", "similarity": "features", "lambda": 0.5, "users": 9, "ndcg@10": 0.28, "ild@10": 0.8, "ci": {}, "pareto_best": ["ild@10"]},
      {"arm": "als", "reranker": "calibration", "lambda": 0.0, "users": 9, "ndcg@10": 0.3, "ild@10": 0.7, "miscalibration@10": 1.2, "ci": {}, "pareto_best": []},
      {"arm": "als", "reranker": "calibration", "lambda": 0.5, "users": 9, "ndcg@10": 0.29, "ild@10": 0.71, "miscalibration@10": 0.6, "ci": {}, "pareto_best": ["miscalibration@10"]}],
    "pareto": {"ild@10": [{"arm": "als", "reranker": "mmr", "similarity": "features", "lambda": 0.5}],
               "miscalibration@10": [{"arm": "als", "reranker": "calibration", "lambda": 0.5}]}
  })");
  return r;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the HTML report shows every scenario section", "[scenarios][report]") {
  const std::string html = RenderHtml(Results());
  // navigation and sections
  CHECK_THAT(html,
             Contains("<a href=\"#cold-start\">Cold start</a><a href=\"#cold-start-items\">New items</a>"));
  CHECK_THAT(html, Contains("<section id=\"cold-start\"><h2>Cold start: new users</h2>"));
  CHECK_THAT(html, Contains("<h3>Retrained with the N interactions</h3>"));
  CHECK_THAT(html, Contains("<h3>Fold-in: scored from the N interactions, without retraining</h3>"));
  // one curve chart per mode; the arm without fold-in is not drawn as zeros but named
  CHECK(Count(html, "aria-label=\"Cold-start learning curves of ndcg@10") == 2);
  CHECK_THAT(html, Contains("&lt;b&gt;als&lt;/b&gt; <span class=\"muted\">fold-in not supported</span>"));
  CHECK(html.find("<b>als</b>") == std::string::npos);
  CHECK_THAT(html, Contains("<th class=\"num\">Above pop from N</th>"));
  CHECK_THAT(html,
             Contains("<td class=\"num\" data-sort=\"1\">1</td><td class=\"num\" data-sort=\"10\">10</td>"));
  // new items: the note, the failure, the columns
  CHECK_THAT(html, Contains("<section id=\"cold-start-items\"><h2>Cold start: new items</h2>"));
  CHECK_THAT(html, Contains("als <span class=\"tag\">does not use item features</span>"));
  CHECK_THAT(html, Contains("failed: Fit failed: boom"));
  CHECK_THAT(html,
             Contains("<th class=\"num\">new-item recall@10</th><th class=\"num\">new-item ndcg@10</th>"));
  CHECK(html.find("new-item precision@10") == std::string::npos);
  CHECK_THAT(html, Contains("<th class=\"num\">new_item_share@10</th>"));
  // diversity: one group of panels per re-ranker, directions, Pareto table
  CHECK_THAT(html, Contains("<h3>Re-ranked by mmr (features)</h3>"));
  CHECK_THAT(html, Contains("<h3>Re-ranked by calibration</h3>"));
  CHECK_THAT(html, Contains(">miscalibration@10 (lower is better)</text>"));
  CHECK_THAT(html, Contains(">ild@10 (diversity, higher is more diverse)</text>"));
  CHECK_THAT(html, Contains("<td>ild@10</td><td>als \u00B7 mmr (features) \u03BB=0.5</td>"));
  CHECK_THAT(html, Contains("<summary>Every setting (4)</summary>"));
  // "users" is a count, not a metric to plot
  CHECK(html.find(">users (diversity") == std::string::npos);
}

TEST_CASE("the Markdown summary shows every scenario section", "[scenarios][report]") {
  const std::string md = RenderMarkdown(Results());
  CHECK_THAT(md, Contains("### Cold start: new users (ndcg@10)\n"));
  CHECK_THAT(md, Contains("| arm | N = 0 | N = 1 | N = 10 | above pop from N | significantly from N |\n"));
  // mean and half the interval width: 0.05 [0.04, 0.06] -> 0.0500 ±0.0100
  CHECK_THAT(md, Contains("| \\<b\\>als\\</b\\> | 0.0500 \u00B10.0100 | 0.1500 \u00B10.0300 | 0.3000 "
                          "\u00B10.0300 | 1 | 10 |\n"));
  CHECK_THAT(md, Contains("| \\<b\\>als\\</b\\> (fold-in not supported) | \u2014 | \u2014 | \u2014 | | |\n"));
  CHECK_THAT(md, Contains("### Cold start: new items\n"));
  CHECK_THAT(md, Contains("| als (does not use item features) | 0.0123 \u00B10.0025 | 0.0101 \u00B10.0020 | "
                          "0.0200 \u00B10.0100 | 0.0500 | 0.2000 \u00B10.0100 |\n"));
  CHECK_THAT(md, Contains("| content (failed: Fit failed: boom) |"));
  CHECK_THAT(md, Contains("### Accuracy and diversity\n"));
  CHECK_THAT(md, Contains("- **ild@10**: als \u00B7 mmr (features) \u03BB=0.5\n"));
  CHECK_THAT(md, Contains("| als | calibration | 0.5 | 0.2900 | 0.7100 | 0.6000 |\n"));
}
