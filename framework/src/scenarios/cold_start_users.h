// Cold-start users: how well each arm serves a user it knows only N
// interactions of, for each N of a sweep.
//
// Protocol. A user is eligible when they have more interactions than the
// largest N and a relevant one after their first max(N). A `user_fraction`
// of the eligible users, drawn under the scenario's seed, is held out
// entirely: none of their interactions is in any training view except the
// N shots given to the retrained models. A held-out user's interactions are
// ordered by time (timestamp, then file order) when the split is temporal,
// leave-last or leave-one-out and the data has timestamps, else in a seeded
// random order; the shots at N are the first N of that order (so they are
// nested), and every point of the curve is evaluated on the same targets,
// the interactions after the first max(N), so that the curve moves only with
// what is known. The other users keep the plain split's training
// interactions (so nothing later than the temporal cutoff is trained on).
//
//   retrain: for each N, every arm is fitted on the other users' training
//            interactions plus each held-out user's N shots, then ranks the
//            held-out users by id (their shots removed from the list);
//   fold-in: every arm is fitted once without the held-out users and ranks
//            each from their N shots through ScoreHistory, without
//            retraining (N = 0 passes an empty history). An arm without
//            the capability is reported "fold-in not supported", never 0.
//
// Result: per mode and arm, the mean of `metric` at each N with its t
// interval; the N from which each arm stays above the popularity reference
// (an arm whose recommender is "popularity": the control when it is one,
// else the first), by its mean and by the paired interval of the per-user
// difference.
//
// results.json section "cold_start_users":
//   {"metric": "ndcg@10", "shots": [0, 1, 3, 5, 10], "order": "temporal" | "random",
//    "user_fraction": 0.1, "eligible_users": 812, "users": 81,
//    "targets": 1234,              // relevant target interactions of the held-out users
//    "reference": "popularity" | null,
//    "modes": [{"mode": "retrain" | "fold-in",
//               "arms": {"<arm>": {"status": "ok" | "failed" | "fold-in not supported",
//                                  "error": str (failed only),
//                                  "mean": [..], "ci_low": [..], "ci_high": [..], "n": [..],
//                                  "overtakes_reference_at": N | null,
//                                  "significantly_overtakes_reference_at": N | null}}}],
//    "seconds": float}
// Arrays are as long as "shots" (null where missing); an arm not ok has
// arrays of null. "error" instead of the rest when no user is eligible.
#pragma once

#include <nlohmann/json.hpp>

#include "scenarios/common.h"

namespace reclift::host {

nlohmann::json RunColdStartUsers(const ScenarioEnv& env, const ScenarioSpec& scenario);

// The held-out users and their interactions, for tests: ordered as the
// shots take them.
struct ColdUserPlan {
  bool temporal = false;
  size_t eligible = 0;
  std::vector<uint32_t> users;                   // ascending
  std::vector<std::vector<uint64_t>> sequences;  // per user: dataset indices in shot order
  std::vector<uint64_t> warm_train;              // the other users' training interactions
};
ColdUserPlan PlanColdStartUsers(const ScenarioEnv& env, const ScenarioSpec& scenario);

}  // namespace reclift::host
