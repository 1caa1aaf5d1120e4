// Fitting and evaluating one arm on one cell: the pieces every scenario
// (plain A/B, cold start, diversity) is built from.
#pragma once

#include <tbb/task_arena.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "runner/cell_data.h"
#include "runner/metric_set.h"

namespace reclift::host {

// A fitted recommender with the children it was given (kept alive with it).
struct FittedArm {
  RecommenderHandle model;
  std::vector<RecommenderHandle> children;
  std::string plugin;                                // name@version
  nlohmann::json params = nlohmann::json::object();  // every parameter, children included
  uint32_t capabilities = 0;
  double fit_seconds = 0;
};

// Creates the arm's recommender (and its children, each fitted first), and
// fits it in `arena`. Throws Error with the plugin's message on failure.
FittedArm FitArm(const PluginRegistry& registry, const ArmSpec& arm, const TrainData& train,
                 const Context& ctx, tbb::task_arena& arena);

// Ranks `users` (all items, training items removed, max_k long) and, when
// the model predicts ratings, predicts each user's test items. Throws Error
// with the plugin's message on failure.
struct RankedLists {
  std::vector<std::vector<uint32_t>> lists;
  std::vector<std::vector<float>> predicted;  // per user; empty when not supported
};
// With `candidates` (one sorted list per user), only those items are ranked.
RankedLists RankTestUsers(const FittedArm& arm, const TrainData& train, std::span<const UserTest> users,
                          size_t max_k, tbb::task_arena& arena,
                          const std::vector<std::vector<uint32_t>>* candidates = nullptr);

// Builds the evaluator inputs of `users` with their lists (spans into both).
std::vector<UserEvalInput> EvalInputs(std::span<const UserTest> users, const RankedLists& ranked);

std::string PluginId(const PluginInfo& info);
nlohmann::json ParamsToJson(const Params& params);
// A parameter value from JSON (bool, integer, other number, else string);
// the inverse of ParamsToJson for one value.
ParamValue ParamValueFromJson(const nlohmann::json& j);

}  // namespace reclift::host
