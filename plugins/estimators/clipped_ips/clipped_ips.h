// ClippedIps: Clipped IPS: IPS with every weight capped at max_weight.
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class ClippedIps final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;

 private:
  double max_weight_ = 10;
};

std::span<const ParamSpec> ClippedIpsParamSpecs();

}  // namespace reclift::plugins
