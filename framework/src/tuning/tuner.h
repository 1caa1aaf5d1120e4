// The search of one arm: asks its sampler for configurations, hands them to
// a TrialRunner in batches, and keeps every outcome. Grid and random run one
// batch; TPE a random start-up batch and then `parallel`-sized batches;
// halving runs successive-halving rungs of growing budget.
#pragma once

#include <optional>
#include <span>

#include "experiment/spec.h"
#include "tuning/sampler.h"
#include "tuning/trial.h"

namespace reclift::host {

struct TrialRecord {
  TrialRequest request;
  TuneConfig config;  // the searched values
  int rung = 0;       // halving: the rung (budget level), else 0
  TrialOutcome outcome;
};

struct ArmSearch {
  std::vector<TrialRecord> trials;  // in the order they were run
  std::optional<size_t> best;       // index into trials; none when every trial failed
  TuneConfig best_config;
  double best_value = NAN;
  size_t failed = 0;
};

struct SearchSettings {
  std::string metric;
  bool higher_is_better = true;
  int fold = 0;
  uint64_t model_seed = 42;
  // halving: the budget parameter and its largest value (the arm's own)
  std::string budget_parameter;
  int64_t max_budget = 0;
  // random, tpe, halving: tried first (like Optuna's enqueue_trial), so the
  // search never ends below the arm's own configuration on validation; set
  // by the stage to the arm's values of the searched parameters when every
  // one lies in the space
  std::optional<TuneConfig> first;
};

// The arm's own values (its params, else the plugin's defaults) of the
// searched parameters, when each lies in its dimension; else none.
std::optional<TuneConfig> OwnConfig(const ArmSpec& arm, std::span<const ParamSpec> specs);

// Searches `arm.tune` with tuning.method. Failed trials are kept (and
// counted) and the search goes on. The best is the highest (or lowest)
// validation value among ok trials; with halving, only trials at the
// largest budget compete.
ArmSearch SearchArm(const ArmSpec& arm, const TuningSpec& tuning, const SearchSettings& settings,
                    const TrialRunner& run);

// The arm's explicit params with `config` applied (and the budget when > 0).
nlohmann::json TrialParams(const ArmSpec& arm, const TuneConfig& config, const std::string& budget_parameter,
                           int64_t budget);

nlohmann::json ParamValueJson(const ParamValue& v);

}  // namespace reclift::host
