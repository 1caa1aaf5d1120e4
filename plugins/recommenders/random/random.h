// RandomRecommender: scores every (user, item) pair with a pseudo-random
// number drawn from the cell's seed. The floor any recommender must clear.
//
// The score is a stateless hash of (seed, user, item), not a draw from a
// generator, so it is the same whatever the thread count and call order.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

// The splitmix64 output function (Steele, Lea, Flood 2014): a bijective
// 64-bit mixer whose every output bit depends on every input bit.
constexpr uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Maps (seed, key, item) to [0, 1). The top 24 bits of the hash become the
// float's mantissa, so every value is exact and 1.0 is never reached.
constexpr float HashToUnit(uint64_t seed, uint64_t key, uint32_t item) {
  const uint64_t h = SplitMix64(SplitMix64(SplitMix64(seed) ^ key) ^ item);
  return static_cast<float>(h >> 40) * 0x1.0p-24f;
}

class RandomRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // A user unseen at fit time is keyed by a hash of its history, so the same
  // history always gets the same scores.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

 private:
  Status ScoreKey(uint64_t key, std::span<const uint32_t> items, std::span<float> out) const;

  bool fitted_ = false;
  uint64_t seed_ = 0;
  uint32_t num_users_ = 0;
  uint32_t num_items_ = 0;
};

}  // namespace reclift::plugins
