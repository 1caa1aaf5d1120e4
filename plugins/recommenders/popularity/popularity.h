// PopularityRecommender: ranks items by how much they were used in training,
// the same list for every user. The baseline every experiment compares with.
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
  // A user unseen at fit time gets the same list as everyone else.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Popularity of each item after Fit (size num_items).
  const std::vector<float>& item_scores() const { return item_scores_; }

 private:
  Status ScoreItems(std::span<const uint32_t> items, std::span<float> out) const;

  bool fitted_ = false;
  uint32_t num_users_ = 0;
  std::vector<float> item_scores_;
};

// The declared parameters (also exported through PluginInfo).
std::span<const ParamSpec> PopularityParamSpecs();

}  // namespace reclift::plugins
