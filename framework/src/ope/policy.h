// Slate policies over a fixed action space: the target policies built from
// a recommender's scores and the simulator's logging policies.
//
// Every policy ranks the actions by score (higher first, the smaller index
// first on ties) and fills K positions with K distinct actions:
//   top-k           the K best, deterministically;
//   softmax         Plackett-Luce: position by position, an action not yet
//                   shown with probability proportional to
//                   exp(z / temperature), z the scores standardised over
//                   the actions (mean 0, sd 1), so that one temperature
//                   means the same spread for every recommender;
//   epsilon-greedy  the top-k slate with probability 1 - epsilon, otherwise
//                   a uniformly random slate (K distinct actions in random
//                   order); epsilon = 1 is the uniform policy.
// The probabilities are exact: marginals P(a at position k) for all actions
// and positions, and the probability of a given prefix a_1..a_k. Softmax
// marginals beyond position 1 sum over the ordered prefixes (A!/(A-K+1)!
// of them); more than kMaxSoftmaxPrefixes is an Error.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace reclift::host {

enum class PolicyKind { kTopK, kSoftmax, kEpsilonGreedy };

struct SlatePolicy {
  PolicyKind kind = PolicyKind::kTopK;
  double temperature = 1.0;  // softmax only; > 0
  double epsilon = 0.1;      // epsilon-greedy only; in [0, 1]
};

inline constexpr size_t kMaxSoftmaxPrefixes = 2'000'000;
// Scores at or below this mean "never": softmax gives them probability 0
// (items a target recommender cannot score).
inline constexpr double kNeverScore = -1e29;

// "top-k", "softmax", "epsilon-greedy"; throws Error for anything else.
PolicyKind ParsePolicyKind(const std::string& name);
const char* PolicyKindName(PolicyKind kind);

// Fills out[a * K + k] = P(action a at position k) (K = slate_size <= number
// of actions). Throws Error when the slate is longer than the action space.
void SlateMarginals(const SlatePolicy& policy, std::span<const double> scores, uint32_t slate_size,
                    std::span<double> out);

// P(positions 1..prefix.size() show exactly `prefix`).
double PrefixProbability(const SlatePolicy& policy, std::span<const double> scores,
                         std::span<const uint32_t> prefix);

// Draws one slate of out.size() distinct actions.
void SampleSlate(const SlatePolicy& policy, std::span<const double> scores, std::mt19937_64& rng,
                 std::span<uint32_t> out);

// The expected number of clicks of a slate drawn from the policy under a
// cascade model: the user scans down, clicks the action at position k with
// probability attraction[a] if nothing above was clicked, then leaves:
// sum over slates of P(slate) sum_k attraction[s_k] prod_{j<k} (1 - attraction[s_j]).
// Exact (a walk over the ordered prefixes, bounded like the marginals).
double ExpectedCascadeReward(const SlatePolicy& policy, std::span<const double> scores,
                             std::span<const double> attraction, uint32_t slate_size);

// The ranking: action indices by score descending, index ascending on ties.
std::vector<uint32_t> RankActions(std::span<const double> scores);

}  // namespace reclift::host
