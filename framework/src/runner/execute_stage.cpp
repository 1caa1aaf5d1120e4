// The execute stage: the cells of one split group, from the store or
// through an executor.
#include <spdlog/spdlog.h>

#include "engine/executor.h"
#include "engine/mpi.h"
#include "engine/split_file.h"
#include "runner/stages.h"

namespace reclift::host {
namespace fs = std::filesystem;

namespace {

// Below this many training interactions a cell is small: it gains little
// from more threads, so automatic parallelism runs one cell per thread.
constexpr size_t kSmallCell = 1'000'000;

engine::CellTask MakeTask(const RunEnv& env, const engine::PlannedCell& pc, const fs::path& split_file) {
  const ExperimentSpec& spec = env.spec;
  engine::CellTask t;
  t.key = pc.key;
  t.label = pc.label;
  t.arm_name = spec.arms[pc.arm].name;
  t.arm_index = pc.arm;
  t.group = pc.group;
  t.arm = spec.arms[pc.arm];
  t.evaluation = env.plan.evaluation;
  t.seed = env.plan.repetitions[pc.repetition].seed;
  t.bucketed = spec.ab.assignment == "bucketed";
  t.keep_lists = spec.evaluation.export_trec && pc.repetition == 0 && !t.bucketed;
  t.timeout_seconds = spec.cell_timeout;
  t.memory_mb = static_cast<size_t>(spec.cell_memory_mb);
  t.split_file = split_file;
  t.plugins = env.plan.arm_plugins[pc.arm];
  t.key_parts = pc.key_parts;
  return t;
}

// A rough estimate of a cell's work, for the MPI executor's largest-first
// order: training interactions x models fitted x passes over the data.
double CellCost(const ArmSpec& arm, size_t nnz) {
  double passes = 1;
  for (const char* name : {"iterations", "epochs"}) {
    auto it = arm.recommender.params.find(name);
    if (it != arm.recommender.params.end() && std::holds_alternative<int64_t>(it->second)) {
      passes = std::max(passes, static_cast<double>(std::get<int64_t>(it->second)));
    }
  }
  return static_cast<double>(nnz) * static_cast<double>(1 + arm.children.size()) * passes;
}

}  // namespace

std::unique_ptr<engine::CellExecutor> IsolatedExecutor(const fs::path& cells_dir, int parallel) {
  if (engine::mpi::Active()) return engine::mpi::MakeExecutor(cells_dir);
  engine::ProcessExecutorOptions po;
  po.cells_dir = cells_dir;
  po.parallel = parallel;
  return std::make_unique<engine::ProcessExecutor>(po);
}

void ExecuteStage(const RunEnv& env, size_t group, const PreparedGroup& prepared,
                  const engine::RunFolder& folder, const std::map<std::string, engine::StoredCell>& store,
                  const ExecuteOptions& options, std::vector<engine::CellResult>& results) {
  const auto& plan = env.plan;
  const bool isolated = options.isolation != "none";
  const fs::path split_file = folder.splits() / ("group-" + std::to_string(group) + ".bin");
  std::vector<engine::CellTask> tasks;
  std::vector<size_t> task_cell;  // plan cell index of each task
  for (size_t i = 0; i < plan.cells.size(); ++i) {
    const engine::PlannedCell& pc = plan.cells[i];
    if (pc.group != group) continue;
    if (auto it = store.find(pc.key); it != store.end() && it->second.ok) {
      if (auto r = engine::ReadCellResult(it->second.file); r && r->ok) {
        spdlog::info("cell {}: reused from the store", pc.label);
        r->reused = true;
        results[i] = std::move(*r);
        continue;
      }
    }
    for (const auto& [key, stored] : store) {
      if (key != pc.key && stored.key_parts.value("slot", nlohmann::json()) == pc.key_parts["slot"]) {
        spdlog::info("cell {}: recomputed, {}", pc.label, engine::KeyChange(stored.key_parts, pc.key_parts));
        break;
      }
    }
    tasks.push_back(MakeTask(env, pc, split_file));
    tasks.back().cost = CellCost(env.spec.arms[pc.arm], prepared.cell.train.view().nnz());
    task_cell.push_back(i);
  }
  if (tasks.empty()) return;

  int wanted = options.parallel;
  if (wanted <= 0) wanted = prepared.cell.train.view().nnz() < kSmallCell ? env.threads : 1;
  const int parallel = std::max(1, std::min<int>(wanted, static_cast<int>(tasks.size())));
  for (auto& t : tasks) t.threads = std::max(1, env.threads / parallel);
  size_t done_count = 0;
  auto done = [&](size_t index, engine::CellResult&& r) {
    ++done_count;
    if (r.ok) {
      spdlog::info("cell {}/{} done: {} (fit {:.2f} s, evaluation {:.2f} s{})", done_count, tasks.size(),
                   r.label, r.fit_seconds, r.eval_seconds,
                   engine::mpi::Active() ? ", rank " + std::to_string(r.rank) : std::string());
    } else {
      spdlog::error("cell {}/{} failed: {}: {}", done_count, tasks.size(), r.label, r.error);
    }
    results[task_cell[index]] = std::move(r);
  };
  if (!isolated) {
    engine::InProcessExecutor executor(
        env.registry,
        [&](size_t) {
          engine::CellInputs in;
          in.train = &prepared.cell.train.view();
          in.users = prepared.cell.users;
          in.item_popularity = &prepared.cell.item_popularity;
          in.bucket_of = prepared.bucket_of.empty() ? nullptr : &prepared.bucket_of;
          in.candidates = prepared.candidates.empty() && env.spec.evaluation.candidates == "all"
                              ? nullptr
                              : &prepared.candidates;
          return in;
        },
        folder.cells(), env.arena);
    executor.Run(tasks, done);
    return;
  }
  std::error_code ec;
  fs::create_directories(folder.splits(), ec);
  engine::WriteSplitFile(split_file, prepared.cell, prepared.bucket_of, prepared.candidates);
  IsolatedExecutor(folder.cells(), parallel)->Run(tasks, done);
  bool all_ok = true;
  for (size_t c : task_cell) all_ok = all_ok && results[c].ok;
  if (all_ok) {
    fs::remove(split_file, ec);  // the cells are in the store; a resume writes it again
  } else {
    spdlog::info("split file {} kept: `reclift __cell <cells/KEY.task.json>` reruns a failed cell by hand",
                 split_file.string());
  }
}

}  // namespace reclift::host
