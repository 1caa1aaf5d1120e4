#include <tbb/task_arena.h>

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "../mf_sgd/mf_sgd.h"
#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Triplet;
using reclift::recommenders::kSvdppParams;
using reclift::recommenders::SvdppRecommender;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kSvdppParams, given);
}

// Ratings 1..5 from a rank-2 taste model plus noise, about 40% of the pairs
// rated; the last user and the last item have no rating.
OwnedTrainData Planted(uint32_t users, uint32_t items, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<std::array<float, 2>> user(users), item(items);
  for (auto& v : user) v = {normal(rng), normal(rng)};
  for (auto& v : item) v = {normal(rng), normal(rng)};
  std::vector<Triplet> t;
  for (uint32_t u = 0; u + 1 < users; ++u) {
    for (uint32_t i = 0; i + 1 < items; ++i) {
      if (rng() % 5 >= 2) continue;
      const float r = 3.f + 0.8f * (user[u][0] * item[i][0] + user[u][1] * item[i][1]) + 0.3f * normal(rng);
      t.push_back({u, i, std::clamp(std::round(r), 1.f, 5.f)});
    }
  }
  return OwnedTrainData::FromTriplets(users, items, t);
}

}  // namespace

TEST_CASE("one svd++ step moves every parameter as worked by hand", "[svdpp]") {
  // User 0 rated item 0 a 5 and item 1 a 3: mu = 4, N(0) = {0, 1}, |N|^-1/2 = 1/sqrt(2).
  // One factor: p = 0.1, q_0 = 0.3, q_1 = 0.2, y_0 = 0.2, y_1 = -0.4; lr = 0.1, reg = 0.5.
  // Step on (0, 0, 5):
  //   implicit = (0.2 - 0.4) / sqrt(2) = -0.1414214
  //   estimate = 4 + 0.3 (0.1 - 0.1414214) = 3.9875736;  e = 1.0124264
  //   b_u = b_0 = 0.1 * e = 0.1012426
  //   p   = 0.1 + 0.1 (e * 0.3 - 0.5 * 0.1)                  = 0.1253728
  //   q_0 = 0.3 + 0.1 (e * (0.1 - 0.1414214) - 0.5 * 0.3)   = 0.2808064
  //   y_j += 0.1 (e * 0.3 / sqrt(2) - 0.5 y_j): y_0 = 0.2114768, y_1 = -0.3585232
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 2, {{0, 0, 5.f}, {0, 1, 3.f}});
  SvdppRecommender model;
  REQUIRE(model
              .Configure(
                  d.view(),
                  MakeParams({{"factors", int64_t{1}}, {"learning_rate", 0.1}, {"regularization", 0.5}}), 1)
              .ok());
  model.user_row(0)[0] = 0.1f;
  model.item_row(0)[0] = 0.3f;
  model.item_row(1)[0] = 0.2f;
  model.implicit_row(0)[0] = 0.2f;
  model.implicit_row(1)[0] = -0.4f;
  const uint32_t items[] = {0};
  const float ratings[] = {5.f};
  model.TrainUser(0, items, ratings);
  CHECK(model.user_bias()[0] == Approx(0.1012426f));
  CHECK(model.item_bias()[0] == Approx(0.1012426f));
  CHECK(model.item_bias()[1] == 0.f);
  CHECK(model.user_row(0)[0] == Approx(0.1253728f));
  CHECK(model.item_row(0)[0] == Approx(0.2808064f));
  CHECK(model.item_row(1)[0] == Approx(0.2f));
  CHECK(model.implicit_row(0)[0] == Approx(0.2114768f));
  CHECK(model.implicit_row(1)[0] == Approx(-0.3585232f));
}

TEST_CASE("the lazy y_j update equals Surprise's update of every y_j at every rating", "[svdpp]") {
  // Surprise's SVDpp.sgd, written plainly in double: at each rating it
  // recomputes the implicit sum and moves every y_j of N(u).
  OwnedTrainData d = Planted(30, 20, 21);
  const auto& view = d.view();
  SvdppRecommender model;
  const double lr = 0.05, reg = 0.1;
  REQUIRE(
      model
          .Configure(view,
                     MakeParams({{"factors", int64_t{5}}, {"learning_rate", lr}, {"regularization", reg}}), 3)
          .ok());
  const size_t f = 5;
  std::vector<std::vector<double>> p(view.num_users), q(view.num_items), y(view.num_items);
  for (uint32_t u = 0; u < view.num_users; ++u) p[u].assign(model.user_row(u), model.user_row(u) + f);
  for (uint32_t i = 0; i < view.num_items; ++i) {
    q[i].assign(model.item_row(i), model.item_row(i) + f);
    y[i].assign(model.implicit_row(i), model.implicit_row(i) + f);
  }
  std::vector<double> bu(view.num_users, 0.0), bi(view.num_items, 0.0);
  const double mu = view.global_mean;
  size_t position = 0;
  for (const auto& run : model.runs()) {
    const auto rated = view.by_user.RowIndices(run.user);
    const double sqrt_n = std::sqrt(static_cast<double>(rated.size()));
    for (uint32_t c = 0; c < run.count; ++c, ++position) {
      const uint32_t i = model.ordered_ratings()[position].item;
      const double r = model.ordered_ratings()[position].value;
      std::vector<double> implicit(f, 0.0);
      for (uint32_t j : rated) {
        for (size_t k = 0; k < f; ++k) implicit[k] += y[j][k] / sqrt_n;
      }
      double dot = 0;
      for (size_t k = 0; k < f; ++k) dot += q[i][k] * (p[run.user][k] + implicit[k]);
      const double e = r - (mu + bu[run.user] + bi[i] + dot);
      bu[run.user] += lr * (e - reg * bu[run.user]);
      bi[i] += lr * (e - reg * bi[i]);
      for (size_t k = 0; k < f; ++k) {
        const double puf = p[run.user][k], qif = q[i][k];
        p[run.user][k] += lr * (e * qif - reg * puf);
        q[i][k] += lr * (e * (puf + implicit[k]) - reg * qif);
        for (uint32_t j : rated) y[j][k] += lr * (e * qif / sqrt_n - reg * y[j][k]);
      }
    }
  }
  REQUIRE(position == view.nnz());
  model.RunEpoch();
  for (uint32_t u = 0; u < view.num_users; ++u) {
    REQUIRE(model.user_bias()[u] == Approx(bu[u]).margin(1e-4));
    for (size_t k = 0; k < f; ++k) REQUIRE(model.user_row(u)[k] == Approx(p[u][k]).margin(1e-4));
  }
  for (uint32_t i = 0; i < view.num_items; ++i) {
    REQUIRE(model.item_bias()[i] == Approx(bi[i]).margin(1e-4));
    for (size_t k = 0; k < f; ++k) {
      REQUIRE(model.item_row(i)[k] == Approx(q[i][k]).margin(1e-4));
      REQUIRE(model.implicit_row(i)[k] == Approx(y[i][k]).margin(1e-4));
    }
  }
}

TEST_CASE("svd++ training RMSE decreases every epoch", "[svdpp]") {
  OwnedTrainData d = Planted(80, 40, 22);
  SvdppRecommender model;
  REQUIRE(model.Configure(d.view(), MakeParams({{"factors", int64_t{8}}, {"learning_rate", 0.02}}), 42).ok());
  double previous = model.TrainingRmse();
  const double start = previous;
  for (int epoch = 0; epoch < 30; ++epoch) {
    model.RunEpoch();
    const double rmse = model.TrainingRmse();
    INFO("epoch " << epoch);
    CHECK(rmse < previous);
    previous = rmse;
  }
  CHECK(previous < 0.75 * start);
}

TEST_CASE("svd++ scores add the implicit sum to the user factors and do not depend on threads", "[svdpp]") {
  OwnedTrainData d = Planted(60, 30, 23);
  const auto& view = d.view();
  std::vector<float> batch[2];
  for (int threads : {1, 2}) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      SvdppRecommender model;
      Context ctx;
      REQUIRE(model.Fit(view, MakeParams({{"ranking", std::string("rating")}}), ctx).ok());
      std::vector<uint32_t> users(view.num_users), items(view.num_items);
      std::iota(users.begin(), users.end(), 0u);
      std::iota(items.begin(), items.end(), 0u);
      auto& out = batch[threads - 1];
      out.resize(users.size() * items.size());
      REQUIRE(model.ScoreBatch(users, out).ok());
      // user 4 by hand: mu + b_u + b_i + q_i . (p_u + |N|^-1/2 sum_j y_j)
      const auto rated = view.by_user.RowIndices(4);
      std::vector<float> single(items.size());
      REQUIRE(model.Score(4, items, single).ok());
      for (uint32_t i : {0u, 7u}) {
        double dot = 0;
        for (int k = 0; k < model.factors(); ++k) {
          double z = model.user_row(4)[k];
          for (uint32_t j : rated)
            z += model.implicit_row(j)[k] / std::sqrt(static_cast<double>(rated.size()));
          dot += z * model.item_row(i)[k];
        }
        const double expected = model.global_mean() + model.user_bias()[4] + model.item_bias()[i] + dot;
        CHECK(single[i] == Approx(expected).epsilon(1e-5));
        CHECK(out[4 * items.size() + i] == Approx(expected).epsilon(1e-5));
      }
      // the last user has no rating: mu + b_i only
      REQUIRE(model.Score(view.num_users - 1, items, single).ok());
      CHECK(single[3] == Approx(model.global_mean() + model.item_bias()[3]));
    });
  }
  CHECK(batch[0] == batch[1]);
}

TEST_CASE("svd++ fold-in adds the history's implicit term to a ridge solve", "[svdpp]") {
  // As in the mf_sgd fold-in case (mu = 3, q = (1, 2, 3), b_i = (0, 0, 0.5),
  // history item 0 -> 4, item 1 -> 5, reg * n = 0.04), plus y = (0.2, -0.4):
  //   implicit = (0.2 - 0.4) / sqrt(2) = -0.1414214
  //   residuals t_j = r_j - mu - b_j - implicit q_j = (1.1414214, 2.2828427)
  //   [[2.04, 3], [3, 5.04]] (b_u, p_u) = (t_0 + t_1, t_0 + 2 t_1) = (3.4242641, 5.7071068)
  //   b_u = 0.1068747, p_u = 1.0687466
  //   score(item 2) = 3 + 0.1068747 + 0.5 + 3 (1.0687466 - 0.1414214) = 6.3888504
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 3, {{0, 0, 2.f}, {0, 1, 4.f}});
  SvdppRecommender model;
  REQUIRE(
      model.Configure(d.view(), MakeParams({{"factors", int64_t{1}}, {"ranking", std::string("rating")}}), 1)
          .ok());
  model.Finish();  // builds the scoring rows; then set the item side by hand
  model.item_row(0)[0] = 1.f;
  model.item_row(1)[0] = 2.f;
  model.item_row(2)[0] = 3.f;
  model.implicit_row(0)[0] = 0.2f;
  model.implicit_row(1)[0] = -0.4f;
  model.item_bias() = {0.f, 0.f, 0.5f};
  const uint32_t history[] = {0, 1};
  const float values[] = {4.f, 5.f};
  const uint32_t items[] = {2};
  float out[1];
  REQUIRE(model.ScoreHistory(history, values, items, out).ok());
  CHECK(out[0] == Approx(6.3888504f));
}

TEST_CASE("svd++ refuses orders other than whole users in one thread", "[svdpp]") {
  // the svdpp plugin declares no order or strata parameter; the model still
  // refuses them when built with the mf_sgd parameter list
  OwnedTrainData d = Planted(10, 10, 24);
  Params p;
  REQUIRE(Params::Build(reclift::recommenders::kMfSgdParams, {{"strata", int64_t{2}}}, p).ok());
  SvdppRecommender model;
  const reclift::Status s = model.Configure(d.view(), p, 1);
  CHECK(s.message() == "svdpp: runs in user order with strata = 1 only");
}
