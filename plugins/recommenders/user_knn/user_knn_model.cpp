// User-based kNN: see user_knn.h for the model and README.md for parameters.
#include <algorithm>
#include <string>

#include "user_knn.h"

namespace reclift::recommenders {

Status UserKnnRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  knn::KnnOptions options;
  RECLIFT_RETURN_IF_ERROR(knn::ParseOptions(params, options));
  return core_.Fit(data, options, /*user_based=*/true, ctx);
}

std::span<const knn::Neighbour> UserKnnRecommender::ScoringNeighbours(uint32_t user) const {
  const auto row = core_.neighbours().Row(user);
  return row.first(std::min(row.size(), static_cast<size_t>(core_.options().k)));
}

void UserKnnRecommender::Accumulate(std::span<const knn::Neighbour> neighbours,
                                    std::span<float> scores) const {
  const SparseView& by_user = core_.data().by_user;
  for (const knn::Neighbour& v : neighbours) {
    for (uint32_t j : by_user.RowIndices(v.id)) scores[j] += v.similarity;
  }
}

Status UserKnnRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(core_.CheckFitted());
  const TrainData& d = core_.data();
  if (user >= d.num_users)
    return Status::InvalidArgument("user " + std::to_string(user) + " is out of range");
  if (out.size() != items.size()) return Status::InvalidArgument("out and items differ in size");
  std::vector<float> scores(d.num_items, 0.f);
  Accumulate(ScoringNeighbours(user), scores);
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= d.num_items) {
      return Status::InvalidArgument("item " + std::to_string(items[j]) + " is out of range");
    }
    out[j] = scores[items[j]];
  }
  return Status::Ok();
}

Status UserKnnRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
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
    Accumulate(ScoringNeighbours(users[b]), row);
  }
  return Status::Ok();
}

Status UserKnnRecommender::Predict(uint32_t user, std::span<const uint32_t> items,
                                   std::span<float> out) const {
  return core_.PredictMany(user, items, out);
}

Status UserKnnRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                        std::span<const float> history_values,
                                        std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(core_.CheckFitted());
  const TrainData& d = core_.data();
  if (out.size() != items.size()) return Status::InvalidArgument("out and items differ in size");
  std::vector<uint32_t> history;
  std::vector<float> values;
  RECLIFT_RETURN_IF_ERROR(knn::CanonicalHistory(history_items, history_values, d.num_items, history, values));
  const std::vector<knn::Neighbour> neighbours =
      core_.FoldInNeighbours(history, values, static_cast<size_t>(core_.options().k));
  std::vector<float> scores(d.num_items, 0.f);
  Accumulate(neighbours, scores);
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= d.num_items) {
      return Status::InvalidArgument("item " + std::to_string(items[j]) + " is out of range");
    }
    out[j] = scores[items[j]];
  }
  return Status::Ok();
}

std::vector<std::pair<uint32_t, float>> UserKnnRecommender::Explain(uint32_t user, uint32_t item,
                                                                    size_t n) const {
  std::vector<std::pair<uint32_t, float>> out;
  if (!core_.CheckFitted().ok()) return out;
  const TrainData& d = core_.data();
  if (user >= d.num_users || item >= d.num_items) return out;
  const auto raters = d.by_item.RowIndices(item);
  for (const knn::Neighbour& v : ScoringNeighbours(user)) {
    if (out.size() >= n) break;
    if (std::binary_search(raters.begin(), raters.end(), v.id)) out.emplace_back(v.id, v.similarity);
  }
  return out;
}

}  // namespace reclift::recommenders
