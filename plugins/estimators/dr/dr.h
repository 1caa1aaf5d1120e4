// DoublyRobust: Doubly robust: direct method plus the importance-weighted residual of the reward model.
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class DoublyRobust final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;
};

std::span<const ParamSpec> DoublyRobustParamSpecs();

}  // namespace reclift::plugins
