// IndependentIps: Independent IPS for slates under a position-based model (Li et al. 2018).
// See README.md for the formula and its reference.
#pragma once

#include <cstdint>
#include <span>

#include "../slate_ips.h"
#include "reclift/reclift.h"

namespace reclift::plugins {

class IndependentIps final : public PositionWeightedSlateIps {
 public:
  IndependentIps();
};

std::span<const ParamSpec> IndependentIpsParamSpecs();

}  // namespace reclift::plugins
