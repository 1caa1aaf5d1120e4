#include "ease.h"

#include <tbb/task_arena.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
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
using reclift::recommenders::EaseRecommender;
using reclift::recommenders::kEaseParams;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kEaseParams, given);
}

// Users: u0 = {0, 1}, u1 = {1, 2}, u2 = {0, 1}, u3 = {2}.
OwnedTrainData HandExample() {
  return OwnedTrainData::FromTriplets(4, 3, {{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {3, 2}}, false);
}

}  // namespace

TEST_CASE("ease weights equal Steck's closed form on a 3-item example worked by hand", "[ease]") {
  // X^T X counts co-occurrences: item 0 twice, item 1 four times, item 2
  // twice; (0,1) twice, (1,2) once, (0,2) never. With lambda = 1:
  //   G = [[3, 2, 0], [2, 4, 1], [0, 1, 3]],  det G = 3*11 - 2*6 + 0 = 21
  //   P = G^-1 = adj(G) / 21 = [[11, -6, 2], [-6, 9, -3], [2, -3, 8]] / 21
  //   B_ij = -P_ij / P_jj, B_jj = 0:
  //   B = [[0, 6/9, -2/8], [6/11, 0, 3/8], [-2/11, 3/9, 0]]
  //     = [[0, 2/3, -1/4], [6/11, 0, 3/8], [-2/11, 1/3, 0]]
  // u0 = {0, 1} scores row0 + row1 = [6/11, 2/3, 1/8];
  // u3 = {2} scores row2 = [-2/11, 1/3, 0].
  OwnedTrainData d = HandExample();
  for (const std::string precision : {"float", "double"}) {
    INFO(precision);
    EaseRecommender ease;
    REQUIRE(ease.Fit(d.view(), MakeParams({{"lambda", 1.0}, {"precision", precision}}), Context{}).ok());
    const double expected[3][3] = {{0, 2.0 / 3, -1.0 / 4}, {6.0 / 11, 0, 3.0 / 8}, {-2.0 / 11, 1.0 / 3, 0}};
    for (uint32_t i = 0; i < 3; ++i)
      for (uint32_t j = 0; j < 3; ++j) CHECK(ease.weight(i, j) == Approx(expected[i][j]).margin(1e-6));
    std::vector<uint32_t> all = {0, 1, 2};
    std::vector<float> scores(3);
    REQUIRE(ease.Score(0, all, scores).ok());
    CHECK(scores[0] == Approx(6.0 / 11).margin(1e-6));
    CHECK(scores[1] == Approx(2.0 / 3).margin(1e-6));
    CHECK(scores[2] == Approx(1.0 / 8).margin(1e-6));
    REQUIRE(ease.Score(3, all, scores).ok());
    CHECK(scores[0] == Approx(-2.0 / 11).margin(1e-6));
    CHECK(scores[1] == Approx(1.0 / 3).margin(1e-6));
    CHECK(scores[2] == Approx(0.0).margin(1e-6));
  }
}

TEST_CASE("ease with binarize = false weighs the Gram matrix by the values", "[ease]") {
  // One user with values 2 (item 0) and 1 (item 1), lambda = 1:
  //   X^T X = [[4, 2], [2, 1]], G = [[5, 2], [2, 2]], det 6, P = [[2, -2], [-2, 5]] / 6
  //   B_01 = -P_01 / P_11 = 2/5, B_10 = -P_10 / P_00 = 1
  // The user's score of item 1: 2 * B_01 = 4/5; of item 0: 1 * B_10 = 1.
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 2, {{0, 0, 2.f}, {0, 1, 1.f}}, true);
  EaseRecommender ease;
  REQUIRE(ease.Fit(d.view(), MakeParams({{"lambda", 1.0}, {"binarize", false}}), Context{}).ok());
  CHECK(ease.weight(0, 1) == Approx(0.4).margin(1e-6));
  CHECK(ease.weight(1, 0) == Approx(1.0).margin(1e-6));
  std::vector<uint32_t> all = {0, 1};
  std::vector<float> scores(2);
  REQUIRE(ease.Score(0, all, scores).ok());
  CHECK(scores[0] == Approx(1.0).margin(1e-6));
  CHECK(scores[1] == Approx(0.8).margin(1e-6));
}

TEST_CASE("ease batch, single and fold-in scores agree, and fits agree across thread counts", "[ease]") {
  std::mt19937_64 rng(5);
  std::vector<Triplet> triplets;
  for (uint32_t u = 0; u < 300; ++u) {
    const uint32_t group = u % 3;
    for (uint32_t i = 0; i < 150; ++i) {
      const double p = i / 50 == group ? 0.3 : 0.02;
      if (std::bernoulli_distribution(p)(rng)) triplets.push_back({u, i, 1.f});
    }
  }
  OwnedTrainData d = OwnedTrainData::FromTriplets(300, 150, triplets, false);
  auto fit_with = [&](int threads, EaseRecommender& ease) {
    tbb::task_arena arena(threads);
    Context ctx;
    ctx.num_threads = threads;  // OpenBLAS's threads too
    arena.execute([&] { REQUIRE(ease.Fit(d.view(), MakeParams({{"lambda", 10.0}}), ctx).ok()); });
  };
  EaseRecommender one, two;
  fit_with(1, one);
  fit_with(2, two);
  bool identical = true;
  for (uint32_t i = 0; i < 150; ++i)
    for (uint32_t j = 0; j < 150; ++j) identical = identical && one.weight(i, j) == two.weight(i, j);
  CHECK(identical);

  std::vector<uint32_t> users = {0, 1, 299}, all(150);
  for (uint32_t i = 0; i < 150; ++i) all[i] = i;
  std::vector<float> batch(users.size() * 150), single(150), folded(150);
  REQUIRE(one.ScoreBatch(users, batch).ok());
  for (size_t b = 0; b < users.size(); ++b) {
    REQUIRE(one.Score(users[b], all, single).ok());
    REQUIRE(one.ScoreHistory(d.view().by_user.RowIndices(users[b]), {}, all, folded).ok());
    for (uint32_t i = 0; i < 150; ++i) {
      CHECK(batch[b * 150 + i] == Approx(single[i]).margin(1e-5));
      CHECK(folded[i] == single[i]);
    }
    // the planted group's items outscore the others on average
    const uint32_t group = users[b] % 3;
    double inside = 0, outside = 0;
    for (uint32_t i = 0; i < 150; ++i) (i / 50 == group ? inside : outside) += single[i];
    CHECK(inside / 50 > outside / 100);
  }
}

TEST_CASE("ease refuses a catalogue above its memory budget, naming the parameter to raise", "[ease]") {
  // 20000 items in float: one matrix inverted in place, 20000^2 * 4 bytes =
  // 1.6e9 bytes = 1.49 GiB = 1525.9 MiB; in double the double matrix and
  // the float weights, 20000^2 * 12 bytes
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 20000, {{0, 0}}, false);
  EaseRecommender ease;
  const reclift::Status s = ease.Fit(d.view(), MakeParams({{"memory_budget_mb", int64_t{1024}}}), Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "ease: 20000 items need a dense 20000 x 20000 float matrix, 1.49 GiB, more than memory_budget_mb = "
        "1024; raise memory_budget_mb to at least 1526 or reduce the catalogue");
  CHECK(EaseRecommender::RequiredBytes(20000, true) == 4800000000ull);
}

TEST_CASE("ease refuses out-of-range ids with a clear message", "[ease]") {
  OwnedTrainData d = HandExample();
  EaseRecommender ease;
  REQUIRE(ease.Fit(d.view(), MakeParams({}), Context{}).ok());
  std::vector<uint32_t> items = {3};
  std::vector<float> out(1);
  CHECK(ease.Score(0, items, out).message() ==
        "ease: candidate item id 3 is out of range (the model has 3 items)");
  CHECK(ease.Score(4, items, out).message() == "ease: user id 4 is out of range (the model has 4 users)");
  CHECK(ease.ScoreHistory(items, {}, std::vector<uint32_t>{0}, out).message() ==
        "ease: history item id 3 is out of range (the model has 3 items)");
}

TEST_CASE("ease's tiled LAPACK inverse matches Eigen in double and is the same for any thread count",
          "[ease]") {
  // Reference: G = X^T X + lambda I built densely, P = G^-1 by Eigen's LLT in
  // double, B_ij = -P_ij / P_jj. float must agree to 1e-4 (the bar for the
  // switch from Eigen to LAPACK).
  const uint32_t users = 500, items = 700;  // 3 x 3 tiles of 256
  std::mt19937_64 rng(11);
  std::vector<Triplet> triplets;
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(users, items);
  for (uint32_t u = 0; u < users; ++u) {
    for (uint32_t i = 0; i < items; ++i) {
      const double p = (i % 7 == u % 7) ? 0.2 : 0.03;
      if (std::bernoulli_distribution(p)(rng)) {
        triplets.push_back({u, i, 1.f});
        x(u, i) = 1;
      }
    }
  }
  const double lambda = 20;
  Eigen::MatrixXd g = x.transpose() * x;
  g.diagonal().array() += lambda;
  const Eigen::MatrixXd p = g.llt().solve(Eigen::MatrixXd::Identity(items, items));
  OwnedTrainData d = OwnedTrainData::FromTriplets(users, items, triplets, false);
  for (const std::string precision : {"float", "double"}) {
    INFO(precision);
    EaseRecommender ease;
    Context ctx;
    ctx.num_threads = 2;
    REQUIRE(ease.Fit(d.view(), MakeParams({{"lambda", lambda}, {"precision", precision}}), ctx).ok());
    double worst = 0;
    for (uint32_t i = 0; i < items; ++i) {
      for (uint32_t j = 0; j < items; ++j) {
        const double expected = i == j ? 0.0 : -p(i, j) / p(j, j);
        worst = std::max(worst, std::fabs(ease.weight(i, j) - expected));
      }
    }
    // float weights are stored either way: 1e-9 is below float's resolution
    // of these weights (|B| < 1), so double is checked to 1e-7
    CHECK(worst < (precision == "float" ? 1e-4 : 1e-7));

    // 1, 2 and 3 threads: the same weights, bit for bit
    for (int threads : {1, 3}) {
      EaseRecommender other;
      tbb::task_arena arena(threads);
      Context other_ctx;
      other_ctx.num_threads = threads;
      arena.execute([&] {
        REQUIRE(
            other.Fit(d.view(), MakeParams({{"lambda", lambda}, {"precision", precision}}), other_ctx).ok());
      });
      bool identical = true;
      for (uint32_t i = 0; i < items; ++i)
        for (uint32_t j = 0; j < items; ++j) identical = identical && other.weight(i, j) == ease.weight(i, j);
      INFO("threads " << threads);
      CHECK(identical);
    }
  }
}
