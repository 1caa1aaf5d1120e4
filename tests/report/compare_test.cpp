#include "report/compare.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using Json = nlohmann::json;

namespace {

// Eight users; popularity scores the same in both runs, als gains 0.1 or
// 0.2 per user in run B (als 1.0.0 -> 1.1.0, factors 32 -> 64).
const std::vector<double> kPopularity = {0.1, 0.2, 0.3, 0.0, 0.5, 0.1, 0.2, 0.3};
const std::vector<double> kAlsA = {0.2, 0.1, 0.4, 0.3, 0.2, 0.1, 0.3, 0.2};
const std::vector<double> kAlsGain = {0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1, 0.2};

Json Summary(double mean, double low, double high) {
  return {{"mean", mean}, {"ci_low", low}, {"ci_high", high}, {"n", 8}};
}

Json Arm(const std::string& name, const std::string& plugin, Json metrics) {
  return {{"name", name},
          {"recommender", plugin.substr(0, plugin.find('@'))},
          {"plugin", plugin},
          {"status", "ok"},
          {"metrics", std::move(metrics)}};
}

// One run. ndcg@10 is per-user; coverage@10 is list-level (no interval,
// no per-user values), so it cannot be tested.
Json Run(bool improved) {
  std::vector<double> als = kAlsA;
  if (improved) {
    for (size_t i = 0; i < als.size(); ++i) als[i] += kAlsGain[i];
  }
  Json params = {{"factors", improved ? 64 : 32}};
  if (improved) params["iterations"] = 10;
  const double als_mean = improved ? 0.375 : 0.225;
  return {
      {"schema_version", 1},
      {"reclift_version", "0.1.0"},
      {"experiment",
       {{"name", "course-recs"}, {"started_at", improved ? "2026-11-23T09:00:00Z" : "2026-11-22T09:00:00Z"}}},
      {"config",
       {{"arms", Json::array({{{"name", "popularity"}, {"recommender", "popularity"}},
                              {{"name", "als"}, {"recommender", "als"}, {"params", params}}})},
        {"ab", {{"control", "popularity"}}}}},
      {"dataset", {{"name", "sample"}, {"fingerprint", "0123456789abcdef"}}},
      {"split", {{"method", "temporal"}, {"seed", 42}, {"train", 100}, {"test", 20}, {"test_users", 8}}},
      {"columns", Json::array({{{"name", "ndcg@10"},
                                {"higher_is_better", true},
                                {"aggregation", "mean"},
                                {"evaluator", "ranking@1.0.0"}},
                               {{"name", "coverage@10"},
                                {"higher_is_better", true},
                                {"aggregation", "list"},
                                {"evaluator", "ranking@1.0.0"}}})},
      {"arms", Json::array({Arm("popularity", "popularity@1.0.0",
                                {{"ndcg@10", Summary(0.2125, 0.1, 0.325)}, {"coverage@10", {{"mean", 0.3}}}}),
                            Arm("als", improved ? "als@1.1.0" : "als@1.0.0",
                                {{"ndcg@10", Summary(als_mean, als_mean - 0.05, als_mean + 0.05)},
                                 {"coverage@10", {{"mean", improved ? 0.5 : 0.4}}}})})},
      {"ab",
       {{"control", "popularity"}, {"primary_metric", "ndcg@10"}, {"alpha", 0.05}, {"correction", "holm"}}},
      {"per_user",
       {{"users", {"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"}},
        {"arms", {{"popularity", {{"ndcg@10", kPopularity}}}, {"als", {{"ndcg@10", als}}}}}}},
      {"warnings", Json::array()}};
}

const Json& RowOf(const Json& comparison, const std::string& arm, const std::string& metric) {
  for (const Json& row : comparison["rows"]) {
    if (row["arm"] == arm && row["metric"] == metric) return row;
  }
  FAIL("no row for " << arm << " / " << metric);
  static const Json kNone;
  return kNone;
}

}  // namespace

TEST_CASE("comparing two runs lists the plugin versions and configuration keys that changed",
          "[report][compare]") {
  const Json comparison = CompareRuns(Run(false), Run(true));
  CHECK(comparison["plugins_changed"] ==
        Json::parse(R"([{"plugin": "als", "a": "als@1.0.0", "b": "als@1.1.0", "used_by": ["arm als"]}])"));
  // Arms are matched by name, so the path names the arm, not its index.
  CHECK(comparison["config_changes"] == Json::parse(R"([
      {"path": "arms[als].params.factors", "change": "changed", "a": 32, "b": 64},
      {"path": "arms[als].params.iterations", "change": "added", "a": null, "b": 10}])"));
  CHECK(comparison["arms_added"].empty());
  CHECK(comparison["arms_removed"].empty());
  CHECK(comparison["warnings"].empty());
  CHECK(comparison["a"]["started_at"] == "2026-11-22T09:00:00Z");
  CHECK(comparison["b"]["started_at"] == "2026-11-23T09:00:00Z");
}

TEST_CASE("runs with per-user values for the same users get a paired test on the differences",
          "[report][compare]") {
  const Json comparison = CompareRuns(Run(false), Run(true));
  CHECK(comparison["paired"] == true);
  CHECK(comparison["shared_users"] == 8);
  REQUIRE(comparison["rows"].size() == 4);  // {popularity, als} x {ndcg@10, coverage@10}

  // als: differences 0.1, 0.2, 0.1, 0.2, ... -> mean 0.15, sd = sqrt(8 x
  // 0.05^2 / 7) = 0.053452, t = 0.15 / (0.053452 / sqrt 8) = 7.9373 with 7
  // df, two-sided p = 9.5846e-05 (numerical integration of the t density).
  const Json& als = RowOf(comparison, "als", "ndcg@10");
  CHECK(als["test"] == "paired");
  CHECK(als["n"] == 8);
  CHECK(als["a"].get<double>() == Approx(0.225));
  CHECK(als["b"].get<double>() == Approx(0.375));
  CHECK(als["difference"].get<double>() == Approx(0.15));
  CHECK(als["relative_difference"].get<double>() == Approx(0.15 / 0.225));
  CHECK(als["p_value"].get<double>() == Approx(9.5846e-05).epsilon(1e-3));
  // Holm over the two tested rows: the smaller p doubles, the other (1) stays.
  CHECK(als["p_value_adjusted"].get<double>() == Approx(2 * als["p_value"].get<double>()));
  CHECK(als["verdict"] == "better");
  CHECK(als["primary"] == true);
  // A bootstrap mean of differences that are all 0.1 or 0.2 lies strictly
  // between them, and the interval holds the observed 0.15.
  CHECK(als["ci_low"].get<double>() > 0.1);
  CHECK(als["ci_low"].get<double>() < 0.15);
  CHECK(als["ci_high"].get<double>() > 0.15);
  CHECK(als["ci_high"].get<double>() < 0.2);

  // popularity: every difference is 0 -> t 0, p 1.
  const Json& popularity = RowOf(comparison, "popularity", "ndcg@10");
  CHECK(popularity["difference"].get<double>() == 0);
  CHECK(popularity["p_value"].get<double>() == 1);
  CHECK(popularity["p_value_adjusted"].get<double>() == 1);
  CHECK(popularity["verdict"] == "no detectable difference");

  // A list-level metric has no per-user values and no interval.
  const Json& coverage = RowOf(comparison, "als", "coverage@10");
  CHECK(coverage["test"] == "none");
  CHECK(coverage["verdict"] == "not tested");
  CHECK(coverage["difference"].get<double>() == Approx(0.1));
  CHECK(coverage["p_value"].is_null());

  // The same inputs give the same intervals: the bootstrap is seeded.
  CHECK(CompareRuns(Run(false), Run(true))["rows"] == comparison["rows"]);
}

TEST_CASE("without shared per-user values significance is approximated from the two intervals",
          "[report][compare]") {
  Json b = Run(true);
  b.erase("per_user");
  const Json comparison = CompareRuns(Run(false), b);
  CHECK(comparison["paired"] == false);
  CHECK(comparison["warnings"] ==
        Json::array({"per-user values are missing in B: significance is approximated from the two confidence "
                     "intervals"}));
  // Each run's interval is mean +/- 0.05 over n = 8: se = 0.05 / t_{0.975,7}
  // = 0.05 / 2.364624 = 0.021145; the difference's se = sqrt 2 x 0.021145 =
  // 0.029904, z = 0.15 / 0.029904 = 5.0161, p = 2 Phi(-5.0161) = 5.2724e-07;
  // CI 0.15 -/+ 1.959964 x 0.029904 = [0.091390, 0.208610].
  const Json& als = RowOf(comparison, "als", "ndcg@10");
  CHECK(als["test"] == "approximate");
  CHECK(als["difference"].get<double>() == Approx(0.15));
  CHECK(als["p_value"].get<double>() == Approx(5.2724e-07).epsilon(1e-3));
  CHECK(als["ci_low"].get<double>() == Approx(0.091390).epsilon(1e-4));
  CHECK(als["ci_high"].get<double>() == Approx(0.208610).epsilon(1e-4));
  CHECK(als["relative_ci_low"].is_null());
  CHECK(als["n"].is_null());
  CHECK(als["verdict"] == "better");
  const Json& popularity = RowOf(comparison, "popularity", "ndcg@10");
  CHECK(popularity["p_value"].get<double>() == 1);
  CHECK(popularity["verdict"] == "no detectable difference");
}

TEST_CASE("runs of different experiments, data or splits are flagged and not paired", "[report][compare]") {
  Json b = Run(true);
  b["experiment"]["name"] = "course-recs-v2";
  b["dataset"]["fingerprint"] = "fedcba9876543210ff";
  b["split"]["seed"] = 7;
  const Json comparison = CompareRuns(Run(false), b);
  CHECK(comparison["paired"] == false);
  CHECK(comparison["warnings"] ==
        Json::array(
            {"experiment names differ: A is \"course-recs\", B is \"course-recs-v2\"",
             "dataset fingerprints differ (A 0123456789ab, B fedcba987654): the runs saw different data, "
             "so differences mix data and algorithm changes",
             "splits differ: seed 42 vs 7; the runs were tested on different interactions"}));
  CHECK(RowOf(comparison, "als", "ndcg@10")["test"] == "approximate");
}

TEST_CASE("arms added, removed or failed in one run are reported and not compared", "[report][compare]") {
  Json a = Run(false);
  Json b = Run(true);
  b["arms"].push_back(Arm("ease", "ease@1.0.0", Json::object()));
  b["arms"][0]["status"] = "failed";
  a["arms"].push_back(Arm("bpr", "bpr@1.0.0", Json::object()));
  const Json comparison = CompareRuns(a, b);
  CHECK(comparison["arms_added"] == Json::array({"ease"}));
  CHECK(comparison["arms_removed"] == Json::array({"bpr"}));
  CHECK_THAT(comparison["warnings"].dump(), Contains("arm \\\"popularity\\\" failed in B: not compared"));
  for (const Json& row : comparison["rows"]) CHECK(row["arm"] == "als");
}

TEST_CASE("comparing refuses documents that are not results.json", "[report][compare]") {
  CHECK_THROWS_WITH(CompareRuns(Run(false), Json::array()),
                    "CompareRuns (run B): expected a results.json object, got a JSON array");
  Json old = Run(false);
  old["schema_version"] = 0;
  CHECK_THROWS_WITH(RenderComparisonMarkdown(old, Run(true)),
                    "CompareRuns (run A): results.json has schema version 0, this reclift reads version 1");
}

TEST_CASE("the Markdown comparison shows what changed and each difference with its verdict",
          "[report][compare]") {
  const std::string md = RenderComparisonMarkdown(Run(false), Run(true));
  CHECK(md.rfind("## reclift compare: course-recs\n\n", 0) == 0);
  CHECK_THAT(
      md, Contains("- **Test** paired t-test on per-user differences B - A over 8 shared users, 95% paired "
                   "bootstrap intervals, Holm-corrected; \"better\" means B beats A\n"));
  CHECK_THAT(md, Contains("### What changed\n\n- plugin als@1.0.0 \u2192 als@1.1.0 (arm als)\n"
                          "- configuration: 2 keys changed\n\n| key | A | B |\n|:--|:--|:--|\n"
                          "| arms\\[als\\].params.factors | 32 | 64 |\n"
                          "| arms\\[als\\].params.iterations | \u2014 | 10 |\n"));
  CHECK_THAT(md, Contains("#### ndcg@10 (higher is better), primary\n\n"
                          "| arm | A | B | B \u2212 A | CI | rel. | p (adj) | verdict |\n"
                          "|:--|--:|--:|--:|:--|--:|--:|:--|\n"
                          "| popularity | 0.2125 | 0.2125 | 0.0000 | "));
  CHECK_THAT(md, Contains("| als | 0.2250 | 0.3750 | +0.1500 | ["));
  CHECK_THAT(md, Contains("| +66.7% | 0.0002 | **better** |\n"));
  CHECK_THAT(md, Contains("<details><summary>Other metrics (1)</summary>\n\n#### coverage@10"));
  CHECK_THAT(md, Contains("| als | 0.4000 | 0.5000 | +0.1000 |  | +25.0% | \u2014 | not tested |\n"));
}

TEST_CASE("the HTML comparison is a self-contained page with a forest plot and escaped names",
          "[report][compare]") {
  Json a = Run(false);
  Json b = Run(true);
  a["experiment"]["name"] = b["experiment"]["name"] = "<script>x</script>";
  const std::string html = RenderComparisonHtml(a, b);
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0) == 0);
  CHECK_THAT(html, Contains("<title>reclift compare: &lt;script&gt;x&lt;/script&gt;</title>"));
  CHECK(html.find("<script>x") == std::string::npos);
  CHECK_THAT(html, Contains("<td>als</td><td><code>als@1.0.0</code></td><td><code>als@1.1.0</code></td>"
                            "<td>arm als</td>"));
  CHECK_THAT(html,
             Contains("<td><code>arms[als].params.factors</code></td><td>changed</td><td><code>32</code>"
                      "</td><td><code>64</code></td>"));
  CHECK_THAT(html, Contains("aria-label=\"Forest plot: Relative change of ndcg@10, B vs A (%; higher is "
                            "better)\""));
  CHECK_THAT(html, Contains("<span class=\"badge better\">\u25B2 better</span>"));
  CHECK_THAT(html, Contains("</html>\n"));
}

namespace {

// Run(improved) with a cold-start-users, a cold-start-items and a diversity
// section; in run B als does better at N = 1 and 3, on new items overall,
// and in ild at lambda 0.5.
Json RunWithScenarios(bool improved) {
  Json run = Run(improved);
  run["cold_start_users"] = Json::parse(R"({
    "metric": "ndcg@10", "shots": [0, 1, 3], "order": "temporal", "users": 30, "reference": "popularity",
    "modes": [{"mode": "retrain", "arms": {
      "popularity": {"status": "ok", "mean": [0.1, 0.11, 0.12], "overtakes_reference_at": null,
                     "significantly_overtakes_reference_at": null},
      "als": {"status": "ok", "mean": [0.05, 0.15, 0.3], "overtakes_reference_at": 1,
              "significantly_overtakes_reference_at": 3}}}]
  })");
  run["cold_start_items"] = Json::parse(R"({
    "new_items": 60, "new_item_metrics": ["recall@10"], "metrics": ["ndcg@10"],
    "arms": [{"name": "als", "status": "ok",
              "new_items": {"recall@10": {"mean": 0.01, "ci_low": 0.005, "ci_high": 0.015, "n": 30}},
              "new_item_coverage": {"new_item_coverage@10": 0.05},
              "overall": {"ndcg@10": {"mean": 0.2, "ci_low": 0.19, "ci_high": 0.21, "n": 8}}}]
  })");
  run["diversity"] = Json::parse(R"({
    "accuracy": "ndcg@10", "metrics": ["ndcg@10", "ild@10"],
    "higher_is_better": {"ndcg@10": true, "ild@10": true},
    "points": [{"arm": "als", "reranker": "mmr", "similarity": "features", "lambda": 0.0, "ndcg@10": 0.3, "ild@10": 0.6},
               {"arm": "als", "reranker": "mmr", "similarity": "features", "lambda": 0.5, "ndcg@10": 0.28, "ild@10": 0.7}]
  })");
  if (improved) {
    Json& als = run["cold_start_users"]["modes"][0]["arms"]["als"];
    als["mean"] = {0.05, 0.2, 0.35};
    als["significantly_overtakes_reference_at"] = 1;
    run["cold_start_items"]["arms"][0]["overall"]["ndcg@10"]["mean"] = 0.25;
    run["cold_start_items"]["arms"][0]["new_items"]["recall@10"]["mean"] = 0.02;
    run["diversity"]["points"][1]["ild@10"] = 0.75;
  }
  return run;
}

}  // namespace

TEST_CASE("scenario figures of both runs are set side by side with their difference, untested",
          "[report][compare][scenarios]") {
  const Json comparison = CompareRuns(RunWithScenarios(false), RunWithScenarios(true));
  CHECK(comparison["warnings"].empty());
  const Json& users = comparison["scenarios"]["cold_start_users"];
  CHECK(users["metric"] == "ndcg@10");
  CHECK(users["shots"] == Json::array({0, 1, 3}));
  REQUIRE(users["arms"].size() == 2);
  const Json& als = users["arms"][1];
  CHECK(als["mode"] == "retrain");
  CHECK(als["arm"] == "als");
  CHECK(als["a"] == Json::array({0.05, 0.15, 0.3}));
  CHECK(als["b"] == Json::array({0.05, 0.2, 0.35}));
  CHECK(als["difference"][0].get<double>() == 0);
  CHECK(als["difference"][1].get<double>() == Approx(0.05));
  CHECK(als["significantly_overtakes_reference_at"] == Json::parse(R"({"a": 3, "b": 1})"));
  CHECK(!als.contains("p_value"));

  const Json& items = comparison["scenarios"]["cold_start_items"]["rows"];
  REQUIRE(items.size() == 3);
  CHECK(items[0]["group"] == "new_items");
  CHECK(items[0]["difference"].get<double>() == Approx(0.01));
  CHECK(items[1]["metric"] == "new_item_coverage@10");
  CHECK(items[1]["difference"].get<double>() == 0);
  CHECK(items[2]["metric"] == "ndcg@10");
  CHECK(items[2]["b"].get<double>() == 0.25);

  const Json& diversity = comparison["scenarios"]["diversity"]["rows"];
  REQUIRE(diversity.size() == 4);
  CHECK(diversity[3]["lambda"] == 0.5);
  CHECK(diversity[3]["metric"] == "ild@10");
  CHECK(diversity[3]["difference"].get<double>() == Approx(0.05));

  const std::string md = RenderComparisonMarkdown(RunWithScenarios(false), RunWithScenarios(true));
  CHECK_THAT(md,
             Contains("### Scenarios\n\nEach figure of A and B side by side with B \u2212 A. results.json "
                      "keeps no per-user values for scenarios, so no significance test is made"));
  CHECK_THAT(
      md,
      Contains(
          "#### Cold start: new users (ndcg@10)\n\n**Retrain (fitted with the N interactions)**\n\n"
          "| arm | N = 0 | N = 1 | N = 3 | above popularity from N | significantly from N |\n"
          "|:--|--:|--:|--:|--:|--:|\n"
          "| popularity (reference) | 0.1000 (unchanged) | 0.1100 (unchanged) | 0.1200 (unchanged) | | |\n"
          "| als | 0.0500 (unchanged) | 0.1500 \u2192 0.2000 (+0.0500) | 0.3000 \u2192 0.3500 "
          "(+0.0500) | 1 (unchanged) | 3 \u2192 1 |\n"));
  CHECK_THAT(md, Contains("#### Cold start: new items\n\n2 of 3 figures differ; the largest difference: als, "
                          "overall ndcg@10, 0.2000 \u2192 0.2500 (+0.0500)."));
  CHECK_THAT(md, Contains("| als | new\\_items | recall@10 | 0.0100 | 0.0200 | +0.0100 |\n"));
  CHECK_THAT(md, Contains("| als | mmr (features) | 0.5 | ild@10 | 0.7000 | 0.7500 | +0.0500 |\n"));

  const std::string html = RenderComparisonHtml(RunWithScenarios(false), RunWithScenarios(true));
  CHECK_THAT(html, Contains("<section id=\"scenarios\"><h2>Scenarios</h2>"));
  CHECK_THAT(html, Contains("<th class=\"num\">Above popularity from N</th>"));
}

TEST_CASE("a scenario one run lacks, could not run or ran differently is a warning, not a comparison",
          "[report][compare][scenarios]") {
  Json a = RunWithScenarios(false);
  Json b = RunWithScenarios(true);
  b.erase("cold_start_items");
  b["diversity"] = {{"error", "calibration needs item categories, and the dataset has none"}};
  b["cold_start_users"]["shots"] = {0, 1, 5};
  Json comparison = CompareRuns(a, b);
  CHECK(comparison["warnings"] ==
        Json::array({"scenario cold-start-users: shots differ (A 0, 1, 3; B 0, 1, 5); only those in both are "
                     "compared",
                     "scenario cold-start-items only in A, not compared",
                     "scenario diversity could not run in B, not compared"}));
  CHECK(comparison["scenarios"]["cold_start_users"]["shots"] == Json::array({0, 1}));
  CHECK(comparison["scenarios"]["cold_start_users"]["arms"][1]["b"] == Json::array({0.05, 0.2}));
  CHECK(!comparison["scenarios"].contains("cold_start_items"));
  CHECK(!comparison["scenarios"].contains("diversity"));

  // without a scenario in common there is no Scenarios section
  a.erase("cold_start_users");
  const std::string md = RenderComparisonMarkdown(a, b);
  CHECK_THAT(md, Contains("- scenario cold-start-users only in B, not compared\n"));
  CHECK(md.find("### Scenarios") == std::string::npos);
}

TEST_CASE("comparing tuned runs lists the chosen parameters that changed", "[report][compare][tuning]") {
  Json a = Run(false), b = Run(true);
  a["tuning"] = {{"arms", {{{"arm", "als"}, {"chosen_params", {{"factors", 32}, {"regularization", 0.5}}}}}}};
  b["tuning"] = {{"arms", {{{"arm", "als"}, {"chosen_params", {{"factors", 32}, {"regularization", 2.0}}}}}}};
  const Json comparison = CompareRuns(a, b);
  bool found = false;
  for (const Json& change : comparison["config_changes"]) {
    if (change["path"] == "tuning.chosen_params.als.regularization") {
      found = true;
      CHECK(change["a"] == 0.5);
      CHECK(change["b"] == 2.0);
    }
    CHECK(change["path"] != "tuning.chosen_params.als.factors");  // unchanged
  }
  CHECK(found);
}
