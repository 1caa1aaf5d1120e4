#include "item_knn.h"

#include <tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include "knn_test_fixtures.h"
#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Status;
using reclift::Triplet;
using reclift::recommenders::ItemKnnRecommender;
using reclift::recommenders::kItemKnnParams;
namespace knn = reclift::recommenders::knn;
namespace knn_test = reclift::recommenders::knn_test;
using knn_test::Binary4x3;
using knn_test::Ratings3x3;
using knn_test::Row;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kItemKnnParams, given);
}

ItemKnnRecommender Fitted(const OwnedTrainData& d, const std::map<std::string, ParamValue>& given) {
  return knn_test::Fitted<ItemKnnRecommender>(d, kItemKnnParams, given);
}

}  // namespace

TEST_CASE("item similarities equal Surprise's cosine, pearson and msd worked by hand", "[item_knn]") {
  OwnedTrainData d = Ratings3x3();
  SECTION("cosine over the shared users only") {
    // (i0, i1) share u0..u2: 11 / sqrt(14 * 14) = 11/14
    // (i0, i2) share u1, u2: (2*4 + 3*2) / sqrt((4 + 9) * (16 + 4)) = 14 / sqrt(260)
    // (i1, i2) share u1, u2: (3*4 + 1*2) / sqrt((9 + 1) * 20) = 14 / sqrt(200)
    ItemKnnRecommender m = Fitted(d, {{"similarity", "cosine"}});
    CHECK(Row(m, 0).at(1) == Approx(11.0 / 14));
    CHECK(Row(m, 0).at(2) == Approx(14 / std::sqrt(260.0)));
    CHECK(Row(m, 1).at(2) == Approx(14 / std::sqrt(200.0)));
    CHECK(Row(m, 2).at(1) == Approx(14 / std::sqrt(200.0)));  // symmetric
  }
  SECTION("cosine_full over the whole vectors") {
    // norms sqrt(14), sqrt(14), sqrt(20); i0.i2 = i1.i2 = 14 (i2 has no u0 rating)
    ItemKnnRecommender m = Fitted(d, {{"similarity", "cosine_full"}});
    CHECK(Row(m, 0).at(1) == Approx(11.0 / 14));
    CHECK(Row(m, 0).at(2) == Approx(14 / std::sqrt(280.0)));
    CHECK(Row(m, 1).at(2) == Approx(14 / std::sqrt(280.0)));
  }
  SECTION("pearson over the shared users, negative values included") {
    // (i0, i1): deviations from the means 2, 2 are (-1, 0, 1) and (0, 1, -1):
    //   cov -1, variances 2 and 2 -> -1/2
    // (i0, i2) on two users: (2, 3) against (4, 2) -> -1; (i1, i2): (3, 1) against (4, 2) -> +1
    ItemKnnRecommender m = Fitted(d, {{"similarity", "pearson"}});
    CHECK(Row(m, 0).at(1) == Approx(-0.5));
    CHECK(Row(m, 0).at(2) == Approx(-1.0));
    CHECK(Row(m, 1).at(2) == Approx(1.0));
    // only positive similarities are stored: i2's sole neighbour is i1
    REQUIRE(m.neighbours().Row(2).size() == 1);
    CHECK(m.neighbours().Row(2)[0].id == 1);
    CHECK(m.neighbours().Row(0).empty());
  }
  SECTION("msd: 1 / (mean squared difference + 1)") {
    // (i0, i1): (1 + 1 + 4) / 3 = 2 -> 1/3; (i0, i2): (4 + 1) / 2 -> 1/3.5 = 2/7;
    // (i1, i2): (1 + 1) / 2 = 1 -> 1/2
    ItemKnnRecommender m = Fitted(d, {{"similarity", "msd"}});
    CHECK(Row(m, 0).at(1) == Approx(1.0 / 3));
    CHECK(Row(m, 0).at(2) == Approx(2.0 / 7));
    CHECK(Row(m, 1).at(2) == Approx(0.5));
  }
}

TEST_CASE("pearson_baseline is shrunk by (n - 1) / (n - 1 + shrinkage)", "[item_knn]") {
  // baseline_epochs = 0 leaves every bias 0, so residuals are r - 9/4.
  // (i1, i2) share u1, u2: residuals (3/4, -5/4) and (7/4, -1/4):
  //   prods 21/16 + 5/16 = 13/8, squares 34/16 and 50/16
  //   rho = (13/8) / sqrt(34/16 * 50/16) = 0.6305926...
  // n = 2: shrinkage 0 keeps rho, shrinkage 1 halves it, shrinkage 100 divides it by 101.
  // (i0, i1) share 3 users: residuals (-5/4, -1/4, 3/4), (-1/4, 3/4, -5/4): rho = -13/35 (not stored).
  OwnedTrainData d = Ratings3x3();
  const double rho = 1.625 / std::sqrt(2.125 * 3.125);
  for (double shrinkage : {0.0, 1.0, 100.0}) {
    INFO("shrinkage " << shrinkage);
    ItemKnnRecommender m = Fitted(
        d, {{"similarity", "pearson_baseline"}, {"baseline_epochs", int64_t{0}}, {"shrinkage", shrinkage}});
    CHECK(Row(m, 1).at(2) == Approx(rho / (1 + shrinkage)));
    CHECK(Row(m, 0).at(1) == Approx(-13.0 / 35 * 2 / (2 + shrinkage)));
  }
}

TEST_CASE("pairs sharing fewer users than min_support have similarity 0", "[item_knn]") {
  // With min_support 3 only (i0, i1), which share all three users, keeps its msd of 1/3.
  OwnedTrainData d = Ratings3x3();
  ItemKnnRecommender m = Fitted(d, {{"similarity", "msd"}, {"min_support", int64_t{3}}});
  CHECK(Row(m, 0).at(1) == Approx(1.0 / 3));
  CHECK(Row(m, 0).at(2) == 0.0);
  CHECK(Row(m, 1).at(2) == 0.0);
  CHECK(m.neighbours().Row(2).empty());
  REQUIRE(m.neighbours().Row(0).size() == 1);
  CHECK(m.neighbours().Row(0)[0].id == 1);
}

TEST_CASE("top_neighbours keeps only the most similar items, best first", "[item_knn]") {
  SECTION("by hand: cosine on the 3x3 ratings") {
    // similarities: (0,1) 0.786, (0,2) 0.868, (1,2) 0.990
    ItemKnnRecommender m = Fitted(Ratings3x3(), {{"similarity", "cosine"}, {"top_neighbours", int64_t{1}}});
    REQUIRE(m.neighbours().Row(0).size() == 1);
    CHECK(m.neighbours().Row(0)[0].id == 2);
    CHECK(m.neighbours().Row(1)[0].id == 2);
    CHECK(m.neighbours().Row(2)[0].id == 1);
    ItemKnnRecommender all = Fitted(Ratings3x3(), {{"similarity", "cosine"}, {"top_neighbours", int64_t{0}}});
    REQUIRE(all.neighbours().Row(0).size() == 2);
    CHECK(all.neighbours().Row(0)[0].id == 2);
    CHECK(all.neighbours().Row(0)[1].id == 1);
  }
  SECTION("on random data the stored lists are the heads of the full rows") {
    std::mt19937 rng(3);
    std::vector<Triplet> t;
    for (uint32_t u = 0; u < 80; ++u)
      for (uint32_t i = 0; i < 50; ++i)
        if (rng() % 4 == 0) t.push_back({u, i, static_cast<float>(1 + rng() % 5)});
    OwnedTrainData d = OwnedTrainData::FromTriplets(80, 50, std::span<const Triplet>(t), true);
    ItemKnnRecommender m = Fitted(d, {{"similarity", "pearson"}, {"top_neighbours", int64_t{5}}});
    for (uint32_t x = 0; x < 50; ++x) {
      std::vector<knn::Neighbour> full = m.core().SimilarityRow(x);
      std::erase_if(full, [](const knn::Neighbour& n) { return !(n.similarity > 0); });
      std::sort(full.begin(), full.end(), [](auto& a, auto& b) {
        return a.similarity > b.similarity || (a.similarity == b.similarity && a.id < b.id);
      });
      const auto kept = m.neighbours().Row(x);
      REQUIRE(kept.size() == std::min<size_t>(5, full.size()));
      for (size_t r = 0; r < kept.size(); ++r) {
        CHECK(kept[r].id == full[r].id);
        CHECK(kept[r].similarity == full[r].similarity);
      }
    }
  }
}

TEST_CASE("baselines follow Surprise's ALS sweeps, worked by hand", "[item_knn]") {
  // u0: i0 = 4, i1 = 2; u1: i0 = 5. mu = 11/3, reg_i = reg_u = 1, one sweep:
  //   b_i0 = ((4 - 11/3) + (5 - 11/3)) / (1 + 2) = 5/9;  b_i1 = (2 - 11/3) / (1 + 1) = -5/6
  //   b_u0 = ((4 - 11/3 - 5/9) + (2 - 11/3 + 5/6)) / 3 = (-2/9 - 5/6) / 3 = -19/54
  //   b_u1 = (5 - 11/3 - 5/9) / 2 = 7/18
  OwnedTrainData d = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 4}, {0, 1, 2}, {1, 0, 5}}, true);
  knn::Baselines b = knn::FitBaselines(d.view(), 1, 1.0, 1.0);
  CHECK(b.global_mean == Approx(11.0 / 3));
  CHECK(b.item_bias[0] == Approx(5.0 / 9));
  CHECK(b.item_bias[1] == Approx(-5.0 / 6));
  CHECK(b.user_bias[0] == Approx(-19.0 / 54));
  CHECK(b.user_bias[1] == Approx(7.0 / 18));
}

TEST_CASE("item-based predictions of each mode match Surprise's formulas by hand", "[item_knn]") {
  // Predict (u0, i2) with msd: u0 rated i0 = 1 (sim(i2, i0) = 2/7) and i1 = 2 (sim 1/2); sum of sims 11/14.
  OwnedTrainData d = Ratings3x3();
  const uint32_t item2[] = {2};
  float out[1];
  auto predict = [&](std::map<std::string, ParamValue> given) {
    given.emplace("similarity", "msd");
    ItemKnnRecommender m = Fitted(d, given);
    REQUIRE(m.Predict(0, item2, out).ok());
    return static_cast<double>(out[0]);
  };
  SECTION("basic: (2/7 * 1 + 1/2 * 2) / (11/14) = 18/11") {
    CHECK(predict({}) == Approx(18.0 / 11));
  }
  SECTION("means: mean(i2) 3 + (2/7 * (1 - 2) + 1/2 * (2 - 2)) / (11/14) = 3 - 4/11") {
    CHECK(predict({{"prediction", "means"}}) == Approx(3.0 - 4.0 / 11));
  }
  SECTION("baseline: one ALS sweep without regularisation") {
    // b_i = item mean - 9/4 = (-1/4, -1/4, 3/4); then b_u0 = ((1 - 2) + (2 - 2)) / 2 = -1/2.
    // base(u0, i2) = 9/4 - 1/2 + 3/4 = 5/2; residuals: i0 1 - 3/2 = -1/2, i1 2 - 3/2 = 1/2
    // est = 5/2 + (2/7 * -1/2 + 1/2 * 1/2) / (11/14) = 5/2 + 3/22 = 29/11
    CHECK(predict({{"prediction", "baseline"},
                   {"baseline_epochs", int64_t{1}},
                   {"baseline_reg_users", 0.0},
                   {"baseline_reg_items", 0.0}}) == Approx(29.0 / 11));
  }
  SECTION("k = 1 uses only the most similar rated item, i1") {
    CHECK(predict({{"k", int64_t{1}}}) == Approx(2.0));
    CHECK(predict({{"k", int64_t{1}}, {"prediction", "means"}}) == Approx(3.0));
  }
  SECTION("fewer than min_k neighbours: global mean, item mean, baseline") {
    CHECK(predict({{"k", int64_t{3}}, {"min_k", int64_t{3}}}) == Approx(9.0 / 4));
    CHECK(predict({{"k", int64_t{3}}, {"min_k", int64_t{3}}, {"prediction", "means"}}) == Approx(3.0));
    CHECK(predict({{"k", int64_t{3}},
                   {"min_k", int64_t{3}},
                   {"prediction", "baseline"},
                   {"baseline_epochs", int64_t{1}},
                   {"baseline_reg_users", 0.0},
                   {"baseline_reg_items", 0.0}}) == Approx(2.5));
  }
}

TEST_CASE("an unknown user is predicted the global mean and predictions stay in the rating range",
          "[item_knn]") {
  // u3 has no training rating. The pair (u0, i2) with pearson has only i1 as a neighbour (sim 1),
  // so basic predicts u0's rating of i1, 2; means predicts 3 + (2 - 2) = 3.
  OwnedTrainData d = OwnedTrainData::FromTriplets(
      4, 3, {{0, 0, 1}, {0, 1, 2}, {1, 0, 2}, {1, 1, 3}, {1, 2, 4}, {2, 0, 3}, {2, 1, 1}, {2, 2, 2}}, true);
  ItemKnnRecommender m = Fitted(d, {{"similarity", "pearson"}});
  const uint32_t items[] = {0, 1, 2};
  float out[3];
  REQUIRE(m.Predict(3, items, out).ok());
  for (float v : out) CHECK(v == Approx(9.0 / 4));
  REQUIRE(m.Predict(0, items, out).ok());
  CHECK(out[2] == Approx(2.0));
  for (float v : out) {
    CHECK(v >= 1.f);
    CHECK(v <= 4.f);
  }
}

TEST_CASE("top-N scores sum the similarities of the history items among each item's neighbours",
          "[item_knn]") {
  // cosine_full on binary data = co-count / sqrt(n_i * n_j):
  //   s(0,1) = 2 / sqrt(2 * 3) = 0.8165, s(1,2) = 1 / sqrt(3 * 2) = 0.4082, s(0,2) = 0
  // u1 = {1, 2}: item0 gets s(0,1); item1 gets s(1,2); item2 gets s(2,1). Items score their own
  // similarity to other history items only (no self-similarity); seen items are scored, not masked.
  OwnedTrainData d = Binary4x3();
  const double s01 = 2 / std::sqrt(6.0), s12 = 1 / std::sqrt(6.0);
  const uint32_t all[] = {0, 1, 2};
  float out[3];
  ItemKnnRecommender m = Fitted(d, {});
  REQUIRE(m.Score(1, all, out).ok());
  CHECK(out[0] == Approx(s01));
  CHECK(out[1] == Approx(s12));
  CHECK(out[2] == Approx(s12));
  REQUIRE(m.Score(3, all, out).ok());  // u3 = {2}
  CHECK(out[0] == 0.f);
  CHECK(out[1] == Approx(s12));
  CHECK(out[2] == 0.f);

  SECTION("with top_neighbours = 1 only each item's best neighbour counts") {
    // lists: 0 -> [1], 1 -> [0], 2 -> [1]; for u1 = {1, 2}: item1's list {0} misses the history
    ItemKnnRecommender pruned = Fitted(d, {{"top_neighbours", int64_t{1}}});
    REQUIRE(pruned.Score(1, all, out).ok());
    CHECK(out[0] == Approx(s01));
    CHECK(out[1] == 0.f);
    CHECK(out[2] == Approx(s12));
  }
  SECTION("Explain names the contributing history items, most similar first") {
    // u0 = {0, 1} and item 2: only item 1 is a neighbour of item 2
    auto why = m.Explain(0, 2, 5);
    REQUIRE(why.size() == 1);
    CHECK(why[0].first == 1);
    CHECK(why[0].second == Approx(s12));
    // u1 = {1, 2} and item 0: item 1 contributes s01; limited to n = 0 it says nothing
    why = m.Explain(1, 0, 5);
    REQUIRE(why.size() == 1);
    CHECK(why[0].first == 1);
    CHECK(m.Explain(1, 0, 0).empty());
    CHECK(m.Explain(99, 0, 5).empty());
  }
}

TEST_CASE("Explain's similarities add up to the score", "[item_knn]") {
  std::mt19937 rng(11);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 60; ++u)
    for (uint32_t i = 0; i < 40; ++i)
      if (rng() % 3 == 0) t.push_back({u, i, 1.f});
  OwnedTrainData d = OwnedTrainData::FromTriplets(60, 40, std::span<const Triplet>(t), false);
  ItemKnnRecommender m = Fitted(d, {{"top_neighbours", int64_t{6}}});
  std::vector<uint32_t> all(40);
  std::iota(all.begin(), all.end(), 0u);
  std::vector<float> scores(40);
  for (uint32_t u = 0; u < 60; u += 7) {
    REQUIRE(m.Score(u, all, scores).ok());
    for (uint32_t j = 0; j < 40; ++j) {
      double sum = 0;
      for (auto [h, s] : m.Explain(u, j, 1000)) sum += s;
      CHECK(sum == Approx(scores[j]).margin(1e-5));
    }
  }
}

TEST_CASE("ScoreBatch and ScoreHistory agree with Score", "[item_knn]") {
  std::mt19937 rng(5);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 50; ++u)
    for (uint32_t i = 0; i < 30; ++i)
      if (rng() % 4 == 0) t.push_back({u, i, static_cast<float>(1 + rng() % 5)});
  OwnedTrainData d = OwnedTrainData::FromTriplets(50, 30, std::span<const Triplet>(t), true);
  ItemKnnRecommender m = Fitted(d, {{"top_neighbours", int64_t{8}}});
  std::vector<uint32_t> users(50), items(30);
  std::iota(users.begin(), users.end(), 0u);
  std::iota(items.begin(), items.end(), 0u);
  std::vector<float> batch(50 * 30), one(30), folded(30);
  REQUIRE(m.ScoreBatch(users, batch).ok());
  for (uint32_t u = 0; u < 50; ++u) {
    REQUIRE(m.Score(u, items, one).ok());
    const auto history = d.view().by_user.RowIndices(u);
    // the history in reverse order, with a duplicate: canonicalised before use
    std::vector<uint32_t> shuffled(history.rbegin(), history.rend());
    if (!shuffled.empty()) shuffled.push_back(shuffled.front());
    REQUIRE(m.ScoreHistory(shuffled, {}, items, folded).ok());
    for (uint32_t j = 0; j < 30; ++j) {
      CHECK(batch[u * 30 + j] == one[j]);
      CHECK(folded[j] == one[j]);
    }
  }
}

TEST_CASE("the same data gives the same model under 1 and 2 threads", "[item_knn]") {
  std::mt19937 rng(9);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 400; ++u)
    for (uint32_t i = 0; i < 120; ++i)
      if (rng() % 6 == 0) t.push_back({u, i, static_cast<float>(1 + rng() % 5)});
  OwnedTrainData d = OwnedTrainData::FromTriplets(400, 120, std::span<const Triplet>(t), true);
  for (const char* sim : {"cosine_full", "pearson_baseline", "msd"}) {
    INFO(sim);
    const Params p =
        MakeParams({{"similarity", sim}, {"prediction", "baseline"}, {"top_neighbours", int64_t{20}}});
    ItemKnnRecommender one, two;
    REQUIRE(tbb::task_arena(1).execute([&] { return one.Fit(d.view(), p, Context{}); }).ok());
    REQUIRE(tbb::task_arena(2).execute([&] { return two.Fit(d.view(), p, Context{}); }).ok());
    REQUIRE(one.neighbours().entries.size() == two.neighbours().entries.size());
    for (size_t e = 0; e < one.neighbours().entries.size(); ++e) {
      REQUIRE(one.neighbours().entries[e].id == two.neighbours().entries[e].id);
      REQUIRE(one.neighbours().entries[e].similarity == two.neighbours().entries[e].similarity);
    }
    std::vector<uint32_t> items(120);
    std::iota(items.begin(), items.end(), 0u);
    std::vector<float> a(120), b(120);
    REQUIRE(one.Predict(7, items, a).ok());
    REQUIRE(two.Predict(7, items, b).ok());
    CHECK(a == b);
  }
}

TEST_CASE("bad parameter combinations and unusable data are refused with a message", "[item_knn]") {
  ItemKnnRecommender m;
  Status s = m.Fit(Ratings3x3().view(), MakeParams({{"k", int64_t{3}}, {"min_k", int64_t{5}}}), Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message() == "min_k (5) must not exceed k (3): no prediction could ever use its neighbours");

  OwnedTrainData binary = Binary4x3();
  s = m.Fit(binary.view(), MakeParams({{"similarity", "msd"}}), Context{});
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("similarity 'msd' needs varying values such as ratings") &&
                              Catch::Contains("use similarity = \"cosine_full\" for implicit feedback"));

  REQUIRE(m.Fit(binary.view(), MakeParams({}), Context{}).ok());
  const uint32_t bad_history[] = {1, 7};
  const uint32_t items[] = {0};
  float out[1];
  s = m.ScoreHistory(bad_history, {}, items, out);
  CHECK(s.message() == "history item 7 is out of range (3 items)");
  const float too_few_values[] = {1.f};
  s = m.ScoreHistory(bad_history, too_few_values, items, out);
  CHECK(s.message() == "history has 2 items but 1 values");
  s = m.Score(4, items, out);
  CHECK(s.message() == "user 4 is out of range");
}

TEST_CASE("scoring before a successful fit is refused, not a crash", "[item_knn]") {
  ItemKnnRecommender m;
  const uint32_t items[] = {0};
  float out[1];
  CHECK(m.Score(0, items, out).message() == "called before a successful Fit");
  OwnedTrainData binary = Binary4x3();
  REQUIRE_FALSE(m.Fit(binary.view(), MakeParams({{"similarity", "pearson"}}), Context{}).ok());
  CHECK(m.Predict(0, items, out).message() == "called before a successful Fit");
  CHECK(m.Explain(0, 0, 3).empty());
}

TEST_CASE("an empty training set fits and scores zero", "[item_knn]") {
  OwnedTrainData d = OwnedTrainData::FromTriplets(3, 4, std::span<const Triplet>(), true);
  ItemKnnRecommender m = Fitted(d, {{"similarity", "pearson"}, {"prediction", "baseline"}});
  const uint32_t items[] = {0, 3};
  float out[2] = {7, 7};
  REQUIRE(m.Score(1, items, out).ok());
  CHECK(out[0] == 0.f);
  CHECK(out[1] == 0.f);
  REQUIRE(m.Predict(1, items, out).ok());
  CHECK(out[0] == 0.f);
}

namespace {

// Surprise's algorithms written the plain way, on a dense matrix: every
// similarity by its definition over the shared ys, and estimate() picking the
// k most similar raters, counting only positive ones. Similarities are
// rounded to float as the model stores them, so that mathematically equal
// ones (which double rounding may order either way) tie and go to the lower id.
struct DenseSurprise {
  std::vector<std::vector<double>> r;  // x-major ratings, NaN = missing
  size_t nx = 0, ny = 0;
  knn::KnnOptions o;
  knn::Baselines b;
  bool user_based = false;

  double Sim(size_t a, size_t c) const {
    double n = 0, prods = 0, sqi = 0, sqj = 0, si = 0, sj = 0, sqdiff = 0, normi = 0, normj = 0;
    for (size_t y = 0; y < ny; ++y) {
      if (!std::isnan(r[a][y])) normi += r[a][y] * r[a][y];
      if (!std::isnan(r[c][y])) normj += r[c][y] * r[c][y];
      if (std::isnan(r[a][y]) || std::isnan(r[c][y])) continue;
      double ri = r[a][y], rj = r[c][y];
      if (o.similarity == knn::Similarity::kPearsonBaseline) {
        const double by = user_based ? b.item_bias[y] : b.user_bias[y];
        const auto& bx = user_based ? b.user_bias : b.item_bias;
        ri -= b.global_mean + by + bx[a];
        rj -= b.global_mean + by + bx[c];
      }
      n += 1;
      prods += ri * rj;
      sqi += ri * ri;
      sqj += rj * rj;
      si += ri;
      sj += rj;
      sqdiff += (ri - rj) * (ri - rj);
    }
    const double support =
        o.similarity == knn::Similarity::kPearsonBaseline ? std::max(2, o.min_support) : o.min_support;
    if (n < support || n == 0) return 0;
    switch (o.similarity) {
      case knn::Similarity::kCosine: return sqi * sqj > 0 ? prods / std::sqrt(sqi * sqj) : 0;
      case knn::Similarity::kCosineFull: return prods / std::sqrt(normi * normj);
      case knn::Similarity::kMsd: return 1 / (sqdiff / n + 1);
      case knn::Similarity::kPearson: {
        const double den = std::sqrt((n * sqi - si * si) * (n * sqj - sj * sj));
        return den > 0 ? (n * prods - si * sj) / den : 0;
      }
      case knn::Similarity::kPearsonBaseline:
        return sqi * sqj > 0 ? prods / std::sqrt(sqi * sqj) * (n - 1) / (n - 1 + o.shrinkage) : 0;
    }
    return 0;
  }

  double Mean(size_t x) const {
    double s = 0, n = 0;
    for (double v : r[x])
      if (!std::isnan(v)) s += v, n += 1;
    return s / n;
  }

  double Estimate(uint32_t u, uint32_t i, double lo, double hi) const {
    const size_t x = user_based ? u : i, y = user_based ? i : u;
    std::vector<std::pair<double, size_t>> nbs;  // (sim, x2) over the xs that rated y
    for (size_t x2 = 0; x2 < nx; ++x2)
      if (x2 != x && !std::isnan(r[x2][y])) nbs.push_back({static_cast<float>(Sim(x, x2)), x2});
    std::sort(nbs.begin(), nbs.end(), [](auto& p, auto& q) {
      return p.first > q.first || (p.first == q.first && p.second < q.second);
    });
    if (nbs.size() > static_cast<size_t>(o.k)) nbs.resize(o.k);
    const auto& bx = user_based ? b.user_bias : b.item_bias;
    const auto& by = user_based ? b.item_bias : b.user_bias;
    double sum_sim = 0, sum = 0;
    int actual_k = 0;
    for (auto [s, x2] : nbs) {
      if (s <= 0) continue;
      sum_sim += s;
      ++actual_k;
      const double rr = r[x2][y];
      if (o.prediction == knn::PredictionMode::kBasic) sum += s * rr;
      if (o.prediction == knn::PredictionMode::kMeans) sum += s * (rr - Mean(x2));
      if (o.prediction == knn::PredictionMode::kBaseline) sum += s * (rr - (b.global_mean + bx[x2] + by[y]));
    }
    double est = 0;
    if (o.prediction == knn::PredictionMode::kBasic)
      est = actual_k >= o.min_k ? sum / sum_sim : b.global_mean;
    if (o.prediction == knn::PredictionMode::kMeans)
      est = Mean(x) + (actual_k >= o.min_k ? sum / sum_sim : 0);
    if (o.prediction == knn::PredictionMode::kBaseline) {
      est = b.global_mean + b.user_bias[u] + b.item_bias[i] + (actual_k >= o.min_k ? sum / sum_sim : 0);
    }
    return std::clamp(est, lo, hi);
  }
};

}  // namespace

TEST_CASE("sparse predictions equal a dense transcription of Surprise's algorithms", "[item_knn]") {
  // Every user and item has a rating, so every pair goes through estimate().
  std::mt19937 rng(17);
  const uint32_t nu = 25, ni = 15;
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < nu; ++u)
    for (uint32_t i = 0; i < ni; ++i)
      if (rng() % 3 == 0 || i == u % ni) t.push_back({u, i, static_cast<float>(1 + rng() % 5)});
  OwnedTrainData d = OwnedTrainData::FromTriplets(nu, ni, std::span<const Triplet>(t), true);
  using S = knn::Similarity;
  using M = knn::PredictionMode;
  for (bool user_based : {false, true}) {
    for (S sim : {S::kCosine, S::kCosineFull, S::kPearson, S::kMsd, S::kPearsonBaseline}) {
      for (M mode : {M::kBasic, M::kMeans, M::kBaseline}) {
        INFO("user_based " << user_based << ", " << knn::SimilarityName(sim) << ", mode " << int(mode));
        knn::KnnOptions o;
        o.similarity = sim;
        o.prediction = mode;
        o.k = 5;
        o.min_k = 2;
        o.min_support = 2;
        o.shrinkage = 3;
        o.top_neighbours = 0;
        knn::KnnCore core;
        REQUIRE(core.Fit(d.view(), o, user_based, Context{}).ok());
        DenseSurprise ref;
        ref.o = o;
        ref.user_based = user_based;
        ref.b = knn::FitBaselines(d.view(), o.baseline_epochs, o.baseline_reg_users, o.baseline_reg_items);
        ref.nx = user_based ? nu : ni;
        ref.ny = user_based ? ni : nu;
        ref.r.assign(ref.nx, std::vector<double>(ref.ny, std::nan("")));
        for (const Triplet& e : t) (user_based ? ref.r[e.user][e.item] : ref.r[e.item][e.user]) = e.value;
        for (uint32_t u = 0; u < nu; ++u)
          for (uint32_t i = 0; i < ni; ++i) {
            // Surprise predicts pairs of the test set; a training pair would add x itself with sim 1
            if (!std::isnan(user_based ? ref.r[u][i] : ref.r[i][u])) continue;
            CHECK(core.Predict(u, i) == Approx(ref.Estimate(u, i, 1, 5)).margin(1e-5));
          }
      }
    }
  }
}

TEST_CASE("similarities of a wide catalogue, finished by a dense scan, equal their definitions",
          "[item_knn]") {
  // 9000 items; most rows (an item's ~3 users reach ~6750 items) are dense: their
  // accumulators are scanned whole instead of tracked entry by entry.
  const uint32_t nu = 12, ni = 9000;
  std::mt19937 rng(23);
  std::vector<Triplet> t;
  std::vector<std::vector<float>> r(nu, std::vector<float>(ni, 0.f));
  for (uint32_t u = 0; u < nu; ++u)
    for (uint32_t i = 0; i < ni; ++i)
      if (rng() % 4 == 0) {
        r[u][i] = static_cast<float>(1 + rng() % 5);
        t.push_back({u, i, r[u][i]});
      }
  OwnedTrainData d = OwnedTrainData::FromTriplets(nu, ni, std::span<const Triplet>(t), true);
  for (const char* sim : {"cosine_full", "pearson"}) {
    INFO(sim);
    ItemKnnRecommender m = Fitted(d, {{"similarity", sim}});
    for (uint32_t x : {0u, 4097u, 8999u}) {
      const std::map<uint32_t, double> row = Row(m, x);
      for (uint32_t x2 = 0; x2 < ni; x2 += 7) {
        double n = 0, dot = 0, sa = 0, sb = 0, saa = 0, sbb = 0, na = 0, nb = 0;
        for (uint32_t u = 0; u < nu; ++u) {
          na += r[u][x] * r[u][x];
          nb += r[u][x2] * r[u][x2];
          if (r[u][x] == 0 || r[u][x2] == 0) continue;
          n += 1, dot += r[u][x] * r[u][x2], sa += r[u][x], sb += r[u][x2];
          saa += r[u][x] * r[u][x], sbb += r[u][x2] * r[u][x2];
        }
        if (x2 == x || n == 0) {
          CHECK(row.count(x2) == 0);
          continue;
        }
        double expected = dot / std::sqrt(na * nb);
        if (std::string(sim) == "pearson") {
          const double den = std::sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
          expected = den > 0 ? (n * dot - sa * sb) / den : 0;
        }
        REQUIRE(row.count(x2) == 1);
        CHECK(row.at(x2) == Approx(expected).margin(1e-5));
      }
    }
  }
}
