// `reclift new`: writes a plugin folder (source, test, README, CMakeLists)
// that builds in the reclift tree or on its own against an installed
// reclift (find_package), and passes the plugin contract unmodified.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace reclift::host {

// kind: "recommender", "profiler" or "evaluator"; name: lower_snake_case.
// Throws Error when the kind or name is invalid or `dir` exists and is not
// empty. Returns the files written.
std::vector<std::filesystem::path> ScaffoldPlugin(const std::string& kind, const std::string& name,
                                                  const std::filesystem::path& dir);

}  // namespace reclift::host
