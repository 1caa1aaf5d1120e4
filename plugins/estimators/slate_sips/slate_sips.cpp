#include "slate_sips.h"

#include <algorithm>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {{"self_normalize", ParamType::kBool, "false", 0, 0, nullptr,
                              "divide by the sum of the slate weights instead of the number of rounds"}};

}  // namespace

std::span<const ParamSpec> StandardSlateIpsParamSpecs() {
  return kParams;
}

Status StandardSlateIps::Configure(const Params& params, const EstimatorContext& ctx) {
  if (Status s = RequirePrefixPropensity(ctx, "slate_sips"); !s.ok()) return s;
  self_normalize_ = params.GetBool("self_normalize");
  return Status::Ok();
}

uint32_t StandardSlateIps::NumComponents() const {
  return 1;
}

Status StandardSlateIps::Terms(const LoggedFeedbackView& v, std::span<double> num,
                               std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    const size_t base = static_cast<size_t>(r) * v.slate_size;
    double total = 0, w = 0;
    bool any = false;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      if (!v.shown[base + k]) continue;
      total += v.reward[base + k];
      // the last filled position's prefix is the whole slate
      w = v.target_prefix_propensity[base + k] / v.logging_prefix_propensity[base + k];
      any = true;
    }
    num[r] = any ? w * total : 0.0;
    den[r] = self_normalize_ ? (any ? w : 0.0) : 1.0;
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::StandardSlateIps, "slate_sips", "1.0.0",
                         "Standard slate IPS: the whole slate's reward weighted by the whole slate's ratio",
                         reclift::plugins::kParams, reclift::kEstNeedsPrefixPropensity)
