#include "baseline.h"

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
using reclift::recommenders::BaselineRecommender;
using reclift::recommenders::kBaselineParams;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kBaselineParams, given);
}

// Three ratings: user 0 rated item 0 a 5 and item 1 a 3; user 1 rated item 0
// a 4. User 2 and item 2 have no rating. mu = (5 + 3 + 4) / 3 = 4.
OwnedTrainData ThreeRatings() {
  return OwnedTrainData::FromTriplets(3, 3, {{0, 0, 5.f}, {0, 1, 3.f}, {1, 0, 4.f}});
}

// 60 users x 30 items, ratings 1..5 from a user offset + item offset + noise.
OwnedTrainData RandomRatings(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.f, 0.7f);
  std::vector<float> user_offset(60), item_offset(30);
  for (float& o : user_offset) o = noise(rng);
  for (float& o : item_offset) o = noise(rng);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 60; ++u) {
    for (uint32_t i = 0; i < 30; ++i) {
      if (rng() % 3 != 0) continue;
      const float r = std::round(3.f + user_offset[u] + item_offset[i] + 0.5f * noise(rng));
      t.push_back({u, i, std::clamp(r, 1.f, 5.f)});
    }
  }
  return OwnedTrainData::FromTriplets(60, 30, t);
}

}  // namespace

TEST_CASE("one als epoch gives the biases solved by hand", "[baseline]") {
  // reg_item = 1, reg_user = 2, b_u = 0 to start, mu = 4.
  //   b_0(item) = ((5 - 4 - 0) + (4 - 4 - 0)) / (1 + 2) = 1/3
  //   b_1(item) = (3 - 4 - 0) / (1 + 1)                 = -1/2
  //   b_0(user) = ((5 - 4 - 1/3) + (3 - 4 + 1/2)) / (2 + 2) = (2/3 - 1/2) / 4 = 1/24
  //   b_1(user) = (4 - 4 - 1/3) / (2 + 1)                   = -1/9
  // The items and the user without ratings keep bias 0.
  OwnedTrainData d = ThreeRatings();
  BaselineRecommender model;
  REQUIRE(model.Configure(d.view(), MakeParams({{"reg_item", 1.0}, {"reg_user", 2.0}})).ok());
  CHECK(model.epochs() == 10);  // 0 means Surprise's default for als
  model.AlsEpoch();
  CHECK(model.global_mean() == Approx(4.0));
  CHECK(model.item_bias()[0] == Approx(1.0 / 3));
  CHECK(model.item_bias()[1] == Approx(-0.5));
  CHECK(model.item_bias()[2] == 0.0);
  CHECK(model.user_bias()[0] == Approx(1.0 / 24));
  CHECK(model.user_bias()[1] == Approx(-1.0 / 9));
  CHECK(model.user_bias()[2] == 0.0);
}

TEST_CASE("one sgd epoch gives the biases worked by hand", "[baseline]") {
  // lr = 0.1, reg = 0.5, mu = 4, order (0,0,5), (0,1,3), (1,0,4):
  //   (0,0,5): e = 5 - 4 = 1;            b_u0 = 0.1 (1 - 0) = 0.1;       b_i0 = 0.1
  //   (0,1,3): e = 3 - (4 + 0.1) = -1.1; b_u0 = 0.1 + 0.1 (-1.1 - 0.05) = -0.015; b_i1 = -0.11
  //   (1,0,4): e = 4 - (4 + 0.1) = -0.1; b_u1 = 0.1 (-0.1) = -0.01;    b_i0 = 0.1 + 0.1 (-0.1 - 0.05) = 0.085
  OwnedTrainData d = ThreeRatings();
  BaselineRecommender model;
  REQUIRE(model
              .Configure(d.view(), MakeParams({{"method", std::string("sgd")},
                                               {"learning_rate", 0.1},
                                               {"regularization", 0.5}}))
              .ok());
  CHECK(model.epochs() == 20);  // 0 means Surprise's default for sgd
  model.SgdEpoch();
  CHECK(model.user_bias()[0] == Approx(-0.015));
  CHECK(model.user_bias()[1] == Approx(-0.01));
  CHECK(model.item_bias()[0] == Approx(0.085));
  CHECK(model.item_bias()[1] == Approx(-0.11));
}

TEST_CASE("baseline predictions add the biases to the mean, clipped to the rating range", "[baseline]") {
  OwnedTrainData d = ThreeRatings();
  BaselineRecommender model;
  Context ctx;
  REQUIRE(model.Fit(d.view(), MakeParams({{"reg_item", 0.0}, {"reg_user", 0.0}, {"epochs", int64_t{1}}}), ctx)
              .ok());
  // No regularisation, one epoch: b_i0 = (1 + 0) / 2 = 0.5, b_i1 = -1;
  // b_u0 = ((5 - 4 - 0.5) + (3 - 4 + 1)) / 2 = 0.25, b_u1 = (4 - 4 - 0.5) / 1 = -0.5.
  const uint32_t items[] = {0, 1, 2};
  float score[3], rating[3];
  REQUIRE(model.Score(0, items, score).ok());
  CHECK(score[0] == Approx(4.75f));  // 4 + 0.25 + 0.5
  CHECK(score[1] == Approx(3.25f));  // 4 + 0.25 - 1
  CHECK(score[2] == Approx(4.25f));  // item without ratings: mu + b_u
  REQUIRE(model.Score(2, items, score).ok());
  CHECK(score[0] == Approx(4.5f));  // user without ratings: mu + b_i
  // user 0 on item 0 with a larger bias: the estimate exceeds the top rating
  // only when it is clipped; build such a case from two 5s
  OwnedTrainData high = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 5.f}, {0, 1, 5.f}, {1, 0, 1.f}});
  BaselineRecommender clipped;
  REQUIRE(
      clipped
          .Fit(high.view(), MakeParams({{"reg_item", 0.0}, {"reg_user", 0.0}, {"epochs", int64_t{1}}}), ctx)
          .ok());
  // mu = 11/3; b_i0 = (5 + 1 - 22/3) / 2 = -2/3, b_i1 = 5 - 11/3 = 4/3;
  // b_u0 = ((5 - 11/3 + 2/3) + (5 - 11/3 - 4/3)) / 2 = 1; estimate(0, 1) = 11/3 + 1 + 4/3 = 6
  const uint32_t item1[] = {1};
  REQUIRE(clipped.Score(0, item1, std::span<float>(score, 1)).ok());
  CHECK(score[0] == Approx(6.f));
  REQUIRE(clipped.Predict(0, item1, std::span<float>(rating, 1)).ok());
  CHECK(rating[0] == 5.f);
}

TEST_CASE("als epochs never increase the regularised loss", "[baseline]") {
  OwnedTrainData d = RandomRatings(5);
  BaselineRecommender model;
  REQUIRE(model.Configure(d.view(), MakeParams({})).ok());
  double previous = model.AlsLoss();
  for (int epoch = 0; epoch < 10; ++epoch) {
    model.AlsEpoch();
    const double loss = model.AlsLoss();
    CHECK(loss <= previous + 1e-9);
    previous = loss;
  }
  // the biases explain most of the variance the noise leaves: 10 sweeps lower
  // the loss well below the all-zero start
  BaselineRecommender zero;
  REQUIRE(zero.Configure(d.view(), MakeParams({})).ok());
  CHECK(previous < 0.6 * zero.AlsLoss());
}

TEST_CASE("baseline sgd lowers the training error of the mean alone", "[baseline]") {
  OwnedTrainData d = RandomRatings(6);
  BaselineRecommender model;
  Context ctx;
  REQUIRE(
      model.Fit(d.view(), MakeParams({{"method", std::string("sgd")}, {"learning_rate", 0.02}}), ctx).ok());
  double sgd = 0, mean_only = 0;
  for (uint32_t u = 0; u < d.view().num_users; ++u) {
    for (auto [item, value] : d.view().by_user.Row(u)) {
      float predicted;
      REQUIRE(model.Predict(u, std::span<const uint32_t>(&item, 1), std::span<float>(&predicted, 1)).ok());
      sgd += (value - predicted) * (value - predicted);
      mean_only += (value - model.global_mean()) * (value - model.global_mean());
    }
  }
  CHECK(sgd < 0.7 * mean_only);
}

TEST_CASE("baseline fold-in solves a new user's bias in closed form", "[baseline]") {
  OwnedTrainData d = ThreeRatings();
  BaselineRecommender model;
  Context ctx;
  REQUIRE(model.Fit(d.view(), MakeParams({{"reg_item", 0.0}, {"reg_user", 2.0}, {"epochs", int64_t{1}}}), ctx)
              .ok());
  // item biases after one epoch (reg_item 0): b_i0 = 0.5, b_i1 = -1.
  // history (item 0: 3, item 1: 4): b_u = ((3 - 4 - 0.5) + (4 - 4 + 1)) / (2 + 2) = -0.125
  const uint32_t history[] = {0, 1};
  const float values[] = {3.f, 4.f};
  const uint32_t items[] = {0, 1, 2};
  float out[3];
  REQUIRE(model.ScoreHistory(history, values, items, out).ok());
  CHECK(out[0] == Approx(4.375f));  // 4 - 0.125 + 0.5
  CHECK(out[1] == Approx(2.875f));  // 4 - 0.125 - 1
  CHECK(out[2] == Approx(3.875f));
  const float too_few[] = {3.f};
  const reclift::Status s = model.ScoreHistory(history, too_few, items, out);
  CHECK(s.message() == "baseline: ScoreHistory needs one rating per history item (2 items, 1 values)");
}

TEST_CASE("baseline batch scores equal single scores and do not depend on threads", "[baseline]") {
  OwnedTrainData d = RandomRatings(7);
  const uint32_t users[] = {0, 5, 59};
  std::vector<float> one(3 * 30), two(3 * 30), single(30);
  for (int threads : {1, 2}) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      BaselineRecommender model;
      Context ctx;
      REQUIRE(model.Fit(d.view(), MakeParams({}), ctx).ok());
      REQUIRE(model.ScoreBatch(users, threads == 1 ? one : two).ok());
      std::vector<uint32_t> items(30);
      for (uint32_t i = 0; i < 30; ++i) items[i] = i;
      REQUIRE(model.Score(59, items, single).ok());
    });
  }
  CHECK(one == two);
  CHECK(std::equal(single.begin(), single.end(), one.begin() + 60));
}

TEST_CASE("baseline refuses implicit data and out-of-range ids with a message", "[baseline]") {
  OwnedTrainData implicit = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}}, false);
  BaselineRecommender model;
  Context ctx;
  reclift::Status s = model.Fit(implicit.view(), MakeParams({}), ctx);
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message().rfind("baseline predicts ratings, but the training data is implicit", 0) == 0);

  OwnedTrainData d = ThreeRatings();
  REQUIRE(model.Fit(d.view(), MakeParams({}), ctx).ok());
  const uint32_t bad_item[] = {3};
  float out[1];
  s = model.Score(0, bad_item, out);
  CHECK(s.message() == "baseline: item id 3 is out of range (the model has 3 items)");
  s = model.Predict(7, bad_item, out);
  CHECK(s.message() == "baseline: user id 7 is out of range (the model has 3 users)");
}
