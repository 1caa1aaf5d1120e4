// Reading `tune = { ... }` of [[arms]] and the [tuning] table (see
// tuning/tuning_spec.h). Internal to framework/src/experiment/.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>

#include "experiment/spec.h"
#include "experiment/toml_read.h"

namespace reclift::host::experiment_internal {

// Reads one arm's search space. `grid_params` are the parameters the arm's
// params already make a grid of (a parameter is either searched or a grid).
std::map<std::string, TuneDimension> ReadTune(const Field& field,
                                              const std::map<std::string, int>& grid_params);

// Reads [tuning] into spec.tuning (needs [experiment] and the arms read
// first): an experiment with a [tuning] table but no tuned arm is an error.
void ReadTuning(const toml::table& root, ExperimentSpec& spec);

// The resolved form of [tuning], for results.json.
nlohmann::json TuningJson(const TuningSpec& tuning);

}  // namespace reclift::host::experiment_internal
