#include "activity.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"light_min", ParamType::kInt, "5", 1, 1e9, nullptr,
     "fewest training interactions of a light user; fewer is cold"},
    {"medium_min", ParamType::kInt, "20", 1, 1e9, nullptr, "fewest training interactions of a medium user"},
    {"heavy_min", ParamType::kInt, "100", 1, 1e9, nullptr, "fewest training interactions of a heavy user"},
};

}  // namespace

std::span<const ParamSpec> ActivityParamSpecs() {
  return kParams;
}

Status ActivityProfiler::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const int64_t light_min = params.GetInt("light_min");
  const int64_t medium_min = params.GetInt("medium_min");
  const int64_t heavy_min = params.GetInt("heavy_min");
  if (!(light_min < medium_min && medium_min < heavy_min)) {
    return Status::InvalidArgument(
        "activity: thresholds must increase, light_min < medium_min < heavy_min; found light_min = " +
        std::to_string(light_min) + ", medium_min = " + std::to_string(medium_min) +
        ", heavy_min = " + std::to_string(heavy_min));
  }
  segment_of_user_.assign(data.num_users, kCold);
  uint64_t per_segment[4] = {0, 0, 0, 0};
  for (uint32_t user = 0; user < data.num_users; ++user) {
    const auto interactions = static_cast<int64_t>(data.by_user.RowSize(user));
    Segment segment = interactions >= heavy_min    ? kHeavy
                      : interactions >= medium_min ? kMedium
                      : interactions >= light_min  ? kLight
                                                   : kCold;
    segment_of_user_[user] = segment;
    ++per_segment[segment];
  }
  ctx.Info("activity: cold < " + std::to_string(light_min) + " <= light < " + std::to_string(medium_min) +
           " <= medium < " + std::to_string(heavy_min) + " <= heavy interactions; users per segment " +
           std::to_string(per_segment[kCold]) + " / " + std::to_string(per_segment[kLight]) + " / " +
           std::to_string(per_segment[kMedium]) + " / " + std::to_string(per_segment[kHeavy]));
  fitted_ = true;
  return Status::Ok();
}

Status ActivityProfiler::Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const {
  if (!fitted_) return Status::InvalidArgument("activity: Segments called before Fit");
  if (user_segment.size() != segment_of_user_.size()) {
    return Status::InvalidArgument("activity: " + std::to_string(user_segment.size()) +
                                   " segment slots for " + std::to_string(segment_of_user_.size()) +
                                   " users");
  }
  names.assign(std::begin(kSegmentNames), std::end(kSegmentNames));
  std::copy(segment_of_user_.begin(), segment_of_user_.end(), user_segment.begin());
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_PROFILER_PLUGIN(reclift::plugins::ActivityProfiler, "activity", "1.0.0",
                        "Users by training activity: cold, light, medium, heavy", reclift::plugins::kParams)
