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
    {"scope", ParamType::kString, "global", 0, 0, "global|category",
     "global: one list for all; category: popularity within each category, weighted by the user's "
     "share of history in it"},
};

}  // namespace

std::span<const ParamSpec> PopularityParamSpecs() {
  return kParams;
}

Status PopularityRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const bool by_value = params.GetString("weighting") == "sum";
  by_value_ = by_value;
  by_category_ = params.GetString("scope") == "category";
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
  data_ = &data;
  item_category_begin_.clear();
  item_categories_.clear();
  category_prior_.clear();
  if (by_category_) FitCategories(data);
  fitted_ = true;
  return Status::Ok();
}

void PopularityRecommender::FitCategories(const TrainData& data) {
  const SparseView& categories = data.item_features.categories;
  const bool has_categories = categories.rows() == data.num_items;
  size_t num_categories = data.item_features.category_names.size();
  if (has_categories) {
    for (uint32_t c : categories.indices) num_categories = std::max<size_t>(num_categories, c + size_t{1});
  }
  const uint32_t uncategorised = static_cast<uint32_t>(num_categories);

  // Each item's popularity is split over its categories by weight; an item
  // with no category (or only non-positive weights) is "uncategorised".
  item_category_begin_.assign(data.num_items + 1, 0);
  std::vector<double> category_total(num_categories + 1, 0.0);
  for (uint32_t item = 0; item < data.num_items; ++item) {
    double weight_sum = 0;
    if (has_categories) {
      for (float w : categories.RowValues(item)) weight_sum += std::max(w, 0.f);
    }
    if (weight_sum > 0) {
      for (auto [c, w] : categories.Row(item)) {
        if (w <= 0) continue;
        const float fraction = static_cast<float>(w / weight_sum);
        item_categories_.push_back({c, fraction, 0.f});
        category_total[c] += static_cast<double>(item_scores_[item]) * fraction;
      }
    } else {
      item_categories_.push_back({uncategorised, 1.f, 0.f});
      category_total[uncategorised] += item_scores_[item];
    }
    item_category_begin_[item + 1] = static_cast<uint32_t>(item_categories_.size());
  }
  for (uint32_t item = 0; item < data.num_items; ++item) {
    for (uint32_t e = item_category_begin_[item]; e < item_category_begin_[item + 1]; ++e) {
      CategoryEntry& entry = item_categories_[e];
      const double total = category_total[entry.category];
      entry.within = total > 0 ? static_cast<float>(item_scores_[item] * entry.fraction / total) : 0.f;
    }
  }
  double all = 0;
  for (double t : category_total) all += t;
  category_prior_.assign(category_total.size(), 0.0);
  for (size_t c = 0; c < category_total.size(); ++c) {
    category_prior_[c] = all > 0 ? category_total[c] / all : 1.0 / static_cast<double>(category_total.size());
  }
}

// share(c) = (n_c + prior(c)) / (n + 1): n_c counts the history's
// interactions in c (each split over its item's categories, weighted by its
// value with weighting = "sum"), and the one pseudo-interaction spread by
// the prior keeps categories outside the history ranked by their popularity
// and gives a user with no history the global list.
void PopularityRecommender::HistoryShares(std::span<const uint32_t> history_items,
                                          std::span<const float> history_values,
                                          std::vector<double>& shares) const {
  shares.assign(category_prior_.size(), 0.0);
  double n = 0;
  for (size_t h = 0; h < history_items.size(); ++h) {
    const double weight =
        by_value_ && !history_values.empty() ? std::max(static_cast<double>(history_values[h]), 0.0) : 1.0;
    const uint32_t item = history_items[h];
    for (uint32_t e = item_category_begin_[item]; e < item_category_begin_[item + 1]; ++e) {
      shares[item_categories_[e].category] += weight * item_categories_[e].fraction;
    }
    n += weight;
  }
  for (size_t c = 0; c < shares.size(); ++c) shares[c] = (shares[c] + category_prior_[c]) / (n + 1.0);
}

float PopularityRecommender::CategoryScore(uint32_t item, const std::vector<double>& shares) const {
  double score = 0;
  for (uint32_t e = item_category_begin_[item]; e < item_category_begin_[item + 1]; ++e) {
    score += shares[item_categories_[e].category] * item_categories_[e].within;
  }
  return static_cast<float>(score);
}

void PopularityRecommender::Fill(std::span<const uint32_t> items, const std::vector<double>* shares,
                                 std::span<float> out) const {
  for (size_t j = 0; j < items.size(); ++j) {
    out[j] = shares == nullptr ? item_scores_[items[j]] : CategoryScore(items[j], *shares);
  }
}

Status PopularityRecommender::CheckItems(std::span<const uint32_t> items, std::span<float> out) const {
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
  }
  return Status::Ok();
}

Status PopularityRecommender::Score(uint32_t user, std::span<const uint32_t> items,
                                    std::span<float> out) const {
  if (fitted_ && user >= num_users_) {
    return Status::InvalidArgument("popularity: user id " + std::to_string(user) +
                                   " out of range (num_users = " + std::to_string(num_users_) + ")");
  }
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out));
  if (!by_category_) {
    Fill(items, nullptr, out);
    return Status::Ok();
  }
  std::vector<double> shares;
  HistoryShares(data_->by_user.RowIndices(user), data_->by_user.RowValues(user), shares);
  Fill(items, &shares, out);
  return Status::Ok();
}

Status PopularityRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (!fitted_) return Status::InvalidArgument("popularity: scoring called before Fit");
  const size_t num_items = item_scores_.size();
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument("popularity: ScoreBatch output has " + std::to_string(out.size()) +
                                   " slots, expected users x items = " + std::to_string(users.size()) +
                                   " x " + std::to_string(num_items));
  }
  std::vector<double> shares;
  for (size_t row = 0; row < users.size(); ++row) {
    if (users[row] >= num_users_) {
      return Status::InvalidArgument("popularity: user id " + std::to_string(users[row]) +
                                     " out of range (num_users = " + std::to_string(num_users_) + ")");
    }
    float* row_out = out.data() + row * num_items;
    if (!by_category_) {
      std::copy(item_scores_.begin(), item_scores_.end(), row_out);
      continue;
    }
    HistoryShares(data_->by_user.RowIndices(users[row]), data_->by_user.RowValues(users[row]), shares);
    for (uint32_t item = 0; item < num_items; ++item) row_out[item] = CategoryScore(item, shares);
  }
  return Status::Ok();
}

Status PopularityRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                           std::span<const float> history_values,
                                           std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out));
  if (!by_category_) {
    Fill(items, nullptr, out);
    return Status::Ok();
  }
  if (!history_values.empty() && history_values.size() != history_items.size()) {
    return Status::InvalidArgument("popularity: " + std::to_string(history_items.size()) +
                                   " history items but " + std::to_string(history_values.size()) +
                                   " history values");
  }
  for (uint32_t item : history_items) {
    if (item >= item_scores_.size()) {
      return Status::InvalidArgument("popularity: history item id " + std::to_string(item) +
                                     " out of range (num_items = " + std::to_string(item_scores_.size()) +
                                     ")");
    }
  }
  std::vector<double> shares;
  HistoryShares(history_items, history_values, shares);
  Fill(items, &shares, out);
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_RECOMMENDER_PLUGIN(reclift::plugins::PopularityRecommender, "popularity", "1.1.0",
                           "Items ranked by training popularity (count or sum, optional window and decay), "
                           "globally or within the user's categories",
                           reclift::plugins::kParams, reclift::kCapScoreBatch | reclift::kCapScoreHistory)
