#include "slate_iips.h"

#include <algorithm>

namespace reclift::plugins {

std::span<const ParamSpec> IndependentIpsParamSpecs() {
  return kPositionWeightedSlateIpsParams;
}

IndependentIps::IndependentIps()
    : PositionWeightedSlateIps(&LoggedFeedbackView::target_propensity,
                               &LoggedFeedbackView::logging_propensity) {}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::IndependentIps, "slate_iips", "1.0.0",
                         "Independent IPS for slates under a position-based model (Li et al. 2018)",
                         reclift::plugins::kPositionWeightedSlateIpsParams, 0)
