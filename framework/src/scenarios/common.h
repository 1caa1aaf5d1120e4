// What the scenarios share: the inputs the runner hands them, fitting an arm
// on a scenario's own training view, and ranking users with exclusions of
// the scenario's choosing (items hidden from training but already used) or
// from a fold-in history instead of a training row.
#pragma once

#include <tbb/task_arena.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "runner/arm.h"
#include "runner/cell_data.h"
#include "split/split.h"

namespace reclift::host {

// Fits one arm on a training view. The runner's is FitArm with its
// registry; tests substitute recommenders built in the test.
using ArmFitter = std::function<FittedArm(const ArmSpec& arm, const TrainData& train, const Context& ctx)>;

// FitArm(registry, arm, train, ctx, arena).
ArmFitter RegistryFitter(const PluginRegistry& registry, tbb::task_arena& arena);

// Everything a scenario reads. Nothing here is modified.
struct ScenarioEnv {
  const ExperimentSpec& spec;
  const PluginRegistry& registry;  // the evaluators
  const Dataset& data;
  const Split& split;          // the plain run's split
  const CellData* plain_cell;  // the plain run's cell data, or null (then built again when needed)
  tbb::task_arena& arena;
  int threads = 1;
  ArmFitter fit;  // empty: RegistryFitter(registry, arena)
};

// The arms of `scenario` (every arm when it names none), in the
// experiment's order.
std::vector<const ArmSpec*> ScenarioArms(const ExperimentSpec& spec, const ScenarioSpec& scenario);

// A test interaction counts as relevant the way the plain run counts it:
// every one on implicit data, value >= positive_threshold on ratings.
bool IsRelevant(const Dataset& data, float value);

// The training view of the interactions `indices` (into the dataset), with
// the dataset's item features. Every user and item keeps its id.
OwnedTrainData BuildTrainView(const Dataset& data, std::span<const uint64_t> indices);

// Training interactions per item of a view, as the evaluators expect them.
std::vector<float> ItemPopularity(const TrainData& train);

// One user to rank. Items in `exclude` (ascending) are never ranked; for a
// known user pass at least the training row. With fold-in the user is
// scored from `history` through ScoreHistory instead of by id.
struct RankQuery {
  uint32_t user = 0;
  std::span<const uint32_t> exclude;
  std::span<const uint32_t> history_items;
  std::span<const float> history_values;
};

struct ScoredLists {
  std::vector<std::vector<uint32_t>> lists;  // per query, best first
  std::vector<std::vector<float>> scores;    // the arm's score of each listed item
};

// Ranks every query's top `k` over all items (score descending, smaller id
// first on ties). Known users are scored in blocks (ScoreBatch when the arm
// has it); fold-in queries one by one through ScoreHistory. Throws Error
// with the plugin's message on a failed call or a non-finite score.
// Deterministic for any thread count.
ScoredLists RankQueries(const FittedArm& arm, uint32_t num_items, std::span<const RankQuery> queries,
                        bool fold_in, size_t k, tbb::task_arena& arena);

// Mean, t interval (alpha) and count of the finite values: the
// {"mean", "ci_low", "ci_high", "n"} object of results.json.
nlohmann::json Summary(std::span<const double> values, double alpha);

// NaN and infinities as null.
nlohmann::json JsonNumber(double value);

// Forwards plugin log lines to spdlog with a prefix ("cold-start-users, arm als: ").
class ScenarioLogger final : public Logger {
 public:
  explicit ScenarioLogger(std::string prefix) : prefix_(std::move(prefix)) {}
  void Log(LogLevel level, const std::string& message) const override;

 private:
  std::string prefix_;
};

}  // namespace reclift::host
