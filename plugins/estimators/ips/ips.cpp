#include "ips.h"

#include <algorithm>

namespace reclift::plugins {
namespace {}  // namespace

std::span<const ParamSpec> InverseProbabilityWeightingParamSpecs() {
  return {};
}

Status InverseProbabilityWeighting::Configure(const Params&, const EstimatorContext&) {
  return Status::Ok();
}

uint32_t InverseProbabilityWeighting::NumComponents() const {
  return 1;
}

Status InverseProbabilityWeighting::Terms(const LoggedFeedbackView& v, std::span<double> num,
                                          std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    double n = 0;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      if (v.shown[i]) n += v.target_propensity[i] / v.logging_propensity[i] * v.reward[i];
    }
    num[r] = n;
    den[r] = 1;
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(
    reclift::plugins::InverseProbabilityWeighting, "ips", "1.0.0",
    "Inverse propensity scoring: logged rewards weighted by target / logging probability", nullptr, 0)
