#include "random.h"

#include <string>

namespace reclift::plugins {
namespace {

// Keys of folded-in users have the top bit set, so they never collide with
// the id of a user known at fit time (ids are 32-bit).
constexpr uint64_t kHistoryKeyBit = 1ULL << 63;

Status OutOfRange(const char* what, uint32_t id, uint32_t count) {
  return Status::InvalidArgument(std::string("random: ") + what + " id " + std::to_string(id) +
                                 " out of range (num_" + what + "s = " + std::to_string(count) + ")");
}

}  // namespace

Status RandomRecommender::Fit(const TrainData& data, const Params&, const Context& ctx) {
  seed_ = ctx.seed;
  num_users_ = data.num_users;
  num_items_ = data.num_items;
  fitted_ = true;
  return Status::Ok();
}

Status RandomRecommender::ScoreKey(uint64_t key, std::span<const uint32_t> items,
                                   std::span<float> out) const {
  if (!fitted_) return Status::InvalidArgument("random: scoring called before Fit");
  if (out.size() != items.size()) {
    return Status::InvalidArgument("random: " + std::to_string(items.size()) + " items but " +
                                   std::to_string(out.size()) + " output slots");
  }
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= num_items_) return OutOfRange("item", items[j], num_items_);
    out[j] = HashToUnit(seed_, key, items[j]);
  }
  return Status::Ok();
}

Status RandomRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (fitted_ && user >= num_users_) return OutOfRange("user", user, num_users_);
  return ScoreKey(user, items, out);
}

Status RandomRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (!fitted_) return Status::InvalidArgument("random: scoring called before Fit");
  if (out.size() != users.size() * size_t{num_items_}) {
    return Status::InvalidArgument("random: ScoreBatch output has " + std::to_string(out.size()) +
                                   " slots, expected users x items = " + std::to_string(users.size()) +
                                   " x " + std::to_string(num_items_));
  }
  for (size_t row = 0; row < users.size(); ++row) {
    if (users[row] >= num_users_) return OutOfRange("user", users[row], num_users_);
    float* scores = out.data() + row * num_items_;
    for (uint32_t item = 0; item < num_items_; ++item) scores[item] = HashToUnit(seed_, users[row], item);
  }
  return Status::Ok();
}

Status RandomRecommender::ScoreHistory(std::span<const uint32_t> history_items, std::span<const float>,
                                       std::span<const uint32_t> items, std::span<float> out) const {
  // A sum of mixed ids: the same set of items gives the same key in any order.
  uint64_t key = 0;
  for (uint32_t item : history_items) key += SplitMix64(item);
  return ScoreKey(key | kHistoryKeyBit, items, out);
}

}  // namespace reclift::plugins

RECLIFT_RECOMMENDER_PLUGIN(reclift::plugins::RandomRecommender, "random", "1.0.0",
                           "Pseudo-random scores from the cell's seed: the floor any recommender must clear",
                           nullptr, reclift::kCapScoreBatch | reclift::kCapScoreHistory)
