// The leakage check: ways an offline experiment can let a model (or the
// person choosing among models) see what it is evaluated on. It runs on
// every split of every experiment; by default its findings are warnings,
// with [split] leakage = "error" they stop the run.
//
// Findings, by kind:
//   "train-test-overlap"       test interactions whose (user, item) pair is
//                              also in training: the model has seen the answer
//   "train-validation-overlap" the same between training and validation
//   "validation-test-overlap"  test interactions whose pair is in validation
//                              (tuning sees the test answers)
//   "future-leakage"           training interactions later than the median
//                              test interaction (datasets with timestamps):
//                              per-user splits let a model learn from the
//                              future of the interactions it is tested on
//   "tuning-on-test"           several arms come from one grid and there is
//                              no validation split, so the grid point that
//                              looks best was chosen on the test data
//
// In results.json, "leakage" is the list of findings (empty when clean):
//   "leakage": [
//     { "kind": "future-leakage",
//       "count": 1234,          // interactions (arms, for tuning-on-test)
//       "share": 0.413,         // count / size of the set counted, or null
//       "example": "user \"u7\", item \"i3\" at time 1200 (training)",
//       "message": "one sentence: what, how much, what to do" }, ... ]
#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "split/split.h"

namespace reclift::host {

struct LeakageFinding {
  std::string kind;             // one of the kinds above
  size_t count = 0;             // interactions concerned (arms, for tuning-on-test)
  std::optional<double> share;  // count / size of the set it was counted in
  std::string example;          // one instance, in the dataset's original ids
  std::string message;          // for people: what was found and what to do
};

struct LeakageReport {
  std::vector<LeakageFinding> findings;  // in the order of the kinds above

  bool clean() const { return findings.empty(); }
};

// Checks one split of `data` made under `spec`. `largest_grid_arms` is the
// number of arms expanded from the largest single grid (1 when no [[arms]]
// table is a grid). Reads only; runs in parallel over users; the result
// does not depend on the thread count. Throws Error when an index of the
// split is outside the dataset.
LeakageReport CheckLeakage(const Dataset& data, const Split& split, const SplitSpec& spec,
                           size_t largest_grid_arms = 1);

// The findings as results.json's "leakage" array (shape above).
nlohmann::json LeakageJson(const LeakageReport& report);

// Under spec.leakage = "error", throws Error at the [split] leakage key
// whose message lists every finding; does nothing for "warn" or a clean
// report. Throws for any other policy value.
void EnforceLeakagePolicy(const LeakageReport& report, const SplitSpec& spec);

}  // namespace reclift::host
