#include "slate_iips.h"

#include <algorithm>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"self_normalize", ParamType::kBool, "false", 0, 0, nullptr,
     "divide each position's sum by the sum of its weights instead of the number of rounds"}};

}  // namespace

std::span<const ParamSpec> IndependentIpsParamSpecs() {
  return kParams;
}

IndependentIps::IndependentIps()
    : PositionWeightedSlateIps(&LoggedFeedbackView::target_propensity,
                               &LoggedFeedbackView::logging_propensity) {}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::IndependentIps, "slate_iips", "1.0.0",
                         "Independent IPS for slates under a position-based model (Li et al. 2018)",
                         reclift::plugins::kParams, 0)
