// ActivityProfiler: segments users by how many training interactions they
// have — cold, light, medium, heavy — so every metric can be read per
// activity level (a model that helps heavy users may fail new ones).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class ActivityProfiler final : public Profiler {
 public:
  enum Segment : uint32_t { kCold = 0, kLight = 1, kMedium = 2, kHeavy = 3 };
  static constexpr const char* kSegmentNames[] = {"cold", "light", "medium", "heavy"};

  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const override;

 private:
  bool fitted_ = false;
  std::vector<uint32_t> segment_of_user_;
};

std::span<const ParamSpec> ActivityParamSpecs();

}  // namespace reclift::plugins
