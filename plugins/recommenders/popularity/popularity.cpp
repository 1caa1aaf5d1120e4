#include "popularity.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"weighting", ParamType::kString, "count", 0, 0, "count|sum",
     "what one interaction adds: 1 (count) or its value (sum)"},
    {"window_days", ParamType::kInt, "0", 0, 36500, nullptr,
     "count only interactions at most N days older than the latest one (0 = all time)"},
    {"half_life_days", ParamType::kFloat, "0", 0, 36500, nullptr,
     "weigh an interaction aged a days by 0.5^(a / half_life_days) (0 = no decay)"},
};

}  // namespace

std::span<const ParamSpec> PopularityParamSpecs() {
  return kParams;
}

Status PopularityRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const bool by_value = params.GetString("weighting") == "sum";
  const int64_t window_days = params.GetInt("window_days");
  const double half_life_days = params.GetFloat("half_life_days");
  const SparseView& by_item = data.by_item;
  const bool timed = window_days > 0 || half_life_days > 0;
  if (timed && by_item.timestamps.empty() && data.nnz() > 0) {
    return Status::InvalidArgument(std::string("parameter '") +
                                   (window_days > 0 ? "window_days" : "half_life_days") +
                                   "' needs interaction timestamps, but the training data has none");
  }

  // Ages are measured from the latest training interaction, not from the
  // wall clock, so that a result does not depend on when it was computed.
  int64_t latest = 0;
  if (timed && !by_item.timestamps.empty()) {
    latest = *std::max_element(by_item.timestamps.begin(), by_item.timestamps.end());
  }
  const int64_t oldest_counted = latest - window_days * kSecondsPerDay;

  item_scores_.assign(data.num_items, 0.f);
  for (uint32_t item = 0; item < data.num_items; ++item) {
    const auto values = by_item.RowValues(item);
    const auto times = by_item.RowTimestamps(item);
    double total = 0;  // double: long rows of small float weights lose precision otherwise
    for (size_t e = 0; e < values.size(); ++e) {
      double weight = by_value ? values[e] : 1.0;
      if (timed) {
        if (window_days > 0 && times[e] < oldest_counted) continue;
        if (half_life_days > 0) {
          const double age_days = static_cast<double>(latest - times[e]) / kSecondsPerDay;
          weight *= std::exp2(-age_days / half_life_days);
        }
      }
      total += weight;
    }
    item_scores_[item] = static_cast<float>(total);
  }
  num_users_ = data.num_users;
  fitted_ = true;
  return Status::Ok();
}

Status PopularityRecommender::ScoreItems(std::span<const uint32_t> items, std::span<float> out) const {
  if (!fitted_) return Status::InvalidArgument("popularity: scoring called before Fit");
  if (out.size() != items.size()) {
    return Status::InvalidArgument("popularity: " + std::to_string(items.size()) + " items but " +
                                   std::to_string(out.size()) + " output slots");
  }
  const uint32_t num_items = static_cast<uint32_t>(item_scores_.size());
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= num_items) {
      return Status::InvalidArgument("popularity: item id " + std::to_string(items[j]) +
                                     " out of range (num_items = " + std::to_string(num_items) + ")");
    }
    out[j] = item_scores_[items[j]];
  }
  return Status::Ok();
}

Status PopularityRecommender::Score(uint32_t user, std::span<const uint32_t> items,
                                    std::span<float> out) const {
  if (fitted_ && user >= num_users_) {
    return Status::InvalidArgument("popularity: user id " + std::to_string(user) +
                                   " out of range (num_users = " + std::to_string(num_users_) + ")");
  }
  return ScoreItems(items, out);
}

Status PopularityRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (!fitted_) return Status::InvalidArgument("popularity: scoring called before Fit");
  const size_t num_items = item_scores_.size();
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument("popularity: ScoreBatch output has " + std::to_string(out.size()) +
                                   " slots, expected users x items = " + std::to_string(users.size()) +
                                   " x " + std::to_string(num_items));
  }
  for (size_t row = 0; row < users.size(); ++row) {
    if (users[row] >= num_users_) {
      return Status::InvalidArgument("popularity: user id " + std::to_string(users[row]) +
                                     " out of range (num_users = " + std::to_string(num_users_) + ")");
    }
    std::copy(item_scores_.begin(), item_scores_.end(), out.begin() + row * num_items);
  }
  return Status::Ok();
}

Status PopularityRecommender::ScoreHistory(std::span<const uint32_t>, std::span<const float>,
                                           std::span<const uint32_t> items, std::span<float> out) const {
  return ScoreItems(items, out);
}

}  // namespace reclift::plugins

RECLIFT_RECOMMENDER_PLUGIN(reclift::plugins::PopularityRecommender, "popularity", "1.0.0",
                           "Items ranked by training popularity (count or sum, optional window and decay)",
                           reclift::plugins::kParams, reclift::kCapScoreBatch | reclift::kCapScoreHistory)
