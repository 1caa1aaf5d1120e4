// MainstreamnessProfiler: segments users by how mainstream their taste is —
// the mean popularity percentile of the items they interacted with — into
// niche, mixed and mainstream, because popularity-leaning models tend to
// serve mainstream users well and niche users badly.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class MainstreamnessProfiler final : public Profiler {
 public:
  enum Segment : uint32_t { kCold = 0, kNiche = 1, kMixed = 2, kMainstream = 3 };
  static constexpr const char* kSegmentNames[] = {"cold", "niche", "mixed", "mainstream"};

  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const override;

  // A user's mean item popularity percentile in [0, 1]; NaN for a user
  // without training interactions. Valid after Fit.
  double Score(uint32_t user) const { return score_of_user_[user]; }

 private:
  bool fitted_ = false;
  std::vector<double> score_of_user_;
  std::vector<uint32_t> segment_of_user_;
};

std::span<const ParamSpec> MainstreamnessParamSpecs();

}  // namespace reclift::plugins
