// StandardSlateIps: Standard slate IPS: the whole slate's reward weighted by the whole slate's ratio.
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "../slate_ips.h"
#include "reclift/reclift.h"

namespace reclift::plugins {

class StandardSlateIps final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;

 private:
  bool self_normalize_ = false;
};

std::span<const ParamSpec> StandardSlateIpsParamSpecs();

}  // namespace reclift::plugins
