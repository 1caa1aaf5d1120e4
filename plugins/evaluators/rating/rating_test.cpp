#include "rating.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace {

using reclift::Aggregation;
using reclift::EvalContext;
using reclift::Params;
using reclift::UserEvalInput;
using reclift::plugins::RatingEvaluator;

RatingEvaluator Configured() {
  RatingEvaluator evaluator;
  Params params;
  REQUIRE(Params::Build({}, {}, params).ok());
  REQUIRE(evaluator.Configure(params, EvalContext{}).ok());
  return evaluator;
}

// One user's test ratings and predictions, owning what UserEvalInput borrows.
struct UserCase {
  uint32_t user;
  std::vector<uint32_t> items;
  std::vector<float> values;
  std::vector<float> predicted;

  UserEvalInput Input() const {
    UserEvalInput in;
    in.user = user;
    in.test_items = items;
    in.test_values = values;
    in.predicted = predicted;
    return in;
  }
};

std::map<std::string, double> ByName(const RatingEvaluator& evaluator, const std::vector<double>& out) {
  std::map<std::string, double> by_name;
  const auto columns = evaluator.Columns();
  for (size_t c = 0; c < columns.size(); ++c) by_name[columns[c].name] = out[c];
  return by_name;
}

std::map<std::string, double> EvaluateUser(const RatingEvaluator& evaluator, const UserCase& user) {
  std::vector<double> out(evaluator.Columns().size(), -1.0);
  REQUIRE(evaluator.EvaluateUser(user.Input(), out).ok());
  return ByName(evaluator, out);
}

std::map<std::string, double> EvaluateLists(const RatingEvaluator& evaluator,
                                            const std::vector<UserCase>& users) {
  std::vector<UserEvalInput> inputs;
  for (const auto& u : users) inputs.push_back(u.Input());
  std::vector<double> out(evaluator.Columns().size(), -1.0);
  REQUIRE(evaluator.EvaluateLists(inputs, out).ok());
  return ByName(evaluator, out);
}

// Four users:
//   A: ratings 4 3 5, predicted 3.5 3 4: errors -0.5 0 -1
//   B: rating 2, predicted 4: error 2
//   C: ratings 0 1, predicted 0.5 1.5: errors 0.5 0.5 (the 0 cannot enter MAPE)
//   D: a rating but no prediction (the recommender cannot predict)
const std::vector<UserCase> kUsers{
    {0, {1, 2, 3}, {4.f, 3.f, 5.f}, {3.5f, 3.f, 4.f}},
    {1, {4}, {2.f}, {4.f}},
    {2, {5, 6}, {0.f, 1.f}, {0.5f, 1.5f}},
    {3, {7}, {3.f}, {}},
};

}  // namespace

TEST_CASE("rating declares global rmse, mae, mape and per-user mse, mae, mape, all without cut-off",
          "[rating]") {
  const auto columns = Configured().Columns();
  REQUIRE(columns.size() == 7u);
  const std::vector<std::string> names{
      "rmse", "mae", "mape", "user_mse", "user_mae", "user_mape", "mape_zero_targets"};
  for (size_t c = 0; c < columns.size(); ++c) {
    CHECK(columns[c].name == names[c]);
    CHECK(columns[c].metric == names[c]);
    CHECK(columns[c].k == 0);
    CHECK_FALSE(columns[c].higher_is_better);
  }
  CHECK(columns[0].aggregation == Aggregation::kListLevel);
  CHECK(columns[3].aggregation == Aggregation::kMeanOverUsers);
  CHECK(columns[5].aggregation == Aggregation::kMeanOverUsers);
  CHECK(columns[6].aggregation == Aggregation::kListLevel);
}

TEST_CASE("rating per-user errors are means over the user's test ratings", "[rating][golden]") {
  auto evaluator = Configured();
  SECTION("user A") {
    auto m = EvaluateUser(evaluator, kUsers[0]);
    CHECK(m["user_mse"] == Approx(1.25 / 3));    // (0.25 + 0 + 1) / 3
    CHECK(m["user_mae"] == Approx(0.5));         // (0.5 + 0 + 1) / 3
    CHECK(m["user_mape"] == Approx(0.325 / 3));  // (0.5/4 + 0/3 + 1/5) / 3 = 0.1083333
    // list-level columns are NaN in a user's row
    CHECK(std::isnan(m["rmse"]));
    CHECK(std::isnan(m["mape_zero_targets"]));
  }
  SECTION("user C: the zero rating is left out of user_mape only") {
    auto m = EvaluateUser(evaluator, kUsers[2]);
    CHECK(m["user_mse"] == Approx(0.25));  // (0.25 + 0.25) / 2
    CHECK(m["user_mae"] == Approx(0.5));
    CHECK(m["user_mape"] == Approx(0.5));  // 0.5 / 1, over the one non-zero rating
  }
  SECTION("user D, without predictions, cannot be scored") {
    auto m = EvaluateUser(evaluator, kUsers[3]);
    for (const auto& [name, value] : m) CHECK(std::isnan(value));
  }
  SECTION("a user whose ratings are all zero has no user_mape") {
    auto m = EvaluateUser(evaluator, {9, {1}, {0.f}, {1.f}});
    CHECK(m["user_mse"] == Approx(1.0));
    CHECK(std::isnan(m["user_mape"]));
  }
}

TEST_CASE("rating global rmse pools every test rating, as Surprise computes it", "[rating][golden]") {
  auto evaluator = Configured();
  auto m = EvaluateLists(evaluator, kUsers);
  // 6 predicted ratings (D has none); squared errors 0.25 0 1 | 4 | 0.25 0.25 = 5.75
  CHECK(m["rmse"] == Approx(std::sqrt(5.75 / 6)));  // 0.9789450
  // absolute errors 0.5 0 1 | 2 | 0.5 0.5 = 4.5
  CHECK(m["mae"] == Approx(0.75));
  // relative errors over the 5 non-zero ratings: 0.125 0 0.2 | 1 | 0.5 = 1.825
  CHECK(m["mape"] == Approx(0.365));
  CHECK(m["mape_zero_targets"] == 1.0);
  // per-user columns are left as they were
  CHECK(m["user_mse"] == -1.0);
  // not the mean of per-user RMSEs: (sqrt(1.25/3) + 2 + 0.5) / 3 = 1.0485 != 0.9789,
  // nor the square root of the mean user_mse: sqrt((0.41667 + 4 + 0.25) / 3) = 1.2472
  CHECK(m["rmse"] != Approx((std::sqrt(1.25 / 3) + 2 + 0.5) / 3));
}

TEST_CASE("rating gives no global figure when the recommender predicts nothing", "[rating]") {
  auto evaluator = Configured();
  auto m = EvaluateLists(evaluator, {kUsers[3], {4, {1, 2}, {5.f, 1.f}, {}}});
  CHECK(std::isnan(m["rmse"]));
  CHECK(std::isnan(m["mae"]));
  CHECK(std::isnan(m["mape"]));
  CHECK(std::isnan(m["mape_zero_targets"]));
  auto none = EvaluateLists(evaluator, {});
  CHECK(std::isnan(none["rmse"]));
}

TEST_CASE("rating refuses mismatched inputs and non-finite predictions with a message", "[rating]") {
  std::vector<double> out(7);
  CHECK(RatingEvaluator().EvaluateUser(kUsers[0].Input(), out).message() ==
        "rating: EvaluateUser called before Configure");
  auto evaluator = Configured();
  std::vector<double> too_few(6);
  CHECK(evaluator.EvaluateUser(kUsers[0].Input(), too_few).message() ==
        "rating: 6 output slots for 7 columns");

  UserCase short_predictions{5, {1, 2}, {4.f, 3.f}, {4.f}};
  CHECK(evaluator.EvaluateUser(short_predictions.Input(), out).message() ==
        "rating: user 5 has 2 test items but 1 predicted ratings");
  UserCase short_values{6, {1, 2}, {4.f}, {}};
  CHECK(evaluator.EvaluateUser(short_values.Input(), out).message() ==
        "rating: user 6 has 2 test items but 1 test values");
  UserCase nan_prediction{7, {1, 8}, {4.f, 3.f}, {4.f, std::nanf("")}};
  CHECK(evaluator.EvaluateUser(nan_prediction.Input(), out).message() ==
        "rating: the predicted rating of user 7 for item 8 is not finite");
  std::vector<UserEvalInput> inputs{kUsers[0].Input(), nan_prediction.Input()};
  CHECK(evaluator.EvaluateLists(inputs, out).message() ==
        "rating: the predicted rating of user 7 for item 8 is not finite");
}
