#include "tenure.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"new_days", ParamType::kInt, "30", 1, 36500, nullptr,
     "a user whose first interaction is at most this many days before the latest one is new"},
    {"recent_days", ParamType::kInt, "180", 1, 36500, nullptr,
     "... at most this many days before is recent; earlier is established"},
};

constexpr int64_t kSecondsPerDay = 86'400;

}  // namespace

std::span<const ParamSpec> TenureParamSpecs() {
  return kParams;
}

Status TenureProfiler::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const int64_t new_days = params.GetInt("new_days");
  const int64_t recent_days = params.GetInt("recent_days");
  if (new_days >= recent_days) {
    return Status::InvalidArgument(
        "tenure: new_days must be less than recent_days; found new_days = " + std::to_string(new_days) +
        ", recent_days = " + std::to_string(recent_days));
  }
  if (data.by_user.timestamps.empty() && data.nnz() > 0) {
    return Status::InvalidArgument(
        "tenure: the training data has no timestamps; tenure segments users by the time of their first "
        "interaction, so the dataset needs a timestamp column");
  }
  // tenure is measured against the end of the training period, not the wall clock,
  // so that a dataset from years ago still has new users (without interactions
  // every user is cold and `latest` is never used)
  int64_t latest = 0;
  if (!data.by_user.timestamps.empty()) {
    latest = *std::max_element(data.by_user.timestamps.begin(), data.by_user.timestamps.end());
  }
  const int64_t new_since = latest - new_days * kSecondsPerDay;
  const int64_t recent_since = latest - recent_days * kSecondsPerDay;

  segment_of_user_.assign(data.num_users, kCold);
  uint64_t per_segment[4] = {0, 0, 0, 0};
  for (uint32_t user = 0; user < data.num_users; ++user) {
    const auto times = data.by_user.RowTimestamps(user);
    Segment segment = kCold;
    if (!times.empty()) {
      const int64_t first = *std::min_element(times.begin(), times.end());
      segment = first >= new_since ? kNew : first >= recent_since ? kRecent : kEstablished;
    }
    segment_of_user_[user] = segment;
    ++per_segment[segment];
  }
  ctx.Info("tenure: first interaction within " + std::to_string(new_days) + " days of the latest (" +
           std::to_string(latest) + ") is new, within " + std::to_string(recent_days) +
           " days recent; users cold / new / recent / established " + std::to_string(per_segment[kCold]) +
           " / " + std::to_string(per_segment[kNew]) + " / " + std::to_string(per_segment[kRecent]) + " / " +
           std::to_string(per_segment[kEstablished]));
  fitted_ = true;
  return Status::Ok();
}

Status TenureProfiler::Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const {
  if (!fitted_) return Status::InvalidArgument("tenure: Segments called before Fit");
  if (user_segment.size() != segment_of_user_.size()) {
    return Status::InvalidArgument("tenure: " + std::to_string(user_segment.size()) + " segment slots for " +
                                   std::to_string(segment_of_user_.size()) + " users");
  }
  names.assign(std::begin(kSegmentNames), std::end(kSegmentNames));
  std::copy(segment_of_user_.begin(), segment_of_user_.end(), user_segment.begin());
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_PROFILER_PLUGIN(reclift::plugins::TenureProfiler, "tenure", "1.0.0",
                        "Users by time since their first interaction: cold, new, recent, established",
                        reclift::plugins::kParams)
