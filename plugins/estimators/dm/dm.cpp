#include "dm.h"

#include <algorithm>

namespace reclift::plugins {
namespace {}  // namespace

std::span<const ParamSpec> DirectMethodParamSpecs() {
  return {};
}

Status DirectMethod::Configure(const Params&, const EstimatorContext& ctx) {
  if (!ctx.has_reward_model) return Status::InvalidArgument("dm needs a reward model (ope.reward_model)");
  return Status::Ok();
}

uint32_t DirectMethod::NumComponents() const {
  return 1;
}

Status DirectMethod::Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const {
  for (uint32_t r = 0; r < v.num_rounds; ++r) {
    double n = 0;
    for (uint32_t k = 0; k < v.slate_size; ++k) {
      const size_t i = static_cast<size_t>(r) * v.slate_size + k;
      if (v.shown[i]) n += v.target_reward_hat[i];
    }
    num[r] = n;
    den[r] = 1;
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_ESTIMATOR_PLUGIN(reclift::plugins::DirectMethod, "dm", "1.0.0",
                         "Direct method: the target policy's expected reward under the reward model", nullptr,
                         reclift::kEstNeedsRewardModel)
