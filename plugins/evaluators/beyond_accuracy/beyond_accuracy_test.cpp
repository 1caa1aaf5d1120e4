#include "beyond_accuracy.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::Aggregation;
using reclift::EvalContext;
using reclift::OwnedItemFeatures;
using reclift::OwnedSparse;
using reclift::Params;
using reclift::ParamValue;
using reclift::UserEvalInput;
using reclift::plugins::BeyondAccuracyEvaluator;
using reclift::plugins::BeyondAccuracyParamSpecs;

// Six items seen by 8 users in training, with popularity 8 4 2 1 1 0 (16 in all).
//   self-information -log2(pop / 8): 0 1 2 3 3 3 (item 5, never seen, counts as pop 1)
//   categories (programming = 0, design = 1, finance = 2):
//     item 0 {0}, 1 {0, 1}, 2 {1}, 3 {2}, 4 none, 5 {0}
//   tags (t0, t1): item 0 {t0}, 2 {t0}, 3 {t1}, 4 {t1}; items 1 and 5 none
const std::vector<float> kPopularity{8, 4, 2, 1, 1, 0};
constexpr uint32_t kItems = 6;
constexpr uint32_t kUsers = 8;

OwnedItemFeatures Features() {
  OwnedItemFeatures f;
  const std::vector<uint32_t> cat_items{0, 1, 1, 2, 3, 5}, cats{0, 0, 1, 1, 2, 0};
  f.categories = OwnedSparse::Build(kItems, cat_items, cats, {}, {});
  f.category_names = {"programming", "design", "finance"};
  const std::vector<uint32_t> tag_items{0, 2, 3, 4}, tags{0, 0, 1, 1};
  f.tags = OwnedSparse::Build(kItems, tag_items, tags, {}, {});
  f.tag_names = {"t0", "t1"};
  return f;
}

struct Fixture {
  OwnedItemFeatures features = Features();
  reclift::ItemFeaturesView view = features.view();
  std::vector<int> ks;

  BeyondAccuracyEvaluator Configured(std::vector<int> cut_offs,
                                     const std::map<std::string, ParamValue>& given = {},
                                     bool with_features = true) {
    ks = std::move(cut_offs);
    Params params;
    REQUIRE(Params::Build(BeyondAccuracyParamSpecs(), given, params).ok());
    EvalContext ctx{kItems, kUsers, ks, kPopularity, with_features ? &view : nullptr};
    BeyondAccuracyEvaluator evaluator;
    REQUIRE(evaluator.Configure(params, ctx).ok());
    return evaluator;
  }
};

std::map<std::string, double> ByName(const BeyondAccuracyEvaluator& evaluator,
                                     const std::vector<double>& out) {
  std::map<std::string, double> by_name;
  const auto columns = evaluator.Columns();
  REQUIRE(columns.size() == out.size());
  for (size_t c = 0; c < columns.size(); ++c) by_name[columns[c].name] = out[c];
  return by_name;
}

std::map<std::string, double> EvaluateUser(const BeyondAccuracyEvaluator& evaluator,
                                           std::vector<uint32_t> ranked,
                                           std::vector<uint32_t> relevant = {}) {
  UserEvalInput in;
  in.ranked = ranked;
  in.relevant = relevant;
  std::vector<double> out(evaluator.Columns().size(), -1.0);
  REQUIRE(evaluator.EvaluateUser(in, out).ok());
  return ByName(evaluator, out);
}

std::map<std::string, double> EvaluateLists(const BeyondAccuracyEvaluator& evaluator,
                                            const std::vector<std::vector<uint32_t>>& lists) {
  std::vector<UserEvalInput> inputs(lists.size());
  for (size_t u = 0; u < lists.size(); ++u) {
    inputs[u].user = static_cast<uint32_t>(u);
    inputs[u].ranked = lists[u];
  }
  std::vector<double> out(evaluator.Columns().size(), -1.0);
  REQUIRE(evaluator.EvaluateLists(inputs, out).ok());
  return ByName(evaluator, out);
}

}  // namespace

TEST_CASE("beyond_accuracy declares each metric per cut-off and one exposure column per category",
          "[beyond_accuracy]") {
  Fixture f;
  const auto columns = f.Configured({3, 1, 3}).Columns();
  // 8 metrics x 2 cut-offs, then 3 categories x 2 cut-offs
  REQUIRE(columns.size() == 22u);
  const std::vector<std::string> first{"coverage@1",
                                       "coverage@3",
                                       "gini@1",
                                       "gini@3",
                                       "ild@1",
                                       "ild@3",
                                       "novelty@1",
                                       "novelty@3",
                                       "serendipity@1",
                                       "serendipity@3",
                                       "arp@1",
                                       "arp@3",
                                       "long_tail_share@1",
                                       "long_tail_share@3",
                                       "exposure_gap@1",
                                       "exposure_gap@3",
                                       "exposure@1:programming",
                                       "exposure@1:design",
                                       "exposure@1:finance",
                                       "exposure@3:programming",
                                       "exposure@3:design",
                                       "exposure@3:finance"};
  for (size_t c = 0; c < first.size(); ++c) CHECK(columns[c].name == first[c]);
  CHECK(columns[0].aggregation == Aggregation::kListLevel);
  CHECK(columns[2].metric == "gini");
  CHECK_FALSE(columns[2].higher_is_better);
  CHECK(columns[5].aggregation == Aggregation::kMeanOverUsers);
  CHECK_FALSE(columns[11].higher_is_better);  // arp: lower is less popularity bias
  CHECK(columns[21].metric == "exposure");
  CHECK(columns[21].k == 3);
  CHECK_FALSE(columns[21].directional);  // a category's share: neither direction is better
  CHECK(columns[11].directional);
  CHECK(columns[21].aggregation == Aggregation::kListLevel);
}

TEST_CASE("beyond_accuracy without item features has no ild and no exposure columns", "[beyond_accuracy]") {
  Fixture f;
  const auto columns = f.Configured({5}, {}, /*with_features=*/false).Columns();
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  CHECK(names == std::vector<std::string>{"coverage@5", "gini@5", "novelty@5", "serendipity@5", "arp@5",
                                          "long_tail_share@5"});
}

TEST_CASE("beyond_accuracy per-user metrics of one list at three cut-offs", "[beyond_accuracy][golden]") {
  Fixture f;
  // expected_top = 2: items 0 and 1 are the expected ones
  auto evaluator = f.Configured({1, 3, 5}, {{"expected_top", int64_t{2}}});
  // list 0 1 2 3 4; relevant {1, 3}
  auto m = EvaluateUser(evaluator, {0, 1, 2, 3, 4}, {1, 3});
  SECTION("k = 1: the list [0]") {
    CHECK(m["novelty@1"] == Approx(0.0));  // -log2(8/8)
    CHECK(m["arp@1"] == Approx(8.0));
    CHECK(m["long_tail_share@1"] == 0.0);
    CHECK(m["serendipity@1"] == 0.0);
    CHECK(std::isnan(m["ild@1"]));  // one item: no pair
  }
  SECTION("k = 3: the list [0 1 2]") {
    CHECK(m["novelty@3"] == Approx(1.0));   // (0 + 1 + 2) / 3
    CHECK(m["arp@3"] == Approx(14.0 / 3));  // (8 + 4 + 2) / 3
    CHECK(m["long_tail_share@3"] == 0.0);   // head (80 %) = {0, 1, 2}
    CHECK(m["serendipity@3"] == 0.0);       // relevant 1 is expected
    // both features (c = category, t = tag): 0 {c0 t0}, 1 {c0 c1}, 2 {c1 t0};
    // every pair shares 1 of 2 features: cosine 1/2; ild = 1 - 1.5 / 3
    CHECK(m["ild@3"] == Approx(0.5));
  }
  SECTION("k = 5: the list [0 1 2 3 4]") {
    CHECK(m["novelty@5"] == Approx(1.8));          // (0 + 1 + 2 + 3 + 3) / 5
    CHECK(m["arp@5"] == Approx(3.2));              // 16 / 5
    CHECK(m["long_tail_share@5"] == Approx(0.4));  // items 3 and 4 of 5
    CHECK(m["serendipity@5"] == Approx(0.2));      // item 3: relevant, not expected; 1 / 5
    // the three pairs above (1.5), 3 {c2 t1} and 4 {t1}: cosine 1/sqrt(2); the
    // other six pairs share nothing. ild = 1 - (1.5 + 0.7071068) / 10
    CHECK(m["ild@5"] == Approx(1 - (1.5 + std::sqrt(0.5)) / 10));  // 0.7792893
  }
  SECTION("list-level columns are NaN in a user's row") {
    CHECK(std::isnan(m["coverage@5"]));
    CHECK(std::isnan(m["exposure@5:design"]));
  }
}

TEST_CASE("beyond_accuracy ild uses the chosen features and leaves featureless items out",
          "[beyond_accuracy][golden]") {
  Fixture f;
  SECTION("categories: cosines 1/sqrt(2), 0 and 1/sqrt(2)") {
    // 0 {c0}, 1 {c0 c1}, 2 {c1}: ild = 1 - sqrt(2) / 3 = 0.5285955
    auto m = EvaluateUser(f.Configured({3}, {{"features", std::string("categories")}}), {0, 1, 2});
    CHECK(m["ild@3"] == Approx(1 - std::sqrt(2.0) / 3));
  }
  SECTION("tags: 0 and 2 share t0, 3 has t1") {
    auto m = EvaluateUser(f.Configured({3}, {{"features", std::string("tags")}}), {0, 2, 3});
    CHECK(m["ild@3"] == Approx(2.0 / 3));  // 1 - (1 + 0 + 0) / 3
  }
  SECTION("item 4 has no category: only the pair (0, 3) counts") {
    auto m = EvaluateUser(f.Configured({3}, {{"features", std::string("categories")}}), {0, 4, 3});
    CHECK(m["ild@3"] == Approx(1.0));
  }
  SECTION("a list of identical feature vectors has no diversity") {
    // 0 {c0} and 5 {c0}
    auto m = EvaluateUser(f.Configured({2}, {{"features", std::string("categories")}}), {0, 5});
    CHECK(m["ild@2"] == Approx(0.0).margin(1e-12));
  }
}

TEST_CASE("beyond_accuracy on a list shorter than k and on an empty list", "[beyond_accuracy][golden]") {
  Fixture f;
  auto evaluator = f.Configured({5}, {{"expected_top", int64_t{2}}});
  // list 3 5, relevant {5}: item 5 was never seen, so it is unexpected
  auto m = EvaluateUser(evaluator, {3, 5}, {5});
  CHECK(m["novelty@5"] == Approx(3.0));  // (3 + 3) / 2: means over the list
  CHECK(m["arp@5"] == Approx(0.5));      // (1 + 0) / 2
  CHECK(m["long_tail_share@5"] == 1.0);
  CHECK(m["serendipity@5"] == Approx(0.2));  // 1 / k, like precision@k
  auto empty = EvaluateUser(evaluator, {}, {5});
  CHECK(std::isnan(empty["novelty@5"]));
  CHECK(std::isnan(empty["arp@5"]));
  CHECK(std::isnan(empty["long_tail_share@5"]));
  CHECK(std::isnan(empty["ild@5"]));
  CHECK(empty["serendipity@5"] == 0.0);
}

TEST_CASE("beyond_accuracy counts a repeated item once", "[beyond_accuracy]") {
  Fixture f;
  auto evaluator = f.Configured({3});
  auto m = EvaluateUser(evaluator, {3, 3, 0});  // the items 3 and 0
  CHECK(m["arp@3"] == Approx(4.5));             // (1 + 8) / 2
  auto lists = EvaluateLists(evaluator, {{3, 3, 0}});
  CHECK(lists["coverage@3"] == Approx(2.0 / 6));
}

TEST_CASE("beyond_accuracy popularity head and expected items: ties at the boundary are all in",
          "[beyond_accuracy][golden]") {
  Fixture f;
  auto in_head = [](const BeyondAccuracyEvaluator& e) {
    std::vector<uint32_t> head;
    for (uint32_t i = 0; i < kItems; ++i) {
      if (e.IsHead(i)) head.push_back(i);
    }
    return head;
  };
  auto expected = [](const BeyondAccuracyEvaluator& e) {
    std::vector<uint32_t> items;
    for (uint32_t i = 0; i < kItems; ++i) {
      if (e.IsExpected(i)) items.push_back(i);
    }
    return items;
  };
  // cumulative popularity 8 12 14 15 16 of 16 interactions
  CHECK(in_head(f.Configured({1})) == std::vector<uint32_t>{0, 1, 2});  // 14 >= 0.8 * 16 = 12.8
  CHECK(in_head(f.Configured({1}, {{"head_share", 0.5}})) == std::vector<uint32_t>{0});  // 8 >= 8
  // 0.9 * 16 = 14.4 is first reached by an item of popularity 1: both such items are in
  CHECK(in_head(f.Configured({1}, {{"head_share", 0.9}})) == std::vector<uint32_t>{0, 1, 2, 3, 4});
  // head_share 1: every item seen in training; item 5 (never seen) is the long tail
  CHECK(in_head(f.Configured({1}, {{"head_share", 1.0}})) == std::vector<uint32_t>{0, 1, 2, 3, 4});

  CHECK(expected(f.Configured({1}, {{"expected_top", int64_t{2}}})) == std::vector<uint32_t>{0, 1});
  CHECK(expected(f.Configured({1}, {{"expected_top", int64_t{3}}})) == std::vector<uint32_t>{0, 1, 2});
  // top 4 ends inside the tie of items 3 and 4 (3 items are more popular): both in
  CHECK(expected(f.Configured({1}, {{"expected_top", int64_t{4}}})) == std::vector<uint32_t>{0, 1, 2, 3, 4});
  // the default 100: every item seen in training, never the unseen item 5
  CHECK(expected(f.Configured({1})) == std::vector<uint32_t>{0, 1, 2, 3, 4});
}

TEST_CASE("beyond_accuracy list-level coverage, gini and exposure over all users' lists",
          "[beyond_accuracy][golden]") {
  Fixture f;
  auto evaluator = f.Configured({1, 3});
  // three users: [0 1 2 3 4], [0 5] and an empty list
  auto m = EvaluateLists(evaluator, {{0, 1, 2, 3, 4}, {0, 5}, {}});
  // catalogue shares (an item of c categories counts 1/c): programming = items 0, 5
  // and half of 1 = 2.5/6 = 5/12; design = half of 1 and 2 = 1.5/6 = 1/4; finance = 3: 1/6
  SECTION("k = 1: both slots go to item 0") {
    CHECK(m["coverage@1"] == Approx(1.0 / 6));
    // counts sorted 0 0 0 0 0 2: (2*6 - 6 - 1) * 2 / (6 * 2) = 10 / 12, the maximum (n - 1) / n
    CHECK(m["gini@1"] == Approx(10.0 / 12));
    CHECK(m["exposure@1:programming"] == Approx(1.0));
    CHECK(m["exposure@1:design"] == 0.0);
    CHECK(m["exposure@1:finance"] == 0.0);
    // exposure / catalogue share: 1 / (5/12) = 2.4, 0, 0
    CHECK(m["exposure_gap@1"] == Approx(2.4));
  }
  SECTION("k = 3: items 0 0 1 2 5 in five slots") {
    CHECK(m["coverage@3"] == Approx(4.0 / 6));
    // counts sorted 0 0 1 1 1 2, weights 2i - 7 = -5 -3 -1 1 3 5:
    // (-1 + 1 + 3 + 10) / (6 * 5) = 13 / 30
    CHECK(m["gini@3"] == Approx(13.0 / 30));
    // programming 2 (item 0) + 0.5 (item 1) + 1 (item 5) = 3.5; design 0.5 + 1 = 1.5
    CHECK(m["exposure@3:programming"] == Approx(0.7));
    CHECK(m["exposure@3:design"] == Approx(0.3));
    CHECK(m["exposure@3:finance"] == 0.0);
    // ratios 0.7 / (5/12) = 1.68, 0.3 / (1/4) = 1.2, 0: gap 1.68
    CHECK(m["exposure_gap@3"] == Approx(1.68));
  }
  SECTION("per-user columns are left as they were") {
    CHECK(m["novelty@3"] == -1.0);
    CHECK(m["ild@1"] == -1.0);
  }
}

TEST_CASE("beyond_accuracy gini is 0 when every item is shown equally often", "[beyond_accuracy][golden]") {
  Fixture f;
  auto m = EvaluateLists(f.Configured({3}), {{0, 1, 2}, {3, 4, 5}});
  CHECK(m["coverage@3"] == 1.0);
  CHECK(m["gini@3"] == Approx(0.0).margin(1e-12));
}

TEST_CASE("beyond_accuracy leaves gini and exposure undefined when no list has an item",
          "[beyond_accuracy]") {
  Fixture f;
  auto m = EvaluateLists(f.Configured({2}), {{}, {}});
  CHECK(m["coverage@2"] == 0.0);
  CHECK(std::isnan(m["gini@2"]));
  CHECK(std::isnan(m["exposure@2:design"]));
  CHECK(std::isnan(m["exposure_gap@2"]));
}

TEST_CASE("beyond_accuracy refuses a bad context and foreign items with a message", "[beyond_accuracy]") {
  Params params;
  REQUIRE(Params::Build(BeyondAccuracyParamSpecs(), {}, params).ok());
  BeyondAccuracyEvaluator evaluator;
  EvalContext ctx;
  CHECK(evaluator.Configure(params, ctx).message() == "beyond_accuracy: no cut-off k was given");
  const std::vector<int> bad{0};
  ctx.ks = bad;
  CHECK(evaluator.Configure(params, ctx).message() ==
        "beyond_accuracy: a cut-off k must be positive, found 0");
  const std::vector<int> ks{5};
  ctx.ks = ks;
  CHECK(evaluator.Configure(params, ctx).message() ==
        "beyond_accuracy: the catalogue is empty (num_items = 0)");
  ctx.num_items = kItems;
  CHECK(evaluator.Configure(params, ctx).message() ==
        "beyond_accuracy: novelty needs the number of users, but num_users = 0");
  ctx.num_users = kUsers;
  CHECK(evaluator.Configure(params, ctx).message() ==
        "beyond_accuracy: item_popularity has 0 entries for 6 items");
  const std::vector<float> negative{1, 2, -3, 0, 0, 0};
  ctx.item_popularity = negative;
  CHECK(evaluator.Configure(params, ctx).message() ==
        "beyond_accuracy: item 2 has popularity -3; expected a finite count >= 0");

  std::vector<double> out(6);
  UserEvalInput in;
  CHECK(evaluator.EvaluateUser(in, out).message() == "beyond_accuracy: EvaluateUser called before Configure");
  Fixture f;
  auto configured = f.Configured({2});
  const std::vector<uint32_t> foreign{1, 6};
  in.user = 4;
  in.ranked = foreign;
  out.resize(configured.Columns().size());
  CHECK(configured.EvaluateUser(in, out).message() ==
        "beyond_accuracy: user 4's list holds item 6, outside the catalogue of 6 items");
  CHECK(configured.EvaluateLists(std::span<const UserEvalInput>(&in, 1), out).message() ==
        "beyond_accuracy: user 4's list holds item 6, outside the catalogue of 6 items");
  std::vector<double> too_few(3);
  CHECK(configured.EvaluateUser(in, too_few).message() == "beyond_accuracy: 3 output slots for 11 columns");
}
