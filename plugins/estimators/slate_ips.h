// Shared by the slate estimator plugins (slate_iips, slate_rips, slate_sips).
// Header-only: each plugin compiles its own copy and stays its own .so with
// nothing of this exported. Not part of the SDK: these are details of three
// estimators, not an interface for plugin authors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "reclift/reclift.h"

namespace reclift::plugins {

// Ok when the log carries the prefix (slate) propensities, otherwise the
// refusal of the estimator named `estimator`, which needs them.
inline Status RequirePrefixPropensity(const EstimatorContext& ctx, std::string_view estimator) {
  if (ctx.has_prefix_propensity) return Status::Ok();
  return Status::InvalidArgument(std::string(estimator) +
                                 " needs slate propensities (the logged prefix probabilities; [logged] "
                                 "prefix_propensity_column)");
}

// Slate IPS that weights each filled position's reward by target / logging
// probability, taken from the two view columns the derived estimator names:
// the item's marginal ones (slate_iips) or its prefix's (slate_rips).
// Its parameters are kPositionWeightedSlateIpsParams: `self_normalize` (bool)
// gives one component per position (its weighted rewards over its weights)
// instead of one per round (the weighted rewards over the number of rounds).
// Thread-safe after Configure, as Terms is const.
inline const ParamSpec kPositionWeightedSlateIpsParams[] = {
    {"self_normalize", ParamType::kBool, "false", 0, 0, nullptr,
     "divide each position's sum by the sum of its weights instead of the number of rounds"}};

class PositionWeightedSlateIps : public Estimator {
 public:
  Status Configure(const Params& params, const EstimatorContext& ctx) override {
    self_normalize_ = params.GetBool("self_normalize");
    slate_size_ = ctx.slate_size;
    return Status::Ok();
  }

  uint32_t NumComponents() const override { return self_normalize_ ? slate_size_ : 1; }

  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override {
    const std::span<const double> target = v.*target_, logging = v.*logging_;
    for (uint32_t r = 0; r < v.num_rounds; ++r) {
      double n = 0;
      for (uint32_t k = 0; k < v.slate_size; ++k) {
        const size_t i = static_cast<size_t>(r) * v.slate_size + k;
        const double w = v.shown[i] ? target[i] / logging[i] : 0.0;
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

 protected:
  // A propensity column of the view, e.g. &LoggedFeedbackView::target_propensity.
  using Column = std::span<const double> LoggedFeedbackView::*;

  PositionWeightedSlateIps(Column target, Column logging) : target_(target), logging_(logging) {}

 private:
  Column target_;
  Column logging_;
  bool self_normalize_ = false;
  uint32_t slate_size_ = 1;
};

}  // namespace reclift::plugins
