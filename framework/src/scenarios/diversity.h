// Diversity: every arm's lists re-ranked by MMR or category calibration at
// each lambda of a sweep, and what that costs in accuracy.
//
// Protocol. The plain run's split and training view. Each arm is fitted
// once; its `candidates` best items per test user (training items removed)
// are re-ranked into lists of the largest k, for every lambda of every
// diversity scenario, and evaluated with every evaluator of the experiment
// (all their columns, so ild, novelty and coverage are there when the
// beyond_accuracy evaluator is). lambda = 0 is the arm's own list.
//
// The host adds one column of its own, "miscalibration@k" (lower is
// better): KL(p || q~) of Steck (2018) between the categories of a user's
// training items and of their top-k list (see rerank.h), over users with
// categorised training items. It is reported by default for calibration
// and on request (`metrics`) for MMR.
//
// Pareto-best settings: for each reported metric other than the accuracy
// one (the first), the points (arm, re-ranker, lambda) that no other point
// beats on both that metric and accuracy (at least as good on both, better
// on one; each metric in its own better direction).
//
// results.json section "diversity" (the shape report/html.h draws, extended):
//   {"reranker": "mmr" | "calibration" | "mmr, calibration",
//    "accuracy": "ndcg@10", "metrics": ["ndcg@10", "ild@10", ...],
//    "higher_is_better": {"ndcg@10": true, "miscalibration@10": false, ...},
//    "runs": [{"reranker": "mmr", "similarity": "features", "candidates": 100,
//              "lambda": [0.0, 0.3], "metrics": [...], "error": str (only when it could not run)}],
//    "arms": {"<arm>": {"status": "ok" | "failed", "error": str (failed only)}},
//    "points": [{"arm": str, "reranker": "mmr", "similarity": "features", "lambda": 0.3,
//                "users": 2711, "ndcg@10": 0.15, "ild@10": 0.62, ...,
//                "ci": {"ndcg@10": [low, high], ...},     // per-user metrics only
//                "pareto_best": ["ild@10", ...]}],
//    "pareto": {"ild@10": [{"arm": str, "reranker": str, "similarity": str (mmr), "lambda": 0.3}, ...], ...},
//    "seconds": float}
// A point's metric is null when undefined (e.g. ild without features).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "scenarios/common.h"

namespace reclift::host {

// Runs every diversity scenario of `scenarios` (others are ignored) into one
// section; null when there is none.
nlohmann::json RunDiversity(const ScenarioEnv& env, const std::vector<const ScenarioSpec*>& scenarios);

}  // namespace reclift::host
