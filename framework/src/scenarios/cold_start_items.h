// Cold-start items: new courses that no model has seen an interaction of.
//
// Protocol. From the plain run's split, an `item_fraction` of the catalogue
// (of the items with at least one interaction) is drawn under the
// scenario's seed among the items with a relevant test interaction, and
// every training interaction with them is removed: the arms are fitted
// without them. Their test interactions stay, so the test set is the plain
// run's. The catalogue keeps them with their features, so every arm ranks
// them; an interaction removed from training is also removed from the
// user's candidates (the user used the item; recommending it again would
// count as a miss that is not one).
//
// Result per arm: the overall metrics; the accuracy metrics of the ranking
// evaluator restricted to new items (the relevant items are the user's
// relevant new items; over the users who have one); the share of new items
// in the lists at each k; and new-item coverage (the share of new items in
// at least one list). An arm whose plugin does not declare item features
// (kCapItemFeatures) is scored like any other, because that is what it
// would do in production, and marked "does not use item features": its
// new-item figures say what such an arm gives, not that it was tried.
//
// results.json section "cold_start_items":
//   {"item_fraction": 0.1, "new_items": 60, "eligible_items": 480,
//    "train_interactions_removed": 3021, "users": 2711,
//    "users_with_new_relevant": 640,
//    "new_item_metrics": ["recall@10", "ndcg@10", ...], "metrics": ["ndcg@10", ...],
//    "arms": [{"name": str, "plugin": "content@1.0.0", "status": "ok" | "failed",
//              "error": str (failed only), "uses_item_features": bool,
//              "note": "does not use item features" (only then),
//              "new_items": {"recall@10": {"mean", "ci_low", "ci_high", "n"}, ...},
//              "new_item_share": {"new_item_share@10": {"mean", "ci_low", "ci_high", "n"}, ...},
//              "new_item_coverage": {"new_item_coverage@10": float, ...},
//              "overall": {"ndcg@10": {"mean", "ci_low", "ci_high", "n"}, ...}}],
//    "seconds": float}
// List-level overall columns have null intervals. "error" instead of the
// rest when no item can be held out.
#pragma once

#include <nlohmann/json.hpp>

#include "scenarios/common.h"

namespace reclift::host {

nlohmann::json RunColdStartItems(const ScenarioEnv& env, const ScenarioSpec& scenario);

// The held-out items and the training interactions left, for tests.
struct ColdItemPlan {
  std::vector<uint32_t> items;  // ascending
  size_t eligible = 0;          // items with a relevant test interaction
  std::vector<uint64_t> train;  // the plain split's training interactions without the items
  size_t removed = 0;           // training interactions removed
  // per user: the held-out items they used in training (ascending)
  std::vector<std::vector<uint32_t>> hidden;
};
ColdItemPlan PlanColdStartItems(const ScenarioEnv& env, const ScenarioSpec& scenario);

}  // namespace reclift::host
