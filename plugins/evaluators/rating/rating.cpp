#include "rating.h"

#include <cmath>
#include <limits>
#include <string>

namespace reclift::plugins {
namespace {

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

// Error sums over some test ratings; summed over users for the global figures.
struct ErrorSums {
  uint64_t ratings = 0;       // ratings with a prediction
  double squared = 0;         // sum of (prediction - rating)^2
  double absolute = 0;        // sum of |prediction - rating|
  uint64_t nonzero = 0;       // ratings != 0, the ones MAPE can divide by
  double relative = 0;        // sum over those of |prediction - rating| / |rating|
  uint64_t zero_targets = 0;  // ratings == 0, left out of MAPE

  void Add(const ErrorSums& o) {
    ratings += o.ratings;
    squared += o.squared;
    absolute += o.absolute;
    nonzero += o.nonzero;
    relative += o.relative;
    zero_targets += o.zero_targets;
  }
};

// Sums one user's errors; an empty `predicted` (the recommender cannot
// predict ratings) gives empty sums.
Status SumErrors(const UserEvalInput& user, ErrorSums& sums) {
  sums = ErrorSums{};
  const size_t n = user.test_items.size();
  if (user.test_values.size() != n) {
    return Status::InvalidArgument("rating: user " + std::to_string(user.user) + " has " + std::to_string(n) +
                                   " test items but " + std::to_string(user.test_values.size()) +
                                   " test values");
  }
  if (user.predicted.empty()) return Status::Ok();
  if (user.predicted.size() != n) {
    return Status::InvalidArgument("rating: user " + std::to_string(user.user) + " has " + std::to_string(n) +
                                   " test items but " + std::to_string(user.predicted.size()) +
                                   " predicted ratings");
  }
  for (size_t t = 0; t < n; ++t) {
    const double target = user.test_values[t];
    const double predicted = user.predicted[t];
    // a NaN would silently vanish from (or poison) the means; a failed
    // prediction is the recommender's error and must be seen
    if (!std::isfinite(predicted)) {
      return Status::InvalidArgument("rating: the predicted rating of user " + std::to_string(user.user) +
                                     " for item " + std::to_string(user.test_items[t]) + " is not finite");
    }
    const double error = predicted - target;
    ++sums.ratings;
    sums.squared += error * error;
    sums.absolute += std::abs(error);
    if (target != 0) {
      ++sums.nonzero;
      sums.relative += std::abs(error) / std::abs(target);
    } else {
      ++sums.zero_targets;
    }
  }
  return Status::Ok();
}

Status CheckOut(size_t slots) {
  if (slots == RatingEvaluator::kNumColumns) return Status::Ok();
  return Status::InvalidArgument("rating: " + std::to_string(slots) + " output slots for " +
                                 std::to_string(RatingEvaluator::kNumColumns) + " columns");
}

}  // namespace

Status RatingEvaluator::Configure(const Params& params, const EvalContext& ctx) {
  (void)params;
  (void)ctx;
  configured_ = true;
  return Status::Ok();
}

std::vector<MetricColumn> RatingEvaluator::Columns() const {
  std::vector<MetricColumn> columns;
  for (size_t c = 0; c < kNumColumns; ++c) {
    const bool per_user = c == kUserMse || c == kUserMae || c == kUserMape;
    columns.push_back({kColumnNames[c], kColumnNames[c], 0, /*higher_is_better=*/false,
                       per_user ? Aggregation::kMeanOverUsers : Aggregation::kListLevel});
  }
  return columns;
}

Status RatingEvaluator::EvaluateUser(const UserEvalInput& user, std::span<double> out) const {
  if (!configured_) return Status::InvalidArgument("rating: EvaluateUser called before Configure");
  RECLIFT_RETURN_IF_ERROR(CheckOut(out.size()));
  ErrorSums sums;
  RECLIFT_RETURN_IF_ERROR(SumErrors(user, sums));
  for (double& v : out) v = kUndefined;
  if (sums.ratings == 0) return Status::Ok();
  const auto ratings = static_cast<double>(sums.ratings);
  out[kUserMse] = sums.squared / ratings;
  out[kUserMae] = sums.absolute / ratings;
  if (sums.nonzero > 0) out[kUserMape] = sums.relative / static_cast<double>(sums.nonzero);
  return Status::Ok();
}

Status RatingEvaluator::EvaluateLists(std::span<const UserEvalInput> users, std::span<double> out) const {
  if (!configured_) return Status::InvalidArgument("rating: EvaluateLists called before Configure");
  RECLIFT_RETURN_IF_ERROR(CheckOut(out.size()));
  ErrorSums total;
  for (const auto& user : users) {
    ErrorSums sums;
    RECLIFT_RETURN_IF_ERROR(SumErrors(user, sums));
    total.Add(sums);
  }
  for (size_t c : {kRmse, kMae, kMape, kZeroTargets}) out[c] = kUndefined;
  if (total.ratings == 0) return Status::Ok();  // nothing predicted: the arm has no rating figures
  const auto ratings = static_cast<double>(total.ratings);
  out[kRmse] = std::sqrt(total.squared / ratings);
  out[kMae] = total.absolute / ratings;
  if (total.nonzero > 0) out[kMape] = total.relative / static_cast<double>(total.nonzero);
  out[kZeroTargets] = static_cast<double>(total.zero_targets);
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_EVALUATOR_PLUGIN(reclift::plugins::RatingEvaluator, "rating", "1.0.0",
                         "Rating prediction error: global rmse, mae, mape and per-user mse, mae, mape",
                         nullptr)
