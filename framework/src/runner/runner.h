// The runner: executes one experiment end to end and writes its run folder.
//
// spec -> dataset -> split -> cell data -> profilers -> for each arm: fit,
// rank, evaluate per user -> aggregates and A/B statistics -> results.json
// -> reports. An arm whose plugin fails (error Status, exception, non-finite
// scores) is marked failed with its message; the other arms complete.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "experiment/spec.h"
#include "plugin_host/registry.h"

namespace reclift::host {

struct RunOptions {
  int threads = 0;               // 0: the spec's value, else all cores
  std::filesystem::path output;  // overrides the spec's output root
  bool progress = false;         // a progress line on stderr
  // write into this folder (created if missing) instead of a new timestamped
  // one under the output root, e.g. a suite member's folder
  std::filesystem::path run_dir;
  // a run folder whose finished cells may be reused; the run continues in it
  // (the execution engine reuses cells; until then the run is redone there)
  std::filesystem::path resume;
};

struct RunOutcome {
  std::filesystem::path run_dir;  // reports/<name>/<timestamp>
  std::filesystem::path results_file;
  std::vector<std::filesystem::path> reports;  // every file written
  nlohmann::json results;
  int failed_arms = 0;
};

// Runs the experiment. Throws Error for problems that stop the whole run
// (unreadable data, a split that cannot be made, an unknown metric, an
// output folder that cannot be written); plugin failures only fail their arm.
RunOutcome RunExperiment(const ExperimentSpec& spec, const PluginRegistry& registry,
                         const RunOptions& options);

// Renders the report files of `formats` ("json" is results.json itself)
// into `dir` from a results document; returns the files written.
std::vector<std::filesystem::path> WriteReports(const nlohmann::json& results,
                                                const std::filesystem::path& dir,
                                                const std::vector<std::string>& formats);

}  // namespace reclift::host
