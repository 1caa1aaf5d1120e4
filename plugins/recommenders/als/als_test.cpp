#include "als.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Triplet;
using reclift::recommenders::AlsRecommender;
using reclift::recommenders::kAlsParams;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kAlsParams, given);
}

using reclift::testing::Planted;
Planted MakePlanted(uint32_t num_users, uint64_t seed) {
  return reclift::testing::PlantedGroups(num_users, seed);
}

}  // namespace

TEST_CASE("the exact solver gives the one-factor closed form worked by hand", "[als]") {
  // 2 users, 3 items, one factor. Users are fixed at x = (1, 2); alpha = 1,
  // regularization = 1. Item 0: user 0 with value 1 (c = 2). Item 1: user 0
  // with value 1 (c = 2) and user 1 with value 3 (c = 4). Item 2: nobody.
  // y_i = sum_u c_ui p_ui x_u / (sum_u c_ui x_u^2 + lambda), c = 1 on unobserved:
  //   y_0 = (2*1) / (2*1 + 1*4 + 1) = 2/7
  //   y_1 = (2*1 + 4*2) / (2*1 + 4*4 + 1) = 10/19
  //   y_2 = 0 / (1 + 4 + 1) = 0
  OwnedTrainData d = OwnedTrainData::FromTriplets(2, 3, {{0, 0, 1.f}, {0, 1, 1.f}, {1, 1, 3.f}}, false);
  AlsRecommender als;
  REQUIRE(als.Configure(d.view(),
                        MakeParams({{"factors", int64_t{1}},
                                    {"alpha", 1.0},
                                    {"regularization", 1.0},
                                    {"solver", std::string("cholesky")}}),
                        7)
              .ok());
  als.user_factors() = {1.f, 2.f};
  als.SolveItems();
  CHECK(als.item_factors()[0] == Approx(2.0 / 7.0).epsilon(1e-6));
  CHECK(als.item_factors()[1] == Approx(10.0 / 19.0).epsilon(1e-6));
  CHECK(als.item_factors()[2] == 0.f);
}

TEST_CASE("the exact solver satisfies the normal equations of every item", "[als]") {
  Planted planted = MakePlanted(12, 3);
  const reclift::TrainData& d = planted.data.view();
  AlsRecommender als;
  const double alpha = 2.0, lambda = 0.5;
  REQUIRE(als.Fit(d,
                  MakeParams({{"factors", int64_t{3}},
                              {"alpha", alpha},
                              {"regularization", lambda},
                              {"iterations", int64_t{2}},
                              {"solver", std::string("cholesky")}}),
                  Context{})
              .ok());
  const int f = 3;
  Eigen::MatrixXd x(d.num_users, f);
  for (uint32_t u = 0; u < d.num_users; ++u)
    for (int k = 0; k < f; ++k) x(u, k) = als.user_factors()[u * f + k];
  for (uint32_t i = 0; i < d.num_items; ++i) {
    // dense closed form: (X^T C_i X + lambda I) y = X^T C_i p_i
    Eigen::VectorXd c = Eigen::VectorXd::Ones(d.num_users), p = Eigen::VectorXd::Zero(d.num_users);
    for (auto [user, value] : d.by_item.Row(i)) {
      c(user) = 1 + alpha * value;
      p(user) = 1;
    }
    Eigen::MatrixXd a = x.transpose() * c.asDiagonal() * x + lambda * Eigen::MatrixXd::Identity(f, f);
    Eigen::VectorXd expected = a.ldlt().solve(x.transpose() * c.asDiagonal() * p);
    for (int k = 0; k < f; ++k) {
      CHECK(als.item_factors()[i * f + k] == Approx(expected(k)).margin(1e-4));
    }
  }
}

TEST_CASE("conjugate gradient approaches the exact solve as its steps grow", "[als]") {
  Planted planted = MakePlanted(40, 5);
  const int f = 8;
  auto users_after_one_solve = [&](const std::string& solver, int64_t steps) {
    AlsRecommender als;
    REQUIRE(als.Configure(
                   planted.data.view(),
                   MakeParams(
                       {{"factors", int64_t{f}}, {"solver", solver}, {"cg_steps", steps}, {"init_std", 0.3}}),
                   11)
                .ok());
    als.SolveUsers();
    return als.user_factors();
  };
  const std::vector<float> exact = users_after_one_solve("cholesky", 1);
  auto distance = [&](const std::vector<float>& v) {
    double sum = 0;
    for (size_t k = 0; k < v.size(); ++k) sum += (v[k] - exact[k]) * (v[k] - exact[k]);
    return std::sqrt(sum);
  };
  const double one = distance(users_after_one_solve("cg", 1));
  const double three = distance(users_after_one_solve("cg", 3));
  const double full = distance(users_after_one_solve("cg", f));  // CG is exact after f steps
  double exact_norm = 0;
  for (float v : exact) exact_norm += v * v;
  exact_norm = std::sqrt(exact_norm);
  CHECK(three < one);
  CHECK(full <= three);
  CHECK(full < 1e-3 * exact_norm);  // float rounding only
}

TEST_CASE("the training loss decreases with every sweep for both solvers", "[als]") {
  Planted planted = MakePlanted(60, 9);
  for (const std::string solver : {"cg", "cholesky"}) {
    AlsRecommender als;
    REQUIRE(
        als.Configure(
               planted.data.view(),
               MakeParams(
                   {{"factors", int64_t{6}}, {"solver", solver}, {"alpha", 10.0}, {"regularization", 0.1}}),
               1)
            .ok());
    double previous = als.Loss();
    for (int it = 0; it < 6; ++it) {
      als.SolveUsers();
      const double after_users = als.Loss();
      als.SolveItems();
      const double after_items = als.Loss();
      INFO(solver << " sweep " << it);
      CHECK(after_users <= previous * (1 + 1e-6));
      CHECK(after_items <= after_users * (1 + 1e-6));
      CHECK(after_items < previous);
      previous = after_items;
    }
  }
}

TEST_CASE("als ranks held-out items of the user's taste group above the other group's", "[als]") {
  Planted planted = MakePlanted(200, 17);
  AlsRecommender als;
  // two factors: the planted structure has rank 2 (more would fit each user's own pattern)
  // (explicit alpha and regularization: the test should not move with the defaults)
  REQUIRE(als.Fit(planted.data.view(),
                  MakeParams({{"factors", int64_t{2}}, {"alpha", 10.0}, {"regularization", 0.1}}), Context{})
              .ok());
  // AUC of held-out own-group items against other-group items, over users
  size_t correct = 0, pairs = 0;
  for (uint32_t u = 0; u < 200; ++u) {
    std::vector<uint32_t> all(20);
    for (uint32_t i = 0; i < 20; ++i) all[i] = i;
    std::vector<float> scores(20);
    REQUIRE(als.Score(u, all, scores).ok());
    const uint32_t other_first = u < 100 ? 10 : 0;
    for (uint32_t pos : planted.held_out[u]) {
      for (uint32_t neg = other_first; neg < other_first + 10; ++neg) {
        correct += scores[pos] > scores[neg];
        ++pairs;
      }
    }
  }
  REQUIRE(pairs > 0);
  CHECK(static_cast<double>(correct) / pairs > 0.99);
}

TEST_CASE("als gives the same factors with one thread and with two", "[als]") {
  Planted planted = MakePlanted(300, 21);
  auto fit_with = [&](int threads) {
    tbb::task_arena arena(threads);
    AlsRecommender als;
    Context ctx;
    ctx.seed = 99;
    arena.execute([&] {
      REQUIRE(als.Fit(planted.data.view(),
                      MakeParams({{"factors", int64_t{16}}, {"alpha", 10.0}, {"regularization", 0.1}}), ctx)
                  .ok());
    });
    return std::make_pair(als.user_factors(), als.item_factors());
  };
  const auto one = fit_with(1);
  const auto two = fit_with(2);
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
}

TEST_CASE("als ScoreBatch equals Score and fold-in of a known user matches its exact solve", "[als]") {
  Planted planted = MakePlanted(30, 23);
  const reclift::TrainData& d = planted.data.view();
  AlsRecommender als;
  REQUIRE(
      als.Fit(d,
              MakeParams(
                  {{"factors", int64_t{4}}, {"solver", std::string("cholesky")}, {"regularization", 0.1}}),
              Context{})
          .ok());
  // After a final exact user solve, a user's factors are exactly the fold-in
  // of the user's own history against the (unchanged) item factors.
  als.SolveUsers();
  std::vector<uint32_t> all(d.num_items), users = {0, 7, 29};
  for (uint32_t i = 0; i < d.num_items; ++i) all[i] = i;
  std::vector<float> batch(users.size() * d.num_items);
  REQUIRE(als.ScoreBatch(users, batch).ok());
  for (size_t b = 0; b < users.size(); ++b) {
    std::vector<float> single(d.num_items), folded(d.num_items);
    REQUIRE(als.Score(users[b], all, single).ok());
    auto history = d.by_user.RowIndices(users[b]);
    auto values = d.by_user.RowValues(users[b]);
    REQUIRE(als.ScoreHistory(history, values, all, folded).ok());
    for (uint32_t i = 0; i < d.num_items; ++i) {
      CHECK(batch[b * d.num_items + i] == Approx(single[i]).margin(1e-5));
      CHECK(folded[i] == Approx(single[i]).margin(1e-4));
    }
  }
}

TEST_CASE("als refuses negative values and out-of-range ids with a clear message", "[als]") {
  OwnedTrainData d = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}, {1, 1, -2.f}}, true);
  AlsRecommender als;
  reclift::Status s = als.Fit(d.view(), MakeParams({}), Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("values must be finite and >= 0") && Catch::Contains("found -2"));

  OwnedTrainData ok = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}, {1, 1, 1.f}}, false);
  REQUIRE(als.Fit(ok.view(), MakeParams({{"factors", int64_t{2}}}), Context{}).ok());
  std::vector<uint32_t> items = {0, 5};
  std::vector<float> out(2);
  s = als.Score(0, items, out);
  CHECK(s.message() == "als: candidate item id 5 is out of range (the model has 2 items)");
  s = als.ScoreHistory(std::vector<uint32_t>{3}, {}, std::vector<uint32_t>{0},
                       std::span<float>(out).first(1));
  CHECK(s.message() == "als: history item id 3 is out of range (the model has 2 items)");
}
