// The cell: the unit of work of an experiment.
//
// A cell is (dataset, split repeat, fold, model seed, arm). Its key is a hash
// of everything that determines its output (see plan.h), so two runs that
// would compute the same cell compute the same key, and a finished cell can
// be reused by key (cell_store.h). A cell fits the arm's recommender (and
// its children) on the training part of its split, ranks the split's test
// users and evaluates every user with the experiment's evaluators; it
// returns the per-user values, timings and peak memory (CellResult).
//
// CellTask says everything a worker process needs to run a cell and is
// written as JSON for it; CellResult is written by whoever ran the cell,
// atomically, as a small binary file (JSON header + arrays).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "experiment/spec.h"
#include "runner/cell_data.h"

namespace reclift::host::engine {

struct CellTask {
  std::string key;    // hex key (plan.h)
  std::string label;  // "arm als, split 0 fold 0 seed 42"
  std::string arm_name;
  size_t arm_index = 0;
  size_t group = 0;  // the split group (split repeat x fold) whose data it uses
  ArmSpec arm;
  EvaluationSpec evaluation;
  uint64_t seed = 42;
  int threads = 1;
  bool bucketed = false;                       // evaluate only the users of bucket `arm_index`
  bool keep_lists = false;                     // return the top-k lists (TREC export)
  double timeout_seconds = 0;                  // 0: none
  size_t memory_mb = 0;                        // 0: none
  std::filesystem::path split_file;            // the group's binary split (process isolation)
  std::vector<std::filesystem::path> plugins;  // library files the cell needs
  nlohmann::json key_parts;                    // what the key was made of (for "why recomputed")
  double cost = 0;                             // a rough estimate of its work, for scheduling (largest first)
};

nlohmann::json TaskToJson(const CellTask& task);
CellTask TaskFromJson(const nlohmann::json& j);

struct CellResult {
  std::string key;
  std::string label;
  std::string arm_name;
  bool ok = false;
  // "" when ok; "error" (the plugin returned an error or threw), "crash"
  // (a signal), "timeout" (cell_timeout), "memory" (cell_memory_mb)
  std::string failure;
  std::string error;   // for people: "SIGSEGV in Fit of plugin segv@1.0.0"
  std::string phase;   // where it was: load, fit, rank, evaluate
  std::string plugin;  // name@version
  nlohmann::json params = nlohmann::json::object();
  double fit_seconds = 0, eval_seconds = 0, seconds = 0;
  size_t peak_rss = 0, model_rss = 0;
  std::vector<double> values;                // users x columns
  std::vector<double> list_values;           // per column
  std::vector<std::string> log;              // warnings and errors the plugin logged
  std::vector<std::string> last_lines;       // the last lines of the cell's log (failures)
  std::string trace;                         // the worker's stack trace (crashes)
  std::vector<std::vector<uint32_t>> lists;  // top-k lists when keep_lists
  nlohmann::json key_parts;
  std::string host;
  int rank = 0;         // MPI rank that ran it (0 without MPI)
  bool reused = false;  // taken from the cell store, not computed in this run
};

// The data a cell reads: the training view plugins see, the evaluated users
// with their test items, item popularity, and per-split extras.
struct CellInputs {
  const TrainData* train = nullptr;
  std::span<const UserTest> users;
  const std::vector<float>* item_popularity = nullptr;
  const std::vector<uint32_t>* bucket_of = nullptr;                // per user; bucketed only
  const std::vector<std::vector<uint32_t>>* candidates = nullptr;  // per user; "sampled"/"file" only
};

// Writes a result atomically (temporary file + rename).
void WriteCellResult(const std::filesystem::path& file, const CellResult& result);
// Reads a result; nullopt when the file is missing, truncated or not one.
std::optional<CellResult> ReadCellResult(const std::filesystem::path& file);
// Reads only a result's JSON header (key, status, key parts, ...), not its
// per-user values: what scanning a store needs. Nullopt as above.
std::optional<nlohmann::json> ReadCellHeader(const std::filesystem::path& file);

}  // namespace reclift::host::engine
