// TenureProfiler: segments users by how long ago they started — the time of
// their first training interaction — into new, recent and established, so a
// model's effect on newcomers (the retention-critical users) can be read apart
// from its effect on long-time users.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class TenureProfiler final : public Profiler {
 public:
  enum Segment : uint32_t { kCold = 0, kNew = 1, kRecent = 2, kEstablished = 3 };
  static constexpr const char* kSegmentNames[] = {"cold", "new", "recent", "established"};

  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const override;

 private:
  bool fitted_ = false;
  std::vector<uint32_t> segment_of_user_;
};

std::span<const ParamSpec> TenureParamSpecs();

}  // namespace reclift::plugins
