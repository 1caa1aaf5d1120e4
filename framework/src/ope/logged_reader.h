// Reading logged feedback files ([logged] format = "csv" or "open-bandit").
//
// csv: one row per shown item, columns mapped by LoggedSpec (round, user,
// item, position, reward, propensity, optional prefix propensity and
// timestamp). Rows of one round form its slate; they need not be adjacent.
//
// open-bandit: the Open Bandit Dataset's {policy}/{campaign}.csv as
// distributed: an unnamed index column, timestamp, item_id, position (1..3),
// click, propensity_score, user_feature_0..3, user-item_affinity_*. Every row
// is its own round (as Open Bandit Pipeline reads it: the position is part
// of the action), the user is the tuple of user_feature_* values joined
// with '|', the reward is the click, the propensity the marginal
// probability of the item at its position; the slate size is 3 (or the
// largest position). item_context.csv beside it (logged.items) adds its
// item_id values to the action space. Timestamps and affinities are not read.
//
// Errors (Error with file:line:column and what was expected): a missing
// column, a propensity that is not a number in (0, 1], a reward that is not
// a finite number, a position that is not an integer in 1..K, two rows at
// one position of a round, a prefix propensity outside (0, 1], prefix
// propensities on a round whose positions do not run 1..m. Findings (kept
// in LoggedFeedback::findings): prefix probabilities that grow along the
// slate or exceed the marginal of their position, which no slate model
// allows; a logger that gives every logged item probability 1.
#pragma once

#include "experiment/ope_spec.h"
#include "ope/logged.h"

namespace reclift::host {

LoggedFeedback ReadLoggedFeedback(const LoggedSpec& spec);

}  // namespace reclift::host
