// The tuning stage of a run: for every arm with a `tune` space, trials on a
// validation split carved from the training split with the test split's own
// method (split/split.h), then the chosen values replace the arm's params
// for the test evaluation. Trials never see test interactions, and are
// fitted without the validation interactions they are scored on.
//
// "tuning" in results.json (null when no arm is tuned):
//   {"method", "trials", "metric", "higher_is_better", "refit", "seed",
//    "validation": {"fold", "train", "validation", "users", "notes"},
//    "seconds",
//    "arms": [{"arm", "recommender", "space", "budget_parameter",
//              "trials": [{"trial", "rung", "params", "budget", "value",
//                          "fit_seconds", "seconds", "status", "error"?}],
//              "best": {"trial", "params", "value"} | null,
//              "best_so_far": [per trial, null before the first ok one],
//              "chosen_params", "failed", "seconds"}]}
// The test value of a chosen configuration is the arm's own metric in
// "arms" (validation-vs-test: report/tuning_section.h).
#pragma once

#include <tbb/task_arena.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "runner/cell_data.h"
#include "runner/metric_set.h"
#include "tuning/trial.h"

namespace reclift::host {

// Runs trials in this process: each request's arm (found by name in `spec`)
// with the request's params, fitted on `validation_cell`'s training view and
// scored on its test users (the validation split). The trials of a batch
// run in parallel in `arena`. Everything referenced must outlive the runner.
TrialRunner MakeInProcessTrialRunner(const ExperimentSpec& spec, const PluginRegistry& registry,
                                     const CellData& validation_cell, const MetricSet& metrics,
                                     tbb::task_arena& arena);

// Makes the trial runner of a validation split (the cell engine's: trials
// as isolated, stored cells; see runner/stages.h). `validation_cell` lives
// as long as the runner is used.
using TrialRunnerFactory = std::function<TrialRunner(const CellData& validation_cell)>;

// One cell's tuning, `spec` unchanged: every tuned arm searched on the
// validation split carved from cell `fold`'s training split. A cell engine
// that tunes every cell (fold) on its own calls this per cell and
// ApplyTuning on that cell's copy of the spec.
struct CellTuning {
  nlohmann::json section;                                           // results.json's "tuning" (shape above)
  std::map<std::string, std::map<std::string, ParamValue>> chosen;  // arm -> the best trial's values
  double validation_fraction = 0;  // the share carved (0 with a validation file)
  bool validation_file = false;
};
CellTuning TuneCell(const ExperimentSpec& spec, const PluginRegistry& registry, const Dataset& data, int fold,
                    tbb::task_arena& arena, std::vector<std::string>& warnings,
                    const TrialRunnerFactory* runners = nullptr);

// Writes the chosen values into spec.arms[*].recommender.params and sets how
// the main split treats validation (see RunTuningStage).
void ApplyTuning(ExperimentSpec& spec, const CellTuning& tuning);

// The stage, called by RunExperiment after the data is loaded and before
// the split is made. With no tuned arm it returns null and changes nothing.
// Otherwise it tunes every tuned arm on the first cell's validation split
// (TuneCell; the chosen values serve every cell),
// writes the chosen values into spec.arms[*].recommender.params, and sets
// how the main split treats validation: refit = true fits every arm on the
// whole training split (validation merged back), refit = false on the
// training split minus validation (what the trials were fitted on). Throws
// Error when no validation split can be carved or the metric is unknown.
// `runners`: makes the executor of trials (default: MakeInProcessTrialRunner).
nlohmann::json RunTuningStage(ExperimentSpec& spec, const PluginRegistry& registry, const Dataset& data,
                              tbb::task_arena& arena, std::vector<std::string>& warnings,
                              const TrialRunnerFactory* runners = nullptr);

}  // namespace reclift::host
