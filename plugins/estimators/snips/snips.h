// SelfNormalizedIps: Self-normalised IPS: weighted rewards over the sum of the weights, per position.
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class SelfNormalizedIps final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;

 private:
  uint32_t slate_size_ = 1;
};

std::span<const ParamSpec> SelfNormalizedIpsParamSpecs();

}  // namespace reclift::plugins
