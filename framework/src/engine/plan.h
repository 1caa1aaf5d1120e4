// Plan: an experiment spec resolved into cells, with every check that needs
// no data (so `reclift validate` makes them too).
//
// The cells are the experiment's repetitions (split repeat x fold x model
// seed; the first is the main analysis) times its arms. Cells of one split
// repeat and fold share a split group: its data is loaded and split once.
//
// A cell's key is a hash (XXH3-128, hex) of its key parts: the arm's
// recommender and children as plugin name@version with the hash of the
// library file and every parameter (defaults filled in), the dataset's
// fingerprint and the settings that shape it, the split settings with the
// repeat's seed and the fold, the evaluation settings with every evaluator
// (name@version, library hash, parameters), the model seed and, for a
// bucketed assignment, the arm's bucket. Threads, isolation and limits are
// not part of it: they do not change a cell's output.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "reclift/evaluator.h"
#include "runner/cell_data.h"
#include "runner/repeats.h"

namespace reclift::host::engine {

struct SplitGroup {
  int split_repeat = 0;
  int fold = 0;
  SplitSpec split;  // with the repeat's seed and the fold
};

struct PlannedCell {
  size_t repetition = 0;  // index into ExperimentPlan::repetitions
  size_t group = 0;       // index into ExperimentPlan::groups
  size_t arm = 0;         // index into spec.arms
  std::string label;      // "arm als, split 0 fold 0 seed 42"
  nlohmann::json key_parts;
  std::string key;  // set by SealKeys once the dataset's fingerprint is known
};

struct ExperimentPlan {
  std::vector<Cell> repetitions;               // (split repeat, fold, seed); [0] = main analysis
  std::vector<SplitGroup> groups;              // one load + split each
  std::vector<size_t> group_of;                // per repetition
  std::vector<PlannedCell> cells;              // repetition-major, then arm
  EvaluationSpec evaluation;                   // evaluators resolved (see MakePlan)
  std::vector<MetricColumn> columns;           // as the evaluators declare them
  std::vector<std::string> column_evaluators;  // "ranking@1.2.0" per column
  std::vector<std::vector<std::filesystem::path>> arm_plugins;  // per arm: the libraries a cell loads
  nlohmann::json evaluation_parts;                              // the evaluation's share of every key
};

// Resolves and checks `spec` without reading data: arms' plugins and
// parameters, evaluators and metric columns (a metric that no listed
// evaluator provides is taken from a loaded evaluator plugin that does; one
// that none provides is an Error at the file location), the A/B primary
// metric. Throws Error with file:line:column.
ExperimentPlan MakePlan(const ExperimentSpec& spec, const PluginRegistry& registry);

// An arm's share of a key: recommender and children as name@version,
// library hash and every parameter. Throws Error at the arm's location for
// an unknown plugin or a bad parameter.
nlohmann::json ArmKeyParts(const PluginRegistry& registry, const ArmSpec& arm);

// Completes every cell's key parts with the dataset's fingerprint and
// computes the keys.
void SealKeys(ExperimentPlan& plan, const std::string& dataset_fingerprint);

// The hex XXH3-128 of a file's bytes ("" when unreadable); cached per path,
// size and modification time.
std::string FileHash(const std::filesystem::path& file);
// The hex XXH3-128 of a cell's data (its training CSR, the evaluated users
// with their test items and gains): what a tuning trial is fitted and scored on.
std::string CellDataHash(const CellData& cell);
// The hex XXH3-128 of a JSON document's compact text.
std::string JsonHash(const nlohmann::json& j);

// Why a stored cell of the same arm and repetition no longer matches:
// "plugin als@1.1.0 -> als@1.2.0", "parameters of als changed", ...
std::string KeyChange(const nlohmann::json& old_parts, const nlohmann::json& new_parts);

}  // namespace reclift::host::engine
