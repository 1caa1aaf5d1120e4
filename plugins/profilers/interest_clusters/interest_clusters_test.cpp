#include "interest_clusters.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::OwnedItemFeatures;
using reclift::OwnedSparse;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Triplet;
using reclift::plugins::InterestClustersParamSpecs;
using reclift::plugins::InterestClustersProfiler;

// Items: 0, 1 programming; 2, 3 design; 4, 5 finance; 6 no category;
// 7 programming and design (each gets half of an interaction with it).
OwnedItemFeatures CourseCategories() {
  OwnedItemFeatures f;
  const std::vector<uint32_t> items{0, 1, 2, 3, 4, 5, 7, 7}, cats{0, 0, 1, 1, 2, 2, 0, 1};
  f.categories = OwnedSparse::Build(8, items, cats, {}, {});
  f.category_names = {"programming", "design", "finance"};
  return f;
}

OwnedTrainData WithCategories(uint32_t num_users, std::vector<Triplet> triplets) {
  auto data = OwnedTrainData::FromTriplets(num_users, 8, std::span<const Triplet>(triplets), false);
  data.SetItemFeatures(CourseCategories());
  return data;
}

// Preference vectors (programming, design, finance):
//   users 0 {0, 1}, 1 {0}: (1, 0, 0); user 8 {0, 1, 2}: (2/3, 1/3, 0)
//   users 2 {2, 3}, 3 {2}: (0, 1, 0); users 4 {4, 5}, 5 {4}: (0, 0, 1)
//   user 6: no interaction (cold); user 7 {6}: only an uncategorised item
OwnedTrainData ThreeAudiences() {
  return WithCategories(9, {{0, 0},
                            {0, 1},
                            {1, 0},
                            {2, 2},
                            {2, 3},
                            {3, 2},
                            {4, 4},
                            {4, 5},
                            {5, 4},
                            {7, 6},
                            {8, 0},
                            {8, 1},
                            {8, 2}});
}

struct Result {
  std::vector<std::string> names;
  std::vector<uint32_t> segments;
};

Result Cluster(const OwnedTrainData& data, const std::map<std::string, ParamValue>& given, uint64_t seed = 42,
               const reclift::Logger* logger = nullptr) {
  Params params;
  REQUIRE(Params::Build(InterestClustersParamSpecs(), given, params).ok());
  InterestClustersProfiler profiler;
  reclift::Context ctx;
  ctx.seed = seed;
  ctx.logger = logger;
  REQUIRE(profiler.Fit(data.view(), params, ctx).ok());
  Result r;
  r.segments.assign(data.view().num_users, 99);
  REQUIRE(profiler.Segments(r.names, r.segments).ok());
  return r;
}

class RecordingLogger final : public reclift::Logger {
 public:
  void Log(reclift::LogLevel, const std::string& message) const override { messages.push_back(message); }
  mutable std::vector<std::string> messages;
};

}  // namespace

TEST_CASE("interest_clusters finds three audiences and names them by their dominant category",
          "[interest_clusters]") {
  auto data = ThreeAudiences();
  // the natural partition is reached from every k-means++ start
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    auto r = Cluster(data, {{"clusters", int64_t{3}}}, seed);
    // cold first; clusters by size (programming has 3 users, design and finance 2,
    // in category order); then the user whose items have no category
    CHECK(r.names == std::vector<std::string>{"cold", "programming", "design", "finance", "uncategorised"});
    CHECK(r.segments == std::vector<uint32_t>{1, 1, 2, 2, 3, 3, 0, 4, 1});
  }
}

TEST_CASE("interest_clusters names a cluster without a clearly dominant category broad",
          "[interest_clusters]") {
  // the programming centre (8/9, 1/9, 0) has a dominant share of 0.889 < 0.9
  auto r = Cluster(ThreeAudiences(), {{"clusters", int64_t{3}}, {"broad_below", 0.9}});
  CHECK(r.names == std::vector<std::string>{"cold", "broad", "design", "finance", "uncategorised"});
  CHECK(r.segments == std::vector<uint32_t>{1, 1, 2, 2, 3, 3, 0, 4, 1});
  // two half-and-half audiences, (1/2, 1/2, 0) for users 0 and 1 and (0, 1/2, 1/2)
  // for user 2: both below 0.6, numbered rather than named after a runner-up
  auto halves = WithCategories(3, {{0, 0}, {0, 2}, {1, 0}, {1, 2}, {2, 2}, {2, 4}});
  auto both = Cluster(halves, {{"clusters", int64_t{2}}, {"broad_below", 0.6}});
  CHECK(both.names == std::vector<std::string>{"cold", "broad", "broad_2"});
  CHECK(both.segments == std::vector<uint32_t>{1, 1, 2});
  // below the default 0.2 neither is broad: named by the dominant category, ties to
  // the lower id (programming and design tie in the first, design and finance in the second)
  auto named = Cluster(halves, {{"clusters", int64_t{2}}});
  CHECK(named.names == std::vector<std::string>{"cold", "programming", "design"});
}

TEST_CASE("interest_clusters logs the clusters with their sizes and dominant shares", "[interest_clusters]") {
  RecordingLogger logger;
  Cluster(ThreeAudiences(), {{"clusters", int64_t{3}}}, 42, &logger);
  REQUIRE(logger.messages.size() == 1u);
  // programming centre: mean of (1, 0, 0), (1, 0, 0), (2/3, 1/3, 0) = (8/9, 1/9, 0)
  CHECK(logger.messages[0].find("3 clusters of 7 users") != std::string::npos);
  CHECK(logger.messages[0].find(
            "programming 3 (0.889 programming), design 2 (1 design), finance 2 (1 finance)") !=
        std::string::npos);
  CHECK(logger.messages[0].find("; cold 1, uncategorised 1") != std::string::npos);
}

TEST_CASE("interest_clusters gives a second cluster of one dominant category its runner-up category",
          "[interest_clusters]") {
  // four distinct vectors and four clusters: k-means++ puts a centre on each
  //   users 0, 1, 2 {0}: (1, 0, 0)
  //   users 3, 4, 5 {0, 7}: (1 + 1/2, 1/2, 0) / 2 = (3/4, 1/4, 0)
  //   users 6, 7 {2}: (0, 1, 0); user 8 {4}: (0, 0, 1)
  auto data = WithCategories(
      9, {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 7}, {4, 0}, {4, 7}, {5, 0}, {5, 7}, {6, 2}, {7, 2}, {8, 4}});
  auto r = Cluster(data, {{"clusters", int64_t{4}}});
  // the two programming clusters are equally large; the purer one keeps the plain name
  CHECK(r.names ==
        std::vector<std::string>{"cold", "programming", "programming+design", "design", "finance"});
  CHECK(r.segments == std::vector<uint32_t>{1, 1, 1, 2, 2, 2, 3, 3, 4});
}

TEST_CASE("interest_clusters makes no more clusters than distinct preference vectors",
          "[interest_clusters]") {
  // ThreeAudiences has 4 distinct vectors; ask for 10
  auto r = Cluster(ThreeAudiences(), {{"clusters", int64_t{10}}});
  CHECK(r.names == std::vector<std::string>{"cold", "programming", "design", "finance", "programming+design",
                                            "uncategorised"});
  CHECK(r.segments == std::vector<uint32_t>{1, 1, 2, 2, 3, 3, 0, 5, 4});
}

TEST_CASE("interest_clusters is deterministic under a seed", "[interest_clusters]") {
  // 300 users with random mixes of the three categories
  std::mt19937_64 rng(3);
  std::vector<Triplet> triplets;
  for (uint32_t user = 0; user < 300; ++user) {
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int j = 0; j < n; ++j) triplets.push_back({user, static_cast<uint32_t>(rng() % 8)});
  }
  auto data = WithCategories(300, triplets);
  auto first = Cluster(data, {}, 7);
  auto second = Cluster(data, {}, 7);
  CHECK(first.names == second.names);
  CHECK(first.segments == second.segments);
  CHECK(first.names.size() >= 4u);  // cold and at least three of the five clusters survive
}

TEST_CASE("interest_clusters needs item categories and says so", "[interest_clusters]") {
  auto data = OwnedTrainData::FromTriplets(2, 2, {{0, 0}, {1, 1}}, false);
  Params params;
  REQUIRE(Params::Build(InterestClustersParamSpecs(), {}, params).ok());
  InterestClustersProfiler profiler;
  auto status = profiler.Fit(data.view(), params, {});
  CHECK(status.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(
      status.message() ==
      "interest_clusters: the items have no categories; interest clusters are built from the categories of "
      "the "
      "items each user interacted with, so the dataset needs item categories (an items file with a category "
      "column)");
  std::vector<std::string> names;
  std::vector<uint32_t> segments(2);
  CHECK(profiler.Segments(names, segments).message() == "interest_clusters: Segments called before Fit");
}

TEST_CASE("interest_clusters puts every user of empty training data in the cold segment",
          "[interest_clusters]") {
  auto r = Cluster(WithCategories(3, {}), {});
  CHECK(r.names == std::vector<std::string>{"cold"});
  CHECK(r.segments == std::vector<uint32_t>{0, 0, 0});
}
