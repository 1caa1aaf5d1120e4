// RewardInteractionIps: Reward-interaction IPS for slates under a cascade model (McInerney et al. 2020).
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class RewardInteractionIps final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;

 private:
  bool self_normalize_ = false;
  uint32_t slate_size_ = 1;
};

std::span<const ParamSpec> RewardInteractionIpsParamSpecs();

}  // namespace reclift::plugins
