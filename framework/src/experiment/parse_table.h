// The experiment parser on an already parsed TOML tree, for callers that
// assemble an experiment out of another file (a suite's [[datasets]] crossed
// with its shared tables). Nodes moved (not copied) out of a parsed file keep
// their source positions, so errors still point into that file.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <string_view>
#include <vector>

#include "experiment/spec.h"

namespace reclift::host {

// Parses TOML text; a syntax error throws Error at display_name:line:column.
toml::table ParseTomlText(std::string_view text, const std::filesystem::path& display_name);

// ParseExperimentString's work on a tree: applies `overrides` to `root`
// (which is modified), then reads and checks every table. Relative paths
// resolve against `base_dir`; `display_name` names the file in messages
// about missing tables.
ExperimentSpec ParseExperimentTable(toml::table& root, const std::filesystem::path& display_name,
                                    const std::filesystem::path& base_dir,
                                    const std::vector<Override>& overrides = {});

}  // namespace reclift::host
