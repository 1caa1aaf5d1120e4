#include "slate_rips.h"

#include <algorithm>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"self_normalize", ParamType::kBool, "false", 0, 0, nullptr,
     "divide each position's sum by the sum of its weights instead of the number of rounds"}};

}  // namespace

std::span<const ParamSpec> RewardInteractionIpsParamSpecs() {
  return kParams;
}

Status RewardInteractionIps::Configure(const Params& params, const EstimatorContext& ctx) {
  if (!ctx.has_prefix_propensity) {
    return Status::InvalidArgument(
        "slate_rips needs slate propensities (the logged prefix probabilities; [logged] "
        "prefix_propensity_column)");
  }
  self_normalize_ = params.GetBool("self_normalize");
  slate_size_ = ctx.slate_size;
  return Status::Ok();
}

uint32_t RewardInteractionIps::NumComponents() const {
  return self_normalize_ ? slate_size_ : 1;
}

Status RewardInteractionIps::Terms(const LoggedFeedbackView& v, std::span<double> num,
                                   std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    double n = 0;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      const double w = v.shown[i] ? v.target_prefix_propensity[i] / v.logging_prefix_propensity[i] : 0.0;
      const double term = v.shown[i] ? w * v.reward[i] : 0.0;
      if (self_normalize_) {
        num[i] = term;
        den[i] = w;
      } else {
        n += term;
      }
    }
    if (!self_normalize_) {
      num[r] = n;
      den[r] = 1;
    }
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::RewardInteractionIps, "slate_rips", "1.0.0",
                         "Reward-interaction IPS for slates under a cascade model (McInerney et al. 2020)",
                         reclift::plugins::kParams, reclift::kEstNeedsPrefixPropensity)
