// ScenarioSpec: one [[scenarios]] table of an experiment file, a scenario run
// beside the plain A/B comparison (see framework/src/scenarios/).
//
//   [[scenarios]]
//   kind = "cold-start-users"      # held-out users given N of their interactions
//   shots = [0, 1, 3, 5, 10]
//   mode = "both"                  # retrain | fold-in | both
//
//   [[scenarios]]
//   kind = "cold-start-items"      # held-out items, unseen in training
//   item_fraction = 0.1
//
//   [[scenarios]]
//   kind = "diversity"             # every arm's lists re-ranked
//   reranker = "mmr"               # mmr | calibration
//   lambda = [0.0, 0.3, 0.6, 0.9]
//
// Keys every kind takes: `kind` (required), `arms` (names of arms, or of
// grids standing for all their arms; default every arm) and `seed` (default
// experiment.seed). A key of another kind is an error naming the kinds that
// take it. Metric names (`metric`, `metrics`) are checked by the runner,
// which knows the evaluators' columns.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"

namespace reclift::host {

struct ScenarioSpec {
  std::string kind;  // "cold-start-users" | "cold-start-items" | "diversity"
  // the arms it runs, after grid expansion, in the experiment's arm order;
  // empty = every arm
  std::vector<std::string> arms;
  uint64_t seed = 42;  // default experiment.seed: which users or items are held out

  // cold-start-users: the share of eligible users (more interactions than
  // the largest shot count, with a relevant one after them) held out entirely
  double user_fraction = 0.1;
  std::vector<int> shots = {0, 1, 3, 5, 10};  // ascending, unique
  std::string mode = "both";                  // retrain | fold-in | both
  std::string metric;                         // the curve's column; default ab.primary_metric

  // cold-start-items: the share of the catalogue held out of training
  double item_fraction = 0.1;

  // diversity
  std::string reranker = "mmr";                        // mmr | calibration
  std::vector<double> lambdas = {0.0, 0.3, 0.6, 0.9};  // ascending, unique, in [0, 1]
  std::string similarity = "features";                 // mmr: features | cooccurrence
  int candidates = 100;                                // the arm's top items the re-ranker picks from
  // columns to report per point; default the primary metric, then ild@k,
  // novelty@k and coverage@k (k of the primary) where the evaluators have them
  std::vector<std::string> metrics;

  SourceLocation where;                             // of the [[scenarios]] table
  std::map<std::string, SourceLocation> key_where;  // of each key's value

  bool has_mode(std::string_view m) const { return mode == m || mode == "both"; }
  const SourceLocation& At(const std::string& key) const {
    auto it = key_where.find(key);
    return it != key_where.end() ? it->second : where;
  }
};

// The scenarios as written into the resolved configuration (results.json
// "config"): every effective value, each kind with its own keys only.
nlohmann::json ScenariosJson(const std::vector<ScenarioSpec>& scenarios);

}  // namespace reclift::host
