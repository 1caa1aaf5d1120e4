#include "report/html.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

using namespace reclift::host;
using Catch::Matchers::Contains;

namespace {

// A results.json written by hand: a control, a treatment and a failed arm
// whose names are hostile to HTML, one profiler with two segments (one of
// them hostile too), two metrics.
nlohmann::json HostileResults() {
  return nlohmann::json::parse(R"json({
  "schema_version": 1,
  "reclift_version": "0.1.0",
  "experiment": {"name": "course-recs <q3>", "description": "A & B", "seed": 42, "threads": 2,
                 "started_at": "2026-11-22T14:52:44Z", "seconds": 12.5, "file": "exp.toml",
                 "run_dir": "reports/x"},
  "config": {"arms": [{"name": "popularity", "recommender": "popularity"},
                      {"name": "<script>alert(1)</script>", "recommender": "als", "params": {"factors": 64}},
                      {"name": "a&b\"c", "recommender": "als", "params": {"factors": 0}}]},
  "dataset": {"name": "sample", "format": "csv", "fingerprint": "0123456789abcdef",
              "users": 1200, "items": 340, "interactions": 25000},
  "split": {"method": "temporal", "seed": 42, "train": 20000, "test": 5000, "test_users": 3},
  "columns": [
    {"name": "ndcg@10", "metric": "ndcg", "k": 10, "higher_is_better": true, "aggregation": "mean",
     "evaluator": "ranking@1.0.0"},
    {"name": "recall@10", "metric": "recall", "k": 10, "higher_is_better": true, "aggregation": "mean",
     "evaluator": "ranking@1.0.0"}],
  "profilers": [{"name": "activity", "plugin": "activity@1.0.0", "segments": ["light", "<i>heavy</i>"],
                 "users": [2, 1]}],
  "arms": [
    {"name": "popularity", "recommender": "popularity", "plugin": "popularity@1.0.0", "status": "ok",
     "fit_seconds": 0.012, "eval_seconds": 0.5, "peak_rss_bytes": 104857600, "model_rss_bytes": 2000000,
     "users_evaluated": 3,
     "metrics": {"ndcg@10": {"mean": 0.1294, "ci_low": 0.1201, "ci_high": 0.1387, "n": 3},
                 "recall@10": {"mean": 0.25, "ci_low": 0.2, "ci_high": 0.3, "n": 3}}},
    {"name": "<script>alert(1)</script>", "recommender": "als", "plugin": "als@1.0.0", "status": "ok",
     "fit_seconds": 3.25, "eval_seconds": 1.004, "peak_rss_bytes": 250000000, "model_rss_bytes": 50000000,
     "users_evaluated": 3,
     "metrics": {"ndcg@10": {"mean": 0.1606, "ci_low": 0.15, "ci_high": 0.1712, "n": 3},
                 "recall@10": {"mean": 0.248, "ci_low": 0.2, "ci_high": 0.3, "n": 3}}},
    {"name": "a&b\"c", "recommender": "als", "plugin": "als@1.0.0", "status": "failed",
     "error": "fit failed: factors must be positive <0>", "fit_seconds": 0.001, "eval_seconds": 0,
     "peak_rss_bytes": 5000000, "metrics": {}}],
  "ab": {"control": "popularity", "primary_metric": "ndcg@10", "assignment": "paired", "alpha": 0.05,
         "correction": "holm", "bootstrap_samples": 1000,
         "comparisons": [
           {"treatment": "<script>alert(1)</script>", "metric": "ndcg@10", "profiler": null, "segment": null,
            "n": 3, "control_mean": 0.1294, "treatment_mean": 0.1606, "lift": 0.0312,
            "lift_ci_low": 0.021, "lift_ci_high": 0.041, "relative_lift": 0.2411,
            "relative_lift_ci_low": 0.16, "relative_lift_ci_high": 0.32,
            "p_value_t": 0.0002, "p_value_wilcoxon": 0.001, "p_value_adjusted": 0.0004, "verdict": "better"},
           {"treatment": "<script>alert(1)</script>", "metric": "recall@10", "profiler": null, "segment": null,
            "n": 3, "control_mean": 0.25, "treatment_mean": 0.248, "lift": -0.002,
            "lift_ci_low": -0.01, "lift_ci_high": 0.006, "relative_lift": -0.008,
            "relative_lift_ci_low": -0.04, "relative_lift_ci_high": 0.024,
            "p_value_adjusted": 0.41, "verdict": "no detectable difference"},
           {"treatment": "<script>alert(1)</script>", "metric": "ndcg@10", "profiler": "activity",
            "segment": "light", "n": 2, "control_mean": 0.15, "treatment_mean": 0.17, "lift": 0.02,
            "lift_ci_low": 0.01, "lift_ci_high": 0.03, "relative_lift": 0.12, "relative_lift_ci_low": 0.05,
            "relative_lift_ci_high": 0.2, "p_value_adjusted": 0.03, "verdict": "better"},
           {"treatment": "<script>alert(1)</script>", "metric": "ndcg@10", "profiler": "activity",
            "segment": "<i>heavy</i>", "n": 1, "control_mean": 0.1, "treatment_mean": 0.095, "lift": -0.005,
            "lift_ci_low": null, "lift_ci_high": null, "relative_lift": -0.05, "p_value_adjusted": 0.00002,
            "verdict": "worse"}],
         "warnings": ["reversal: <script>alert(1)</script> is worse in activity/<i>heavy</i>"]},
  "warnings": ["dataset: 3 bad rows skipped"],
  "log": ["warning: a&b\"c failed"]
})json");
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("the HTML report is one self-contained HTML5 document with a charset and a title",
          "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0) == 0);
  CHECK(Count(html, "<html") == 1);
  CHECK(Count(html, "</html>") == 1);
  CHECK(html.size() - html.rfind("</html>") == std::string("</html>\n").size());
  CHECK(Count(html, "<head>") == 1);
  CHECK(Count(html, "<body>") == 1);
  // One document title; the other <title> elements are SVG tooltips.
  const std::string head = html.substr(0, html.find("</head>"));
  CHECK(Count(head, "<title>") == 1);
  CHECK_THAT(html, Contains("<title>reclift report: course-recs &lt;q3&gt;</title>"));
  // Opens offline: nothing is fetched. The only URL is the SVG namespace.
  CHECK(Count(html, "<link") == 0);
  CHECK(Count(html, " src=") == 0);
  CHECK(Count(html, "http://") == Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(Count(html, "https://") == 0);
  // Print rules are part of the stylesheet.
  CHECK_THAT(html, Contains("@media print{"));
}

TEST_CASE("the HTML report escapes every name and message from data or configuration", "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  // The arm named <script>alert(1)</script> never becomes markup: the only
  // script element is the report's own sorting script.
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(Count(html, "<script") == 1);
  CHECK(Count(html, "</script>") == 1);
  CHECK_THAT(html, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  // & and quotes in a failed arm's name, in text and in attributes.
  CHECK(html.find("a&b\"c") == std::string::npos);
  CHECK_THAT(html, Contains("a&amp;b&quot;c"));
  CHECK_THAT(html, Contains("title=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
  // A segment label inside the SVG heatmap, the error message, the
  // warnings and the configuration dump.
  CHECK(html.find("<i>heavy</i>") == std::string::npos);
  CHECK_THAT(html, Contains("&lt;i&gt;heavy&lt;/i&gt;"));
  CHECK_THAT(html, Contains("<pre>fit failed: factors must be positive &lt;0&gt;</pre>"));
  CHECK_THAT(html, Contains("<li>reversal: &lt;script&gt;alert(1)&lt;/script&gt; is worse in "
                            "activity/&lt;i&gt;heavy&lt;/i&gt;</li>"));
  CHECK_THAT(html, Contains("&quot;name&quot;: &quot;a&amp;b\\&quot;c&quot;"));
  CHECK(report::EscapeHtml("<a href='x'>&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST_CASE("the HTML summary gives each treatment's verdict on the primary metric", "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK_THAT(html, Contains("Verdict on the primary metric <b>ndcg@10</b> (higher is better)"));
  CHECK_THAT(html, Contains("Treatments: 1 better."));
  CHECK_THAT(html,
             Contains("<div class=\"card better\"><div class=\"card-arm\" "
                      "title=\"&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;"
                      "</div><div class=\"card-lift\">+24.1%</div><div class=\"card-ci\">95% CI "
                      "[+16.0%, +32.0%]</div><div class=\"card-verdict\"><span class=\"badge better\">"
                      "\u25B2 better</span></div><div class=\"card-detail\">0.1606 vs 0.1294 (control)<br>"
                      "lift +0.0312 \u00B7 p (adj.) 0.0004</div></div>"));
}

TEST_CASE("the forest plot is an inline SVG with a labelled axis, a line of no effect and a legend",
          "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK_THAT(html,
             Contains("aria-label=\"Forest plot: Relative lift of ndcg@10 vs control (%, 95% CI; higher "
                      "is better)\""));
  CHECK_THAT(html, Contains(">Relative lift of ndcg@10 vs control (%, 95% CI; higher is better)</text>"));
  CHECK_THAT(html, Contains("<line class=\"zero\""));
  CHECK_THAT(html, Contains(">better (significant)</text>"));
  CHECK_THAT(html, Contains(">no detectable difference</text>"));
  // Geometry, by hand. The axis spans [0, 0.32] (0 is always shown):
  // raw step 0.32 / 5 = 0.064 -> 5 x 0.01, so ticks 0%, +5%, ..., +35%.
  CHECK_THAT(html, Contains(">+35%</text>"));
  CHECK(html.find(">+40%</text>") == std::string::npos);
  // Label column: 25 glyphs x 12 px x 0.58 = 174 px + 16 = 190; plot right
  // edge 1060 - 210 = 850. The estimate +24.11% sits at
  // 190 + 0.2411 / 0.35 x 660 = 644.6; the row's centre is 14 + 30 / 2 = 29
  // and an up triangle of radius 6 starts 6 x 1.15 = 6.9 above it.
  CHECK_THAT(html, Contains("<path d=\"M644.6 22.1L"));
  CHECK_THAT(html, Contains("+24.1% [+16.0%, +32.0%]</text>"));
  // The secondary metric has its own forest plot inside its collapsed section.
  CHECK_THAT(html, Contains("aria-label=\"Forest plot: Relative lift of recall@10 vs control"));
  CHECK(Count(html, "<svg class=\"chart\"") == 3);  // two forest plots and the heatmap
}

TEST_CASE("each metric has a sortable table of arms with mean, CI, lift and a verdict badge",
          "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK(Count(html, "<table class=\"sortable metric\">") == 2);
  CHECK_THAT(html,
             Contains("<details class=\"metric\" id=\"metric-0\" open><summary><span "
                      "class=\"metric-name\">ndcg@10</span> <span class=\"tag primary\">primary</span>"));
  CHECK_THAT(html, Contains("<details class=\"metric\" id=\"metric-1\"><summary><span "
                            "class=\"metric-name\">recall@10</span>"));
  CHECK_THAT(html, Contains("<td class=\"num\" data-sort=\"0.1606\">0.1606 <span class=\"ci\">[0.1500, "
                            "0.1712]</span></td>"));
  CHECK_THAT(html, Contains("<td class=\"num\" data-sort=\"0.0312\">+0.0312 <span class=\"ci\">[+0.0210, "
                            "+0.0410]</span></td>"));
  CHECK_THAT(html, Contains("<td class=\"num\" data-sort=\"0.2411\">+24.1% <span class=\"ci\">[+16.0%, "
                            "+32.0%]</span></td>"));
  CHECK_THAT(html, Contains("<td class=\"num\" data-sort=\"0.0004\">0.0004</td>"
                            "<td data-sort=\"1\"><span class=\"badge better\">\u25B2 better</span></td>"));
  CHECK_THAT(html, Contains("<td data-sort=\"0\"><span class=\"badge none\">\u25CB no detectable "
                            "difference</span></td>"));
  // The failed arm is in no metric table.
  const std::string metrics =
      html.substr(html.find("id=\"metrics\""), html.find("id=\"cost\"") - html.find("id=\"metrics\""));
  CHECK(metrics.find("a&amp;b") == std::string::npos);
}

TEST_CASE("the segment heatmap colours each treatment and segment by lift and outlines significant cells",
          "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK_THAT(html, Contains("<section id=\"segments\"><h2>ndcg@10 by segment</h2>"));
  CHECK_THAT(html, Contains("aria-label=\"Heatmap: relative lift of ndcg@10 by segment\""));
  CHECK(Count(html, "<g class=\"cell significant\">") == 3);  // all users, light, heavy
  // Colour scale saturates at the largest |relative lift|, 0.2411. light:
  // t = 0.12 / 0.2411 = 0.4977, mixed 0.9 t = 0.4479 of the way from white
  // to blue #0072B2: R 255 - 255 x 0.4479 = 140.8 -> 8D, G 255 - 141 x 0.4479
  // = 191.8 -> C0, B 255 - 77 x 0.4479 = 220.5 -> DD.
  CHECK_THAT(html, Contains("fill=\"#8DC0DD\" stroke=\"#111827\" stroke-width=\"2.5\""));
  CHECK_THAT(html, Contains(">\u25B2 +12.0%</text>"));
  CHECK_THAT(html, Contains(">\u25BC -5.0%</text>"));
  CHECK_THAT(html, Contains(">n = 2</text>"));
  CHECK_THAT(html, Contains(">activity</text>"));
  CHECK_THAT(html, Contains("significant after correction</text>"));
}

TEST_CASE("cold-start curves and diversity trade-offs are drawn only when results carry them",
          "[report][html]") {
  nlohmann::json results = HostileResults();
  const std::string without = RenderHtml(results);
  CHECK(without.find("id=\"cold-start\"") == std::string::npos);
  CHECK(without.find("id=\"diversity\"") == std::string::npos);

  results["cold_start"] = nlohmann::json::parse(R"({"metric": "ndcg@10", "shots": [0, 1, 3],
      "arms": {"popularity": {"mean": [0.1, 0.1, 0.1], "ci_low": [0.09, 0.09, 0.09], "ci_high": [0.11, 0.11, 0.11]},
               "<script>alert(1)</script>": {"mean": [0.05, 0.12, 0.2], "ci_low": [0.04, 0.1, null],
                                             "ci_high": [0.06, 0.14, null]}}})");
  results["diversity"] = nlohmann::json::parse(R"({"reranker": "mmr", "points": [
      {"arm": "popularity", "lambda": 0.5, "ndcg@10": 0.09, "ild@10": 0.5},
      {"arm": "popularity", "lambda": 0.0, "ndcg@10": 0.1, "ild@10": 0.3}]})");
  const std::string html = RenderHtml(results);
  CHECK_THAT(html, Contains("<section id=\"cold-start\"><h2>Cold start</h2>"));
  CHECK_THAT(html, Contains(">Interactions known per cold-start user (shots)</text>"));
  CHECK_THAT(html, Contains(">ndcg@10 (mean \u00B1 95% CI)</text>"));
  CHECK_THAT(html, Contains("<section id=\"diversity\"><h2>Accuracy and diversity</h2>"));
  CHECK_THAT(html, Contains(">ild@10 (diversity, higher is more diverse)</text>"));
  CHECK_THAT(html, Contains(">ndcg@10 (accuracy)</text>"));
  CHECK_THAT(html, Contains(">\u03BB=0.5</text>"));
  CHECK_THAT(html, Contains("re-ranked by <b>mmr</b>"));
  // The legend names arms escaped; a point without bounds splits the band.
  CHECK_THAT(html, Contains(">&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(Count(html, "class=\"band-ci\"") == 2);  // popularity's band, and the treatment's first two points
}

TEST_CASE("the cost table shows fit and evaluation time and memory for every arm", "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK_THAT(html,
             Contains("<tr><td class=\"arm\">popularity</td><td><code>popularity@1.0.0</code></td><td>ok"
                      "</td><td class=\"num\" data-sort=\"0.012\">12.0 ms</td><td class=\"num\" "
                      "data-sort=\"0.5\">500.0 ms</td><td class=\"num\" data-sort=\"104857600\">104.9 MB"
                      "</td><td class=\"num\" data-sort=\"2000000\">2.0 MB</td><td class=\"num\" "
                      "data-sort=\"3\">3</td></tr>"));
  CHECK_THAT(html, Contains("data-sort=\"3.25\">3.25 s</td><td class=\"num\" data-sort=\"1.004\">1.00 s</td>"
                            "<td class=\"num\" data-sort=\"250000000\">250.0 MB</td>"));
  CHECK_THAT(html,
             Contains("<tr><td class=\"arm\">a&amp;b&quot;c</td><td><code>als@1.0.0</code></td><td><span "
                      "class=\"badge worse\">failed</span></td>"));
}

TEST_CASE("the HTML report ends with data, failures, warnings and a reproducibility appendix",
          "[report][html]") {
  const std::string html = RenderHtml(HostileResults());
  CHECK_THAT(html, Contains("<dt>Interactions</dt><dd>25,000</dd>"));
  CHECK_THAT(html, Contains("<dt>Fingerprint</dt><dd><code>0123456789abcdef</code></dd>"));
  CHECK_THAT(html, Contains("<dt>Test users</dt><dd>3</dd>"));
  CHECK_THAT(html, Contains("<dt>activity</dt><dd>light (2), &lt;i&gt;heavy&lt;/i&gt; (1)</dd>"));
  CHECK_THAT(html, Contains("<section id=\"failures\"><h2>Failed arms</h2>"));
  CHECK_THAT(html, Contains("<li>dataset: 3 bad rows skipped</li>"));
  CHECK_THAT(html, Contains("<details><summary>Run log (1 lines)</summary><pre class=\"log\">warning: "
                            "a&amp;b&quot;c failed\n</pre></details>"));
  CHECK_THAT(html,
             Contains("<tr><td><code>als@1.0.0</code></td><td>arm &lt;script&gt;alert(1)&lt;/script&gt;, "
                      "arm a&amp;b&quot;c</td></tr>"));
  CHECK_THAT(html, Contains("<tr><td><code>ranking@1.0.0</code></td><td>evaluator</td></tr>"));
  CHECK_THAT(html,
             Contains("<details class=\"config\"><summary>Resolved configuration (JSON)</summary><pre>{\n"
                      "  &quot;arms&quot;: [\n"));
}

TEST_CASE("the HTML report of a run whose control failed says there is no comparison", "[report][html]") {
  nlohmann::json results = HostileResults();
  results["arms"][0]["status"] = "failed";
  results["arms"][0]["error"] = "out of memory";
  results["ab"]["comparisons"] = nlohmann::json::array();
  const std::string html = RenderHtml(results);
  CHECK_THAT(html, Contains("<p class=\"note\">No comparison: the control arm <b>popularity</b> did not "
                            "complete.</p>"));
  CHECK(html.find("id=\"segments\"") == std::string::npos);
  CHECK(html.find("Forest plot") == std::string::npos);
}

TEST_CASE("the HTML report renders a bare document and refuses another schema version", "[report][html]") {
  const std::string html = RenderHtml(nlohmann::json{{"schema_version", 1}});
  CHECK_THAT(html, Contains("<p class=\"note\">No metric was evaluated.</p>"));
  CHECK_THAT(html, Contains("<title>reclift report: experiment</title>"));
  nlohmann::json results = HostileResults();
  results["schema_version"] = 2;
  CHECK_THROWS_WITH(RenderHtml(results),
                    "RenderHtml: results.json has schema version 2, this reclift reads "
                    "version 1");
  CHECK_THROWS_WITH(RenderLatex(nlohmann::json::array()),
                    "RenderLatex: expected a results.json object, got a JSON array");
}

TEST_CASE("the LaTeX table has booktabs rules, intervals, verdict marks, bold best values and escaped names",
          "[report][latex]") {
  const std::string latex = RenderLatex(HostileResults());
  CHECK_THAT(latex,
             Contains("\\begin{tabular}{lcc}\n\\toprule\n"
                      "Arm & ndcg@10 $\\uparrow$ & recall@10 $\\uparrow$ \\\\\n\\midrule\n"
                      "popularity (control) & 0.1294 {\\scriptsize[0.1201, 0.1387]} & \\textbf{0.2500} "
                      "{\\scriptsize[0.2000, 0.3000]} \\\\\n"
                      "\\textless{}script\\textgreater{}alert(1)\\textless{}/script\\textgreater{} & "
                      "\\textbf{0.1606}$^{\\blacktriangle}$ {\\scriptsize[0.1500, 0.1712]} & 0.2480 "
                      "{\\scriptsize[0.2000, 0.3000]} \\\\\n"
                      "\\bottomrule\n\\end{tabular}\n"));
  CHECK_THAT(latex, Contains("\\caption{Results of course-recs \\textless{}q3\\textgreater{} on sample: mean "
                             "over test users with 95\\% confidence intervals in brackets; best in bold."));
  CHECK_THAT(latex, Contains("Failed and not shown: a\\&b\"c.}"));
  CHECK_THAT(latex, Contains("\\label{tab:reclift-course-recs-q3}"));
  CHECK(Count(latex, "\\begin{table}") == 1);
  CHECK(Count(latex, "\\end{table}") == 1);
}
