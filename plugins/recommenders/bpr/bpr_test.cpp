#include "bpr.h"

#include <tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <random>

#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Triplet;
using reclift::recommenders::BprRecommender;
using reclift::recommenders::kBprParams;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kBprParams, given);
}

using reclift::testing::Planted;
Planted MakePlanted(uint32_t num_users, uint64_t seed) {
  return reclift::testing::PlantedGroups(num_users, seed);
}

}  // namespace

TEST_CASE("one bpr step moves factors and biases as worked by hand", "[bpr]") {
  // One factor: x_u = 1, y_i = 0.5, y_j = 0.25, biases 0; lr = 0.1, reg = 0.01.
  // s = x_u (y_i - y_j) + b_i - b_j = 0.25; g = sigmoid(-s) = 1 / (1 + e^0.25) = 0.4378235
  //   x_u' = 1    + 0.1 (g * 0.25  - 0.01 * 1)    = 1.0099456
  //   y_i' = 0.5  + 0.1 (g * 1     - 0.01 * 0.5)  = 0.5432823
  //   y_j' = 0.25 + 0.1 (-g * 1    - 0.01 * 0.25) = 0.2059677
  //   b_i' = 0    + 0.1 (g - 0)  = 0.0437823,  b_j' = -0.0437823
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 2, {{0, 0, 1.f}}, false);
  BprRecommender bpr;
  REQUIRE(bpr.Configure(
                 d.view(),
                 MakeParams({{"factors", int64_t{1}}, {"learning_rate", 0.1}, {"regularization", 0.01}}), 1)
              .ok());
  bpr.user_factors() = {1.f};
  bpr.item_factors() = {0.5f, 0.25f};
  bpr.Step(0, 0, 1);
  CHECK(bpr.user_factors()[0] == Approx(1.0099456).epsilon(1e-6));
  CHECK(bpr.item_factors()[0] == Approx(0.5432823).epsilon(1e-6));
  CHECK(bpr.item_factors()[1] == Approx(0.2059677).epsilon(1e-6));
  CHECK(bpr.item_bias()[0] == Approx(0.0437823).epsilon(1e-5));
  CHECK(bpr.item_bias()[1] == Approx(-0.0437823).epsilon(1e-5));
}

TEST_CASE("bpr training AUC starts near one half and rises with the epochs", "[bpr]") {
  Planted planted = MakePlanted(200, 3);
  BprRecommender bpr;
  REQUIRE(bpr.Configure(
                 planted.data.view(),
                 MakeParams({{"factors", int64_t{8}}, {"learning_rate", 0.05}, {"regularization", 0.002}}), 5)
              .ok());
  const double before = bpr.SampledAuc(20000, 1);
  CHECK(before > 0.4);
  CHECK(before < 0.6);
  double previous = before;
  for (int epoch = 0; epoch < 20; ++epoch) {
    bpr.RunEpoch(epoch);
    if (epoch % 5 == 4) {
      const double auc = bpr.SampledAuc(20000, 1);
      CHECK(auc > previous - 0.01);  // sampled: allow noise, but no real drop
      previous = auc;
    }
  }
  CHECK(previous > 0.95);
}

TEST_CASE("bpr ranks held-out items of the user's taste group above the other group's", "[bpr]") {
  Planted planted = MakePlanted(200, 7);
  BprRecommender bpr;
  REQUIRE(bpr.Fit(planted.data.view(),
                  MakeParams({{"factors", int64_t{8}}, {"learning_rate", 0.05}, {"regularization", 0.002}}),
                  Context{})
              .ok());
  size_t correct = 0, pairs = 0;
  std::vector<uint32_t> all(20);
  for (uint32_t i = 0; i < 20; ++i) all[i] = i;
  for (uint32_t u = 0; u < 200; ++u) {
    std::vector<float> scores(20);
    REQUIRE(bpr.Score(u, all, scores).ok());
    const uint32_t other_first = u < 100 ? 10 : 0;
    for (uint32_t pos : planted.held_out[u]) {
      for (uint32_t neg = other_first; neg < other_first + 10; ++neg) {
        correct += scores[pos] > scores[neg];
        ++pairs;
      }
    }
  }
  REQUIRE(pairs > 0);
  CHECK(static_cast<double>(correct) / pairs > 0.95);
}

TEST_CASE("deterministic bpr gives the same model with one thread and with two", "[bpr]") {
  Planted planted = MakePlanted(300, 11);
  auto fit_with = [&](int threads) {
    tbb::task_arena arena(threads);
    BprRecommender bpr;
    Context ctx;
    ctx.seed = 77;
    arena.execute([&] {
      REQUIRE(bpr.Fit(planted.data.view(), MakeParams({{"factors", int64_t{8}}, {"epochs", int64_t{5}}}), ctx)
                  .ok());
    });
    return std::make_tuple(bpr.user_factors(), bpr.item_factors(), bpr.item_bias());
  };
  const auto one = fit_with(1);
  const auto two = fit_with(2);
  CHECK(std::get<0>(one) == std::get<0>(two));
  CHECK(std::get<1>(one) == std::get<1>(two));
  CHECK(std::get<2>(one) == std::get<2>(two));
}

TEST_CASE("parallel (hogwild) bpr learns the planted structure too", "[bpr]") {
  Planted planted = MakePlanted(400, 13);
  tbb::task_arena arena(2);
  BprRecommender bpr;
  arena.execute([&] {
    REQUIRE(bpr.Fit(planted.data.view(),
                    MakeParams({{"factors", int64_t{8}},
                                {"learning_rate", 0.05},
                                {"regularization", 0.002},
                                {"threads_deterministic", false}}),
                    Context{})
                .ok());
  });
  CHECK(bpr.SampledAuc(20000, 2) > 0.95);
}

TEST_CASE("bpr ScoreBatch equals Score plus nothing else", "[bpr]") {
  Planted planted = MakePlanted(20, 17);
  BprRecommender bpr;
  REQUIRE(
      bpr.Fit(planted.data.view(), MakeParams({{"factors", int64_t{4}}, {"epochs", int64_t{3}}}), Context{})
          .ok());
  std::vector<uint32_t> users = {0, 19}, all(20);
  for (uint32_t i = 0; i < 20; ++i) all[i] = i;
  std::vector<float> batch(2 * 20), single(20);
  REQUIRE(bpr.ScoreBatch(users, batch).ok());
  for (size_t b = 0; b < users.size(); ++b) {
    REQUIRE(bpr.Score(users[b], all, single).ok());
    for (uint32_t i = 0; i < 20; ++i) CHECK(batch[b * 20 + i] == Approx(single[i]).margin(1e-5));
  }
}

TEST_CASE("bpr refuses a one-item catalogue and out-of-range ids with a clear message", "[bpr]") {
  OwnedTrainData one_item = OwnedTrainData::FromTriplets(2, 1, {{0, 0, 1.f}}, false);
  BprRecommender bpr;
  reclift::Status s = bpr.Fit(one_item.view(), MakeParams({}), Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message() == "bpr: needs at least 2 items to contrast, the data has 1");

  OwnedTrainData d = OwnedTrainData::FromTriplets(2, 3, {{0, 0, 1.f}, {1, 2, 1.f}}, false);
  REQUIRE(bpr.Fit(d.view(), MakeParams({{"factors", int64_t{2}}, {"epochs", int64_t{1}}}), Context{}).ok());
  std::vector<uint32_t> items = {7};
  std::vector<float> out(1);
  s = bpr.Score(0, items, out);
  CHECK(s.message() == "bpr: candidate item id 7 is out of range (the model has 3 items)");
  s = bpr.Score(5, items, out);
  CHECK(s.message() == "bpr: user id 5 is out of range (the model has 2 users)");
}

TEST_CASE("bpr reports a diverging learning rate as a bad parameter", "[bpr]") {
  // With learning_rate = 1, no regularization and wide initial factors, each
  // step multiplies the factor norms (x' = x + g (y_i - y_j), y' = y + g x):
  // they overflow within a few epochs.
  Planted planted = MakePlanted(200, 19);
  BprRecommender bpr;
  const reclift::Status s = bpr.Fit(planted.data.view(),
                                    MakeParams({{"factors", int64_t{64}},
                                                {"learning_rate", 1.0},
                                                {"regularization", 0.0},
                                                {"init_std", 1.0},
                                                {"epochs", int64_t{200}}}),
                                    Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("bpr: the factors diverged to a non-finite value in epoch ") &&
                              Catch::EndsWith("; lower learning_rate (now 1)"));
}
