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

Status IndependentIps::Configure(const Params& params, const EstimatorContext& ctx) {
  self_normalize_ = params.GetBool("self_normalize");
  slate_size_ = ctx.slate_size;
  return Status::Ok();
}

uint32_t IndependentIps::NumComponents() const {
  return self_normalize_ ? slate_size_ : 1;
}

Status IndependentIps::Terms(const LoggedFeedbackView& v, std::span<double> num,
                             std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    double n = 0;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      const double w = v.shown[i] ? v.target_propensity[i] / v.logging_propensity[i] : 0.0;
      const double term = v.shown[i] ? w * v.reward[i] : 0.0;
      if (self_normalize_) {
        num[i] = term;
        den[i] = w;
      } else {
        n += term;
      }
    }
    if (!self_normalize_) {
      num[r] = n;
      den[r] = 1;
    }
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::IndependentIps, "slate_iips", "1.0.0",
                         "Independent IPS for slates under a position-based model (Li et al. 2018)",
                         reclift::plugins::kParams, 0)
