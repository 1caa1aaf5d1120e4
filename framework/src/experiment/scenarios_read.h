// Reading [[scenarios]] tables (see scenario_spec.h). Internal to
// framework/src/experiment/.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

#include "experiment/spec.h"

namespace reclift::host::experiment_internal {

// Reads every [[scenarios]] table into spec.scenarios. Needs the arms (and
// `grid_names`: grid -> the arms it expanded to) and [evaluation] read
// first. Throws Error at the offending value.
void ReadScenarios(const toml::table& root, ExperimentSpec& spec,
                   const std::map<std::string, std::vector<std::string>>& grid_names);

}  // namespace reclift::host::experiment_internal
