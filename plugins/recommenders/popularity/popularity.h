// PopularityRecommender: ranks items by how much they were used in training.
// The baseline every experiment compares with.
//
// scope = "global" (default): the same list for every user.
// scope = "category": a category mixture, score(u, i) = sum over i's
// categories c of share(u, c) * popularity(i within c), where
// popularity(i within c) is i's share of all popularity in c and share(u, c)
// is the user's share of training history in c, smoothed by one
// pseudo-interaction spread by the categories' overall shares (see README).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class PopularityRecommender final : public Recommender {
 public:
  static constexpr int64_t kSecondsPerDay = 86400;

  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // A user unseen at fit time: the global list, or (scope = "category")
  // category shares computed from the given history.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Popularity of each item after Fit (size num_items), whatever the scope.
  const std::vector<float>& item_scores() const { return item_scores_; }

 private:
  // One category of an item.
  struct CategoryEntry {
    uint32_t category;
    float fraction;  // the item's weight in this category over its total category weight
    float within;    // popularity(i within c): the item's part of c's total popularity
  };

  Status CheckItems(std::span<const uint32_t> items, std::span<float> out) const;
  void FitCategories(const TrainData& data);
  // The smoothed share of each category in a history (scope = "category").
  void HistoryShares(std::span<const uint32_t> history_items, std::span<const float> history_values,
                     std::vector<double>& shares) const;
  float CategoryScore(uint32_t item, const std::vector<double>& shares) const;
  // Fills out[j] for items[j]: the global list, or the mixture under `shares`.
  void Fill(std::span<const uint32_t> items, const std::vector<double>* shares, std::span<float> out) const;

  bool fitted_ = false;
  bool by_category_ = false;
  bool by_value_ = false;
  uint32_t num_users_ = 0;
  const TrainData* data_ = nullptr;
  std::vector<float> item_scores_;
  // scope = "category": the categories of each item (CSR over items); the
  // last category index stands for "uncategorised"
  std::vector<uint32_t> item_category_begin_;
  std::vector<CategoryEntry> item_categories_;
  std::vector<double> category_prior_;  // each category's share of all training popularity
};

// The declared parameters (also exported through PluginInfo).
std::span<const ParamSpec> PopularityParamSpecs();

}  // namespace reclift::plugins
