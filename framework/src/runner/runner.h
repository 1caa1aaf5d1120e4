// The runner: executes one experiment end to end and writes its run folder.
//
// It reads as its stages (runner/stages.h, docs/architecture.md): plan the
// cells (engine/plan.h) -> load the dataset -> per split group: prepare the
// split, execute its cells (engine/executor.h; each finished cell goes into
// the run folder's cell store at once) and analyse every repetition ->
// scenarios -> write results.json and the reports. A cell whose plugin fails
// (an error, an exception, a crash, a timeout, a memory overrun) fails its
// arm alone, with the reason; the other cells complete.
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
  std::string isolation;         // "process" | "none"; "" = the spec's
  int parallel_cells = 0;        // cells at once; 0 = the spec's
  // Resume this run folder: every stored cell whose key still matches is
  // reused, the others are computed, and the run completes in the folder.
  std::filesystem::path resume;
  // Write into exactly this folder (e.g. a suite member) instead of a new
  // timestamped one under the output root.
  std::filesystem::path run_dir;
};

// The run folder `--resume` without a folder means: <output root>/latest,
// resolved (throws Error when there is none).
std::filesystem::path LatestRunDir(const ExperimentSpec& spec, const std::filesystem::path& output);

struct RunOutcome {
  std::filesystem::path run_dir;  // reports/<name>/<timestamp>
  std::filesystem::path results_file;
  std::vector<std::filesystem::path> reports;  // every file written
  nlohmann::json results;
  int failed_arms = 0;  // arms with at least one failed cell
  size_t cells_computed = 0;
  size_t cells_reused = 0;
};

// Runs the experiment. Throws Error for problems that stop the whole run
// (unreadable data, a split that cannot be made, an unknown metric, an
// output folder that cannot be written, a run folder in use); plugin
// failures only fail their cells. Finished cells stay in the run folder, so
// a run that stopped half-way can be resumed (RunOptions::resume).
RunOutcome RunExperiment(const ExperimentSpec& spec, const PluginRegistry& registry,
                         const RunOptions& options);

// Renders the report files of `formats` ("json" is results.json itself)
// into `dir` from a results document; returns the files written.
std::vector<std::filesystem::path> WriteReports(const nlohmann::json& results,
                                                const std::filesystem::path& dir,
                                                const std::vector<std::string>& formats);

}  // namespace reclift::host
