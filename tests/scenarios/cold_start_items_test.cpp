// Cold-start items: held-out items never reach training, users are not
// shown the held-out items they already used, and the new-item metrics match
// a hand computation.
#include "scenarios/cold_start_items.h"

#include <catch2/catch.hpp>

#include "data/synth.h"
#include "scenario_fixture.h"

using namespace scenario_test;

namespace {

const char* kSpec = R"(
[experiment]
name = "t"
[dataset]
format = "synthetic"
[[arms]]
name = "cf"
recommender = "cf"
[[arms]]
name = "features"
recommender = "features"
[evaluation]
k = [2]
metrics = ["ndcg", "recall"]
[ab]
control = "cf"
[[scenarios]]
kind = "cold-start-items"
item_fraction = 0.2
)";

// collaborative: the item's training count (a new item has none)
float Count(const std::vector<uint32_t>&, uint32_t item, const TrainData& train) {
  return static_cast<float>(train.by_item.RowSize(item));
}
// "reads features": knows item 4 is what everyone wants
float KnowsItem4(const std::vector<uint32_t>&, uint32_t item, const TrainData& train) {
  return item == 4 ? 1.f : static_cast<float>(train.by_item.RowSize(item)) / 10.f;
}

std::map<std::string, StubKind> Stubs() {
  return {{"cf", {Count, 0}}, {"features", {KnowsItem4, reclift::kCapItemFeatures}}};
}

}  // namespace

TEST_CASE("new-item metrics, share and coverage match a hand computation", "[scenarios][cold-start-items]") {
  // Ratings (relevant at 4 or more). Train: u0 {0, 1}, u1 {0, 2}, u2 {0, 3}, u3 {1, 4}.
  // Test: u0 4, u1 4, u2 4 (all rated 5), u3 0 (rated 2: not relevant).
  // The only item with a relevant test interaction is 4, and 0.2 x 5 used
  // items = 1 item is held out: item 4. u3's training interaction with it is
  // removed, and item 4 is kept out of u3's list.
  const std::vector<Row> rows = {{0, 0, 5}, {0, 1, 5}, {1, 0, 5}, {1, 2, 5}, {2, 0, 5}, {2, 3, 5},
                                 {3, 1, 5}, {3, 4, 5}, {0, 4, 5}, {1, 4, 5}, {2, 4, 5}, {3, 0, 2}};
  const Dataset data = MakeDataset(4, 5, rows, true, false);
  const Split split = MakeSplitOf({0, 1, 2, 3, 4, 5, 6, 7}, {8, 9, 10, 11});
  const ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
  tbb::task_arena arena(2);
  Recorder recorder;
  StubFitter stubs(Stubs(), &recorder);
  const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 2, stubs.Fitter()};

  const ColdItemPlan plan = PlanColdStartItems(env, spec.scenarios[0]);
  CHECK(plan.items == std::vector<uint32_t>{4});
  CHECK(plan.eligible == 1);
  CHECK(plan.removed == 1);
  CHECK(plan.train == std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6});
  CHECK(plan.hidden[3] == std::vector<uint32_t>{4});

  const nlohmann::json section = RunColdStartItems(env, spec.scenarios[0]);
  CHECK(section["new_items"] == 1);
  CHECK(section["train_interactions_removed"] == 1);
  CHECK(section["users"] == 4);
  CHECK(section["users_with_new_relevant"] == 3);
  REQUIRE(section["arms"].size() == 2);
  // Training counts without item 4: 0:3, 1:2, 2:1, 3:1, 4:0.
  // cf top 2 (training and hidden items removed, ties by id):
  //   u0 [2, 3], u1 [1, 3], u2 [1, 2], u3 [0, 2]  -> no new item anywhere
  // features (item 4 scores 1, others count / 10):
  //   u0 [4, 2], u1 [4, 1], u2 [4, 1], u3 [0, 2] (4 is u3's hidden item)
  const auto& cf = section["arms"][0];
  CHECK(cf["name"] == "cf");
  CHECK(cf["status"] == "ok");
  CHECK(cf["uses_item_features"] == false);
  CHECK(cf["note"] == "does not use item features");
  CHECK(cf["new_items"]["recall@2"]["mean"] == 0.0);
  CHECK(cf["new_items"]["ndcg@2"]["mean"] == 0.0);
  CHECK(cf["new_items"]["ndcg@2"]["n"] == 3);
  CHECK(cf["new_item_share"]["new_item_share@2"]["mean"] == 0.0);
  CHECK(cf["new_item_coverage"]["new_item_coverage@2"] == 0.0);
  CHECK(cf["overall"]["ndcg@2"]["mean"] == 0.0);

  const auto& features = section["arms"][1];
  CHECK(features["uses_item_features"] == true);
  CHECK_FALSE(features.contains("note"));
  // u0-u2: their one relevant new item at rank 1 -> recall 1, ndcg 1
  CHECK(features["new_items"]["recall@2"]["mean"] == 1.0);
  CHECK(features["new_items"]["ndcg@2"]["mean"] == 1.0);
  // share of new items in the top 2: 1/2, 1/2, 1/2 and 0 for u3 -> 0.375
  CHECK(features["new_item_share"]["new_item_share@2"]["mean"].get<double>() == Approx(0.375));
  CHECK(features["new_item_coverage"]["new_item_coverage@2"] == 1.0);
  // overall: u3 has no relevant test item and is left out of the mean
  CHECK(features["overall"]["ndcg@2"]["mean"] == 1.0);
  CHECK(features["overall"]["ndcg@2"]["n"] == 3);

  // item 4 never reached a model
  REQUIRE(recorder.fits.size() == 2);
  for (const auto& fit : recorder.fits) {
    for (const auto& [user, item] : fit.pairs) CHECK(item != 4);
    CHECK(fit.pairs.size() == 7);
  }
}

TEST_CASE("held-out items never reach training on a generated dataset", "[scenarios][cold-start-items]") {
  SynthOptions options;
  options.preset = "tiny";
  options.seed = 9;
  const Dataset data = GenerateSynthetic(options);
  ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
  spec.split.method = "random";
  const Split split = MakeSplit(data, spec.split);
  tbb::task_arena arena(2);
  Recorder recorder;
  StubFitter stubs(Stubs(), &recorder);
  const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 2, stubs.Fitter()};
  const ColdItemPlan plan = PlanColdStartItems(env, spec.scenarios[0]);
  // 20% of the used items
  std::set<uint32_t> used(data.items.begin(), data.items.end());
  CHECK(plan.items.size() == static_cast<size_t>(std::llround(0.2 * used.size())));
  const nlohmann::json section = RunColdStartItems(env, spec.scenarios[0]);
  REQUIRE(recorder.fits.size() == 2);
  // every training pair that does not touch a held-out item, and nothing else
  std::set<Pair> expected;
  for (uint64_t i : split.train) {
    if (!std::binary_search(plan.items.begin(), plan.items.end(), data.items[i])) {
      expected.insert({data.users[i], data.items[i]});
    }
  }
  for (const auto& fit : recorder.fits) CHECK(fit.pairs == expected);
  CHECK(section["train_interactions_removed"] == split.train.size() - expected.size());
}
