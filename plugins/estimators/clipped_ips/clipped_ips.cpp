#include "clipped_ips.h"

#include <algorithm>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"max_weight", ParamType::kFloat, "10", 0, 1e12, nullptr, "cap of every importance weight"}};

}  // namespace

std::span<const ParamSpec> ClippedIpsParamSpecs() {
  return kParams;
}

Status ClippedIps::Configure(const Params& params, const EstimatorContext&) {
  max_weight_ = params.GetFloat("max_weight");
  return Status::Ok();
}

uint32_t ClippedIps::NumComponents() const {
  return 1;
}

Status ClippedIps::Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    double n = 0;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      if (!v.shown[i]) continue;
      n += std::min(v.target_propensity[i] / v.logging_propensity[i], max_weight_) * v.reward[i];
    }
    num[r] = n;
    den[r] = 1;
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::ClippedIps, "clipped_ips", "1.0.0",
                         "Clipped IPS: IPS with every weight capped at max_weight", reclift::plugins::kParams,
                         0)
