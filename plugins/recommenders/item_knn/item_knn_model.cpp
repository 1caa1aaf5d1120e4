// Item-based kNN: see item_knn.h for the model and README.md for parameters.
#include <algorithm>
#include <string>

#include "item_knn.h"

namespace reclift::recommenders {

Status ItemKnnRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  knn::KnnOptions options;
  RECLIFT_RETURN_IF_ERROR(knn::ParseOptions(params, options));
  RECLIFT_RETURN_IF_ERROR(core_.Fit(data, options, /*user_based=*/false, ctx));
  reverse_ = core_.neighbours().Reverse(data.num_items);
  return Status::Ok();
}

void ItemKnnRecommender::Accumulate(std::span<const uint32_t> history, std::span<float> scores) const {
  // Walking the reverse lists of the history touches only the items whose
  // neighbour lists contain a history item: |history| x ~top_neighbours adds.
  for (uint32_t h : history) {
    for (const knn::Neighbour& n : reverse_.Row(h)) scores[n.id] += n.similarity;
  }
}

Status ItemKnnRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(core_.CheckFitted());
  const TrainData& d = core_.data();
  if (user >= d.num_users)
    return Status::InvalidArgument("user " + std::to_string(user) + " is out of range");
  if (out.size() != items.size()) return Status::InvalidArgument("out and items differ in size");
  std::vector<float> scores(d.num_items, 0.f);
  Accumulate(d.by_user.RowIndices(user), scores);
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= d.num_items) {
      return Status::InvalidArgument("item " + std::to_string(items[j]) + " is out of range");
    }
    out[j] = scores[items[j]];
  }
  return Status::Ok();
}

Status ItemKnnRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(core_.CheckFitted());
  const TrainData& d = core_.data();
  const size_t n = d.num_items;
  if (out.size() != users.size() * n) return Status::InvalidArgument("out must hold users x items scores");
  for (size_t b = 0; b < users.size(); ++b) {
    if (users[b] >= d.num_users) {
      return Status::InvalidArgument("user " + std::to_string(users[b]) + " is out of range");
    }
    std::span<float> row = out.subspan(b * n, n);  // the host's buffer is the accumulator
    std::fill(row.begin(), row.end(), 0.f);
    Accumulate(d.by_user.RowIndices(users[b]), row);
  }
  return Status::Ok();
}

Status ItemKnnRecommender::Predict(uint32_t user, std::span<const uint32_t> items,
                                   std::span<float> out) const {
  return core_.PredictMany(user, items, out);
}

Status ItemKnnRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                        std::span<const float> history_values,
                                        std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(core_.CheckFitted());
  const TrainData& d = core_.data();
  if (out.size() != items.size()) return Status::InvalidArgument("out and items differ in size");
  std::vector<uint32_t> history;
  std::vector<float> values;
  RECLIFT_RETURN_IF_ERROR(knn::CanonicalHistory(history_items, history_values, d.num_items, history, values));
  std::vector<float> scores(d.num_items, 0.f);
  Accumulate(history, scores);
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= d.num_items) {
      return Status::InvalidArgument("item " + std::to_string(items[j]) + " is out of range");
    }
    out[j] = scores[items[j]];
  }
  return Status::Ok();
}

std::vector<std::pair<uint32_t, float>> ItemKnnRecommender::Explain(uint32_t user, uint32_t item,
                                                                    size_t n) const {
  std::vector<std::pair<uint32_t, float>> out;
  if (!core_.CheckFitted().ok()) return out;
  const TrainData& d = core_.data();
  if (user >= d.num_users || item >= d.num_items) return out;
  const auto history = d.by_user.RowIndices(user);
  // the item's list is sorted by similarity, so its members in the history
  // come out most similar first
  for (const knn::Neighbour& nb : core_.neighbours().Row(item)) {
    if (out.size() >= n) break;
    if (std::binary_search(history.begin(), history.end(), nb.id)) out.emplace_back(nb.id, nb.similarity);
  }
  return out;
}

}  // namespace reclift::recommenders
