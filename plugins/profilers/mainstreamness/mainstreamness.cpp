#include "mainstreamness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <string>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"split", ParamType::kString, "tertiles", 0, 0, "tertiles|fixed",
     "segment boundaries: the users' score tertiles, or niche_max and mainstream_min"},
    {"niche_max", ParamType::kFloat, "0.4", 0, 1, nullptr,
     "split = fixed: a user whose score is at most this is niche"},
    {"mainstream_min", ParamType::kFloat, "0.6", 0, 1, nullptr,
     "split = fixed: a user whose score is at least this is mainstream"},
};

std::string Format(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// Mid-rank percentile of every item's popularity among the items seen in
// training: (items less popular + half the items equally popular) / items seen.
std::vector<double> PopularityPercentiles(const TrainData& data) {
  std::vector<size_t> popularity(data.num_items);
  std::vector<size_t> seen;
  for (uint32_t item = 0; item < data.num_items; ++item) {
    popularity[item] = data.by_item.RowSize(item);
    if (popularity[item] > 0) seen.push_back(popularity[item]);
  }
  std::sort(seen.begin(), seen.end());
  std::vector<double> percentile(data.num_items, 0.0);
  for (uint32_t item = 0; item < data.num_items; ++item) {
    if (popularity[item] == 0) continue;  // never in a training row, so never averaged
    const auto [low, high] = std::equal_range(seen.begin(), seen.end(), popularity[item]);
    const auto less = static_cast<double>(low - seen.begin());
    const auto equal = static_cast<double>(high - low);
    percentile[item] = (less + 0.5 * equal) / static_cast<double>(seen.size());
  }
  return percentile;
}

}  // namespace

std::span<const ParamSpec> MainstreamnessParamSpecs() {
  return kParams;
}

Status MainstreamnessProfiler::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const bool fixed = params.GetString("split") == "fixed";
  double niche_max = params.GetFloat("niche_max");
  double mainstream_min = params.GetFloat("mainstream_min");
  if (fixed && !(niche_max < mainstream_min)) {
    return Status::InvalidArgument(
        "mainstreamness: niche_max must be less than mainstream_min; found niche_max = " + Format(niche_max) +
        ", mainstream_min = " + Format(mainstream_min));
  }
  const std::vector<double> percentile = PopularityPercentiles(data);
  score_of_user_.assign(data.num_users, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> scores;
  for (uint32_t user = 0; user < data.num_users; ++user) {
    const auto items = data.by_user.RowIndices(user);
    if (items.empty()) continue;
    double sum = 0;
    for (uint32_t item : items) sum += percentile[item];
    score_of_user_[user] = sum / static_cast<double>(items.size());
    scores.push_back(score_of_user_[user]);
  }

  // Tertiles: q(p) = the score of rank ceil(p n) in ascending order (the
  // inverse of the users' empirical distribution). niche: score <= q(1/3);
  // mainstream: score > q(2/3). Equal scores always share a segment.
  bool mainstream_inclusive = true;
  if (!fixed && !scores.empty()) {
    std::sort(scores.begin(), scores.end());
    const size_t n = scores.size();
    niche_max = scores[(n + 2) / 3 - 1];
    mainstream_min = scores[(2 * n + 2) / 3 - 1];
    mainstream_inclusive = false;
  }
  segment_of_user_.assign(data.num_users, kCold);
  uint64_t per_segment[4] = {0, 0, 0, 0};
  for (uint32_t user = 0; user < data.num_users; ++user) {
    const double score = score_of_user_[user];
    Segment segment = kCold;
    if (!std::isnan(score)) {
      const bool mainstream = mainstream_inclusive ? score >= mainstream_min : score > mainstream_min;
      segment = score <= niche_max ? kNiche : mainstream ? kMainstream : kMixed;
    }
    segment_of_user_[user] = segment;
    ++per_segment[segment];
  }
  ctx.Info(std::string("mainstreamness: ") + (fixed ? "fixed" : "tertile") + " limits: niche if score <= " +
           Format(niche_max) + ", mainstream if score " + (mainstream_inclusive ? ">= " : "> ") +
           Format(mainstream_min) + "; users cold / niche / mixed / mainstream " +
           std::to_string(per_segment[kCold]) + " / " + std::to_string(per_segment[kNiche]) + " / " +
           std::to_string(per_segment[kMixed]) + " / " + std::to_string(per_segment[kMainstream]));
  fitted_ = true;
  return Status::Ok();
}

Status MainstreamnessProfiler::Segments(std::vector<std::string>& names,
                                        std::span<uint32_t> user_segment) const {
  if (!fitted_) return Status::InvalidArgument("mainstreamness: Segments called before Fit");
  if (user_segment.size() != segment_of_user_.size()) {
    return Status::InvalidArgument("mainstreamness: " + std::to_string(user_segment.size()) +
                                   " segment slots for " + std::to_string(segment_of_user_.size()) +
                                   " users");
  }
  names.assign(std::begin(kSegmentNames), std::end(kSegmentNames));
  std::copy(segment_of_user_.begin(), segment_of_user_.end(), user_segment.begin());
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_PROFILER_PLUGIN(
    reclift::plugins::MainstreamnessProfiler, "mainstreamness", "1.0.0",
    "Users by the mean popularity percentile of their items: cold, niche, mixed, mainstream",
    reclift::plugins::kParams)
