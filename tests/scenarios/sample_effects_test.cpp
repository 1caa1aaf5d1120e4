// The example experiments on the bundled sample, with the real plugins, show
// the effects the scenarios exist to show (issue 5's "done when").
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "experiment/spec.h"
#include "runner/cell_data.h"
#include "scenarios/scenarios.h"

using namespace reclift::host;
namespace fs = std::filesystem;

namespace {

struct Run {
  ExperimentSpec spec;
  nlohmann::json sections;
  std::vector<std::string> warnings;
};

// Runs once per file: two test cases read the cold-start run.
const Run& RunExample(const std::string& file) {
  static std::map<std::string, Run> runs;
  if (auto it = runs.find(file); it != runs.end()) return it->second;
  static PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
    return r;
  }();
  Run run{ParseExperimentFile(fs::path(RECLIFT_SOURCE_DIR) / "experiments" / file), {}, {}};
  CheckPlugins(run.spec, *registry);
  Dataset data = LoadDataset(run.spec.dataset);
  data.positive_threshold = run.spec.dataset.positive_threshold;
  const Split split = MakeSplit(data, run.spec.split);
  const CellData cell = BuildCellData(data, split);
  tbb::task_arena arena(2);
  const ScenarioEnv env{run.spec, *registry, data, split, &cell, arena, 2, {}};
  run.sections = RunScenarios(env, run.warnings);
  return runs.emplace(file, std::move(run)).first->second;
}

double At(const nlohmann::json& curve, size_t i) {
  return curve["mean"][i].get<double>();
}

}  // namespace

TEST_CASE(
    "on the sample, popularity wins for users known by nothing and loses once they have taken 10 courses",
    "[scenarios][slow]") {
  const Run& run = RunExample("cold_start.toml");
  CHECK(run.warnings.empty());
  const auto& section = run.sections["cold_start_users"];
  REQUIRE(section["shots"] == nlohmann::json({0, 1, 3, 5, 10}));
  CHECK(section["reference"] == "popularity");
  CHECK(section["users"].get<int>() >= 300);
  for (const auto& mode : section["modes"]) {
    CAPTURE(mode["mode"]);
    const auto& pop = mode["arms"]["popularity"];
    for (const auto& [arm, curve] : mode["arms"].items()) {
      if (arm == "popularity") continue;
      CAPTURE(arm);
      if (curve["status"] == "fold-in not supported") {
        CHECK(arm == "bpr");  // the one arm without fold-in
        continue;
      }
      REQUIRE(curve["status"] == "ok");
      CHECK(At(curve, 0) < At(pop, 0));
      CHECK(At(curve, 4) > At(pop, 4));
      CHECK(curve["overtakes_reference_at"].is_number());
    }
  }
}

TEST_CASE("on the sample, content and the switching hybrid beat collaborative filtering on new courses",
          "[scenarios][slow]") {
  const Run& run = RunExample("cold_start.toml");
  const auto& section = run.sections["cold_start_items"];
  CHECK(section["new_items"] == 60);
  std::map<std::string, nlohmann::json> arms;
  for (const auto& arm : section["arms"]) arms[arm["name"]] = arm;
  auto ndcg = [&](const std::string& arm) {
    return arms.at(arm)["new_items"]["ndcg@10"]["mean"].get<double>();
  };
  for (const char* cf : {"item_knn", "als", "ease", "bpr"}) {
    CAPTURE(cf);
    CHECK(arms.at(cf)["note"] == "does not use item features");
    CHECK(ndcg("content") > ndcg(cf));
    CHECK(ndcg("hybrid_switching") > ndcg(cf));
  }
  CHECK(arms.at("content")["uses_item_features"] == true);
}

TEST_CASE("on the sample, MMR raises intra-list diversity while nDCG falls as lambda grows",
          "[scenarios][slow]") {
  const Run& run = RunExample("diversity.toml");
  CHECK(run.warnings.empty());
  const auto& section = run.sections["diversity"];
  std::map<std::string, std::vector<std::pair<double, double>>> mmr;  // arm -> (ndcg, ild) by lambda
  for (const auto& point : section["points"]) {
    if (point["reranker"] != "mmr") continue;
    mmr[point["arm"]].emplace_back(point["ndcg@10"].get<double>(), point["ild@10"].get<double>());
  }
  REQUIRE(mmr.size() == 4);
  for (const auto& [arm, points] : mmr) {
    CAPTURE(arm);
    REQUIRE(points.size() == 4);  // lambda 0, 0.3, 0.6, 0.9
    for (size_t i = 1; i < points.size(); ++i) CHECK(points[i].second > points[i - 1].second);
    CHECK(points[2].first < points[0].first);
    CHECK(points[3].first < points[2].first);
  }
  CHECK_FALSE(section["pareto"]["ild@10"].empty());
}
