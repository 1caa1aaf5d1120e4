// Hybrid: a composite recommender mixing a collaborative child (first) and a
// content child (second), both built and fitted by the host from the
// experiment (`children = [{recommender = "als"}, {recommender = "content"}]`).
//
// Each child's scores for a user are first normalised over the candidates of
// the call (minmax, zscore or rank), so that the two scales meet. Then
//   weighted:  score = (1 - beta) * cf + beta * content
//   switching: content for users with fewer than user_threshold training
//              interactions and for items with fewer than item_threshold;
//              cf otherwise (a list mixes both normalised scales per item).
//
// A child that cannot fold in unseen users (no ScoreHistory) contributes, for
// such a user, the mean of its normalised scores over up to 256 training users
// spread evenly over the user ids (computed at Fit): what it says for a
// typical user.
//
// Thread-safety: SetChildren and Fit are single-caller; the scoring methods
// are const and may be called concurrently after Fit (the children's are too).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kHybridParams[] = {
    {"mode", ParamType::kString, "weighted", 0, 0, "weighted|switching",
     "weighted: (1 - beta) cf + beta content; switching: content for cold users and items, cf otherwise"},
    {"beta", ParamType::kFloat, "0.3", 0, 1, nullptr,
     "weighted: the content child's share (0 = collaborative only, 1 = content only)"},
    {"normalisation", ParamType::kString, "minmax", 0, 0, "minmax|zscore|rank",
     "how each child's scores are normalised per user before they are mixed"},
    {"user_threshold", ParamType::kInt, "1", 0, 1000000, nullptr,
     "switching: users with fewer training interactions get the content child"},
    {"item_threshold", ParamType::kInt, "1", 0, 1000000, nullptr,
     "switching: items with fewer training interactions get the content child"},
};

class HybridRecommender final : public Recommender {
 public:
  enum class Mode { kWeighted, kSwitching };
  enum class Normalisation { kMinMax, kZScore, kRank };

  // Expects two children: collaborative, then content.
  Status SetChildren(std::span<const ChildRecommender> children) override;
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  // One ScoreBatch call per child when the child has it, else Score per user.
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // The children's fold-in (or their typical-user fallback), mixed as above
  // with the history's length as the user's interaction count.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Normalises one user's scores in place. Scores at or below -1e29 (a
  // child's "never") and NaN are left out of the statistics and get the
  // lowest normalised value. minmax: (s - min) / (max - min), 0 when all are
  // equal; zscore: (s - mean) / standard deviation (population), 0 when it is
  // 0; rank: the average 0-based ascending rank of ties over (n - 1), 0 for
  // n = 1.
  static void Normalise(Normalisation normalisation, std::span<float> scores);

 private:
  // Mixes the two children's raw scores of one user (cf is overwritten with
  // the result). `interactions` is the user's training (or history) count.
  void Mix(size_t interactions, std::span<const uint32_t> items, std::span<float> cf,
           std::span<float> content) const;
  // The children's scores for all items of `users`, row-major, into `rows`.
  Status ChildRows(int child, std::span<const uint32_t> users, std::span<float> rows) const;
  Status FitFallbacks(const TrainData& data);

  ChildRecommender children_[2] = {};
  bool has_children_ = false;
  const TrainData* data_ = nullptr;
  Mode mode_ = Mode::kWeighted;
  Normalisation normalisation_ = Normalisation::kMinMax;
  float beta_ = 0.3f;
  size_t user_threshold_ = 0;
  size_t item_threshold_ = 0;
  std::vector<uint32_t> all_items_;
  // per child without ScoreHistory: its mean normalised score per item
  std::vector<float> fallback_[2];
};

}  // namespace reclift::recommenders
