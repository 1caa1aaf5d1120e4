// EASE^R: Embarrassingly Shallow Autoencoder (Steck, WWW 2019).
//
// An item-item linear model with a closed form: with X the users x items
// interaction matrix (binary by default),
//   G = X^T X + lambda I,   P = G^-1,   B_ij = -P_ij / P_jj  (B_jj = 0),
// and the score of item j for user u is x_u . B[:, j]. Fold-in of an unseen
// user is exact: the same product with the user's history.
//
// Cost: the dense items x items matrices. Fit holds two of them (G's
// Cholesky factor and P, which becomes B in place) and needs
// 2 * items^2 * sizeof(scalar) bytes; Fit refuses catalogues above
// memory_budget_mb instead of exhausting memory. Time is O(items^3).
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

inline constexpr ParamSpec kEaseParams[] = {
    {"lambda", ParamType::kFloat, "500", 1e-3, 1e9, nullptr,
     "L2 penalty added to the Gram matrix diagonal (Steck: 500 on MovieLens-20M)"},
    {"memory_budget_mb", ParamType::kInt, "4096", 1, 1 << 30, nullptr,
     "refuse catalogues whose dense matrices need more memory than this (MiB)"},
    {"precision", ParamType::kString, "float", 0, 0, "float|double",
     "scalar for the Gram matrix and its inverse: double halves rounding error, doubles memory"},
    {"binarize", ParamType::kBool, "true", 0, 0, nullptr,
     "true: every interaction counts 1 (Steck's setting); false: use the interaction values"},
};

class EaseRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // Exact fold-in: history . B. `history_values` may be empty (every value 1);
  // with binarize = true the values are ignored.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Bytes Fit needs for `num_items` items in `precision` ("float"/"double").
  static uint64_t RequiredBytes(uint64_t num_items, bool double_precision);

  uint32_t num_items() const { return num_items_; }
  // B, row-major items x items: weight(i, j) is how much having item i adds
  // to the score of item j.
  float weight(uint32_t i, uint32_t j) const { return weights_[static_cast<size_t>(i) * num_items_ + j]; }

 private:
  const TrainData* data_ = nullptr;
  uint32_t num_items_ = 0;
  bool binarize_ = true;
  std::vector<float> weights_;
};

}  // namespace reclift::recommenders
