// Estimator: the interface of an off-policy estimator plugin.
//
// Off-policy evaluation (OPE) estimates the value a target policy would get
// online from feedback logged under another (the logging) policy. The host
// reads the logs, builds the target policy from a recommender arm, fits the
// reward model and computes every probability an estimator may need; the
// estimator only turns those numbers into per-round terms.
//
// The value of a policy is the expected total reward of one round (an
// impression: a slate of K positions; K = 1 without slates), summed over
// the positions. Every estimator here is a sum of ratios of sums over
// rounds: it fills, per round r and component c (0 <= c < NumComponents()),
// a numerator n[r, c] and a denominator d[r, c], and the estimate is
//
//   V = sum_c  (sum_r n[r, c]) / (sum_r d[r, c]).
//
// IPS is one component with n = w * reward summed over positions and d = 1;
// self-normalised IPS has d = w; a per-position self-normalised estimator
// has K components. The host draws the bootstrap confidence interval by
// resampling rounds and re-forming the ratios, so an estimator never
// resamples itself.
//
// Lifecycle: Configure once, then Terms any number of times, concurrently
// from several threads (it must be const and thread-safe). The view and its
// spans are owned by the host and valid during the call only.
//
//   estimator.Configure(params, ctx);
//   const uint32_t c = estimator.NumComponents();
//   std::vector<double> num(view.num_rounds * c), den(view.num_rounds * c);
//   estimator.Terms(view, num, den);
//
// Errors: return InvalidArgument when the data lack something the
// estimator needs (it is also declared in the capability bits so the host
// can say so before running), never throw (the export macro catches).
#pragma once

#include <cstdint>
#include <span>

#include "reclift/params.h"
#include "reclift/status.h"

namespace reclift {

// What an estimator needs, declared in PluginInfo::capabilities.
enum EstimatorCapability : uint32_t {
  kEstNeedsRewardModel = 1u << 0,       // reads reward_hat / target_reward_hat (DM, DR, Switch-DR)
  kEstNeedsPrefixPropensity = 1u << 1,  // reads the *_prefix_propensity spans (slate estimators)
};

// Fixed for one evaluation.
struct EstimatorContext {
  uint32_t slate_size = 1;             // K: positions per round
  bool has_reward_model = false;       // reward_hat spans are filled
  bool has_prefix_propensity = false;  // *_prefix_propensity spans are filled
};

// The logged rounds with everything the host computed for one target
// policy. Every span but round_weight has num_rounds * slate_size entries,
// round-major: position k (0-based) of round r is at r * slate_size + k.
// A position the round did not fill has shown = 0 and zeros elsewhere.
struct LoggedFeedbackView {
  uint32_t num_rounds = 0;
  uint32_t slate_size = 1;
  std::span<const uint8_t> shown;  // 1 when the round has a logged item at this position
  std::span<const double> reward;  // the logged reward
  // marginal probabilities of the logged item at this position in this
  // round: mu(a_k at k | x) of the logging policy, pi(a_k at k | x) of the
  // target policy; mu > 0 wherever shown
  std::span<const double> logging_propensity;
  std::span<const double> target_propensity;
  // probability of the whole logged prefix a_1..a_k at positions 1..k
  // (the last shown position's value is the whole slate's): only when
  // EstimatorContext::has_prefix_propensity
  std::span<const double> logging_prefix_propensity;
  std::span<const double> target_prefix_propensity;
  // reward model, only when EstimatorContext::has_reward_model:
  // q(x, a_k, k) of the logged item, and the target policy's expected
  // modelled reward at the position, sum_a pi(a at k | x) q(x, a, k)
  std::span<const double> reward_hat;
  std::span<const double> target_reward_hat;
};

class Estimator {
 public:
  virtual ~Estimator() = default;

  // Reads the parameters (already validated against the declared specs).
  // Returns InvalidArgument when the context lacks what the estimator needs.
  virtual Status Configure(const Params& params, const EstimatorContext& ctx) = 0;

  // Number of ratio components, valid after Configure: 1, or the slate size
  // for per-position self-normalisation.
  virtual uint32_t NumComponents() const = 0;

  // Fills numerator and denominator, each num_rounds * NumComponents(),
  // round-major. Thread-safe.
  virtual Status Terms(const LoggedFeedbackView& view, std::span<double> numerator,
                       std::span<double> denominator) const = 0;
};

}  // namespace reclift
