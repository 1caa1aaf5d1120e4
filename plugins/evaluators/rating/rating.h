// RatingEvaluator: rating-prediction error of the recommender's predicted
// ratings on each user's test items: RMSE, MAE and MAPE over all test ratings
// (the figures Surprise and LibRec report), and per-user MSE, MAE and APE
// means for the A/B statistics and segment breakdowns. Conventions in
// README.md.
#pragma once

#include <iterator>
#include <span>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class RatingEvaluator final : public Evaluator {
 public:
  // Column order; every column has k = 0 (no cut-off).
  enum Column : size_t {
    kRmse = 0,         // list-level: sqrt(sum of squared errors / number of ratings)
    kMae = 1,          // list-level: sum of absolute errors / number of ratings
    kMape = 2,         // list-level: mean of |error| / |rating| over non-zero ratings
    kUserMse = 3,      // per user: mean squared error of the user's ratings
    kUserMae = 4,      // per user: mean absolute error
    kUserMape = 5,     // per user: mean absolute percentage error (as a fraction)
    kZeroTargets = 6,  // list-level: ratings of 0 left out of the mape columns
    kNumColumns = 7,
  };
  static constexpr const char* kColumnNames[] = {
      "rmse", "mae", "mape", "user_mse", "user_mae", "user_mape", "mape_zero_targets"};

  Status Configure(const Params& params, const EvalContext& ctx) override;
  std::vector<MetricColumn> Columns() const override;
  Status EvaluateUser(const UserEvalInput& user, std::span<double> out) const override;
  Status EvaluateLists(std::span<const UserEvalInput> users, std::span<double> out) const override;

 private:
  bool configured_ = false;
};

}  // namespace reclift::plugins
