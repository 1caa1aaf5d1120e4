#include "report/render.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "report/format.h"
#include "util/error.h"

using namespace reclift::host;
using Catch::Matchers::Contains;

namespace {

// A small results.json written by hand: a control, a treatment whose name
// needs escaping, a failed arm; one profiler with two segments; two metrics.
nlohmann::json SampleResults() {
  return nlohmann::json::parse(R"json({
  "schema_version": 1,
  "reclift_version": "0.1.0",
  "experiment": {"name": "course-recs_q3", "description": "", "seed": 42,
                 "started_at": "2026-11-22T14:52:44Z", "seconds": 12.5},
  "dataset": {"name": "sample", "format": "csv", "fingerprint": "0123456789abcdef",
              "users": 1200, "items": 340, "interactions": 25000},
  "split": {"method": "temporal", "seed": 42, "train": 20000, "test": 5000, "test_users": 3},
  "columns": [
    {"name": "ndcg@10", "metric": "ndcg", "k": 10, "higher_is_better": true, "aggregation": "mean"},
    {"name": "recall@10", "metric": "recall", "k": 10, "higher_is_better": true, "aggregation": "mean"}],
  "profilers": [{"name": "activity", "plugin": "activity@1.0.0", "segments": ["light", "heavy"],
                 "users": [2, 1]}],
  "arms": [
    {"name": "popularity", "recommender": "popularity", "status": "ok",
     "fit_seconds": 0.012, "eval_seconds": 0.5, "peak_rss_bytes": 104857600,
     "metrics": {"ndcg@10": {"mean": 0.1294, "ci_low": 0.1201, "ci_high": 0.1387, "n": 3},
                 "recall@10": {"mean": 0.25, "ci_low": null, "ci_high": null, "n": 3}},
     "segments": {"activity": {"light": {"ndcg@10": {"mean": 0.15, "ci_low": 0.1, "ci_high": 0.2, "n": 2}},
                               "heavy": {"ndcg@10": {"mean": 0.1, "ci_low": null, "ci_high": null, "n": 1}}}}},
    {"name": "als|64", "recommender": "als", "status": "ok",
     "fit_seconds": 3.25, "eval_seconds": 1.004, "peak_rss_bytes": 250000000,
     "metrics": {"ndcg@10": {"mean": 0.1606, "ci_low": 0.15, "ci_high": 0.1712, "n": 3},
                 "recall@10": {"mean": 0.248, "ci_low": 0.2, "ci_high": 0.3, "n": 3}},
     "segments": {"activity": {"light": {"ndcg@10": {"mean": 0.17, "ci_low": 0.12, "ci_high": 0.22, "n": 2}},
                               "heavy": {"ndcg@10": {"mean": 0.09, "ci_low": null, "ci_high": null, "n": 1}}}}},
    {"name": "broken`arm", "recommender": "als", "status": "failed",
     "error": "fit failed: factors must be positive\nsee the als README",
     "fit_seconds": 0.001, "eval_seconds": 0, "peak_rss_bytes": 5000000, "metrics": {}}],
  "ab": {"control": "popularity", "primary_metric": "ndcg@10", "assignment": "paired", "alpha": 0.05,
         "correction": "holm", "bootstrap_samples": 1000,
         "comparisons": [
           {"treatment": "als|64", "metric": "ndcg@10", "profiler": null, "segment": null, "n": 3,
            "control_mean": 0.1294, "treatment_mean": 0.1606, "lift": 0.0312,
            "lift_ci_low": 0.021, "lift_ci_high": 0.041, "relative_lift": 0.2411,
            "relative_lift_ci_low": 0.16, "relative_lift_ci_high": 0.32,
            "t_statistic": 4.1, "p_value_t": 0.0002, "p_value_wilcoxon": 0.001,
            "p_value_adjusted": 0.0004, "effect_size": 1.2, "verdict": "better"},
           {"treatment": "als|64", "metric": "recall@10", "profiler": null, "segment": null, "n": 3,
            "control_mean": 0.25, "treatment_mean": 0.248, "lift": -0.002,
            "lift_ci_low": -0.01, "lift_ci_high": 0.006, "relative_lift": -0.008,
            "relative_lift_ci_low": null, "relative_lift_ci_high": null,
            "t_statistic": -0.5, "p_value_t": 0.41, "p_value_wilcoxon": 0.5,
            "p_value_adjusted": 0.41, "effect_size": -0.1, "verdict": "no detectable difference"},
           {"treatment": "als|64", "metric": "ndcg@10", "profiler": "activity", "segment": "light", "n": 2,
            "control_mean": 0.15, "treatment_mean": 0.17, "lift": 0.02,
            "lift_ci_low": 0.01, "lift_ci_high": 0.03, "relative_lift": 0.12,
            "relative_lift_ci_low": 0.05, "relative_lift_ci_high": 0.2,
            "t_statistic": 3.0, "p_value_t": 0.01, "p_value_wilcoxon": 0.02,
            "p_value_adjusted": 0.03, "effect_size": 0.9, "verdict": "better"},
           {"treatment": "als|64", "metric": "ndcg@10", "profiler": "activity", "segment": "heavy", "n": 1,
            "control_mean": 0.1, "treatment_mean": 0.09, "lift": -0.01,
            "lift_ci_low": null, "lift_ci_high": null, "relative_lift": -0.05,
            "relative_lift_ci_low": null, "relative_lift_ci_high": null,
            "t_statistic": -6.0, "p_value_t": 0.00001, "p_value_wilcoxon": 0.5,
            "p_value_adjusted": 0.00002, "effect_size": null, "verdict": "worse"}],
         "warnings": ["reversal: als|64 is better than control on ndcg@10 overall but worse in segment activity/heavy"]},
  "per_user": {"users": ["u1", "u,2", "u\"3"],
               "segments": {"activity": [0, 0, 1]},
               "arms": {"popularity": {"ndcg@10": [0.1, 0.2, null], "recall@10": [0.5, 0.25, 0]},
                        "als|64": {"ndcg@10": [0.3, 0.1, 0.05], "recall@10": [0.5, 0.75, 1]}}},
  "warnings": ["dataset: 3 bad rows skipped"],
  "log": []
})json");
}

}  // namespace

TEST_CASE("the Markdown summary opens with the experiment, dataset, split and design", "[report]") {
  const std::string md = RenderMarkdown(SampleResults());
  CHECK(md.rfind("## reclift: course-recs\\_q3\n\n", 0) == 0);
  CHECK_THAT(md, Contains("- **Dataset** sample (csv): 1,200 users, 340 items, 25,000 interactions, "
                          "fingerprint `0123456789ab`\n"));
  CHECK_THAT(
      md, Contains("- **Split** temporal (seed 42): 20,000 train / 5,000 test interactions, 3 test users\n"));
  CHECK_THAT(md, Contains("- **A/B** paired, control **popularity**, 95% intervals, Holm correction, "
                          "1,000 bootstrap samples\n"));
}

TEST_CASE("the Markdown summary states the verdict on the primary metric for each treatment", "[report]") {
  const std::string md = RenderMarkdown(SampleResults());
  CHECK_THAT(
      md,
      Contains("### Verdict on ndcg@10\n\n"
               "- **als\\|64** vs **popularity** on ndcg@10: +0.0312 (+24.1%, 95% CI [+0.0210, +0.0410]), "
               "p_adj = 0.0004 \u2192 better\n"));
}

TEST_CASE("the Markdown summary has a table per metric with control first and escaped arm names",
          "[report]") {
  const std::string md = RenderMarkdown(SampleResults());
  CHECK_THAT(md, Contains("#### ndcg@10 (higher is better)\n\n"
                          "| arm | mean | 95% CI | lift vs control | rel. lift | p (adj) | verdict |\n"
                          "|:--|--:|:--|--:|--:|--:|:--|\n"
                          "| popularity (control) | 0.1294 | [0.1201, 0.1387] |  |  |  |  |\n"
                          "| als\\|64 | 0.1606 | [0.1500, 0.1712] | +0.0312 [+0.0210, +0.0410] | "
                          "+24.1% [+16.0%, +32.0%] | 0.0004 | **better** |\n"));
  // The secondary metric sits in a collapsed block; a missing interval stays
  // empty and a missing relative interval is left out.
  CHECK_THAT(md,
             Contains("<details><summary>Other metrics (1)</summary>\n\n#### recall@10 (higher is better)"));
  CHECK_THAT(
      md, Contains("| popularity (control) | 0.2500 |  |  |  |  |  |\n"
                   "| als\\|64 | 0.2480 | [0.2000, 0.3000] | -0.0020 [-0.0100, +0.0060] | -0.8% | 0.4100 | "
                   "no detectable difference |\n"));
  // The failed arm is not a row of any metric table.
  const size_t details_end = md.find("</details>");
  REQUIRE(details_end != std::string::npos);
  CHECK(md.substr(0, details_end).find("broken") == std::string::npos);
}

TEST_CASE("the Markdown summary breaks the primary metric down by segment", "[report]") {
  const std::string md = RenderMarkdown(SampleResults());
  CHECK_THAT(md, Contains("### ndcg@10 by segment\n\n"
                          "| profiler | segment | users | als\\|64 |\n"
                          "|:--|:--|--:|:--|\n"
                          "| activity | light | 2 | +0.0200 (+12.0%), p_adj 0.0300 \u2192 **better** |\n"
                          "| activity | heavy | 1 | -0.0100 (-5.0%), p_adj <1e-4 \u2192 **worse** |\n"));
}

TEST_CASE("the Markdown summary lists failed arms, costs and warnings", "[report]") {
  const std::string md = RenderMarkdown(SampleResults());
  // The error's line break folds into a space, the backtick is escaped.
  CHECK_THAT(md,
             Contains("### Failed arms\n\n"
                      "- **broken\\`arm** (als): fit failed: factors must be positive see the als README\n"));
  CHECK_THAT(md, Contains("| arm | fit s | eval s | peak memory MB |\n|:--|--:|--:|--:|\n"
                          "| popularity | 0.01 | 0.50 | 104.9 |\n"
                          "| als\\|64 | 3.25 | 1.00 | 250.0 |\n"
                          "| broken\\`arm (failed) | 0.00 | 0.00 | 5.0 |\n"));
  CHECK_THAT(md,
             Contains("### Warnings\n\n- dataset: 3 bad rows skipped\n"
                      "- reversal: als\\|64 is better than control on ndcg@10 overall but worse in segment "
                      "activity/heavy\n"));
  CHECK_THAT(md, Contains("<sub>reclift 0.1.0, run 2026-11-22T14:52:44Z in 12.5 s</sub>\n"));
}

TEST_CASE("the Markdown summary says so when the control arm failed", "[report]") {
  nlohmann::json results = SampleResults();
  results["arms"][0]["status"] = "failed";
  results["arms"][0]["error"] = "out of memory";
  results["ab"]["comparisons"] = nlohmann::json::array();
  const std::string md = RenderMarkdown(results);
  CHECK_THAT(md, Contains("### Verdict on ndcg@10\n\nNo comparison: the control arm **popularity** did not "
                          "complete.\n"));
  CHECK_THAT(md, Contains("- **popularity** (popularity): out of memory\n"));
  CHECK(md.find("by segment") == std::string::npos);
}

TEST_CASE("renderers refuse documents of another schema version with a clear message", "[report]") {
  nlohmann::json results = SampleResults();
  results["schema_version"] = 2;
  CHECK_THROWS_WITH(RenderMarkdown(results),
                    "RenderMarkdown: results.json has schema version 2, this reclift reads version 1");
  CHECK_THROWS_WITH(RenderAggregateCsv(nlohmann::json::array()),
                    "RenderAggregateCsv: expected a results.json object, got a JSON array");
  CHECK_THROWS_WITH(RenderPerUserCsv(nlohmann::json::object()),
                    "RenderPerUserCsv: not a reclift results document (no integer \"schema_version\")");
}

TEST_CASE("the aggregate CSV has one row per arm, population and metric with the comparison alongside",
          "[report]") {
  const std::string expected =
      "arm,profiler,segment,metric,mean,ci_low,ci_high,n,lift,lift_ci_low,lift_ci_high,relative_lift,"
      "relative_lift_ci_low,relative_lift_ci_high,p_value_t,p_value_wilcoxon,p_value_adjusted,verdict\n"
      "popularity,,,ndcg@10,0.1294,0.1201,0.1387,3,,,,,,,,,,\n"
      "popularity,,,recall@10,0.25,,,3,,,,,,,,,,\n"
      "popularity,activity,light,ndcg@10,0.15,0.1,0.2,2,,,,,,,,,,\n"
      "popularity,activity,heavy,ndcg@10,0.1,,,1,,,,,,,,,,\n"
      "als|64,,,ndcg@10,0.1606,0.15,0.1712,3,0.0312,0.021,0.041,0.2411,0.16,0.32,0.0002,0.001,0.0004,better\n"
      "als|64,,,recall@10,0.248,0.2,0.3,3,-0.002,-0.01,0.006,-0.008,,,0.41,0.5,0.41,no detectable "
      "difference\n"
      "als|64,activity,light,ndcg@10,0.17,0.12,0.22,2,0.02,0.01,0.03,0.12,0.05,0.2,0.01,0.02,0.03,better\n"
      "als|64,activity,heavy,ndcg@10,0.09,,,1,-0.01,,,-0.05,,,1e-05,0.5,2e-05,worse\n";
  CHECK(RenderAggregateCsv(SampleResults()) == expected);
}

TEST_CASE("the per-user CSV has a row per user and arm, quoting ids and naming segments", "[report]") {
  const std::string expected =
      "user,arm,ndcg@10,recall@10,activity\n"
      "u1,popularity,0.1,0.5,light\n"
      "u1,als|64,0.3,0.5,light\n"
      "\"u,2\",popularity,0.2,0.25,light\n"
      "\"u,2\",als|64,0.1,0.75,light\n"
      "\"u\"\"3\",popularity,,0,heavy\n"
      "\"u\"\"3\",als|64,0.05,1,heavy\n";
  CHECK(RenderPerUserCsv(SampleResults()) == expected);
}

TEST_CASE("report numbers are formatted one way everywhere", "[report]") {
  using namespace reclift::host::report;
  CHECK(FormatMetric(0.12944) == "0.1294");
  CHECK(FormatMetric(0.0000123) == "1.230e-05");
  CHECK(FormatMetric(0.0) == "0.0000");
  CHECK(FormatSignedMetric(0.0312) == "+0.0312");
  CHECK(FormatSignedMetric(-0.01) == "-0.0100");
  CHECK(FormatSignedMetric(std::nan("")) == "\u2014");
  CHECK(FormatSignedPercent(0.2411) == "+24.1%");
  CHECK(FormatPValue(0.00004) == "<1e-4");
  CHECK(FormatPValue(0.0004) == "0.0004");
  CHECK(FormatPValue(1.0) == "1.0000");
  CHECK(FormatCount(1234567) == "1,234,567");
  CHECK(FormatCount(999) == "999");
}

TEST_CASE("Markdown escaping neutralises table, code, emphasis, HTML and math characters", "[report]") {
  using namespace reclift::host::report;
  CHECK(EscapeMarkdown("a|b`c*d_e") == "a\\|b\\`c\\*d\\_e");
  CHECK(EscapeMarkdown("<script>$x$ [link](u) #1 ~~s~~") ==
        "\\<script\\>\\$x\\$ \\[link\\](u) \\#1 \\~\\~s\\~\\~");
  CHECK(EscapeMarkdown("two\r\nlines\nhere") == "two lines here");
}

TEST_CASE("CSV fields are quoted per RFC 4180 only when needed", "[report]") {
  using namespace reclift::host::report;
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("say \"hi\", ok") == "\"say \"\"hi\"\", ok\"");
  CHECK(CsvField("two\nlines") == "\"two\nlines\"");
  const nlohmann::json number = 0.1;
  CHECK(CsvValue(&number) == "0.1");
  CHECK(CsvValue(nullptr).empty());
}
