// Logged feedback from the synthetic course platform, with known truth.
//
// The world: a featured shelf of the `actions` most popular items of the
// dataset, shown in slates of `slate_size` positions to users drawn
// uniformly from the dataset's users. A user's true taste for an item is
// the cosine between the item's profile (its categories and tags; a fixed
// random vector per item when the dataset has no features) and the user's
// profile (the value-weighted mean profile of the items in the user's
// history), so the dataset's interactions carry the signal a recommender
// needs. The reward at position k is a click, drawn independently per
// position under a position-based model:
//
//   P(click | user u, item a, position k) = theta_k * sigmoid(-2.5 + 5 cos(u, a)),
//   theta_k = 1 / k^position_decay.
//
// Logging policies (ope/policy.h slates): "uniform"; "popularity-softmax"
// (Plackett-Luce over standardised log-popularity, with `temperature`);
// "epsilon-greedy" (a production recommender: the true taste's logit plus
// a fixed Gaussian error per (user, item), top-k with probability
// 1 - epsilon, a uniform slate otherwise). Propensities and prefix
// propensities are exact. The truth table holds every (user, action,
// position) click probability, so the true value of any policy is known.
//
// Deterministic: the same dataset and options give the same logs with one
// standard library (the draws use <random>'s distributions, whose algorithms
// the standard leaves to the implementation).
#pragma once

#include <cstdint>
#include <string>

#include "data/dataset.h"
#include "ope/logged.h"

namespace reclift::host {

struct LoggedSimOptions {
  uint32_t rounds = 10000;                            // impressions
  uint32_t slate_size = 3;                            // positions per impression
  uint32_t actions = 20;                              // the featured shelf: most popular items
  std::string logging_policy = "popularity-softmax";  // uniform | popularity-softmax | epsilon-greedy
  double temperature = 1.0;                           // popularity-softmax
  double epsilon = 0.2;                               // epsilon-greedy
  double position_decay = 1.0;                        // theta_k = 1 / k^decay
  double model_noise = 1.0;                           // epsilon-greedy: sd of the logger's score error
  // "pbm" (above) or "cascade": the user scans the slate from the top and
  // clicks the item at k with probability sigmoid(-2.5 + 5 cos(u, a)) if
  // nothing above was clicked, then leaves. The truth table then holds that
  // attraction at every position (LoggedFeedback::click_model says so).
  std::string click_model = "pbm";
  uint64_t seed = 42;
};

inline constexpr const char* kLoggingPolicies[] = {"uniform", "popularity-softmax", "epsilon-greedy"};

// Throws Error for an unknown logging policy, a slate longer than the
// shelf, a shelf larger than the catalogue or a dataset without users.
LoggedFeedback SimulateLoggedFeedback(const Dataset& data, const LoggedSimOptions& options);

// Writes dir/logged.csv (round,user,item,position,reward,propensity,
// prefix_propensity) and dir/truth.csv (user,item,position,probability),
// each atomically. The ids are the dataset's.
void WriteLoggedFeedback(const LoggedFeedback& logs, const std::filesystem::path& dir);

}  // namespace reclift::host
