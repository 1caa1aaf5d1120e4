// Baseline rating predictor (Koren, "Factorization meets the neighborhood",
// KDD 2008, section 2.1): r^(u, i) = mu + b_u + b_i, with mu the global mean
// of the training ratings and the biases fitted to
//   sum_(u,i) (r_ui - mu - b_u - b_i)^2 + reg_user * sum_u b_u^2 + reg_item * sum_i b_i^2
// by alternating least squares ("als": every item bias with the user biases
// fixed, then every user bias with the item biases fixed, each in closed form
// b_i = sum_u (r_ui - mu - b_u) / (reg_item + |U(i)|)), or by stochastic
// gradient descent ("sgd": b_u += lr (e - reg b_u), b_i += lr (e - reg b_i) on
// each rating, e = r_ui - mu - b_u - b_i, users in id order and each user's
// ratings in item order).
//
// This is Surprise's BaselineOnly with the same defaults (als: reg_i 10,
// reg_u 15, 10 epochs; sgd: learning rate 0.005, reg 0.02, 20 epochs) and the
// same rules: a user or item with no training rating has bias 0, and Predict
// clips to the training rating range. Score is the unclipped estimate, so
// that items above the top rating keep their order instead of tying.
//
// Determinism: "als" has no randomness (its sweeps run in parallel, each bias
// summed in a fixed order); "sgd" runs in one thread in a fixed order. The
// model never depends on the seed or the thread count.
//
// Thread-safety: Fit is single-caller; the scoring methods are const and may
// be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kBaselineParams[] = {
    {"method", ParamType::kString, "als", 0, 0, "als|sgd",
     "how the biases are fitted: alternating least squares or stochastic gradient descent"},
    {"epochs", ParamType::kInt, "0", 0, 1000, nullptr,
     "passes over the data; 0 = the method's default (10 for als, 20 for sgd)"},
    {"reg_user", ParamType::kFloat, "15", 0, 1e6, nullptr,
     "als: shrinkage of each user bias towards 0 (added to the user's rating count)"},
    {"reg_item", ParamType::kFloat, "10", 0, 1e6, nullptr,
     "als: shrinkage of each item bias towards 0 (added to the item's rating count)"},
    {"learning_rate", ParamType::kFloat, "0.005", 1e-6, 1, nullptr, "sgd: step size"},
    {"regularization", ParamType::kFloat, "0.02", 0, 10, nullptr, "sgd: L2 penalty on both biases"},
};

class BaselineRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  // mu + b_u + b_i, unclipped.
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // mu + b_u + b_i clipped to [min, max] of the training ratings.
  Status Predict(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  // Fold-in: the new user's bias in closed form against the fitted item
  // biases (als: sum (r - mu - b_i) / (reg_user + n); sgd: the minimiser of
  // the per-rating sgd loss, sum (r - mu - b_i) / (n (1 + regularization))).
  // Scores are unclipped estimates, like Score.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // The steps of Fit, public so that tests can check one epoch by hand.
  // Configure checks parameters and data and zeroes the biases.
  Status Configure(const TrainData& data, const Params& params);
  void AlsEpoch();  // item biases, then user biases
  void SgdEpoch();
  // The regularised squared error that "als" minimises (see above).
  double AlsLoss() const;
  int epochs() const { return epochs_; }
  bool uses_als() const { return als_; }

  double global_mean() const { return global_mean_; }
  const std::vector<double>& user_bias() const { return user_bias_; }
  const std::vector<double>& item_bias() const { return item_bias_; }

 private:
  Status CheckUser(uint32_t user, const char* call) const;
  Status CheckItems(std::span<const uint32_t> items, size_t out_size, const char* call) const;

  const TrainData* data_ = nullptr;
  bool als_ = true;
  int epochs_ = 0;
  double reg_user_ = 0;
  double reg_item_ = 0;
  double learning_rate_ = 0;
  double regularization_ = 0;
  double global_mean_ = 0;
  float min_rating_ = 0;
  float max_rating_ = 0;
  std::vector<double> user_bias_;  // double: sgd takes many tiny steps
  std::vector<double> item_bias_;
};

}  // namespace reclift::recommenders
