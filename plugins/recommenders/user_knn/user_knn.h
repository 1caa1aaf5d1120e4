// User-based k-nearest neighbours (Resnick et al., CSCW 1994; Herlocker et
// al., SIGIR 1999), with Surprise's similarities and rating predictors.
//
// Fit computes, for every user, its `top_neighbours` most similar users
// (sparse, positive similarities only). Then:
//   - top-N score (Score, ScoreBatch): score(u, j) = sum over the k most
//     similar stored neighbours v of u of sim(u, v) x [v interacted with j];
//   - fold-in (ScoreHistory): the new user's similarities with every user are
//     computed from its history (same measure), then the same sum;
//   - rating prediction (Predict): Surprise's KNNBasic / KNNWithMeans /
//     KNNBaseline, user-based (Surprise's default), over the k most similar
//     stored neighbours of the user that rated the item (see knn_common.h).
//
// Cost: similarities take sum over items of (raters of the item)^2 steps, so
// the model suits catalogues with moderately popular items (MovieLens-1M
// scale); item_knn is the one for MovieLens-20M scale.
//
// Thread-safety: Fit is single-caller; the scoring methods and Explain are
// const and may be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "../item_knn/knn_common.h"
#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kUserKnnParams[] = {
    {"similarity", ParamType::kString, "cosine_full", 0, 0, "cosine|cosine_full|pearson|msd|pearson_baseline",
     "user-user similarity; cosine_full for implicit data; Surprise's KNNBasic default is msd"},
    {"prediction", ParamType::kString, "basic", 0, 0, "basic|means|baseline",
     "rating predictor: Surprise's KNNBasic, KNNWithMeans or KNNBaseline"},
    {"k", ParamType::kInt, "40", 1, 10000, nullptr,
     "most similar users used per predicted rating and per user's top-N scores"},
    {"min_k", ParamType::kInt, "1", 1, 10000, nullptr,
     "fewer usable neighbours than this: predict the fallback (mean or baseline)"},
    {"min_support", ParamType::kInt, "1", 1, 1000000, nullptr,
     "users sharing fewer items than this have similarity 0"},
    {"shrinkage", ParamType::kFloat, "100", 0, 1e6, nullptr,
     "pearson_baseline shrinkage: rho * (n - 1) / (n - 1 + shrinkage), n = shared items"},
    {"top_neighbours", ParamType::kInt, "100", 0, 1000000, nullptr,
     "neighbours stored per user (memory bound); 0 keeps every positive one (Surprise's predictions)"},
    {"baseline_epochs", ParamType::kInt, "10", 0, 1000, nullptr, "ALS sweeps of the baseline estimates"},
    {"baseline_reg_users", ParamType::kFloat, "15", 0, 1e6, nullptr, "baseline user-bias regularisation"},
    {"baseline_reg_items", ParamType::kFloat, "10", 0, 1e6, nullptr, "baseline item-bias regularisation"},
};

class UserKnnRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  Status Predict(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  // The history's values feed the similarity (ratings for msd / pearson).
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Why `item` scores what it does for `user`: the neighbours (among the k
  // used by Score) who interacted with the item, most similar first, at most
  // n of them, as (neighbour user, similarity). Their similarities sum to the
  // score when n is large enough. Empty for an unknown user or item.
  std::vector<std::pair<uint32_t, float>> Explain(uint32_t user, uint32_t item, size_t n) const;

  // user -> its stored neighbours, most similar first
  const knn::NeighbourLists& neighbours() const { return core_.neighbours(); }
  const knn::KnnCore& core() const { return core_; }

 private:
  // Adds sim(u, v) to scores[j] for every item j of every neighbour v.
  void Accumulate(std::span<const knn::Neighbour> neighbours, std::span<float> scores) const;
  std::span<const knn::Neighbour> ScoringNeighbours(uint32_t user) const;

  knn::KnnCore core_;
};

}  // namespace reclift::recommenders
