// Diversity: re-ranked points, their metrics and the Pareto-best settings
// match a hand computation, and the arms train on the plain split only.
#include "scenarios/diversity.h"

#include <catch2/catch.hpp>

#include "scenario_fixture.h"

using namespace scenario_test;

namespace {

const char* kSpec = R"(
[experiment]
name = "t"
[dataset]
format = "synthetic"
[[arms]]
name = "fixed"
recommender = "fixed"
[evaluation]
k = [2]
metrics = ["ndcg"]
evaluators = ["ranking", "beyond_accuracy"]
[ab]
control = "fixed"
primary_metric = "ndcg@2"
[[scenarios]]
kind = "diversity"
lambda = [0.0, 0.5]
candidates = 4
)";

// the same order for everyone: 0, 1, 3, 2, 4
float Fixed(const std::vector<uint32_t>&, uint32_t item, const TrainData&) {
  const float score[] = {5.f, 4.f, 2.f, 3.5f, 1.f};
  return score[item];
}

// Items 0-4 in categories c0, c0, c1, c0, c1 (no tags).
Dataset WithCategories(Dataset d) {
  const std::vector<uint32_t> items = {0, 1, 2, 3, 4}, categories = {0, 0, 1, 0, 1};
  d.item_features.categories = reclift::OwnedSparse::Build(5, items, categories, {}, {});
  d.item_features.category_names = {"c0", "c1"};
  return d;
}

}  // namespace

TEST_CASE("MMR points, their metrics and the Pareto-best settings match a hand computation",
          "[scenarios][diversity]") {
  // Train: u0 {0}, u1 {1}. Test (all relevant): u0 {1, 2}, u1 {0, 3}.
  const Dataset data =
      WithCategories(MakeDataset(2, 5, {{0, 0}, {1, 1}, {0, 1}, {0, 2}, {1, 0}, {1, 3}}, false, false));
  const Split split = MakeSplitOf({0, 1}, {2, 3, 4, 5});
  const ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
  tbb::task_arena arena(2);
  Recorder recorder;
  StubFitter stubs({{"fixed", {Fixed, 0}}}, &recorder);
  const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 2, stubs.Fitter()};
  const nlohmann::json section = RunDiversity(env, {&spec.scenarios[0]});

  CHECK(section["reranker"] == "mmr");
  CHECK(section["accuracy"] == "ndcg@2");
  // the default: the primary, then ild, novelty and coverage at its k
  CHECK(section["metrics"] == nlohmann::json({"ndcg@2", "ild@2", "novelty@2", "coverage@2"}));
  REQUIRE(section["points"].size() == 2);
  const auto& plain = section["points"][0];
  const auto& mmr = section["points"][1];
  CHECK(plain["lambda"] == 0.0);
  CHECK(mmr["lambda"] == 0.5);
  // Candidates (own training item removed):
  //   u0: 1, 3, 2, 4 (scores 4, 3.5, 2, 1 -> relevance 1, 0.833, 0.333, 0)
  //   u1: 0, 3, 2, 4 (scores 5, 3.5, 2, 1 -> relevance 1, 0.625, 0.25, 0)
  // lambda 0: u0 [1, 3], u1 [0, 3].
  // lambda 0.5: first pick as before; second: item 3 (same category as the
  //   first: similarity 1) 0.5 * 0.833 - 0.5 = -0.083 for u0, -0.1875 for u1;
  //   item 2 (other category) 0.5 * 0.333 = 0.167 / 0.5 * 0.25 = 0.125;
  //   item 4 0 -> item 2: u0 [1, 2], u1 [0, 2].
  // ndcg@2: a list hitting one of two relevant items at rank 1 has
  //   1 / (1 + 1 / log2 3) = 0.6131; both: 1.
  //   lambda 0: u0 0.6131, u1 1; lambda 0.5: u0 1, u1 0.6131 -> both 0.8066
  const double one_of_two = 1 / (1 + 1 / std::log2(3.0));
  CHECK(plain["ndcg@2"].get<double>() == Approx((one_of_two + 1) / 2));
  CHECK(mmr["ndcg@2"].get<double>() == Approx((one_of_two + 1) / 2));
  // ild@2 (1 - cosine of binary category vectors): same category 0, different 1
  CHECK(plain["ild@2"] == 0.0);
  CHECK(mmr["ild@2"] == 1.0);
  // coverage@2: {1, 3, 0} of 5 items, then {1, 2, 0}
  CHECK(plain["coverage@2"].get<double>() == Approx(0.6));
  CHECK(mmr["coverage@2"].get<double>() == Approx(0.6));
  CHECK(plain["ci"]["ild@2"] == nlohmann::json({0.0, 0.0}));
  // novelty@2 = mean of -log2(pop / users) with pop the training count (an
  // item never trained on counts 1) and 2 users: every item has pop 1 -> 1.
  CHECK(plain["novelty@2"] == 1.0);
  CHECK(mmr["novelty@2"] == 1.0);
  // Pareto: lambda 0.5 is as accurate and more diverse, so lambda 0 is
  // dominated on ild; on novelty and coverage they tie, and a tie dominates
  // nothing.
  CHECK(mmr["pareto_best"] == nlohmann::json({"ild@2", "novelty@2", "coverage@2"}));
  CHECK(plain["pareto_best"] == nlohmann::json({"novelty@2", "coverage@2"}));
  CHECK(section["pareto"]["ild@2"] ==
        nlohmann::json::parse(
            R"([{"arm": "fixed", "reranker": "mmr", "similarity": "features", "lambda": 0.5}])"));
  CHECK(section["arms"]["fixed"]["status"] == "ok");

  // the arm trained on the plain split's training pairs and nothing else
  REQUIRE(recorder.fits.size() == 1);
  CHECK(recorder.fits[0].pairs == std::set<Pair>{{0, 0}, {1, 1}});
}

TEST_CASE("calibration reports miscalibration, lower with a larger lambda", "[scenarios][diversity]") {
  const Dataset data =
      WithCategories(MakeDataset(2, 5, {{0, 0}, {1, 1}, {0, 1}, {0, 2}, {1, 0}, {1, 3}}, false, false));
  const Split split = MakeSplitOf({0, 1}, {2, 3, 4, 5});
  ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
  spec.scenarios[0].reranker = "calibration";
  spec.scenarios[0].lambdas = {0.0, 0.9};
  tbb::task_arena arena(1);
  Recorder recorder;
  StubFitter stubs({{"fixed", {Fixed, 0}}}, &recorder);
  const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 1, stubs.Fitter()};
  const nlohmann::json section = RunDiversity(env, {&spec.scenarios[0]});
  CHECK(section["metrics"].back() == "miscalibration@2");
  CHECK(section["higher_is_better"]["miscalibration@2"] == false);
  // Both users' training items are c0, so p = (1, 0): any c0 list is
  // calibrated. q~ = 0.99 q + 0.01 p; KL(p || q~) = ln(1 / q~(c0)) = 0 for
  // an all-c0 list. The arm's lists (lambda 0) are u0 [1, 3], u1 [0, 3]:
  // all c0 -> 0; calibration keeps them.
  REQUIRE(section["points"].size() == 2);
  CHECK(section["points"][0]["miscalibration@2"].get<double>() == Approx(0.0).margin(1e-12));
  CHECK(section["points"][1]["miscalibration@2"].get<double>() == Approx(0.0).margin(1e-12));
  CHECK_FALSE(section["points"][1].contains("similarity"));
}
