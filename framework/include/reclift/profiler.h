// Profiler: the interface of a user-profiling plugin.
//
// A profiler puts every user into one segment (activity level, interest
// cluster, mainstream or niche, ...). The host breaks every metric and every
// verdict down by the segments of every profiler in the experiment.
//
// Lifecycle: Fit once on the training data, then Segments once. Users with
// no training interaction must get a segment too (typically a "cold" one).
//
//   std::vector<std::string> names;
//   std::vector<uint32_t> segment(data.num_users);
//   profiler.Segments(names, segment);   // segment[u] indexes names
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/context.h"
#include "reclift/params.h"
#include "reclift/status.h"
#include "reclift/train_data.h"

namespace reclift {

class Profiler {
 public:
  virtual ~Profiler() = default;

  // Learns whatever the segmentation needs. `data` outlives the instance.
  virtual Status Fit(const TrainData& data, const Params& params, const Context& ctx) = 0;

  // Fills `names` with the segment names, in display order, and
  // user_segment[u] (size num_users) with an index into `names`.
  virtual Status Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const = 0;
};

}  // namespace reclift
