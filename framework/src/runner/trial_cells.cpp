// Tuning trials as cells of the execution engine (see runner/stages.h).
#include <spdlog/spdlog.h>

#include <cmath>
#include <memory>

#include "engine/executor.h"
#include "engine/split_file.h"
#include "runner/arm.h"
#include "runner/metric_set.h"
#include "runner/stages.h"
#include "util/error.h"

namespace reclift::host {
namespace fs = std::filesystem;
namespace {

struct TrialBatch {
  std::vector<engine::CellTask> tasks;
  std::vector<size_t> request_of;  // per task
};

engine::CellTask TrialTask(const RunEnv& env, const TrialRequest& request, const std::string& data_hash,
                           const fs::path& split_file) {
  const ArmSpec* found = nullptr;
  size_t index = 0;
  for (size_t a = 0; a < env.spec.arms.size(); ++a) {
    if (env.spec.arms[a].name == request.arm) found = &env.spec.arms[a], index = a;
  }
  if (found == nullptr) throw Error("trial request for an unknown arm '" + request.arm + "'");
  engine::CellTask t;
  t.arm = *found;
  t.arm.recommender.params.clear();
  for (const auto& [name, value] : request.params.items())
    t.arm.recommender.params[name] = ParamValueFromJson(value);
  t.arm_name = request.arm;
  t.arm_index = index;
  t.label = "trial " + std::to_string(request.trial) + " of arm " + request.arm;
  t.evaluation = env.plan.evaluation;
  t.seed = request.seed;
  t.timeout_seconds = env.spec.cell_timeout;
  t.memory_mb = static_cast<size_t>(env.spec.cell_memory_mb);
  t.split_file = split_file;
  t.plugins = env.plan.arm_plugins[index];
  t.key_parts = {{"format", 1},
                 {"slot", {{"arm", request.arm}, {"trial", request.trial}, {"budget", request.budget}}},
                 {"arm", engine::ArmKeyParts(env.registry, t.arm)},
                 {"validation", data_hash},
                 {"evaluation", env.plan.evaluation_parts},
                 {"seed", request.seed}};
  nlohmann::json hashed = t.key_parts;
  hashed.erase("slot");
  t.key = engine::JsonHash(hashed);
  return t;
}

}  // namespace

TrialRunnerFactory TrialCellRunners(const RunEnv& env, const engine::RunFolder& folder,
                                    const std::map<std::string, engine::StoredCell>& store,
                                    const ExecuteOptions& options, TrialCellCounts& counts) {
  return [&env, &folder, &store, options, &counts](const CellData& cell) -> TrialRunner {
    const std::string data_hash = engine::CellDataHash(cell);
    const bool isolated = options.isolation != "none";
    const fs::path split_file = folder.splits() / ("validation-" + data_hash.substr(0, 16) + ".bin");
    if (isolated) {
      std::error_code ec;
      fs::create_directories(folder.splits(), ec);
      engine::WriteSplitFile(split_file, cell, {}, {});
    }
    return [&env, &folder, &store, &cell, &counts, options, data_hash, split_file,
            isolated](const std::vector<TrialRequest>& requests) {
      std::vector<TrialOutcome> outcomes(requests.size());
      TrialBatch batch;
      std::vector<engine::CellResult> done(requests.size());
      std::vector<bool> have(requests.size(), false);
      for (size_t i = 0; i < requests.size(); ++i) {
        engine::CellTask task = TrialTask(env, requests[i], data_hash, split_file);
        if (auto it = store.find(task.key); it != store.end() && it->second.ok) {
          if (auto r = engine::ReadCellResult(it->second.file); r && r->ok) {
            done[i] = std::move(*r);
            done[i].reused = true;
            have[i] = true;
            ++counts.reused;
            continue;
          }
        }
        batch.tasks.push_back(std::move(task));
        batch.request_of.push_back(i);
        ++counts.computed;
      }
      if (!batch.tasks.empty()) {
        int wanted = options.parallel > 0 ? options.parallel : env.threads;
        const int parallel = std::max(1, std::min<int>(wanted, static_cast<int>(batch.tasks.size())));
        for (auto& t : batch.tasks) t.threads = std::max(1, env.threads / parallel);
        auto on_done = [&](size_t index, engine::CellResult&& r) {
          const size_t i = batch.request_of[index];
          if (!r.ok) spdlog::warn("{} failed: {}", r.label, r.error);
          done[i] = std::move(r);
          have[i] = true;
        };
        if (isolated) {
          IsolatedExecutor(folder.cells(), parallel)->Run(batch.tasks, on_done);
        } else {
          engine::InProcessExecutor executor(
              env.registry,
              [&](size_t) {
                engine::CellInputs in;
                in.train = &cell.train.view();
                in.users = cell.users;
                in.item_popularity = &cell.item_popularity;
                return in;
              },
              folder.cells(), env.arena);
          executor.Run(batch.tasks, on_done);
        }
      }
      for (size_t i = 0; i < requests.size(); ++i) {
        TrialOutcome& out = outcomes[i];
        const engine::CellResult& r = done[i];
        out.fit_seconds = r.fit_seconds;
        out.seconds = r.seconds;
        size_t column = env.plan.columns.size();
        for (size_t c = 0; c < env.plan.columns.size(); ++c) {
          if (env.plan.columns[c].name == requests[i].metric) column = c;
        }
        if (!have[i] || !r.ok) {
          out.ok = false;
          out.value = NAN;
          out.error = have[i] ? r.error : "the trial did not run";
        } else if (column == env.plan.columns.size()) {
          out.ok = false;
          out.value = NAN;
          out.error = "no metric column '" + requests[i].metric + "'";
        } else {
          out.value = ColumnMean(env.plan.columns, column, r.values, r.list_values, cell.users.size());
          out.ok = std::isfinite(out.value);
          if (!out.ok) out.error = "the validation metric is not a finite number";
        }
      }
      return outcomes;
    };
  };
}

}  // namespace reclift::host
