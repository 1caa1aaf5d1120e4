#include "popularity.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::plugins::PopularityParamSpecs;
using reclift::plugins::PopularityRecommender;

constexpr int64_t kDay = PopularityRecommender::kSecondsPerDay;

// 3 users, 4 items; the latest interaction is on day 10.
//   item 0: u0 value 5 day 10, u1 value 4 day 1, u2 value 1 day 8
//   item 1: u0 value 3 day 9
//   item 2: u1 value 2 day 10
//   item 3: u2 value 1 day 10
OwnedTrainData TimedData() {
  return OwnedTrainData::FromTriplets(3, 4,
                                      {{0, 0, 5.f, 10 * kDay},
                                       {0, 1, 3.f, 9 * kDay},
                                       {1, 0, 4.f, 1 * kDay},
                                       {1, 2, 2.f, 10 * kDay},
                                       {2, 0, 1.f, 8 * kDay},
                                       {2, 3, 1.f, 10 * kDay}});
}

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  reclift::Status status = Params::Build(PopularityParamSpecs(), given, params);
  REQUIRE(status.ok());
  return params;
}

std::vector<float> ScoreAll(const PopularityRecommender& model, uint32_t user, uint32_t num_items) {
  std::vector<uint32_t> items(num_items);
  for (uint32_t i = 0; i < num_items; ++i) items[i] = i;
  std::vector<float> out(num_items, -1.f);
  REQUIRE(model.Score(user, items, out).ok());
  return out;
}

std::vector<float> FitAndScore(const OwnedTrainData& data, const std::map<std::string, ParamValue>& given) {
  PopularityRecommender model;
  REQUIRE(model.Fit(data.view(), MakeParams(given), reclift::Context{}).ok());
  return ScoreAll(model, 0, data.view().num_items);
}

}  // namespace

TEST_CASE("popularity counts training interactions per item by default", "[popularity]") {
  auto data = TimedData();
  // item 0 has three interactions, the others one each
  CHECK(FitAndScore(data, {}) == std::vector<float>{3.f, 1.f, 1.f, 1.f});
}

TEST_CASE("popularity with weighting 'sum' adds the interaction values", "[popularity]") {
  auto data = TimedData();
  // item 0: 5 + 4 + 1 = 10; item 1: 3; item 2: 2; item 3: 1
  CHECK(FitAndScore(data, {{"weighting", std::string("sum")}}) == std::vector<float>{10.f, 3.f, 2.f, 1.f});
}

TEST_CASE("popularity window keeps interactions at most N days older than the latest", "[popularity]") {
  auto data = TimedData();
  SECTION("a two-day window keeps days 8, 9 and 10") {
    // item 0 loses the day-1 interaction: count 2, sum 5 + 1 = 6
    CHECK(FitAndScore(data, {{"window_days", int64_t{2}}}) == std::vector<float>{2.f, 1.f, 1.f, 1.f});
    CHECK(FitAndScore(data, {{"window_days", int64_t{2}}, {"weighting", std::string("sum")}}) ==
          std::vector<float>{6.f, 3.f, 2.f, 1.f});
  }
  SECTION("a one-day window keeps days 9 and 10") {
    // item 0 keeps only its day-10 interaction
    CHECK(FitAndScore(data, {{"window_days", int64_t{1}}}) == std::vector<float>{1.f, 1.f, 1.f, 1.f});
  }
}

TEST_CASE("popularity half-life halves the weight of an interaction per half-life of age", "[popularity]") {
  auto data = TimedData();
  SECTION("count with a one-day half-life") {
    // item 0: ages 0, 9, 2 days -> 1 + 0.5^9 + 0.5^2 = 1 + 0.001953125 + 0.25 = 1.251953125
    // item 1: age 1 -> 0.5; items 2 and 3: age 0 -> 1
    auto scores = FitAndScore(data, {{"half_life_days", 1.0}});
    CHECK(scores[0] == Approx(1.251953125));
    CHECK(scores[1] == Approx(0.5));
    CHECK(scores[2] == Approx(1.0));
    CHECK(scores[3] == Approx(1.0));
  }
  SECTION("sum with a two-day half-life") {
    // item 0: 5 * 0.5^0 + 4 * 0.5^(9/2) + 1 * 0.5^(2/2) = 5 + 2^-2.5 + 0.5 = 5.5 + 0.1767767 = 5.6767767
    // item 1: 3 * 0.5^(1/2) = 2.1213203
    auto scores = FitAndScore(data, {{"half_life_days", 2.0}, {"weighting", std::string("sum")}});
    CHECK(scores[0] == Approx(5.6767767));
    CHECK(scores[1] == Approx(2.1213203));
    CHECK(scores[2] == Approx(2.0));
    CHECK(scores[3] == Approx(1.0));
  }
  SECTION("window and half-life combine") {
    // two-day window drops item 0's day-1 interaction; one-day half-life:
    // item 0: 5 * 1 + 1 * 0.25 = 5.25; item 1: 3 * 0.5 = 1.5; item 2: 2; item 3: 1
    auto scores = FitAndScore(
        data, {{"window_days", int64_t{2}}, {"half_life_days", 1.0}, {"weighting", std::string("sum")}});
    CHECK(scores[0] == Approx(5.25));
    CHECK(scores[1] == Approx(1.5));
    CHECK(scores[2] == Approx(2.0));
    CHECK(scores[3] == Approx(1.0));
  }
}

TEST_CASE("popularity refuses a window or a half-life when the data has no timestamps", "[popularity]") {
  auto data = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}, {1, 1, 1.f}});
  PopularityRecommender model;
  auto status = model.Fit(data.view(), MakeParams({{"window_days", int64_t{7}}}), reclift::Context{});
  CHECK(status.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "parameter 'window_days' needs interaction timestamps, but the training data has none");

  status = model.Fit(data.view(), MakeParams({{"half_life_days", 30.0}}), reclift::Context{});
  CHECK(status.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "parameter 'half_life_days' needs interaction timestamps, but the training data has none");

  // without a window, data without timestamps is fine
  CHECK(FitAndScore(data, {}) == std::vector<float>{1.f, 1.f});
}

TEST_CASE("popularity batch scoring gives every user the same row as Score", "[popularity]") {
  auto data = TimedData();
  PopularityRecommender model;
  REQUIRE(model.Fit(data.view(), MakeParams({{"weighting", std::string("sum")}}), reclift::Context{}).ok());
  const std::vector<uint32_t> users{2, 0, 1};
  std::vector<float> batch(users.size() * 4, -1.f);
  REQUIRE(model.ScoreBatch(users, batch).ok());
  // row-major users x items; each row is the sum popularity 10, 3, 2, 1
  CHECK(batch == std::vector<float>{10, 3, 2, 1, 10, 3, 2, 1, 10, 3, 2, 1});

  std::vector<float> too_small(5);
  auto status = model.ScoreBatch(users, too_small);
  CHECK(status.message() == "popularity: ScoreBatch output has 5 slots, expected users x items = 3 x 4");
}

TEST_CASE("popularity scores only the requested candidates, in their order", "[popularity]") {
  auto data = TimedData();
  PopularityRecommender model;
  REQUIRE(model.Fit(data.view(), MakeParams({}), reclift::Context{}).ok());
  const std::vector<uint32_t> items{3, 0};
  std::vector<float> out(2);
  REQUIRE(model.Score(1, items, out).ok());
  CHECK(out == std::vector<float>{1.f, 3.f});

  SECTION("a user unseen at fit time gets the same scores through ScoreHistory") {
    const std::vector<uint32_t> history{1};
    const std::vector<float> values{1.f};
    std::vector<float> folded(2);
    REQUIRE(model.ScoreHistory(history, values, items, folded).ok());
    CHECK(folded == out);
  }
}

TEST_CASE("popularity reports ids out of range and calls before Fit", "[popularity]") {
  PopularityRecommender model;
  const std::vector<uint32_t> items{0, 4};
  std::vector<float> out(2);
  CHECK(model.Score(0, items, out).message() == "popularity: scoring called before Fit");

  auto data = TimedData();
  REQUIRE(model.Fit(data.view(), MakeParams({}), reclift::Context{}).ok());
  CHECK(model.Score(0, items, out).message() == "popularity: item id 4 out of range (num_items = 4)");
  CHECK(model.Score(3, std::vector<uint32_t>{0}, std::span<float>(out.data(), 1)).message() ==
        "popularity: user id 3 out of range (num_users = 3)");
}

TEST_CASE("popularity parameters are checked against their specs", "[popularity]") {
  Params params;
  auto status = Params::Build(PopularityParamSpecs(), {{"weighting", std::string("mean")}}, params);
  CHECK(status.message() == "parameter 'weighting': expected a string (one of count|sum), found \"mean\"");
  status = Params::Build(PopularityParamSpecs(), {{"window_days", int64_t{-1}}}, params);
  // (the article in "a integer" belongs to the SDK's wording, so only the parts we declare are checked)
  CHECK_THAT(status.message(), Catch::StartsWith("parameter 'window_days': expected a") &&
                                   Catch::EndsWith("integer in [0, 36500], found -1"));
}

namespace {

// 4 users, 5 items; items 0 and 1 are in category A (0), items 2 and 3 in
// category B (1), item 4 has no category.
//   u0: items 0, 1   u1: items 0, 2   u2: item 0   u3: items 2, 4
OwnedTrainData CategoryData() {
  auto data = OwnedTrainData::FromTriplets(
      4, 5, {{0, 0, 5.f}, {0, 1, 4.f}, {1, 0, 3.f}, {1, 2, 5.f}, {2, 0, 4.f}, {3, 2, 2.f}, {3, 4, 1.f}});
  reclift::OwnedItemFeatures features;
  const std::vector<uint32_t> rows{0, 1, 2, 3}, categories{0, 0, 1, 1};
  features.categories = reclift::OwnedSparse::Build(5, rows, categories, {}, {});
  features.category_names = {"A", "B"};
  data.SetItemFeatures(std::move(features));
  return data;
}

}  // namespace

TEST_CASE("popularity scope 'category' mixes within-category popularity by the user's shares",
          "[popularity]") {
  // counts: item 0 = 3, item 1 = 1, item 2 = 2, item 3 = 0, item 4 = 1.
  // category totals: A = 3 + 1 = 4, B = 2 + 0 = 2, uncategorised = 1; all = 7
  // within: item 0 = 3/4, item 1 = 1/4, item 2 = 2/2 = 1, item 3 = 0, item 4 = 1/1
  // prior: A = 4/7, B = 2/7, none = 1/7
  auto data = CategoryData();
  PopularityRecommender model;
  REQUIRE(model.Fit(data.view(), MakeParams({{"scope", std::string("category")}}), reclift::Context{}).ok());

  SECTION("a user whose history is all in A") {
    // u2 (item 0): n = 1; share A = (1 + 4/7) / 2 = 11/14, B = (2/7) / 2 = 1/7, none = (1/7) / 2 = 1/14
    // item 0 = 11/14 * 3/4 = 33/56, item 1 = 11/14 * 1/4 = 11/56, item 2 = 1/7 * 1 = 8/56,
    // item 3 = 0, item 4 = 1/14 * 1 = 4/56
    auto scores = ScoreAll(model, 2, 5);
    CHECK(scores[0] == Approx(33.0 / 56));
    CHECK(scores[1] == Approx(11.0 / 56));
    CHECK(scores[2] == Approx(8.0 / 56));
    CHECK(scores[3] == 0.f);
    CHECK(scores[4] == Approx(4.0 / 56));
    // globally item 2 (count 2) beats item 1 (count 1); within u2's category item 1 wins
    CHECK(scores[1] > scores[2]);
  }
  SECTION("a user with history in B and uncategorised items") {
    // u3 (items 2, 4): n = 2; share A = (4/7) / 3 = 4/21, B = (1 + 2/7) / 3 = 9/21,
    // none = (1 + 1/7) / 3 = 8/21
    // item 0 = 4/21 * 3/4 = 3/21, item 1 = 4/21 * 1/4 = 1/21, item 2 = 9/21, item 3 = 0, item 4 = 8/21
    auto scores = ScoreAll(model, 3, 5);
    CHECK(scores[0] == Approx(3.0 / 21));
    CHECK(scores[1] == Approx(1.0 / 21));
    CHECK(scores[2] == Approx(9.0 / 21));
    CHECK(scores[3] == 0.f);
    CHECK(scores[4] == Approx(8.0 / 21));
  }
  SECTION("a user with no history gets global popularity over its total") {
    // shares = prior, so score(i) = pop(i) / all: 3/7, 1/7, 2/7, 0, 1/7
    const std::vector<uint32_t> items{0, 1, 2, 3, 4};
    std::vector<float> folded(5);
    REQUIRE(model.ScoreHistory({}, {}, items, folded).ok());
    CHECK(folded[0] == Approx(3.0 / 7));
    CHECK(folded[1] == Approx(1.0 / 7));
    CHECK(folded[2] == Approx(2.0 / 7));
    CHECK(folded[3] == 0.f);
    CHECK(folded[4] == Approx(1.0 / 7));
  }
  SECTION("fold-in with a history equals scoring the training user with that history") {
    const std::vector<uint32_t> history{2, 4}, items{0, 1, 2, 3, 4};
    const std::vector<float> values{2.f, 1.f};
    std::vector<float> folded(5);
    REQUIRE(model.ScoreHistory(history, values, items, folded).ok());
    CHECK(folded == ScoreAll(model, 3, 5));
  }
  SECTION("ScoreBatch gives each user its own row, equal to Score") {
    const std::vector<uint32_t> users{3, 2};
    std::vector<float> batch(10);
    REQUIRE(model.ScoreBatch(users, batch).ok());
    CHECK(std::vector<float>(batch.begin(), batch.begin() + 5) == ScoreAll(model, 3, 5));
    CHECK(std::vector<float>(batch.begin() + 5, batch.end()) == ScoreAll(model, 2, 5));
  }
}

TEST_CASE("popularity scope 'category' splits an item over its categories and weighs by value with 'sum'",
          "[popularity]") {
  // 2 users, 3 items: item 0 in A, item 1 in A and B (weights 1 and 3), item 2 in B.
  //   u0: item 0 (value 2)   u1: item 1 (value 4), item 2 (value 1)
  auto data = OwnedTrainData::FromTriplets(2, 3, {{0, 0, 2.f}, {1, 1, 4.f}, {1, 2, 1.f}});
  reclift::OwnedItemFeatures features;
  const std::vector<uint32_t> rows{0, 1, 1, 2}, categories{0, 0, 1, 1};
  const std::vector<float> weights{1.f, 1.f, 3.f, 1.f};
  features.categories = reclift::OwnedSparse::Build(3, rows, categories, weights, {});
  data.SetItemFeatures(std::move(features));
  PopularityRecommender model;
  REQUIRE(model
              .Fit(data.view(),
                   MakeParams({{"scope", std::string("category")}, {"weighting", std::string("sum")}}),
                   reclift::Context{})
              .ok());
  // sum popularity: item 0 = 2, item 1 = 4, item 2 = 1. item 1 goes 1/4 to A, 3/4 to B:
  // A total = 2 + 1 = 3, B total = 3 + 1 = 4, all = 7; prior A = 3/7, B = 4/7
  // within: item 0 in A = 2/3; item 1 in A = 1/3, in B = 3/4; item 2 in B = 1/4
  // u1: values 4 (item 1: 1 to A, 3 to B) and 1 (item 2: B): n = 5, n_A = 1, n_B = 4
  //   share A = (1 + 3/7) / 6 = 10/42, B = (4 + 4/7) / 6 = 32/42
  //   item 0 = 10/42 * 2/3 = 20/126; item 1 = 10/42 * 1/3 + 32/42 * 3/4 = 10/126 + 72/126 = 82/126;
  //   item 2 = 32/42 * 1/4 = 24/126
  auto scores = ScoreAll(model, 1, 3);
  CHECK(scores[0] == Approx(20.0 / 126));
  CHECK(scores[1] == Approx(82.0 / 126));
  CHECK(scores[2] == Approx(24.0 / 126));
  // the default scope is unchanged: global sums 2, 4, 1 for everyone
  CHECK(FitAndScore(data, {{"weighting", std::string("sum")}}) == std::vector<float>{2.f, 4.f, 1.f});
}
