// What an experiment file says about tuning: per arm, the search space
// (`tune = { ... }` in [[arms]]), and how to search it ([tuning]). Parsed by
// experiment/tuning_read.cpp, checked against the plugin's parameter specs
// by CheckTuneSpaces (tuning/check.h), run by tuning/stage.h.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reclift/params.h"
#include "util/error.h"

namespace reclift::host {

// One searched parameter.
struct TuneDimension {
  enum class Kind {
    kChoices,     // param = [a, b, c]: one of the listed values
    kUniform,     // { uniform = [lo, hi] }: a float, uniform on [lo, hi]
    kLogUniform,  // { log_uniform = [lo, hi] }: a float, uniform in log on [lo, hi], lo > 0
    kIntUniform,  // { int_uniform = [lo, hi] }: an integer in [lo, hi]
  };
  Kind kind = Kind::kChoices;
  std::vector<ParamValue> choices;  // kChoices
  double low = 0, high = 0;         // the numeric kinds, inclusive
  SourceLocation where;             // of the value
  SourceLocation key_where;         // of the parameter name
};

// "uniform", "log_uniform", "int_uniform", "choices"
const char* TuneKindName(TuneDimension::Kind kind);

// A search space as results.json shows it: {"factors": [16, 32],
// "regularization": {"log_uniform": [0.001, 1]}}.
nlohmann::json TuneSpaceJson(const std::map<std::string, TuneDimension>& space);

// [tuning]
struct TuningSpec {
  // "grid": every combination of the choices (numeric ranges are not
  //   allowed); "random": `trials` seeded draws; "tpe": a tree-structured
  //   Parzen estimator (Bergstra et al. 2011, as Optuna's default sampler);
  //   "halving": successive halving (Jamieson & Talwalkar 2016; one bracket
  //   of Hyperband, Li et al. 2018) over an integer budget parameter
  std::string method = "tpe";
  int trials = 20;     // configurations tried per tuned arm (grid: at most this many)
  std::string metric;  // a metric column; "" = the A/B primary metric
  uint64_t seed = 42;  // default: [experiment] seed
  bool refit = true;   // refit the chosen configuration on all training data
  // share of the training split set apart for validation when the split has
  // none (split.validation_fraction = 0 and no validation file)
  double validation_fraction = 0.2;
  // halving: the integer parameter that sets the budget (default: the
  // plugin's "epochs" or "iterations"); its value in the arm is the largest budget
  std::string budget_parameter;
  int eta = 3;           // halving: keep 1/eta of the configurations per rung
  int parallel = 0;      // trials fitted at once; 0 = as many as the batch
  bool present = false;  // the file has a [tuning] table
  std::map<std::string, SourceLocation> where;
};

}  // namespace reclift::host
