// RewardInteractionIps: Reward-interaction IPS for slates under a cascade model (McInerney et al. 2020).
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "../slate_ips.h"
#include "reclift/reclift.h"

namespace reclift::plugins {

class RewardInteractionIps final : public PositionWeightedSlateIps {
 public:
  RewardInteractionIps();
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
};

std::span<const ParamSpec> RewardInteractionIpsParamSpecs();

}  // namespace reclift::plugins
