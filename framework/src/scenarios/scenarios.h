// The scenarios of an experiment ([[scenarios]]), run after the plain A/B
// comparison on the same data and split, each into its own results.json
// section:
//   cold-start-users -> "cold_start_users" (scenarios/cold_start_users.h)
//   cold-start-items -> "cold_start_items" (scenarios/cold_start_items.h)
//   diversity        -> "diversity"        (scenarios/diversity.h; every
//                       diversity scenario shares the one section)
//
// The runner calls, after its A/B statistics:
//
//   const ScenarioEnv env{spec, registry, data, split, &cell, arena, threads, {}};
//   for (auto& [key, section] : RunScenarios(env, warnings).items()) results[key] = section;
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/common.h"

namespace reclift::host {

// Runs every scenario of env.spec.scenarios and returns {"<section>": {...}}
// (an empty object when there are none). A scenario that cannot run (an
// unknown metric, no user or item to hold out) keeps its section with an
// "error" and adds a warning; an arm that fails is marked failed in its
// scenario and the others go on.
nlohmann::json RunScenarios(const ScenarioEnv& env, std::vector<std::string>& warnings);

}  // namespace reclift::host
