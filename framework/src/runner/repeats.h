// Repetitions of an experiment: more splits (split_repeats split seeds, and
// every fold of a k-fold split) and more model seeds (seed_repeats). Each
// repetition's cells are run and analysed like the first (per-user tests,
// segments); this module reports how every arm's metrics and every
// treatment's lift spread across repetitions, split variance apart from
// seed variance.
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

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "experiment/spec.h"

namespace reclift::host {

struct Cell {
  int split_repeat = 0;
  int fold = 0;
  uint64_t seed = 0;  // model seed
};

// The cells of an experiment, the first being the main analysis's.
std::vector<Cell> ExperimentCells(const ExperimentSpec& spec);

// The "repeats" section from every repetition's arm-level means:
// means[repetition][arm][column] (NaN when the arm failed or the column is
// undefined). Every repetition is a full analysis of its own (results.json
// "cells"); this section reports how each arm's metrics and each
// treatment's lift spread across them.
nlohmann::json SummariseRepeats(const ExperimentSpec& spec, const std::vector<Cell>& cells,
                                const std::vector<std::vector<std::vector<double>>>& means,
                                const std::vector<std::string>& columns, size_t control);

}  // namespace reclift::host
