// suite.json from hand-made members' results: failed arms, verdicts and the
// win/tie/loss counts, and the reports rendered from it.
#include <catch2/catch.hpp>

#include "suite/suite_runner.h"

using namespace reclift::host;
using namespace reclift::host::suite;
using Catch::Matchers::Contains;
using Json = nlohmann::json;

namespace {

Json Arm(const std::string& name, double mean, bool ok = true) {
  Json a = {{"name", name}, {"plugin", name + "@1.0.0"}, {"status", ok ? "ok" : "failed"}};
  if (ok) {
    a["metrics"] = {{"ndcg@10", {{"mean", mean}, {"ci_low", mean - 0.01}, {"ci_high", mean + 0.01}}}};
  } else {
    a["error"] = "fit failed";
  }
  return a;
}

Json Comparison(const std::string& arm, const std::string& verdict) {
  return {{"treatment", arm},   {"metric", "ndcg@10"},      {"profiler", nullptr}, {"segment", nullptr},
          {"verdict", verdict}, {"p_value_adjusted", 0.01}, {"lift", 0.1}};
}

Json Member(const std::string& dataset, std::vector<Json> arms, std::vector<Json> comparisons) {
  return {{"schema_version", 1},
          {"dataset", {{"name", dataset}, {"fingerprint", "f-" + dataset}, {"users", 10}}},
          {"split", {{"method", "random"}}},
          {"columns", {{{"name", "ndcg@10"}, {"higher_is_better", true}, {"directional", true}}}},
          {"ab", {{"control", "A"}, {"primary_metric", "ndcg@10"}, {"comparisons", comparisons}}},
          {"arms", arms}};
}

}  // namespace

TEST_CASE("suite.json keeps failed arms out of the ranks and counts verdicts", "[suite]") {
  SuiteSpec spec;
  spec.name = "hand";
  spec.source_file = "hand.toml";
  std::vector<MemberOutcome> members(4);
  const char* names[] = {"d1", "d2", "d3", "d4"};
  for (size_t i = 0; i < 4; ++i) {
    members[i].name = members[i].label = names[i];
    members[i].status = "ok";
  }
  members[3].status = "failed";
  members[3].error = "every arm failed";
  std::vector<Json> results = {
      Member("d1", {Arm("A", 0.2), Arm("B", 0.3), Arm("C", 0.1)},
             {Comparison("B", "better"), Comparison("C", "worse")}),
      Member("d2", {Arm("A", 0.2), Arm("B", 0.25), Arm("C", 0.15)},
             {Comparison("B", "no detectable difference"), Comparison("C", "worse")}),
      Member("d3", {Arm("A", 0.2), Arm("B", 0.1), Arm("C", 0, false)}, {Comparison("B", "worse")}), nullptr};
  const Json s = BuildSuiteJson(spec, members, results);
  CHECK(s["kind"] == "reclift-suite");
  CHECK(s["control"] == "A");
  CHECK(s["arms"] == Json({"A", "B", "C"}));
  CHECK(s["datasets"] == Json({"d1", "d2", "d3"}));
  const Json& st = s["statistics"];
  CHECK(st["complete_datasets"] == Json({"d1", "d2"}));
  CHECK(st["incomplete_datasets"] == Json({"d3"}));
  CHECK(st["omnibus_meaningful"] == false);
  CHECK(st["ranks"]["d1"] == Json({{"A", 2.0}, {"B", 1.0}, {"C", 3.0}}));
  CHECK(st["mean_ranks"]["B"].get<double>() == Approx(1.0));
  CHECK(st["win_tie_loss"]["B"] == Json({{"win", 1}, {"tie", 1}, {"loss", 1}}));
  CHECK(st["win_tie_loss"]["C"] == Json({{"win", 0}, {"tie", 0}, {"loss", 2}}));
  CHECK_FALSE(st["win_tie_loss"].contains("A"));
  // B vs C over the datasets where both have a score: d1 and d2
  bool found = false;
  for (const Json& p : st["wilcoxon_holm"]) {
    if (p["a"] == "B" && p["b"] == "C") {
      found = true;
      CHECK(p["n"] == 2);
      CHECK(p["a_better"] == 2);
    }
  }
  CHECK(found);
  CHECK(s["members"][3]["status"] == "failed");
  CHECK(s["members"][0]["dataset_fingerprint"] == "f-d1");

  const std::string md = RenderSuiteMarkdown(s);
  CHECK_THAT(md, Contains("| d3 | 0.2000 [0.1900, 0.2100] | 0.1000 [0.0900, 0.1100] \u25BC | failed |") &&
                     Contains("Left out of the ranks (some arm has no result): d3") &&
                     Contains("omnibus test not meaningful with 2 complete datasets") &&
                     Contains("| B | 1 | 1 | 1 |") && Contains("failed: every arm failed"));
  const std::string csv = RenderSuiteCsv(s);
  CHECK_THAT(csv, Contains("hand,d1,B,ok,ndcg@10,0.3,0.29,0.31,better,0.01,1\n") &&
                      Contains("hand,d3,C,failed,ndcg@10,,,,,,\n"));
  const std::string html = RenderSuiteHtml(s);
  CHECK_THAT(html, Contains("<svg") && Contains("failed</span>") && Contains("</html>"));
}
