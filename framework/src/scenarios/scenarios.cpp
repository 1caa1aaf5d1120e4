#include "scenarios/scenarios.h"

#include <spdlog/spdlog.h>

#include "scenarios/cold_start_items.h"
#include "scenarios/cold_start_users.h"
#include "scenarios/diversity.h"

namespace reclift::host {

nlohmann::json RunScenarios(const ScenarioEnv& env, std::vector<std::string>& warnings) {
  nlohmann::json sections = nlohmann::json::object();
  auto guarded = [&](const std::string& key, const std::string& kind, auto&& run) {
    try {
      nlohmann::json section = run();
      if (section.is_null()) return;
      if (section.contains("error"))
        warnings.push_back(kind + " scenario: " + section["error"].get<std::string>());
      sections[key] = std::move(section);
    } catch (const std::exception& e) {
      const std::string message = kind + " scenario could not run: " + e.what();
      spdlog::error("{}", message);
      warnings.push_back(message);
      sections[key] = {{"error", e.what()}};
    }
  };
  std::vector<const ScenarioSpec*> diversity;
  for (const ScenarioSpec& scenario : env.spec.scenarios) {
    if (scenario.kind == "cold-start-users") {
      guarded("cold_start_users", scenario.kind, [&] { return RunColdStartUsers(env, scenario); });
    } else if (scenario.kind == "cold-start-items") {
      guarded("cold_start_items", scenario.kind, [&] { return RunColdStartItems(env, scenario); });
    } else if (scenario.kind == "diversity") {
      diversity.push_back(&scenario);
    }
  }
  if (!diversity.empty()) guarded("diversity", "diversity", [&] { return RunDiversity(env, diversity); });
  return sections;
}

}  // namespace reclift::host
