// The unit of work of tuning: a trial request (which arm, which parameter
// values, which budget, on which data) and its outcome. Requests are
// self-describing and round-trip through JSON, so an executor may run them
// anywhere (in process here; isolated, cached worker processes in the cell
// engine).
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace reclift::host {

struct TrialRequest {
  std::string arm;                                   // the arm's name (spec.arms)
  int trial = 0;                                     // 0-based, per arm
  nlohmann::json params = nlohmann::json::object();  // the arm's explicit params with this trial's values
  std::string budget_parameter;  // halving: the budget parameter (also in params), else ""
  int64_t budget = 0;            // halving: its value, else 0
  // what the trial is fitted on and scored on: "validation" = fitted on the
  // training split minus validation, scored on validation (never test)
  std::string data = "validation";
  std::string metric;  // the metric column scored, e.g. "ndcg@10"
  int fold = 0;        // the split cell (its fold) whose validation split is used
  uint64_t seed = 0;   // the model seed
};

struct TrialOutcome {
  bool ok = false;
  double value = NAN;  // the metric on validation (NaN when the trial failed)
  double fit_seconds = 0;
  double seconds = 0;  // fit + ranking + evaluation
  std::string error;   // why it failed
};

// Runs a batch of trials (the executor may run them in parallel) and returns
// one outcome per request, in order. A trial that fails (plugin error,
// exception, NaN) has ok = false and its error; it never throws for one trial.
using TrialRunner = std::function<std::vector<TrialOutcome>(const std::vector<TrialRequest>&)>;

nlohmann::json ToJson(const TrialRequest& request);
TrialRequest TrialRequestFromJson(const nlohmann::json& j);
nlohmann::json ToJson(const TrialOutcome& outcome);
TrialOutcome TrialOutcomeFromJson(const nlohmann::json& j);

}  // namespace reclift::host
