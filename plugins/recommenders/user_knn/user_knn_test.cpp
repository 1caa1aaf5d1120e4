#include "user_knn.h"

#include <tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include "../item_knn/knn_test_fixtures.h"
#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Status;
using reclift::Triplet;
using reclift::recommenders::kUserKnnParams;
using reclift::recommenders::UserKnnRecommender;
namespace knn = reclift::recommenders::knn;
namespace knn_test = reclift::recommenders::knn_test;
using knn_test::Binary4x3;
using knn_test::Ratings3x3;
using knn_test::Row;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kUserKnnParams, given);
}

UserKnnRecommender Fitted(const OwnedTrainData& d, const std::map<std::string, ParamValue>& given) {
  return knn_test::Fitted<UserKnnRecommender>(d, kUserKnnParams, given);
}

}  // namespace

TEST_CASE("user similarities equal Surprise's msd, cosine and pearson worked by hand", "[user_knn]") {
  OwnedTrainData d = Ratings3x3();
  SECTION("msd") {
    // (u0, u1) share i0, i1: (1 + 1) / 2 = 1 -> 1/2; (u0, u2): (4 + 1) / 2 -> 2/7;
    // (u1, u2) share all: (1 + 4 + 4) / 3 = 3 -> 1/4
    UserKnnRecommender m = Fitted(d, {{"similarity", "msd"}});
    CHECK(Row(m, 0).at(1) == Approx(0.5));
    CHECK(Row(m, 0).at(2) == Approx(2.0 / 7));
    CHECK(Row(m, 1).at(2) == Approx(0.25));
  }
  SECTION("cosine over the shared items") {
    // (u0, u1): (2 + 6) / sqrt(5 * 13); (u1, u2): (6 + 3 + 8) / sqrt(29 * 14)
    UserKnnRecommender m = Fitted(d, {{"similarity", "cosine"}});
    CHECK(Row(m, 0).at(1) == Approx(8 / std::sqrt(65.0)));
    CHECK(Row(m, 1).at(2) == Approx(17 / std::sqrt(406.0)));
  }
  SECTION("pearson") {
    // (u1, u2): (2, 3, 4) against (3, 1, 2): deviations (-1, 0, 1), (1, -1, 0): cov -1, variances 2, 2
    UserKnnRecommender m = Fitted(d, {{"similarity", "pearson"}});
    CHECK(Row(m, 1).at(2) == Approx(-0.5));
    CHECK(Row(m, 0).at(1) == Approx(1.0));  // two shared items, both rising
  }
}

TEST_CASE("user-based predictions of each mode match Surprise's KNN algorithms by hand", "[user_knn]") {
  // Predict (u0, i2) with msd: raters of i2 are u1 (4, sim 1/2) and u2 (2, sim 2/7); sims sum to 11/14.
  OwnedTrainData d = Ratings3x3();
  const uint32_t item2[] = {2};
  float out[1];
  auto predict = [&](std::map<std::string, ParamValue> given) {
    given.emplace("similarity", "msd");
    UserKnnRecommender m = Fitted(d, given);
    REQUIRE(m.Predict(0, item2, out).ok());
    return static_cast<double>(out[0]);
  };
  SECTION("KNNBasic: (1/2 * 4 + 2/7 * 2) / (11/14) = 36/11") {
    CHECK(predict({}) == Approx(36.0 / 11));
  }
  SECTION("KNNWithMeans: 3/2 + (1/2 * (4 - 3) + 2/7 * (2 - 2)) / (11/14) = 3/2 + 7/11") {
    CHECK(predict({{"prediction", "means"}}) == Approx(1.5 + 7.0 / 11));
  }
  SECTION("KNNBaseline: one ALS sweep without regularisation") {
    // b_i = item mean - 9/4 = (-1/4, -1/4, 3/4); b_u = mean of (r - 9/4 - b_i):
    //   b_u0 = (-1 + 0) / 2 = -1/2, b_u1 = (0 + 1 + 1) / 3 = 2/3, b_u2 = (1 - 1 - 1) / 3 = -1/3
    // base(u0, i2) = 9/4 - 1/2 + 3/4 = 5/2
    // residuals on i2: u1 4 - (9/4 + 2/3 + 3/4) = 1/3; u2 2 - (9/4 - 1/3 + 3/4) = -2/3
    // est = 5/2 + (1/2 * 1/3 - 2/7 * 2/3) / (11/14) = 5/2 - 1/33 = 163/66
    CHECK(predict({{"prediction", "baseline"},
                   {"baseline_epochs", int64_t{1}},
                   {"baseline_reg_users", 0.0},
                   {"baseline_reg_items", 0.0}}) == Approx(163.0 / 66));
  }
  SECTION("k = 1 keeps u1; too few neighbours for min_k falls back to the global mean") {
    CHECK(predict({{"k", int64_t{1}}}) == Approx(4.0));
    CHECK(predict({{"k", int64_t{3}}, {"min_k", int64_t{3}}}) == Approx(9.0 / 4));
    CHECK(predict({{"k", int64_t{3}}, {"min_k", int64_t{3}}, {"prediction", "means"}}) == Approx(1.5));
  }
}

TEST_CASE("top-N scores sum the similarities of the k nearest users who used each item", "[user_knn]") {
  // cosine_full on binary users: s(u0,u1) = 1/2, s(u0,u2) = 1, s(u1,u2) = 1/2, s(u1,u3) = 1/sqrt(2)
  OwnedTrainData d = Binary4x3();
  const uint32_t all[] = {0, 1, 2};
  float out[3];
  SECTION("u0 with k = 1 uses u2 = {0, 1}; with k = 2 adds u1 = {1, 2}") {
    UserKnnRecommender one = Fitted(d, {{"k", int64_t{1}}});
    REQUIRE(one.Score(0, all, out).ok());
    CHECK(out[0] == Approx(1.0));
    CHECK(out[1] == Approx(1.0));
    CHECK(out[2] == 0.f);
    UserKnnRecommender two = Fitted(d, {{"k", int64_t{2}}});
    REQUIRE(two.Score(0, all, out).ok());
    CHECK(out[0] == Approx(1.0));
    CHECK(out[1] == Approx(1.5));
    CHECK(out[2] == Approx(0.5));
    auto why = two.Explain(0, 1, 5);  // item 1: u2 (1) then u1 (1/2)
    REQUIRE(why.size() == 2);
    CHECK(why[0].first == 2);
    CHECK(why[1].first == 1);
    CHECK(why[1].second == Approx(0.5));
    CHECK(two.Explain(0, 2, 5).size() == 1);
    CHECK(two.Explain(0, 1, 1).size() == 1);
  }
  SECTION("u3 = {2} has the single neighbour u1 = {1, 2}") {
    UserKnnRecommender m = Fitted(d, {});
    REQUIRE(m.Score(3, all, out).ok());
    CHECK(out[0] == 0.f);
    CHECK(out[1] == Approx(1 / std::sqrt(2.0)));
    CHECK(out[2] == Approx(1 / std::sqrt(2.0)));
  }
  SECTION("fold-in: a new user who took item 0 is like u0 and u2 (sim 1/sqrt(2) each)") {
    UserKnnRecommender m = Fitted(d, {});
    const uint32_t history[] = {0};
    REQUIRE(m.ScoreHistory(history, {}, all, out).ok());
    CHECK(out[0] == Approx(std::sqrt(2.0)));
    CHECK(out[1] == Approx(std::sqrt(2.0)));
    CHECK(out[2] == 0.f);
  }
}

TEST_CASE("user_knn ScoreBatch agrees with Score and fold-in of a user's own ratings finds the user",
          "[user_knn]") {
  std::mt19937 rng(21);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 60; ++u)
    for (uint32_t i = 0; i < 25; ++i)
      if (rng() % 3 == 0) t.push_back({u, i, static_cast<float>(1 + rng() % 5)});
  OwnedTrainData d = OwnedTrainData::FromTriplets(60, 25, std::span<const Triplet>(t), true);
  UserKnnRecommender m = Fitted(d, {{"similarity", "pearson_baseline"}, {"k", int64_t{10}}});
  std::vector<uint32_t> users(60), items(25);
  std::iota(users.begin(), users.end(), 0u);
  std::iota(items.begin(), items.end(), 0u);
  std::vector<float> batch(60 * 25), one(25);
  REQUIRE(m.ScoreBatch(users, batch).ok());
  for (uint32_t u = 0; u < 60; ++u) {
    REQUIRE(m.Score(u, items, one).ok());
    for (uint32_t j = 0; j < 25; ++j) CHECK(batch[u * 25 + j] == one[j]);
  }
  // a copy of u5's ratings folded in: its most similar training user is u5 itself (rho = 1, shrunk)
  const auto h = d.view().by_user.RowIndices(5);
  const auto v = d.view().by_user.RowValues(5);
  const std::vector<knn::Neighbour> nbs = m.core().FoldInNeighbours(h, v, 3);
  REQUIRE(!nbs.empty());
  CHECK(nbs[0].id == 5);
  const double n = static_cast<double>(h.size());
  CHECK(nbs[0].similarity == Approx((n - 1) / (n - 1 + 100)).epsilon(1e-3));
}

TEST_CASE("user_knn gives the same model under 1 and 2 threads", "[user_knn]") {
  std::mt19937 rng(4);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 300; ++u)
    for (uint32_t i = 0; i < 80; ++i)
      if (rng() % 5 == 0) t.push_back({u, i, static_cast<float>(1 + rng() % 5)});
  OwnedTrainData d = OwnedTrainData::FromTriplets(300, 80, std::span<const Triplet>(t), true);
  const Params p = MakeParams({{"similarity", "pearson"}, {"top_neighbours", int64_t{15}}});
  UserKnnRecommender one, two;
  REQUIRE(tbb::task_arena(1).execute([&] { return one.Fit(d.view(), p, Context{}); }).ok());
  REQUIRE(tbb::task_arena(2).execute([&] { return two.Fit(d.view(), p, Context{}); }).ok());
  REQUIRE(one.neighbours().entries.size() == two.neighbours().entries.size());
  REQUIRE(one.neighbours().offsets == two.neighbours().offsets);
  for (size_t e = 0; e < one.neighbours().entries.size(); ++e) {
    REQUIRE(one.neighbours().entries[e].id == two.neighbours().entries[e].id);
    REQUIRE(one.neighbours().entries[e].similarity == two.neighbours().entries[e].similarity);
  }
}

TEST_CASE("user_knn refuses constant values for rating similarities, naming the fix", "[user_knn]") {
  UserKnnRecommender m;
  const Status s = m.Fit(Binary4x3().view(), MakeParams({{"similarity", "pearson"}}), Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "similarity 'pearson' needs varying values such as ratings, but every training value is 1, which "
        "makes it the same for every pair that shares an item; use similarity = \"cosine_full\" for "
        "implicit feedback");
}
