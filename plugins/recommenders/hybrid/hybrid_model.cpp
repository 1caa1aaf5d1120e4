// Hybrid composite recommender: see hybrid.h and README.md.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "hybrid.h"

namespace reclift::recommenders {
namespace hybrid_detail {

// A child's "never" (the SDK asks for a very low finite value).
constexpr float kNever = -1e29f;
// Training users whose scores make a child's typical-user fallback.
constexpr size_t kFallbackUsers = 256;
// Users scored together for the fallback (bounds its scratch memory).
constexpr size_t kFallbackChunk = 32;

const char* kChildrenExample = "children = [{recommender = \"als\"}, {recommender = \"content\"}]";

// The child's error, with its code, prefixed by the hybrid and the child.
Status FromChild(const Status& s, const ChildRecommender& child, const char* call) {
  const std::string message =
      "hybrid: child '" + std::string(child.name ? child.name : "?") + "' " + call + ": " + s.message();
  switch (s.code()) {
    case StatusCode::kOk: return s;
    case StatusCode::kInvalidArgument: return Status::InvalidArgument(message);
    case StatusCode::kNotSupported: return Status::NotSupported(message);
    case StatusCode::kInternal: return Status::Internal(message);
  }
  return Status::Internal(message);
}

// false for NaN too
bool Valid(float s) {
  return s > kNever;
}

Status CheckIds(std::span<const uint32_t> ids, uint32_t limit, const char* what, const char* limit_name) {
  for (uint32_t id : ids) {
    if (id >= limit) {
      return Status::InvalidArgument("hybrid: " + std::string(what) + " id " + std::to_string(id) +
                                     " is out of range (" + limit_name + " = " + std::to_string(limit) + ")");
    }
  }
  return Status::Ok();
}

// The bits of a float as an unsigned integer of the same order (-0 and +0
// apart, which only splits a tie between them).
uint32_t OrderedBits(float s) {
  uint32_t bits;
  std::memcpy(&bits, &s, sizeof bits);
  return (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
}

}  // namespace hybrid_detail

void HybridRecommender::Normalise(Normalisation normalisation, std::span<float> scores) {
  using hybrid_detail::Valid;
  size_t n = 0;
  switch (normalisation) {
    case Normalisation::kMinMax: {
      float lo = 0, hi = 0;
      for (float s : scores) {
        if (!Valid(s)) continue;
        lo = n == 0 ? s : std::min(lo, s);
        hi = n == 0 ? s : std::max(hi, s);
        ++n;
      }
      const double range = static_cast<double>(hi) - lo;
      for (float& s : scores) s = Valid(s) && range > 0 ? static_cast<float>((s - lo) / range) : 0.f;
      return;
    }
    case Normalisation::kZScore: {
      double sum = 0, sum2 = 0;
      for (float s : scores) {
        if (!Valid(s)) continue;
        sum += s;
        ++n;
      }
      const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
      for (float s : scores) {
        if (Valid(s)) sum2 += (s - mean) * (s - mean);
      }
      const double sd = n > 0 ? std::sqrt(sum2 / static_cast<double>(n)) : 0.0;
      double lo = 0;
      bool first = true;
      for (float s : scores) {
        if (!Valid(s)) continue;
        const double z = sd > 0 ? (s - mean) / sd : 0.0;
        lo = first ? z : std::min(lo, z);
        first = false;
      }
      for (float& s : scores) {  // "never" gets the lowest z
        s = static_cast<float>(Valid(s) ? (sd > 0 ? (s - mean) / sd : 0.0) : lo);
      }
      return;
    }
    case Normalisation::kRank: {
      // Sorting (order-preserving bits of the score, index) as one 64-bit key
      // is several times faster than sorting indices by an indirect compare.
      std::vector<uint64_t> keys;
      keys.reserve(scores.size());
      for (uint32_t j = 0; j < scores.size(); ++j) {
        if (Valid(scores[j])) keys.push_back(uint64_t{hybrid_detail::OrderedBits(scores[j])} << 32 | j);
      }
      std::sort(keys.begin(), keys.end());
      n = keys.size();
      std::vector<float> ranked(scores.size(), 0.f);
      for (size_t first = 0; first < n;) {
        size_t last = first;
        while (last + 1 < n && (keys[last + 1] >> 32) == (keys[first] >> 32)) ++last;
        // ties share the average of their ranks
        const double rank = 0.5 * static_cast<double>(first + last);
        for (size_t k = first; k <= last; ++k) {
          ranked[static_cast<uint32_t>(keys[k])] =
              n > 1 ? static_cast<float>(rank / static_cast<double>(n - 1)) : 0.f;
        }
        first = last + 1;
      }
      std::copy(ranked.begin(), ranked.end(), scores.begin());
      return;
    }
  }
}

Status HybridRecommender::SetChildren(std::span<const ChildRecommender> children) {
  if (children.size() != 2 || children[0].model == nullptr || children[1].model == nullptr) {
    std::string got;
    for (const auto& c : children) got += (got.empty() ? "" : ", ") + std::string(c.name ? c.name : "?");
    return Status::InvalidArgument(
        "hybrid needs two children, a collaborative recommender then a content one (" +
        std::string(hybrid_detail::kChildrenExample) + "); got " + std::to_string(children.size()) +
        (got.empty() ? "" : " (" + got + ")"));
  }
  children_[0] = children[0];
  children_[1] = children[1];
  has_children_ = true;
  return Status::Ok();
}

Status HybridRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  if (!has_children_) {
    return Status::InvalidArgument("hybrid: no children: give the arm " +
                                   std::string(hybrid_detail::kChildrenExample));
  }
  mode_ = params.GetString("mode") == "switching" ? Mode::kSwitching : Mode::kWeighted;
  const std::string& normalisation = params.GetString("normalisation");
  normalisation_ = normalisation == "zscore" ? Normalisation::kZScore
                   : normalisation == "rank" ? Normalisation::kRank
                                             : Normalisation::kMinMax;
  beta_ = static_cast<float>(params.GetFloat("beta"));
  user_threshold_ = static_cast<size_t>(params.GetInt("user_threshold"));
  item_threshold_ = static_cast<size_t>(params.GetInt("item_threshold"));
  if (!(children_[1].capabilities & kCapItemFeatures)) {
    ctx.Warn("hybrid: the second child '" + std::string(children_[1].name ? children_[1].name : "?") +
             "' does not use item features, so items without interactions get no content signal");
  }
  data_ = &data;
  all_items_.resize(data.num_items);
  std::iota(all_items_.begin(), all_items_.end(), 0u);
  return FitFallbacks(data);
}

Status HybridRecommender::FitFallbacks(const TrainData& data) {
  std::vector<uint32_t> active;
  for (uint32_t u = 0; u < data.num_users; ++u) {
    if (data.by_user.RowSize(u) > 0) active.push_back(u);
  }
  const size_t sample = std::min(hybrid_detail::kFallbackUsers, active.size());
  std::vector<uint32_t> users(sample);
  for (size_t k = 0; k < sample; ++k) users[k] = active[k * active.size() / sample];  // evenly spread
  const size_t num_items = data.num_items;
  for (int c = 0; c < 2; ++c) {
    fallback_[c].clear();
    if (children_[c].capabilities & kCapScoreHistory) continue;
    fallback_[c].assign(num_items, 0.f);
    if (sample == 0) continue;
    // chunks summed in chunk order: the same result for any thread count
    const size_t chunks = (sample + hybrid_detail::kFallbackChunk - 1) / hybrid_detail::kFallbackChunk;
    std::vector<std::vector<double>> partial(chunks);
    std::vector<Status> failed(chunks);
    tbb::parallel_for(size_t{0}, chunks, [&](size_t chunk) {
      const size_t begin = chunk * hybrid_detail::kFallbackChunk;
      const size_t end = std::min(sample, begin + hybrid_detail::kFallbackChunk);
      std::vector<float> rows((end - begin) * num_items);
      partial[chunk].assign(num_items, 0.0);
      failed[chunk] = ChildRows(c, std::span<const uint32_t>(users).subspan(begin, end - begin), rows);
      if (!failed[chunk].ok()) return;
      for (size_t r = 0; r < end - begin; ++r) {
        std::span<float> row(rows.data() + r * num_items, num_items);
        Normalise(normalisation_, row);
        for (size_t i = 0; i < num_items; ++i) partial[chunk][i] += row[i];
      }
    });
    std::vector<double> total(num_items, 0.0);
    for (const auto& p : partial) {
      for (size_t i = 0; i < num_items; ++i) total[i] += p[i];
    }
    for (const Status& s : failed) RECLIFT_RETURN_IF_ERROR(s);
    for (size_t i = 0; i < num_items; ++i) fallback_[c][i] = static_cast<float>(total[i] / sample);
  }
  return Status::Ok();
}

Status HybridRecommender::ChildRows(int child, std::span<const uint32_t> users, std::span<float> rows) const {
  const ChildRecommender& c = children_[child];
  const size_t num_items = all_items_.size();
  if (c.capabilities & kCapScoreBatch) {
    Status s = c.model->ScoreBatch(users, rows);
    return s.ok() ? s : hybrid_detail::FromChild(s, c, "ScoreBatch");
  }
  for (size_t r = 0; r < users.size(); ++r) {
    Status s = c.model->Score(users[r], all_items_, rows.subspan(r * num_items, num_items));
    if (!s.ok()) return hybrid_detail::FromChild(s, c, "Score");
  }
  return Status::Ok();
}

void HybridRecommender::Mix(size_t interactions, std::span<const uint32_t> items, std::span<float> cf,
                            std::span<float> content) const {
  Normalise(normalisation_, content);
  if (mode_ == Mode::kSwitching && interactions < user_threshold_) {
    std::copy(content.begin(), content.end(), cf.begin());
    return;
  }
  Normalise(normalisation_, cf);
  if (mode_ == Mode::kWeighted) {
    for (size_t j = 0; j < cf.size(); ++j) cf[j] = (1.f - beta_) * cf[j] + beta_ * content[j];
    return;
  }
  for (size_t j = 0; j < cf.size(); ++j) {
    const uint32_t item = items.empty() ? static_cast<uint32_t>(j) : items[j];
    if (data_->by_item.RowSize(item) < item_threshold_) cf[j] = content[j];
  }
}

Status HybridRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("hybrid: Score called before Fit");
  RECLIFT_RETURN_IF_ERROR(
      hybrid_detail::CheckIds(std::span<const uint32_t>(&user, 1), data_->num_users, "user", "num_users"));
  if (out.size() != items.size())
    return Status::InvalidArgument("hybrid: Score: out and items differ in size");
  RECLIFT_RETURN_IF_ERROR(hybrid_detail::CheckIds(items, data_->num_items, "item", "num_items"));
  std::vector<float> content(items.size());
  Status s = children_[0].model->Score(user, items, out);
  if (!s.ok()) return hybrid_detail::FromChild(s, children_[0], "Score");
  s = children_[1].model->Score(user, items, content);
  if (!s.ok()) return hybrid_detail::FromChild(s, children_[1], "Score");
  Mix(data_->by_user.RowSize(user), items, out, content);
  return Status::Ok();
}

Status HybridRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("hybrid: ScoreBatch called before Fit");
  const size_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(
        "hybrid: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * num_items) +
        " scores, has " + std::to_string(out.size()));
  }
  RECLIFT_RETURN_IF_ERROR(hybrid_detail::CheckIds(users, data_->num_users, "user", "num_users"));
  // the content child's block: the one users x items buffer of our own
  std::vector<float> content(out.size());
  RECLIFT_RETURN_IF_ERROR(ChildRows(0, users, out));
  RECLIFT_RETURN_IF_ERROR(ChildRows(1, users, content));
  for (size_t r = 0; r < users.size(); ++r) {
    Mix(data_->by_user.RowSize(users[r]), {}, out.subspan(r * num_items, num_items),
        std::span<float>(content).subspan(r * num_items, num_items));
  }
  return Status::Ok();
}

Status HybridRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                       std::span<const float> history_values, std::span<const uint32_t> items,
                                       std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("hybrid: ScoreHistory called before Fit");
  if (out.size() != items.size()) {
    return Status::InvalidArgument("hybrid: ScoreHistory: out and items differ in size");
  }
  RECLIFT_RETURN_IF_ERROR(
      hybrid_detail::CheckIds(history_items, data_->num_items, "history item", "num_items"));
  RECLIFT_RETURN_IF_ERROR(hybrid_detail::CheckIds(items, data_->num_items, "item", "num_items"));
  std::vector<float> content(items.size());
  for (int c = 0; c < 2; ++c) {
    std::span<float> target = c == 0 ? out : std::span<float>(content);
    if (children_[c].capabilities & kCapScoreHistory) {
      Status s = children_[c].model->ScoreHistory(history_items, history_values, items, target);
      if (!s.ok()) return hybrid_detail::FromChild(s, children_[c], "ScoreHistory");
    } else {
      for (size_t j = 0; j < items.size(); ++j) target[j] = fallback_[c][items[j]];
    }
  }
  Mix(history_items.size(), items, out, content);
  return Status::Ok();
}

}  // namespace reclift::recommenders
