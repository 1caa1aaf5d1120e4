// Item-based k-nearest neighbours (Sarwar et al., WWW 2001; Deshpande &
// Karypis, TOIS 2004), with Surprise's similarities and rating predictors.
//
// Fit computes, for every item, its `top_neighbours` most similar items
// (sparse, positive similarities only). Then:
//   - top-N score (Score, ScoreBatch): score(u, j) = sum of sim(j, h) over the
//     items h of u's history that are among j's stored neighbours;
//   - fold-in (ScoreHistory): the same sum over a given history;
//   - rating prediction (Predict): Surprise's KNNBasic / KNNWithMeans /
//     KNNBaseline, item-based, over the k most similar stored neighbours of
//     the item that the user rated (see knn_common.h).
//
// Thread-safety: Fit is single-caller; the scoring methods and Explain are
// const and may be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "knn_common.h"
#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kItemKnnParams[] = {
    {"similarity", ParamType::kString, "cosine_full", 0, 0, "cosine|cosine_full|pearson|msd|pearson_baseline",
     "item-item similarity; cosine_full for implicit data, the others (Surprise's) need ratings"},
    {"prediction", ParamType::kString, "basic", 0, 0, "basic|means|baseline",
     "rating predictor: Surprise's KNNBasic, KNNWithMeans or KNNBaseline"},
    {"k", ParamType::kInt, "40", 1, 10000, nullptr, "most similar rated items used per predicted rating"},
    {"min_k", ParamType::kInt, "1", 1, 10000, nullptr,
     "fewer usable neighbours than this: predict the fallback (mean or baseline)"},
    {"min_support", ParamType::kInt, "1", 1, 1000000, nullptr,
     "items sharing fewer users than this have similarity 0"},
    {"shrinkage", ParamType::kFloat, "100", 0, 1e6, nullptr,
     "pearson_baseline shrinkage: rho * (n - 1) / (n - 1 + shrinkage), n = shared users"},
    {"top_neighbours", ParamType::kInt, "100", 0, 1000000, nullptr,
     "neighbours stored per item (memory bound); 0 keeps every positive one"},
    {"baseline_epochs", ParamType::kInt, "10", 0, 1000, nullptr, "ALS sweeps of the baseline estimates"},
    {"baseline_reg_users", ParamType::kFloat, "15", 0, 1e6, nullptr, "baseline user-bias regularisation"},
    {"baseline_reg_items", ParamType::kFloat, "10", 0, 1e6, nullptr, "baseline item-bias regularisation"},
};

class ItemKnnRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  Status Predict(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  // The history's values are ignored: every history item counts once.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Why `item` scores what it does for `user`: the history items that
  // contributed to Score, most similar first, at most n of them, as
  // (history item, similarity). Their similarities sum to the score when n
  // is large enough. Empty for an unknown user or item.
  std::vector<std::pair<uint32_t, float>> Explain(uint32_t user, uint32_t item, size_t n) const;

  // item -> its stored neighbours, most similar first
  const knn::NeighbourLists& neighbours() const { return core_.neighbours(); }
  const knn::KnnCore& core() const { return core_; }

 private:
  // Adds, for every history item h, sim(j, h) to scores[j] for every item j
  // whose stored neighbours contain h. `scores` has num_items entries.
  void Accumulate(std::span<const uint32_t> history, std::span<float> scores) const;

  knn::KnnCore core_;
  knn::NeighbourLists reverse_;  // h -> items j listing h, with sim(j, h)
};

}  // namespace reclift::recommenders
