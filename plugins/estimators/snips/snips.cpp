#include "snips.h"

#include <algorithm>

namespace reclift::plugins {
namespace {}  // namespace

std::span<const ParamSpec> SelfNormalizedIpsParamSpecs() {
  return {};
}

Status SelfNormalizedIps::Configure(const Params&, const EstimatorContext& ctx) {
  slate_size_ = ctx.slate_size;
  return Status::Ok();
}

uint32_t SelfNormalizedIps::NumComponents() const {
  return slate_size_;
}

Status SelfNormalizedIps::Terms(const LoggedFeedbackView& v, std::span<double> num,
                                std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      const double w = v.shown[i] ? v.target_propensity[i] / v.logging_propensity[i] : 0.0;
      num[i] = w * (v.shown[i] ? v.reward[i] : 0.0);
      den[i] = w;
    }
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::SelfNormalizedIps, "snips", "1.0.0",
                         "Self-normalised IPS: weighted rewards over the sum of the weights, per position",
                         nullptr, 0)
