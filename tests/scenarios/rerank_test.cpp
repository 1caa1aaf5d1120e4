// The host-side re-rankers: item similarity, MMR and category calibration,
// each checked against values worked out by hand.
#include "scenarios/rerank.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "reclift/owned_train_data.h"

using namespace reclift::host;
using reclift::OwnedItemFeatures;
using reclift::OwnedSparse;
using reclift::OwnedTrainData;

namespace {

// Items 0..4 with categories (ids) and tags (ids):
//   item 0: categories {0}     tags {0, 1}
//   item 1: categories {0}     tags {0}
//   item 2: categories {1}     tags {2}
//   item 3: categories {0, 1}  tags {}
//   item 4: no features
OwnedItemFeatures Features() {
  OwnedItemFeatures f;
  const std::vector<uint32_t> cat_items = {0, 1, 2, 3, 3}, cats = {0, 0, 1, 0, 1};
  f.categories = OwnedSparse::Build(5, cat_items, cats, {}, {});
  f.category_names = {"music", "finance"};
  const std::vector<uint32_t> tag_items = {0, 0, 1, 2}, tags = {0, 1, 0, 2};
  f.tags = OwnedSparse::Build(5, tag_items, tags, {}, {});
  f.tag_names = {"guitar", "jazz", "budget"};
  return f;
}

}  // namespace

TEST_CASE("feature similarity is the cosine of the binary category-and-tag sets", "[scenarios][rerank]") {
  const OwnedItemFeatures owned = Features();
  const auto features = owned.view();
  const ItemSimilarity sim = ItemSimilarity::FromFeatures(features, 5);
  // sets (tags shifted past the 2 categories): 0 {c0, t0, t1}, 1 {c0, t0}, 2 {c1, t2}, 3 {c0, c1}, 4 {}
  // 0-1: 2 common / sqrt(3 * 2) = 0.8165; 0-3: 1 / sqrt(3 * 2) = 0.4082; 0-2: 0
  // 2-3: 1 / sqrt(2 * 2) = 0.5; 4-anything: 0 (no features), also with itself
  CHECK(sim(0, 1) == Approx(2 / std::sqrt(6.0)));
  CHECK(sim(1, 0) == Approx(2 / std::sqrt(6.0)));
  CHECK(sim(0, 3) == Approx(1 / std::sqrt(6.0)));
  CHECK(sim(0, 2) == 0.f);
  CHECK(sim(2, 3) == Approx(0.5));
  CHECK(sim(0, 0) == Approx(1.0));
  CHECK(sim(4, 4) == 0.f);
  CHECK(sim.items_with_vectors() == 4);
}

TEST_CASE("co-occurrence similarity is the cosine of the items' training users", "[scenarios][rerank]") {
  // users: item 0 {0, 1, 2}, item 1 {0, 1}, item 2 {2}, item 3 {}
  const OwnedTrainData d = OwnedTrainData::FromTriplets(
      3, 4, {{0, 0, 1.f}, {1, 0, 1.f}, {2, 0, 1.f}, {0, 1, 1.f}, {1, 1, 1.f}, {2, 2, 1.f}});
  const ItemSimilarity sim = ItemSimilarity::FromCooccurrence(d.view());
  // 0-1: 2 common / sqrt(3 * 2); 0-2: 1 / sqrt(3 * 1); 1-2: none; 3: never used
  CHECK(sim(0, 1) == Approx(2 / std::sqrt(6.0)));
  CHECK(sim(0, 2) == Approx(1 / std::sqrt(3.0)));
  CHECK(sim(1, 2) == 0.f);
  CHECK(sim(3, 0) == 0.f);
}

TEST_CASE("relevance is min-max normalised over the candidates, all zero when equal", "[scenarios][rerank]") {
  const std::vector<float> scores = {4.f, 2.f, 3.f};
  CHECK(NormalisedRelevance(scores) == std::vector<double>{1.0, 0.0, 0.5});
  const std::vector<float> equal = {7.f, 7.f};
  CHECK(NormalisedRelevance(equal) == std::vector<double>{0.0, 0.0});
}

TEST_CASE("MMR trades relevance for dissimilarity to what it already picked", "[scenarios][rerank]") {
  const OwnedItemFeatures owned = Features();
  const auto features = owned.view();
  const ItemSimilarity sim = ItemSimilarity::FromFeatures(features, 5);
  // candidates 0, 1, 2 with scores 10, 9, 6 -> relevance 1, 0.75, 0
  const std::vector<uint32_t> candidates = {0, 1, 2};
  const std::vector<float> scores = {10.f, 9.f, 6.f};
  std::vector<uint32_t> out;
  SECTION("lambda 0 keeps the arm's order") {
    MmrRerank(candidates, scores, sim, 0.0, 3, out);
    CHECK(out == std::vector<uint32_t>{0, 1, 2});
  }
  SECTION("lambda 0.5 moves the dissimilar item up") {
    // pick 1: 0.5 * relevance: item 0 (0.5) wins.
    // pick 2: item 1: 0.5 * 0.75 - 0.5 * 0.8165 = -0.0207; item 2: 0.5 * 0 - 0.5 * 0 = 0 -> item 2
    MmrRerank(candidates, scores, sim, 0.5, 3, out);
    CHECK(out == std::vector<uint32_t>{0, 2, 1});
  }
  SECTION("lambda 0.4 does not, yet") {
    // pick 2: item 1: 0.6 * 0.75 - 0.4 * 0.8165 = 0.1234 > item 2: 0 -> item 1
    MmrRerank(candidates, scores, sim, 0.4, 3, out);
    CHECK(out == std::vector<uint32_t>{0, 1, 2});
  }
  SECTION("the list is cut at k") {
    MmrRerank(candidates, scores, sim, 0.5, 2, out);
    CHECK(out == std::vector<uint32_t>{0, 2});
  }
}

TEST_CASE("calibration pulls the list's categories towards the user's", "[scenarios][rerank]") {
  const OwnedItemFeatures owned = Features();
  const auto features = owned.view();
  const CategoryCalibrator calibrator(features, 5);
  // history {0, 2, 3}: item 0 -> music 1; item 2 -> finance 1; item 3 -> 0.5 each
  // p = (1.5 / 3, 1.5 / 3) = (0.5, 0.5)
  const std::vector<uint32_t> history = {0, 2, 3};
  const std::vector<double> p = calibrator.UserDistribution(history);
  REQUIRE(p.size() == 2);
  CHECK(p[0] == Approx(0.5));
  CHECK(p[1] == Approx(0.5));
  // an item without categories adds nothing
  const std::vector<uint32_t> featureless = {4};
  CHECK(calibrator.UserDistribution(featureless).empty());

  // candidates 0 (music), 1 (music), 2 (finance) with relevance 1, 0.75, 0
  const std::vector<uint32_t> candidates = {0, 1, 2};
  const std::vector<float> scores = {10.f, 9.f, 6.f};
  std::vector<uint32_t> out;
  // list {0, 1}: q = (1, 0), q~ = 0.99 q + 0.01 p = (0.995, 0.005)
  // KL = 0.5 ln(0.5 / 0.995) + 0.5 ln(0.5 / 0.005) = -0.3441 + 2.3026 = 1.9585
  const std::vector<uint32_t> music = {0, 1};
  CHECK(calibrator.Miscalibration(p, music) == Approx(0.5 * std::log(0.5 / 0.995) + 0.5 * std::log(100.0)));
  // list {0, 2}: q = p, KL = 0
  const std::vector<uint32_t> mixed = {0, 2};
  CHECK(calibrator.Miscalibration(p, mixed) == Approx(0.0).margin(1e-12));
  SECTION("lambda 0 keeps the arm's order") {
    calibrator.Rerank(candidates, scores, p, 0.0, 2, out);
    CHECK(out == std::vector<uint32_t>{0, 1});
  }
  SECTION("lambda 0.5 takes the finance item second") {
    // step 1: KL of {0} = KL of {1} = 1.9585; 0 has higher relevance -> 0
    // step 2: {0, 1}: 0.5 * 1.75 - 0.5 * 1.9585 = -0.104; {0, 2}: 0.5 * 1.0 - 0 = 0.5 -> item 2
    calibrator.Rerank(candidates, scores, p, 0.5, 2, out);
    CHECK(out == std::vector<uint32_t>{0, 2});
  }
  SECTION("a user with no categorised history keeps the arm's order") {
    calibrator.Rerank(candidates, scores, {}, 0.9, 2, out);
    CHECK(out == std::vector<uint32_t>{0, 1});
    CHECK(std::isnan(calibrator.Miscalibration({}, music)));
  }
}
