#include "slate_rips.h"

#include <algorithm>

namespace reclift::plugins {

std::span<const ParamSpec> RewardInteractionIpsParamSpecs() {
  return kPositionWeightedSlateIpsParams;
}

RewardInteractionIps::RewardInteractionIps()
    : PositionWeightedSlateIps(&LoggedFeedbackView::target_prefix_propensity,
                               &LoggedFeedbackView::logging_prefix_propensity) {}

Status RewardInteractionIps::Configure(const Params& params, const EstimatorContext& ctx) {
  if (Status s = RequirePrefixPropensity(ctx, "slate_rips"); !s.ok()) return s;
  return PositionWeightedSlateIps::Configure(params, ctx);
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::RewardInteractionIps, "slate_rips", "1.0.0",
                         "Reward-interaction IPS for slates under a cascade model (McInerney et al. 2020)",
                         reclift::plugins::kPositionWeightedSlateIpsParams,
                         reclift::kEstNeedsPrefixPropensity)
