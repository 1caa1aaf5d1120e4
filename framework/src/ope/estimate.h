// The host side of off-policy evaluation: a target policy's probabilities
// on the logged rounds, the reward model, the estimator inputs, the
// weight diagnostics, the truth of simulated logs, and the bootstrap over
// rounds. Estimators themselves are plugins (reclift/estimator.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ope/logged.h"
#include "ope/policy.h"
#include "reclift/estimator.h"

namespace reclift::host {

// A target policy evaluated on the logs.
struct TargetOnLogs {
  std::vector<double> marginal;           // per log user: (user * A + a) * K + k
  std::vector<double> propensity;         // per slot: pi(logged item at its position)
  std::vector<double> prefix_propensity;  // per slot: pi(logged prefix); empty when the logs have none
  SlatePolicy policy;                     // what it was built from (for the truth of cascade logs)
  std::vector<double> scores;
};

// `user_scores` holds the policy's score of every action for every log
// user: user * A + a.
TargetOnLogs EvaluateTarget(const LoggedFeedback& logs, const SlatePolicy& policy,
                            std::span<const double> user_scores);

// A reward model q(x, a, k): a table of A * K values per row, one row per
// fold (item-position rates) or per log user (oracle).
struct RewardModel {
  std::string kind;                    // "item-position" or "oracle"
  uint32_t folds = 0;                  // item-position: cross-fitting folds
  std::vector<double> table;           // rows * (A * K)
  std::vector<uint32_t> row_of_round;  // per round
  double At(const LoggedFeedback& logs, uint32_t round, uint32_t action, uint32_t k) const {
    return table[(static_cast<size_t>(row_of_round[round]) * logs.num_actions() + action) * logs.slate_size +
                 k];
  }
};

// Click rate of every (item, position), cross-fitted: the rate for a round
// of fold f is learnt on the other folds' rounds (rounds are assigned to
// folds by round index modulo `folds`), shrunk towards the position's mean
// with `prior_strength` pseudo-rounds. folds = 1 fits on every round.
RewardModel FitItemPositionModel(const LoggedFeedback& logs, uint32_t folds, double prior_strength = 10);
// A reward model from a recommender's scores (user * A + a, as for
// EvaluateTarget): q(x, a, k) = sigmoid(b_k + c z(x, a)), z the scores
// standardised over the actions for the user, fitted by logistic regression
// (Newton's method, a small ridge) on the logged rows and cross-fitted like
// FitItemPositionModel. Throws Error when a reward is outside [0, 1].
RewardModel FitScoreModel(const LoggedFeedback& logs, std::span<const double> user_scores, uint32_t folds);
// The simulator's truth as the reward model (only to check estimators).
// Throws Error when the logs carry no truth.
RewardModel OracleModel(const LoggedFeedback& logs);

// The estimator inputs (reclift/estimator.h) for one target policy; model
// may be null (then the reward_hat spans stay empty).
struct EstimatorInputs {
  uint32_t num_rounds = 0, slate_size = 1;
  std::vector<uint8_t> shown;
  std::vector<double> reward, logging_propensity, target_propensity, logging_prefix, target_prefix,
      reward_hat, target_reward_hat;
  LoggedFeedbackView View() const;
  EstimatorContext Context() const { return {slate_size, !reward_hat.empty(), !logging_prefix.empty()}; }
};
EstimatorInputs BuildEstimatorInputs(const LoggedFeedback& logs, const TargetOnLogs& target,
                                     const RewardModel* model);

// The true value of a target policy on the logged rounds: the mean over
// rounds of the expected total reward at the positions the round fills,
// from the truth table (cascade logs: the expected clicks of the policy's
// slates, every position filled). NaN without truth.
double TrueValue(const LoggedFeedback& logs, const TargetOnLogs& target);
// The same per round (its expected total reward); empty without truth.
std::vector<double> TrueValuePerRound(const LoggedFeedback& logs, const TargetOnLogs& target);
// The same for the logging policy is its expected reward per round given
// the logged slates; NaN without truth.
double TrueLoggingValue(const LoggedFeedback& logs);
std::vector<double> TrueLoggingValuePerRound(const LoggedFeedback& logs);

// Importance-weight diagnostics of one target policy.
struct WeightDiagnostics {
  double ess = 0;        // (sum w)^2 / sum w^2 over filled slots, item-position weights
  double ess_share = 0;  // ess / filled slots
  double max_weight = 0;
  double mean_weight = 0;  // about 1 when the propensities are right
  double slate_ess = NAN;  // the same with whole-slate weights (when logged)
  double slate_max_weight = NAN;
  // share of the target's probability mass, over the filled positions, on
  // (item, position) pairs the logs never show
  double unsupported_share = 0;
  bool trustworthy = true;
  std::vector<std::string> warnings;
};
WeightDiagnostics Diagnose(const LoggedFeedback& logs, const TargetOnLogs& target,
                           const EstimatorInputs& inputs);

// Per-round terms of a ratio-of-sums estimate (see reclift/estimator.h).
struct EstimatorTerms {
  uint32_t components = 1;
  std::vector<double> num, den;  // rounds * components
};
// sum_c sum_r num / sum_r den (NaN when a denominator sums to 0).
double RatioEstimate(const EstimatorTerms& terms);
// The terms of the given rounds only (in that order).
EstimatorTerms SubsetTerms(const EstimatorTerms& terms, std::span<const uint32_t> rounds);
// The logging policy's on-policy value: the mean logged total reward.
EstimatorTerms OnPolicyTerms(const LoggedFeedback& logs);

// `samples` bootstrap resamples of the rounds (n rounds with replacement,
// one SplitMix64 stream per resample seeded from `seed` and its index, so
// the result is the same for any thread count); every term set is
// re-estimated on the same resampled rounds (paired). Returns
// out[b * sets.size() + s].
std::vector<double> BootstrapEstimates(std::span<const EstimatorTerms* const> sets, uint32_t rounds,
                                       int samples, uint64_t seed);

// Linear-interpolation quantile (R type 7) of the finite values; NaN when none.
double Quantile(std::vector<double> values, double q);

}  // namespace reclift::host
