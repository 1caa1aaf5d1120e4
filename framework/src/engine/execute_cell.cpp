#include "engine/execute_cell.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "engine/run_logger.h"
#include "runner/arm.h"
#include "runner/metric_set.h"
#include "util/error.h"
#include "util/memory.h"

namespace reclift::host::engine {
using Clock = std::chrono::steady_clock;

CellResult ExecuteCell(const CellTask& task, const PluginRegistry& registry, const CellInputs& in,
                       tbb::task_arena& arena, const PhaseCallback& phase) {
  const auto start = Clock::now();
  const char* current = "load";
  auto enter = [&](const char* p) {
    current = p;
    if (phase) phase(p);
  };
  CellResult r;
  r.key = task.key;
  r.label = task.label;
  r.arm_name = task.arm_name;
  r.key_parts = task.key_parts;
  RunLogger logger("arm " + task.arm_name + ": ");
  const bool reset = ResetPeakRss();
  const size_t rss_before = CurrentRssBytes();
  const TrainData& train = *in.train;
  try {
    enter("fit");
    const ItemFeaturesView features = train.item_features;
    const MetricSet metrics(registry, task.evaluation, train.num_users, train.num_items, *in.item_popularity,
                            &features);
    Context ctx{task.seed, task.threads, &logger, nullptr};
    spdlog::info("arm {}: fitting {}", task.arm_name, task.arm.recommender.plugin);
    FittedArm fitted = FitArm(registry, task.arm, train, ctx, arena);
    r.plugin = fitted.plugin;
    r.params = fitted.params;
    r.fit_seconds = fitted.fit_seconds;
    const size_t rss_after = CurrentRssBytes();
    r.model_rss = rss_after > rss_before ? rss_after - rss_before : 0;

    const auto eval_start = Clock::now();
    enter("rank");
    const size_t nc = metrics.size();
    if (!task.bucketed) {
      const RankedLists ranked =
          RankTestUsers(fitted, train, in.users, metrics.max_k(), arena, in.candidates);
      enter("evaluate");
      Status s = metrics.Evaluate(EvalInputs(in.users, ranked), arena, r.values, r.list_values);
      if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
      if (task.keep_lists) r.lists = ranked.lists;
    } else {
      // only this arm's bucket is evaluated; the other users stay NaN
      std::vector<UserTest> mine;
      std::vector<size_t> where;
      std::vector<std::vector<uint32_t>> my_candidates;
      for (size_t u = 0; u < in.users.size(); ++u) {
        if ((*in.bucket_of)[u] != task.arm_index) continue;
        mine.push_back(in.users[u]);
        where.push_back(u);
        if (in.candidates != nullptr) my_candidates.push_back((*in.candidates)[u]);
      }
      const RankedLists ranked = RankTestUsers(fitted, train, mine, metrics.max_k(), arena,
                                               in.candidates != nullptr ? &my_candidates : nullptr);
      enter("evaluate");
      std::vector<double> values;
      Status s = metrics.Evaluate(EvalInputs(mine, ranked), arena, values, r.list_values);
      if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
      r.values.assign(in.users.size() * nc, NAN);
      for (size_t i = 0; i < where.size(); ++i) {
        std::copy_n(values.begin() + i * nc, nc, r.values.begin() + where[i] * nc);
      }
    }
    r.eval_seconds = std::chrono::duration<double>(Clock::now() - eval_start).count();
    r.ok = true;
  } catch (const std::exception& e) {
    r.ok = false;
    r.failure = "error";
    r.phase = current;
    r.error = e.what();
    r.values.clear();
    r.list_values.clear();
    r.lists.clear();
  }
  r.peak_rss = reset ? PeakRssBytes() : 0;
  r.log = logger.Kept();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace reclift::host::engine
