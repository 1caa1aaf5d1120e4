#include "switch_dr.h"

#include <algorithm>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {{"tau", ParamType::kFloat, "10", 0, 1e12, nullptr,
                              "weights above tau use the reward model alone (Wang et al. 2017)"}};

}  // namespace

std::span<const ParamSpec> SwitchDoublyRobustParamSpecs() {
  return kParams;
}

Status SwitchDoublyRobust::Configure(const Params& params, const EstimatorContext& ctx) {
  if (!ctx.has_reward_model)
    return Status::InvalidArgument("switch_dr needs a reward model (ope.reward_model)");
  tau_ = params.GetFloat("tau");
  return Status::Ok();
}

uint32_t SwitchDoublyRobust::NumComponents() const {
  return 1;
}

Status SwitchDoublyRobust::Terms(const LoggedFeedbackView& v, std::span<double> num,
                                 std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    double n = 0;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      if (!v.shown[i]) continue;
      const double w = v.target_propensity[i] / v.logging_propensity[i];
      n += v.target_reward_hat[i];
      if (w <= tau_) n += w * (v.reward[i] - v.reward_hat[i]);
    }
    num[r] = n;
    den[r] = 1;
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(
    reclift::plugins::SwitchDoublyRobust, "switch_dr", "1.0.0",
    "Switch-DR: doubly robust where the weight is at most tau, the direct method above it",
    reclift::plugins::kParams, reclift::kEstNeedsRewardModel)
