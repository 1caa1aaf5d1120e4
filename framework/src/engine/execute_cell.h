// Running one cell where the caller is: fit, rank, evaluate per user. The
// in-process executor calls it in the driver; a worker process calls it on
// its mapped split file.
#pragma once

#include <tbb/task_arena.h>

#include <functional>
#include <string>

#include "engine/cell.h"
#include "plugin_host/registry.h"

namespace reclift::host::engine {

// Called as the cell enters each phase ("fit", "rank", "evaluate").
using PhaseCallback = std::function<void(const char* phase)>;

// Runs `task` on `inputs` in `arena`. Plugin failures (an error Status, an
// exception, non-finite scores) give a result with ok = false, failure =
// "error" and the plugin's message; nothing is thrown for them.
CellResult ExecuteCell(const CellTask& task, const PluginRegistry& registry, const CellInputs& inputs,
                       tbb::task_arena& arena, const PhaseCallback& phase = {});

}  // namespace reclift::host::engine
