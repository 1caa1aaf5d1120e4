// Repetitions of an experiment: more splits (split_repeats split seeds, and
// every fold of a k-fold split) and more model seeds (seed_repeats). The
// main analysis (per-user tests, segments) uses the first cell; this module
// runs the other cells and reports how every arm's metrics and every
// treatment's lift spread across cells, split variance apart from seed
// variance.
//
// "repeats" in results.json:
//   {"cells": [{"split_repeat": 0, "fold": 0, "seed": 42}, ...],
//    "arms": {"<arm>": {"<column>": {"values": [per cell], "mean", "ci_low", "ci_high",
//                                    "split_sd", "seed_sd"}}},
//    "lifts": {"<treatment>": {"<column>": {"values": [...], "mean", "ci_low", "ci_high"}}}}
// ci_* is the t interval of the mean over cells; split_sd the standard
// deviation of the per-split means (averaged over seeds), seed_sd the root
// mean of the within-split variances across seeds.
#pragma once

#include <tbb/task_arena.h>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "experiment/spec.h"
#include "plugin_host/registry.h"

namespace reclift::host {

struct Cell {
  int split_repeat = 0;
  int fold = 0;
  uint64_t seed = 0;  // model seed
};

// The cells of an experiment, the first being the main analysis's.
std::vector<Cell> ExperimentCells(const ExperimentSpec& spec);

// Arm-level means per column for one cell: means[arm][column] (NaN when the
// arm failed or the column is undefined). `first_cell_means` are those of
// the main analysis, so it is not run twice.
nlohmann::json RunRepeats(const ExperimentSpec& spec, const PluginRegistry& registry, const Dataset& data,
                          const std::vector<Cell>& cells,
                          const std::vector<std::vector<double>>& first_cell_means,
                          const std::vector<std::string>& columns, size_t control, tbb::task_arena& arena,
                          std::vector<std::string>& warnings);

}  // namespace reclift::host
