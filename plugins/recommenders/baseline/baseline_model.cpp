// Baseline biases: see baseline.h for the model and README.md for parameters.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "baseline.h"

namespace reclift::recommenders {
namespace baseline_detail {

// A bias beyond this means sgd diverged (ratings are on human scales).
constexpr double kDivergedBias = 1e6;

bool AllSane(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(),
                     [](double x) { return std::isfinite(x) && std::abs(x) < kDivergedBias; });
}

}  // namespace baseline_detail

Status BaselineRecommender::Configure(const TrainData& data, const Params& params) {
  if (!data.explicit_feedback) {
    return Status::InvalidArgument(
        "baseline predicts ratings, but the training data is implicit (no rating column); use it on explicit "
        "ratings, or pick a ranking model such as popularity, als or bpr");
  }
  als_ = params.GetString("method") == "als";
  epochs_ = static_cast<int>(params.GetInt("epochs"));
  if (epochs_ == 0) epochs_ = als_ ? 10 : 20;  // Surprise's defaults per method
  reg_user_ = params.GetFloat("reg_user");
  reg_item_ = params.GetFloat("reg_item");
  learning_rate_ = params.GetFloat("learning_rate");
  regularization_ = params.GetFloat("regularization");
  data_ = &data;
  global_mean_ = data.nnz() == 0 ? 0.0 : data.global_mean;
  min_rating_ = static_cast<float>(data.min_value);
  max_rating_ = static_cast<float>(data.max_value);
  user_bias_.assign(data.num_users, 0.0);
  item_bias_.assign(data.num_items, 0.0);
  return Status::Ok();
}

void BaselineRecommender::AlsEpoch() {
  const TrainData& d = *data_;
  const double mu = global_mean_;
  // Each half-sweep reads only the other side's biases, so rows are
  // independent and the result does not depend on how tbb splits them.
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, d.num_items, 512), [&](const auto& range) {
    for (uint32_t i = range.begin(); i != range.end(); ++i) {
      const auto users = d.by_item.RowIndices(i);
      const auto values = d.by_item.RowValues(i);
      double deviation = 0;
      for (size_t k = 0; k < users.size(); ++k) deviation += values[k] - mu - user_bias_[users[k]];
      const double denominator = reg_item_ + static_cast<double>(users.size());
      item_bias_[i] = denominator > 0 ? deviation / denominator : 0.0;  // no rating, no reg: stays 0
    }
  });
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, d.num_users, 512), [&](const auto& range) {
    for (uint32_t u = range.begin(); u != range.end(); ++u) {
      const auto items = d.by_user.RowIndices(u);
      const auto values = d.by_user.RowValues(u);
      double deviation = 0;
      for (size_t k = 0; k < items.size(); ++k) deviation += values[k] - mu - item_bias_[items[k]];
      const double denominator = reg_user_ + static_cast<double>(items.size());
      user_bias_[u] = denominator > 0 ? deviation / denominator : 0.0;
    }
  });
}

void BaselineRecommender::SgdEpoch() {
  const TrainData& d = *data_;
  const double mu = global_mean_, lr = learning_rate_, reg = regularization_;
  for (uint32_t u = 0; u < d.num_users; ++u) {
    const auto items = d.by_user.RowIndices(u);
    const auto values = d.by_user.RowValues(u);
    double bu = user_bias_[u];
    for (size_t k = 0; k < items.size(); ++k) {
      double& bi = item_bias_[items[k]];
      const double error = values[k] - (mu + bu + bi);
      bu += lr * (error - reg * bu);
      bi += lr * (error - reg * bi);
    }
    user_bias_[u] = bu;
  }
}

double BaselineRecommender::AlsLoss() const {
  const TrainData& d = *data_;
  double loss = 0;
  for (uint32_t u = 0; u < d.num_users; ++u) {
    const auto items = d.by_user.RowIndices(u);
    const auto values = d.by_user.RowValues(u);
    for (size_t k = 0; k < items.size(); ++k) {
      const double error = values[k] - global_mean_ - user_bias_[u] - item_bias_[items[k]];
      loss += error * error;
    }
    loss += reg_user_ * user_bias_[u] * user_bias_[u];
  }
  for (double bi : item_bias_) loss += reg_item_ * bi * bi;
  return loss;
}

Status BaselineRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  RECLIFT_RETURN_IF_ERROR(Configure(data, params));
  for (int epoch = 0; epoch < epochs_; ++epoch) {
    if (ctx.IsCancelled()) return Status::Internal("baseline: fit cancelled");
    if (als_) {
      AlsEpoch();
    } else {
      SgdEpoch();
    }
  }
  if (!baseline_detail::AllSane(user_bias_) || !baseline_detail::AllSane(item_bias_)) {
    return Status::InvalidArgument(
        "baseline: sgd diverged (a bias became non-finite or huge); lower "
        "learning_rate (now " +
        std::to_string(learning_rate_) + ")");
  }
  return Status::Ok();
}

Status BaselineRecommender::CheckUser(uint32_t user, const char* call) const {
  if (data_ == nullptr)
    return Status::InvalidArgument(std::string("baseline: ") + call + " called before Fit");
  if (user >= data_->num_users) {
    return Status::InvalidArgument("baseline: user id " + std::to_string(user) +
                                   " is out of range (the model has " + std::to_string(data_->num_users) +
                                   " users)");
  }
  return Status::Ok();
}

Status BaselineRecommender::CheckItems(std::span<const uint32_t> items, size_t out_size,
                                       const char* call) const {
  if (out_size != items.size()) {
    return Status::InvalidArgument(std::string("baseline: ") + call + ": out and items differ in size");
  }
  for (uint32_t item : items) {
    if (item >= data_->num_items) {
      return Status::InvalidArgument("baseline: item id " + std::to_string(item) +
                                     " is out of range (the model has " + std::to_string(data_->num_items) +
                                     " items)");
    }
  }
  return Status::Ok();
}

Status BaselineRecommender::Score(uint32_t user, std::span<const uint32_t> items,
                                  std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(CheckUser(user, "Score"));
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out.size(), "Score"));
  const double base = global_mean_ + user_bias_[user];
  for (size_t j = 0; j < items.size(); ++j) out[j] = static_cast<float>(base + item_bias_[items[j]]);
  return Status::Ok();
}

Status BaselineRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("baseline: ScoreBatch called before Fit");
  const size_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(
        "baseline: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * num_items) +
        " scores, has " + std::to_string(out.size()));
  }
  for (size_t b = 0; b < users.size(); ++b) {
    RECLIFT_RETURN_IF_ERROR(CheckUser(users[b], "ScoreBatch"));
    const double base = global_mean_ + user_bias_[users[b]];
    float* row = out.data() + b * num_items;
    for (size_t i = 0; i < num_items; ++i) row[i] = static_cast<float>(base + item_bias_[i]);
  }
  return Status::Ok();
}

Status BaselineRecommender::Predict(uint32_t user, std::span<const uint32_t> items,
                                    std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(Score(user, items, out));
  for (float& rating : out) rating = std::clamp(rating, min_rating_, max_rating_);
  return Status::Ok();
}

Status BaselineRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                         std::span<const float> history_values,
                                         std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("baseline: ScoreHistory called before Fit");
  if (history_values.size() != history_items.size()) {
    return Status::InvalidArgument("baseline: ScoreHistory needs one rating per history item (" +
                                   std::to_string(history_items.size()) + " items, " +
                                   std::to_string(history_values.size()) + " values)");
  }
  RECLIFT_RETURN_IF_ERROR(CheckItems(history_items, history_items.size(), "ScoreHistory"));
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out.size(), "ScoreHistory"));
  double deviation = 0;
  for (size_t k = 0; k < history_items.size(); ++k) {
    deviation += history_values[k] - global_mean_ - item_bias_[history_items[k]];
  }
  const double n = static_cast<double>(history_items.size());
  const double denominator = als_ ? reg_user_ + n : n * (1.0 + regularization_);
  const double user_bias = denominator > 0 ? deviation / denominator : 0.0;
  for (size_t j = 0; j < items.size(); ++j) {
    out[j] = static_cast<float>(global_mean_ + user_bias + item_bias_[items[j]]);
  }
  return Status::Ok();
}

}  // namespace reclift::recommenders
