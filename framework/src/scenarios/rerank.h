// Host-side re-rankers that apply to any arm: they reorder the arm's best
// candidates (its top `candidates` items with their scores) into a shorter
// list that trades some relevance for diversity or calibration.
//
// Both normalise the arm's scores over the candidates to [0, 1] (min-max;
// all 0 when they are equal), so that lambda means the same for every arm
// whatever the scale of its scores. Ties keep the arm's order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reclift/train_data.h"

namespace reclift::host {

// Similarity of two items in [0, 1]: the cosine of their binary vectors,
// |A n B| / sqrt(|A| |B|), where an item's set is either its categories and
// tags ("features") or the users who used it in training ("cooccurrence",
// item-item co-occurrence). An item with an empty set is similar to nothing
// (0), itself included. For catalogues up to kDenseLimit items every pair is
// computed once up front (num_items^2 floats); above, on demand.
class ItemSimilarity {
 public:
  static constexpr uint32_t kDenseLimit = 4096;

  static ItemSimilarity FromFeatures(const ItemFeaturesView& features, uint32_t num_items);
  static ItemSimilarity FromCooccurrence(const TrainData& train);

  float operator()(uint32_t a, uint32_t b) const {
    return dense_.empty() ? Compute(a, b) : dense_[static_cast<size_t>(a) * num_items_ + b];
  }
  uint32_t num_items() const { return num_items_; }
  // Items with a non-empty set.
  size_t items_with_vectors() const;

 private:
  float Compute(uint32_t a, uint32_t b) const;
  void Precompute();

  uint32_t num_items_ = 0;
  std::vector<uint64_t> offsets_;  // item -> its sorted ids in ids_
  std::vector<uint32_t> ids_;
  std::vector<float> dense_;
};

// Maximal marginal relevance (Carbonell and Goldstein 1998): picks, k
// times, the candidate maximising
//   (1 - lambda) * relevance(c) - lambda * max over picked p of sim(c, p)
// (the max is 0 for the first pick). lambda = 0 keeps the arm's order;
// lambda = 1 ignores relevance after the first pick. `candidates` are best
// first with their `scores`. Writes min(k, candidates) items to `out`.
void MmrRerank(std::span<const uint32_t> candidates, std::span<const float> scores,
               const ItemSimilarity& similarity, double lambda, size_t k, std::vector<uint32_t>& out);

// Calibration (Steck 2018, "Calibrated recommendations"): the list's
// category distribution q should match the user's p, the distribution of
// the categories of the user's training items. An item spreads weight 1
// evenly over its categories (none: it counts for no category); p weighs
// every training item 1, q every listed item 1. Greedily picks, k times, the
// candidate maximising
//   (1 - lambda) * sum of relevance over the list - lambda * KL(p || q~)
// with q~ = (1 - alpha) q + alpha p, alpha = 0.01 (so KL stays finite). A
// user without categorised training items keeps the arm's order.
class CategoryCalibrator {
 public:
  static constexpr double kAlpha = 0.01;

  CategoryCalibrator(const ItemFeaturesView& features, uint32_t num_items);

  // The user's category distribution p from their training items (empty
  // when none has a category).
  std::vector<double> UserDistribution(std::span<const uint32_t> history) const;

  void Rerank(std::span<const uint32_t> candidates, std::span<const float> scores, std::span<const double> p,
              double lambda, size_t k, std::vector<uint32_t>& out) const;

  // KL(p || q~) of a list (the miscalibration Steck reports); NaN when p is
  // empty or the list is.
  double Miscalibration(std::span<const double> p, std::span<const uint32_t> list) const;

  size_t num_categories() const { return num_categories_; }

 private:
  // Adds item's category shares times `weight` into `mass`; returns whether it has categories.
  bool AddItem(uint32_t item, double weight, std::vector<double>& mass) const;
  double Kl(std::span<const double> p, std::span<const double> mass, double total) const;

  const ItemFeaturesView* features_;
  size_t num_categories_ = 0;
  uint32_t num_items_ = 0;
};

// The candidates' scores min-max normalised to [0, 1] (all 0 when equal).
std::vector<double> NormalisedRelevance(std::span<const float> scores);

}  // namespace reclift::host
