// InterestClustersProfiler: segments users by what they are interested in —
// k-means clusters of their category-preference vectors (the share of their
// training interactions in each item category) — and names each cluster by
// its dominant category ("programming", "design", ...), so a metric can be
// read per audience: a model may serve one audience and fail another.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class InterestClustersProfiler final : public Profiler {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  // names: "cold", then the clusters by size (largest first), then
  // "uncategorised" when some user's items have no category.
  Status Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const override;

 private:
  bool fitted_ = false;
  std::vector<std::string> names_;
  std::vector<uint32_t> segment_of_user_;
};

std::span<const ParamSpec> InterestClustersParamSpecs();

}  // namespace reclift::plugins
