// IndependentIps: Independent IPS for slates under a position-based model (Li et al. 2018).
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "reclift/reclift.h"

namespace reclift::plugins {

class IndependentIps final : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override;
  uint32_t NumComponents() const override;
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override;

 private:
  bool self_normalize_ = false;
  uint32_t slate_size_ = 1;
};

std::span<const ParamSpec> IndependentIpsParamSpecs();

}  // namespace reclift::plugins
