// The stages of a run (see runner.h and docs/architecture.md):
//
//   plan (engine/plan.h) -> load -> for each split group: prepare (split,
//   leakage, cell data, buckets, candidates, profilers) -> execute (cells
//   through an executor, reusing the cell store) -> analyse (every
//   repetition) -> scenarios (main split) -> write (results.json, reports)
//
// Data flows one way; each stage is a function of what the earlier ones made.
#pragma once

#include <tbb/task_arena.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "engine/cell.h"
#include "engine/executor.h"
#include "engine/plan.h"
#include "engine/run_folder.h"
#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "runner/ab.h"
#include "runner/cell_data.h"
#include "split/leakage.h"
#include "split/split.h"
#include "tuning/stage.h"

namespace reclift::host {

// What every stage reads.
struct RunEnv {
  const ExperimentSpec& spec;
  const PluginRegistry& registry;
  const engine::ExperimentPlan& plan;
  tbb::task_arena& arena;
  int threads = 1;
  std::vector<std::string>& warnings;
};

struct LoadedData {
  Dataset data;
  LoadReport report;
  double seconds = 0;
};
LoadedData LoadStage(const RunEnv& env);

// One split group, ready for its cells.
struct PreparedGroup {
  SplitSpec split_spec;
  Split split;
  LeakageReport leakage;
  CellData cell;
  std::vector<uint32_t> bucket_of;                // bucketed assignment only
  std::vector<std::vector<uint32_t>> candidates;  // "sampled" / "file" only
  std::vector<Segmentation> segmentations;
  nlohmann::json profilers = nlohmann::json::array();  // results.json "profilers"
};
// Splits, checks leakage (warnings only for the first group, `main`), builds
// the cell data, the buckets and candidates, and runs the profilers.
PreparedGroup PrepareStage(const RunEnv& env, const Dataset& data, size_t group, bool main);

// Runs the cells of `group` (every repetition and arm in it): reuses each
// stored cell whose key matches, computes the others through the executor
// the spec asks for. Returns results by plan cell index.
struct ExecuteOptions {
  std::string isolation;  // "process" | "none"
  int parallel = 0;       // cells at once; 0 = automatic (see [experiment] parallel_cells)
};
void ExecuteStage(const RunEnv& env, size_t group, const PreparedGroup& prepared,
                  const engine::RunFolder& folder, const std::map<std::string, engine::StoredCell>& store,
                  const ExecuteOptions& options, std::vector<engine::CellResult>& results);

// The executor of isolated cells: over every MPI rank under mpirun, else
// up to `parallel` worker processes on this machine.
std::unique_ptr<engine::CellExecutor> IsolatedExecutor(const std::filesystem::path& cells_dir, int parallel);

// The analysis of one repetition: every arm's aggregates and segments, the
// A/B comparisons, the sample-ratio check; means[arm][column] for repeats.
struct RepetitionAnalysis {
  nlohmann::json arms = nlohmann::json::array();
  nlohmann::json comparisons = nlohmann::json::array();
  nlohmann::json sample_ratio = nullptr;
  std::vector<std::string> ab_warnings;
  std::vector<std::vector<double>> means;
  size_t control = 0;
  std::string primary;
};
RepetitionAnalysis AnalyseStage(const RunEnv& env, const PreparedGroup& group,
                                const std::vector<const engine::CellResult*>& arms);

// Tuning trials as cells of the engine: each trial is a cell on the
// validation split (fitted on training minus validation, scored on
// validation), run by the same executor as the run's cells and stored under
// a key of its own (the arm with the trial's values, the validation data's
// content hash, the evaluation, the seed), so a resumed run repeats no
// finished trial and a crashing trial fails alone.
struct TrialCellCounts {
  size_t computed = 0;
  size_t reused = 0;
};
TrialRunnerFactory TrialCellRunners(const RunEnv& env, const engine::RunFolder& folder,
                                    const std::map<std::string, engine::StoredCell>& store,
                                    const ExecuteOptions& options, TrialCellCounts& counts);

// results.json "per_user" for the main repetition.
nlohmann::json PerUserJson(const RunEnv& env, const Dataset& data, const PreparedGroup& group,
                           const std::vector<const engine::CellResult*>& arms);

}  // namespace reclift::host
