// SwitchDoublyRobust: Switch-DR: doubly robust where the weight is at most tau, the direct method above it.
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class SwitchDoublyRobust final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;

 private:
  double tau_ = 10;
};

std::span<const ParamSpec> SwitchDoublyRobustParamSpecs();

}  // namespace reclift::plugins
