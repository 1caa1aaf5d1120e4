// The scenario sections of results.json in the long-format CSV files and the
// LaTeX table: every value a row, names quoted or escaped, nulls empty.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "report/csv_records.h"
#include "report/html.h"
#include "report/render.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using reclift::testing::ParseCsv;
using Json = nlohmann::json;

namespace {

// Three arms declared pop, `als, "v2" & co` (a name CSV must quote and LaTeX
// escape), content. results.json objects keep their keys sorted, so the
// sections list them in another order than declared.
Json Results() {
  Json r = Json::parse(R"({
    "schema_version": 1, "reclift_version": "0.1.0",
    "experiment": {"name": "scenarios"},
    "columns": [{"name": "ndcg@10", "metric": "ndcg", "k": 10, "higher_is_better": true, "aggregation": "mean"}],
    "arms": [{"name": "pop", "status": "ok", "metrics": {}},
             {"name": "als, \"v2\" & co", "status": "ok", "metrics": {}},
             {"name": "content", "status": "ok", "metrics": {}}],
    "ab": {"control": "pop", "primary_metric": "ndcg@10", "alpha": 0.05, "correction": "holm", "comparisons": []}
  })");
  r["cold_start_users"] = Json::parse(R"({
    "metric": "ndcg@10", "shots": [0, 1, 10], "order": "temporal", "user_fraction": 0.3,
    "eligible_users": 100, "users": 30, "targets": 250, "reference": "pop",
    "modes": [
      {"mode": "retrain", "arms": {
        "pop": {"status": "ok", "mean": [0.1, 0.1, 0.12], "ci_low": [0.08, 0.08, null],
                "ci_high": [0.12, 0.12, null], "n": [30, 30, 30]},
        "als, \"v2\" & co": {"status": "ok", "mean": [0.05, 0.15, 0.3], "ci_low": [0.04, 0.12, 0.27],
                             "ci_high": [0.06, 0.18, 0.33], "n": [30, 30, 30],
                             "overtakes_reference_at": 1, "significantly_overtakes_reference_at": null},
        "content": {"status": "failed", "error": "Fit failed: bad, \"very\" bad",
                    "mean": [null, null, null], "ci_low": [null, null, null], "ci_high": [null, null, null],
                    "n": [null, null, null], "overtakes_reference_at": null,
                    "significantly_overtakes_reference_at": null}}},
      {"mode": "fold-in", "arms": {
        "pop": {"status": "ok", "mean": [0.1, 0.11, 0.13], "ci_low": [0.08, 0.09, 0.1],
                "ci_high": [0.12, 0.13, 0.16], "n": [30, 30, 30]},
        "als, \"v2\" & co": {"status": "fold-in not supported", "mean": [null, null, null],
                             "ci_low": [null, null, null], "ci_high": [null, null, null], "n": [null, null, null],
                             "overtakes_reference_at": null, "significantly_overtakes_reference_at": null}}}]
  })");
  r["cold_start_items"] = Json::parse(R"({
    "item_fraction": 0.1, "new_items": 60, "eligible_items": 500, "train_interactions_removed": 4000,
    "users": 700, "users_with_new_relevant": 280, "new_item_metrics": ["recall@10", "ndcg@10"],
    "metrics": ["ndcg@10"],
    "arms": [
      {"name": "als, \"v2\" & co", "plugin": "als@1.0.0", "status": "ok", "uses_item_features": false,
       "note": "does not use item features",
       "new_items": {"ndcg@10": {"mean": 0.0101, "ci_low": null, "ci_high": null, "n": 280},
                     "recall@10": {"mean": 0.0123, "ci_low": 0.01, "ci_high": 0.015, "n": 280}},
       "new_item_share": {"new_item_share@10": {"mean": 0.02, "ci_low": 0.01, "ci_high": 0.03, "n": 700},
                          "new_item_share@5": {"mean": 0.01, "ci_low": 0.005, "ci_high": 0.015, "n": 700}},
       "new_item_coverage": {"new_item_coverage@10": 0.05, "new_item_coverage@5": 0.025},
       "overall": {"ndcg@10": {"mean": 0.2, "ci_low": 0.19, "ci_high": 0.21, "n": 700}}},
      {"name": "content", "plugin": "content@1.0.0", "status": "failed", "error": "Fit failed: boom"},
      {"name": "pop", "plugin": "popularity@1.1.0", "status": "ok", "uses_item_features": false,
       "new_items": {"recall@10": {"mean": 0, "ci_low": 0, "ci_high": 0, "n": 280}}}]
  })");
  r["diversity"] = Json::parse(R"({
    "reranker": "mmr, calibration", "accuracy": "ndcg@10", "metrics": ["ndcg@10", "ild@10", "miscalibration@10"],
    "higher_is_better": {"ndcg@10": true, "ild@10": true, "miscalibration@10": false},
    "runs": [{"reranker": "mmr", "similarity": "features", "candidates": 100, "lambda": [0.0, 0.5]},
             {"reranker": "calibration", "candidates": 50, "lambda": [0.5]},
             {"reranker": "mmr", "similarity": "cooccurrence", "candidates": 100, "lambda": [0.5],
              "error": "no data, sorry"}],
    "arms": {"pop": {"status": "ok"}, "content": {"status": "failed", "error": "boom"}},
    "points": [
      {"arm": "pop", "reranker": "mmr", "similarity": "features", "lambda": 0.0, "users": 9,
       "ndcg@10": 0.3, "ild@10": null, "ci": {"ndcg@10": [0.25, 0.35], "ild@10": [null, null]}, "pareto_best": []},
      {"arm": "pop", "reranker": "mmr", "similarity": "features", "lambda": 0.5, "users": 9,
       "ndcg@10": 0.28, "ild@10": 0.8, "ci": {"ndcg@10": [0.23, 0.33], "ild@10": [0.7, 0.9]},
       "pareto_best": ["ild@10"]},
      {"arm": "pop", "reranker": "calibration", "lambda": 0.5, "users": 9,
       "ndcg@10": 0.29, "ild@10": 0.71, "miscalibration@10": 0.6,
       "ci": {"ndcg@10": [0.24, 0.34], "ild@10": [0.69, 0.73], "miscalibration@10": [0.5, 0.7]},
       "pareto_best": ["miscalibration@10"]}],
    "pareto": {"ild@10": [{"arm": "pop", "reranker": "mmr", "similarity": "features", "lambda": 0.5}],
               "miscalibration@10": [{"arm": "pop", "reranker": "calibration", "lambda": 0.5}]}
  })");
  return r;
}

// Every record has as many fields as the header.
void CheckRectangular(const std::string& csv) {
  const auto records = ParseCsv(csv);
  REQUIRE(!records.empty());
  for (const auto& record : records) CHECK(record.size() == records.front().size());
}

}  // namespace

TEST_CASE("cold_start_users.csv has a row per mode, arm and N, arms in declared order",
          "[report][scenarios]") {
  const std::string expected =
      "arm,mode,shots,metric,mean,ci_low,ci_high,n,status,error,reference,overtakes_reference_at,"
      "significantly_overtakes_reference_at\n"
      "pop,retrain,0,ndcg@10,0.1,0.08,0.12,30,ok,,true,,\n"
      "pop,retrain,1,ndcg@10,0.1,0.08,0.12,30,ok,,true,,\n"
      "pop,retrain,10,ndcg@10,0.12,,,30,ok,,true,,\n"
      "\"als, \"\"v2\"\" & co\",retrain,0,ndcg@10,0.05,0.04,0.06,30,ok,,false,1,\n"
      "\"als, \"\"v2\"\" & co\",retrain,1,ndcg@10,0.15,0.12,0.18,30,ok,,false,1,\n"
      "\"als, \"\"v2\"\" & co\",retrain,10,ndcg@10,0.3,0.27,0.33,30,ok,,false,1,\n"
      "content,retrain,0,ndcg@10,,,,,failed,\"Fit failed: bad, \"\"very\"\" bad\",false,,\n"
      "content,retrain,1,ndcg@10,,,,,failed,\"Fit failed: bad, \"\"very\"\" bad\",false,,\n"
      "content,retrain,10,ndcg@10,,,,,failed,\"Fit failed: bad, \"\"very\"\" bad\",false,,\n"
      "pop,fold-in,0,ndcg@10,0.1,0.08,0.12,30,ok,,true,,\n"
      "pop,fold-in,1,ndcg@10,0.11,0.09,0.13,30,ok,,true,,\n"
      "pop,fold-in,10,ndcg@10,0.13,0.1,0.16,30,ok,,true,,\n"
      "\"als, \"\"v2\"\" & co\",fold-in,0,ndcg@10,,,,,fold-in not supported,,false,,\n"
      "\"als, \"\"v2\"\" & co\",fold-in,1,ndcg@10,,,,,fold-in not supported,,false,,\n"
      "\"als, \"\"v2\"\" & co\",fold-in,10,ndcg@10,,,,,fold-in not supported,,false,,\n";
  const std::string csv = RenderColdStartUsersCsv(Results());
  CHECK(csv == expected);
  CheckRectangular(csv);
  // a reader gets the name and the message back as they were
  const auto records = ParseCsv(csv);
  CHECK(records[4][0] == "als, \"v2\" & co");
  CHECK(records[7][9] == "Fit failed: bad, \"very\" bad");
}

TEST_CASE("cold_start_items.csv has a row per arm, group and metric, cutoffs in numeric order",
          "[report][scenarios]") {
  const std::string expected =
      "arm,group,metric,mean,ci_low,ci_high,n,status,error,plugin,uses_item_features\n"
      "pop,new_items,recall@10,0,0,0,280,ok,,popularity@1.1.0,false\n"
      "\"als, \"\"v2\"\" & co\",new_items,recall@10,0.0123,0.01,0.015,280,ok,,als@1.0.0,false\n"
      "\"als, \"\"v2\"\" & co\",new_items,ndcg@10,0.0101,,,280,ok,,als@1.0.0,false\n"
      "\"als, \"\"v2\"\" & co\",new_item_share,new_item_share@5,0.01,0.005,0.015,700,ok,,als@1.0.0,false\n"
      "\"als, \"\"v2\"\" & co\",new_item_share,new_item_share@10,0.02,0.01,0.03,700,ok,,als@1.0.0,false\n"
      "\"als, \"\"v2\"\" & co\",new_item_coverage,new_item_coverage@5,0.025,,,,ok,,als@1.0.0,false\n"
      "\"als, \"\"v2\"\" & co\",new_item_coverage,new_item_coverage@10,0.05,,,,ok,,als@1.0.0,false\n"
      "\"als, \"\"v2\"\" & co\",overall,ndcg@10,0.2,0.19,0.21,700,ok,,als@1.0.0,false\n"
      "content,,,,,,,failed,Fit failed: boom,content@1.0.0,\n";
  const std::string csv = RenderColdStartItemsCsv(Results());
  CHECK(csv == expected);
  CheckRectangular(csv);
}

TEST_CASE("diversity.csv has a row per setting and metric with its Pareto flag, and rows for failures",
          "[report][scenarios]") {
  const std::string expected =
      "arm,reranker,similarity,candidates,lambda,users,metric,value,ci_low,ci_high,higher_is_better,"
      "is_accuracy,pareto_best,status,error\n"
      "pop,mmr,features,100,0,9,ndcg@10,0.3,0.25,0.35,true,true,,ok,\n"
      "pop,mmr,features,100,0,9,ild@10,,,,true,false,false,ok,\n"
      "pop,mmr,features,100,0.5,9,ndcg@10,0.28,0.23,0.33,true,true,,ok,\n"
      "pop,mmr,features,100,0.5,9,ild@10,0.8,0.7,0.9,true,false,true,ok,\n"
      "pop,calibration,,50,0.5,9,ndcg@10,0.29,0.24,0.34,true,true,,ok,\n"
      "pop,calibration,,50,0.5,9,ild@10,0.71,0.69,0.73,true,false,false,ok,\n"
      "pop,calibration,,50,0.5,9,miscalibration@10,0.6,0.5,0.7,false,false,true,ok,\n"
      "content,,,,,,,,,,,,,failed,boom\n"
      ",mmr,cooccurrence,100,,,,,,,,,,failed,\"no data, sorry\"\n";
  const std::string csv = RenderDiversityCsv(Results());
  CHECK(csv == expected);
  CheckRectangular(csv);
}

TEST_CASE("a scenario CSV is written for each section the run has, the header alone when it could not run",
          "[report][scenarios]") {
  Json results = Results();
  std::vector<std::string> names;
  for (const ReportFile& file : RenderScenarioCsvs(results)) names.push_back(file.name);
  CHECK(names == std::vector<std::string>{"cold_start_users.csv", "cold_start_items.csv", "diversity.csv"});

  results.erase("cold_start_items");
  results.erase("diversity");
  results["cold_start_users"] = {{"error", "no user has more than 10 interactions"}};
  const std::vector<ReportFile> files = RenderScenarioCsvs(results);
  REQUIRE(files.size() == 1);
  CHECK(files[0].name == "cold_start_users.csv");
  CHECK(files[0].content ==
        "arm,mode,shots,metric,mean,ci_low,ci_high,n,status,error,reference,overtakes_reference_at,"
        "significantly_overtakes_reference_at\n");

  results.erase("cold_start_users");
  CHECK(RenderScenarioCsvs(results).empty());
  CHECK(RenderDiversityCsv(results) ==
        "arm,reranker,similarity,candidates,lambda,users,metric,value,ci_low,ci_high,higher_is_better,"
        "is_accuracy,pareto_best,status,error\n");
  CHECK_THROWS_WITH(RenderColdStartItemsCsv(Json::array()),
                    "RenderColdStartItemsCsv: expected a results.json object, got a JSON array");
}

TEST_CASE("the LaTeX output adds a cold-start table of the metric by N, a block of arms per mode",
          "[report][latex][scenarios]") {
  const std::string latex = RenderLatex(Results());
  CHECK_THAT(
      latex,
      Contains("\\label{tab:reclift-scenarios-cold-start-users}\n"
               "\\begin{tabular}{lccccc}\n\\toprule\n"
               "Arm & $N = 0$ & $N = 1$ & $N = 10$ & From $N$ & Sig.\\ from $N$ \\\\\n"
               "\\midrule\n\\multicolumn{6}{l}{\\textit{Retrained with the $N$ interactions}} \\\\\n"
               "pop (reference) & \\textbf{0.1000} {\\scriptsize$\\pm$0.0200} & 0.1000 "
               "{\\scriptsize$\\pm$0.0200} & 0.1200 &  &  \\\\\n"
               "als, \"v2\" \\& co & 0.0500 {\\scriptsize$\\pm$0.0100} & \\textbf{0.1500} "
               "{\\scriptsize$\\pm$0.0300} & \\textbf{0.3000} {\\scriptsize$\\pm$0.0300} & 1 & never \\\\\n"
               "content (failed) & -- & -- & -- &  &  \\\\\n"
               "\\midrule\n\\multicolumn{6}{l}{\\textit{Fold-in: scored from the $N$ interactions, not "
               "retrained}} \\\\\n"));
  CHECK_THAT(latex, Contains("als, \"v2\" \\& co (fold-in not supported) & -- & -- & -- &  &  \\\\\n"
                             "\\bottomrule\n\\end{tabular}\n\\end{table}\n"));
  CHECK_THAT(latex,
             Contains("\\caption{Cold start of new users in scenarios: ndcg@10 of 30 users held out of "
                      "training, given their first $N$ interactions (temporal order)"));
  // without the section, the one results table
  Json plain = Results();
  plain.erase("cold_start_users");
  CHECK(RenderLatex(plain).find("cold-start-users") == std::string::npos);
}
