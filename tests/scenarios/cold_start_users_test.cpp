// Cold-start users: held-out users never reach training beyond their N
// shots, fold-in gets exactly the shots, and the learning curve and the
// overtaking N match a hand computation.
#include "scenarios/cold_start_users.h"

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
[split]
method = "leave-last"
[[arms]]
name = "pop"
recommender = "popularity"
[[arms]]
name = "echo"
recommender = "echo"
[[arms]]
name = "nofold"
recommender = "nofold"
[evaluation]
k = [1]
metrics = ["ndcg"]
[ab]
control = "pop"
[[scenarios]]
kind = "cold-start-users"
user_fraction = 0.99
shots = [0, 1, 2]
)";

// popularity: the item's training count
float Popularity(const std::vector<uint32_t>&, uint32_t item, const TrainData& train) {
  return static_cast<float>(train.by_item.RowSize(item));
}
// echo: item 2 first for anyone who took item 1, otherwise the highest id
float Echo(const std::vector<uint32_t>& history, uint32_t item, const TrainData&) {
  const bool took_1 = std::find(history.begin(), history.end(), 1u) != history.end();
  return took_1 && item == 2 ? 10.f : static_cast<float>(item) / 10.f;
}

std::map<std::string, StubKind> Stubs() {
  return {{"popularity", {Popularity, reclift::kCapScoreHistory}},
          {"echo", {Echo, reclift::kCapScoreHistory}},
          {"nofold", {Echo, 0}}};
}

}  // namespace

TEST_CASE("the cold-start learning curve and the overtaking N match a hand computation",
          "[scenarios][cold-start-users]") {
  // Warm users 0-3 have one interaction each (never eligible: 1 <= max N = 2):
  // items 0, 0, 0, 4. Held-out users 4-7, in time order:
  //   users 4, 5: 1, 3, 0, 2  -> shots 1 then 3; targets {0, 2}
  //   users 6, 7: 1, 3, 2     -> targets {2}
  std::vector<Row> rows = {{0, 0, 1, 1}, {1, 0, 1, 1}, {2, 0, 1, 1}, {3, 4, 1, 1}};
  for (uint32_t u : {4u, 5u}) {
    for (auto [item, t] : std::vector<std::pair<uint32_t, int64_t>>{{1, 10}, {3, 20}, {0, 30}, {2, 40}}) {
      rows.push_back({u, item, 1.f, t});
    }
  }
  for (uint32_t u : {6u, 7u}) {
    // written out of time order: the timestamps decide
    for (auto [item, t] : std::vector<std::pair<uint32_t, int64_t>>{{2, 40}, {1, 10}, {3, 20}}) {
      rows.push_back({u, item, 1.f, t});
    }
  }
  const Dataset data = MakeDataset(8, 5, rows, false, true);
  std::vector<uint64_t> warm = {0, 1, 2, 3}, rest;
  for (uint64_t i = 4; i < rows.size(); ++i) rest.push_back(i);
  const Split split = MakeSplitOf(warm, rest);
  const ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
  tbb::task_arena arena(2);
  Recorder recorder;
  StubFitter stubs(Stubs(), &recorder);
  const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 2, stubs.Fitter()};

  const ColdUserPlan plan = PlanColdStartUsers(env, spec.scenarios[0]);
  CHECK(plan.temporal);
  CHECK(plan.eligible == 4);
  CHECK(plan.users == std::vector<uint32_t>{4, 5, 6, 7});
  CHECK(plan.warm_train == warm);

  const nlohmann::json section = RunColdStartUsers(env, spec.scenarios[0]);
  CHECK(section["users"] == 4);
  CHECK(section["targets"] == 6);  // 2 + 2 + 1 + 1
  CHECK(section["order"] == "temporal");
  CHECK(section["reference"] == "pop");
  REQUIRE(section["modes"].size() == 2);
  const auto& retrain = section["modes"][0];
  const auto& fold = section["modes"][1];
  CHECK(retrain["mode"] == "retrain");
  CHECK(fold["mode"] == "fold-in");

  // pop's top item is 0 at every N (count 3; 1 and 3, counted 4 times once
  // given as shots, are the users' own and removed): a hit for users 4, 5
  // only -> mean 0.5. ndcg@1 = 1 for a hit (one gain at rank 1), else 0.
  // t interval of {1, 1, 0, 0}: 0.5 -/+ t(0.975, 3) * 0.57735 / 2 = 0.5 -/+ 0.91860
  for (const auto* mode : {&retrain, &fold}) {
    const auto& pop = (*mode)["arms"]["pop"];
    CHECK(pop["mean"] == nlohmann::json({0.5, 0.5, 0.5}));
    CHECK(pop["ci_low"][0].get<double>() == Approx(0.5 - 0.9186).margin(1e-4));
    CHECK(pop["ci_high"][0].get<double>() == Approx(0.5 + 0.9186).margin(1e-4));
    CHECK(pop["n"] == nlohmann::json({4, 4, 4}));
    // echo: nothing known -> item 4 (highest id), never relevant; from N = 1
    // the shots hold item 1 -> item 2, relevant for all four
    const auto& echo = (*mode)["arms"]["echo"];
    CHECK(echo["status"] == "ok");
    CHECK(echo["mean"] == nlohmann::json({0.0, 1.0, 1.0}));
    // above pop from N = 1 on; the paired differences at N = 1 are
    // {0, 0, 1, 1}: interval 0.5 -/+ 0.9186 reaches below 0, so never significantly
    CHECK(echo["overtakes_reference_at"] == 1);
    CHECK(echo["significantly_overtakes_reference_at"] == nullptr);
  }
  // an arm without ScoreHistory is reported as such in fold-in, never as 0
  CHECK(retrain["arms"]["nofold"]["status"] == "ok");
  CHECK(retrain["arms"]["nofold"]["mean"] == nlohmann::json({0.0, 1.0, 1.0}));
  CHECK(fold["arms"]["nofold"]["status"] == "fold-in not supported");
  CHECK(fold["arms"]["nofold"]["mean"] == nlohmann::json({nullptr, nullptr, nullptr}));
  CHECK(fold["arms"]["nofold"]["overtakes_reference_at"] == nullptr);

  // fold-in histories are the shots in time order, nothing more
  std::set<std::vector<uint32_t>> histories(recorder.histories.begin(), recorder.histories.end());
  CHECK(histories == std::set<std::vector<uint32_t>>{{}, {1}, {1, 3}});
}

TEST_CASE("held-out users reach training only through their first N shots, never their targets",
          "[scenarios][cold-start-users]") {
  SynthOptions options;
  options.preset = "tiny";
  options.seed = 5;
  const Dataset data = GenerateSynthetic(options);
  for (const char* method : {"random", "temporal"}) {
    CAPTURE(method);
    ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
    spec.split.method = method;
    spec.scenarios[0].shots = {0, 2, 5};
    spec.scenarios[0].user_fraction = 0.3;
    const Split split = MakeSplit(data, spec.split);
    tbb::task_arena arena(2);
    Recorder recorder;
    StubFitter stubs(Stubs(), &recorder);
    const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 2, stubs.Fitter()};
    const ColdUserPlan plan = PlanColdStartUsers(env, spec.scenarios[0]);
    REQUIRE(plan.users.size() >= 5);
    CHECK(plan.temporal == (std::string(method) == "temporal"));
    RunColdStartUsers(env, spec.scenarios[0]);

    // 3 arms, one view without shots (fold-in and N = 0) and one per N > 0
    REQUIRE(recorder.fits.size() == 3 * 3);
    std::set<size_t> shot_counts;
    for (const auto& fit : recorder.fits) {
      // every held-out user's training items are the first N of their sequence, the same N for all
      std::set<size_t> n_seen;
      for (size_t h = 0; h < plan.users.size(); ++h) {
        std::set<uint32_t> trained;
        for (const auto& [user, item] : fit.pairs) {
          if (user == plan.users[h]) trained.insert(item);
        }
        size_t n = trained.size();
        std::set<uint32_t> prefix;
        for (size_t p = 0; p < n; ++p) prefix.insert(data.items[plan.sequences[h][p]]);
        CHECK(trained == prefix);
        n_seen.insert(n);
      }
      CHECK(n_seen.size() == 1);
      shot_counts.insert(*n_seen.begin());
      // and the other users' training pairs are exactly their plain-split training pairs
      std::set<Pair> warm;
      for (uint64_t i : split.train) {
        if (!std::binary_search(plan.users.begin(), plan.users.end(), data.users[i])) {
          warm.insert({data.users[i], data.items[i]});
        }
      }
      std::set<Pair> seen_warm;
      for (const Pair& p : fit.pairs) {
        if (!std::binary_search(plan.users.begin(), plan.users.end(), p.first)) seen_warm.insert(p);
      }
      CHECK(seen_warm == warm);
    }
    CHECK(shot_counts == std::set<size_t>{0, 2, 5});
    // fold-in histories: some user's first 0, 2 or 5 items, in shot order
    std::set<std::vector<uint32_t>> prefixes;
    for (size_t h = 0; h < plan.users.size(); ++h) {
      for (size_t n : {0, 2, 5}) {
        std::vector<uint32_t> prefix;
        for (size_t p = 0; p < n; ++p) prefix.push_back(data.items[plan.sequences[h][p]]);
        prefixes.insert(prefix);
      }
    }
    REQUIRE_FALSE(recorder.histories.empty());
    for (const auto& history : recorder.histories) CHECK(prefixes.count(history) == 1);
  }
}

TEST_CASE("with no eligible user the section says why instead of drawing an empty curve",
          "[scenarios][cold-start-users]") {
  const Dataset data = MakeDataset(2, 3, {{0, 0, 1, 1}, {0, 1, 1, 2}, {1, 2, 1, 1}}, false, true);
  const Split split = MakeSplitOf({0, 1, 2}, {});
  const ExperimentSpec spec = ParseExperimentString(kSpec, "t.toml");
  tbb::task_arena arena(1);
  Recorder recorder;
  StubFitter stubs(Stubs(), &recorder);
  const ScenarioEnv env{spec, Evaluators(), data, split, nullptr, arena, 1, stubs.Fitter()};
  const nlohmann::json section = RunColdStartUsers(env, spec.scenarios[0]);
  CHECK(section["users"] == 0);
  CHECK(section["error"] ==
        "no user has more than 2 interactions with a relevant one after the first 2; lower the largest of "
        "scenarios.shots");
  CHECK(recorder.fits.empty());
}
