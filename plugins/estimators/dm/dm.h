// DirectMethod: Direct method: the target policy's expected reward under the reward model.
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class DirectMethod final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;
};

std::span<const ParamSpec> DirectMethodParamSpecs();

}  // namespace reclift::plugins
