#include "tuning/stage.h"

#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cmath>

#include "runner/arm.h"
#include "runner/repeats.h"
#include "split/split.h"
#include "tuning/check.h"
#include "tuning/tuner.h"
#include "util/error.h"

namespace reclift::host {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

const ArmSpec& FindArm(const ExperimentSpec& spec, const std::string& name) {
  for (const ArmSpec& arm : spec.arms) {
    if (arm.name == name) return arm;
  }
  throw Error("trial request for an unknown arm '" + name + "'");
}

size_t ColumnIndex(const MetricSet& metrics, const std::string& name) {
  for (size_t c = 0; c < metrics.size(); ++c) {
    if (metrics.columns()[c].name == name) return c;
  }
  throw Error("no metric column '" + name + "'");
}

}  // namespace

TrialRunner MakeInProcessTrialRunner(const ExperimentSpec& spec, const PluginRegistry& registry,
                                     const CellData& validation_cell, const MetricSet& metrics,
                                     tbb::task_arena& arena) {
  return [&spec, &registry, &validation_cell, &metrics, &arena](const std::vector<TrialRequest>& requests) {
    std::vector<TrialOutcome> outcomes(requests.size());
    const TrainData& train = validation_cell.train.view();
    auto run_one = [&](size_t i) {
      const TrialRequest& request = requests[i];
      TrialOutcome& out = outcomes[i];
      const auto start = Clock::now();
      try {
        if (request.data != "validation") {
          throw Error("trial data '" + request.data + "': the in-process runner scores on validation only");
        }
        ArmSpec arm = FindArm(spec, request.arm);
        arm.recommender.params.clear();
        for (const auto& [name, value] : request.params.items()) {
          arm.recommender.params[name] = ParamValueFromJson(value);
        }
        const size_t column = ColumnIndex(metrics, request.metric);
        Context ctx{request.seed, arena.max_concurrency(), nullptr, nullptr};
        FittedArm fitted = FitArm(registry, arm, train, ctx, arena);
        out.fit_seconds = fitted.fit_seconds;
        const RankedLists ranked =
            RankTestUsers(fitted, train, validation_cell.users, metrics.max_k(), arena);
        std::vector<double> values, list_values;
        const Status s =
            metrics.Evaluate(EvalInputs(validation_cell.users, ranked), arena, values, list_values);
        if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
        out.value = ColumnMean(metrics.columns(), column, values, list_values, validation_cell.users.size());
        out.ok = std::isfinite(out.value);
        if (!out.ok) out.error = "the validation metric is not a finite number";
      } catch (const std::exception& e) {
        out.ok = false;
        out.value = NAN;
        out.error = e.what();
      }
      out.seconds = Seconds(start);
    };
    arena.execute([&] { tbb::parallel_for(size_t{0}, requests.size(), [&](size_t i) { run_one(i); }); });
    return outcomes;
  };
}

CellTuning TuneCell(const ExperimentSpec& spec, const PluginRegistry& registry, const Dataset& data, int fold,
                    tbb::task_arena& arena, std::vector<std::string>& warnings,
                    const TrialRunnerFactory* runners) {
  const auto start = Clock::now();
  const TuningSpec& tuning = spec.tuning;
  CellTuning result;

  // the cell's validation split: carved from its training split by the test
  // split's own method; the test split is the same as the run's
  SplitSpec vs = spec.split;
  vs.fold = fold;
  const bool validation_file = spec.split.method == "files" && !spec.dataset.split_files.validation.empty();
  if (!validation_file && vs.validation_fraction == 0) vs.validation_fraction = tuning.validation_fraction;
  vs.validation_into_train = false;
  const Split carved = MakeSplit(data, vs);
  if (carved.validation.empty()) {
    throw Error(spec.split.where.count("method") ? spec.split.where.at("method") : SourceLocation{},
                "tuning: the validation split is empty (users have too few training interactions to set "
                "any apart); raise tuning.validation_fraction or lower split.min_user_interactions");
  }
  Split validation;  // fitted on train minus validation, scored on validation
  validation.train = carved.train;
  validation.test = carved.validation;
  const CellData cell = BuildCellData(data, validation);
  const TrainData& train = cell.train.view();
  const ItemFeaturesView features = train.item_features;
  const MetricSet metrics(registry, spec.evaluation, train.num_users, train.num_items, cell.item_popularity,
                          &features);
  std::string metric = tuning.metric.empty() ? spec.ab.primary_metric : tuning.metric;
  if (metric.empty() && metrics.size() > 0) metric = metrics.columns().front().name;
  const auto metric_where = tuning.where.count("metric")            ? tuning.where.at("metric")
                            : spec.ab.where.count("primary_metric") ? spec.ab.where.at("primary_metric")
                                                                    : SourceLocation{};
  metrics.RequireColumn(metric, metric_where, "tuning.metric");
  const bool higher_is_better = metrics.columns()[ColumnIndex(metrics, metric)].higher_is_better;
  if (cell.users.empty()) throw Error("tuning: no validation user has a relevant interaction");

  const TrialRunner run = runners != nullptr && *runners
                              ? (*runners)(cell)
                              : MakeInProcessTrialRunner(spec, registry, cell, metrics, arena);

  nlohmann::json arms = nlohmann::json::array();
  for (const ArmSpec& arm : spec.arms) {
    if (arm.tune.empty()) continue;
    const auto arm_start = Clock::now();
    SearchSettings settings;
    settings.metric = metric;
    settings.higher_is_better = higher_is_better;
    settings.fold = vs.fold;
    settings.model_seed = spec.seed;
    const PluginInfo* plugin = registry.Find(PluginKind::kRecommender, arm.recommender.plugin);
    if (plugin != nullptr) settings.first = OwnConfig(arm, plugin->param_specs());
    if (tuning.method == "halving") {
      const PluginInfo* info = plugin;
      const ParamSpec* budget = info != nullptr ? BudgetParameter(*info, tuning) : nullptr;
      if (budget == nullptr)
        throw Error(arm.where, "tuning.method = \"halving\": arm '" + arm.name + "' has no budget parameter");
      settings.budget_parameter = budget->name;
      auto it = arm.recommender.params.find(budget->name);
      settings.max_budget = it != arm.recommender.params.end() && std::holds_alternative<int64_t>(it->second)
                                ? std::get<int64_t>(it->second)
                                : std::stoll(budget->default_value);
    }
    spdlog::info("tuning arm {}: {} search (at most {} configurations) on validation ({})", arm.name,
                 tuning.method, tuning.trials, metric);
    const ArmSearch search = SearchArm(arm, tuning, settings, run);

    nlohmann::json trials = nlohmann::json::array();
    nlohmann::json best_so_far = nlohmann::json::array();
    double best = NAN;
    for (const TrialRecord& t : search.trials) {
      nlohmann::json searched = nlohmann::json::object();
      for (const auto& [name, value] : t.config) searched[name] = ParamValueJson(value);
      nlohmann::json j = {
          {"trial", t.request.trial},
          {"rung", t.rung},
          {"params", searched},
          {"budget", t.request.budget > 0 ? nlohmann::json(t.request.budget) : nlohmann::json(nullptr)},
          {"value", Num(t.outcome.value)},
          {"fit_seconds", t.outcome.fit_seconds},
          {"seconds", t.outcome.seconds},
          {"status", t.outcome.ok ? "ok" : "failed"}};
      if (!t.outcome.ok) {
        j["error"] = t.outcome.error;
        const std::string w = "tuning arm " + arm.name + ": trial " + std::to_string(t.request.trial) +
                              " failed (the search went on): " + t.outcome.error;
        spdlog::warn("{}", w);
        warnings.push_back(w);
      }
      trials.push_back(std::move(j));
      if (t.outcome.ok &&
          (!std::isfinite(best) || (higher_is_better ? t.outcome.value > best : t.outcome.value < best))) {
        best = t.outcome.value;
      }
      best_so_far.push_back(Num(best));
    }
    nlohmann::json arm_json = {{"arm", arm.name},
                               {"recommender", arm.recommender.plugin},
                               {"space", TuneSpaceJson(arm.tune)},
                               {"budget_parameter", settings.budget_parameter},
                               {"trials", trials},
                               {"best_so_far", best_so_far},
                               {"failed", search.failed}};
    if (search.best) {
      const TrialRecord& b = search.trials[*search.best];
      nlohmann::json searched = nlohmann::json::object();
      for (const auto& [name, value] : b.config) searched[name] = ParamValueJson(value);
      arm_json["best"] = {{"trial", b.request.trial}, {"params", searched}, {"value", Num(b.outcome.value)}};
      result.chosen[arm.name] = b.config;
      spdlog::info("tuning arm {}: best trial {} {} = {:.4f}", arm.name, b.request.trial, metric,
                   b.outcome.value);
    } else {
      arm_json["best"] = nullptr;
      const std::string w =
          "tuning arm " + arm.name + ": every trial failed; the arm keeps its own parameters";
      spdlog::error("{}", w);
      warnings.push_back(w);
    }
    nlohmann::json chosen = nlohmann::json::object();
    for (const auto& [name, value] : arm.recommender.params) chosen[name] = ParamValueJson(value);
    if (search.best) {
      for (const auto& [name, value] : search.best_config) chosen[name] = ParamValueJson(value);
    }
    arm_json["chosen_params"] = chosen;
    arm_json["seconds"] = Seconds(arm_start);
    arms.push_back(std::move(arm_json));
  }

  result.validation_fraction = vs.validation_fraction;
  result.validation_file = validation_file;
  result.section = {{"method", tuning.method},
                    {"trials", tuning.trials},
                    {"metric", metric},
                    {"higher_is_better", higher_is_better},
                    {"refit", tuning.refit},
                    {"seed", tuning.seed},
                    {"validation",
                     {{"fold", vs.fold},
                      {"train", validation.train.size()},
                      {"validation", validation.test.size()},
                      {"users", cell.users.size()},
                      {"notes", carved.notes}}},
                    {"seconds", Seconds(start)},
                    {"arms", arms}};
  return result;
}

void ApplyTuning(ExperimentSpec& spec, const CellTuning& tuning) {
  for (ArmSpec& arm : spec.arms) {
    auto it = tuning.chosen.find(arm.name);
    if (it == tuning.chosen.end()) continue;
    for (const auto& [name, value] : it->second) arm.recommender.params[name] = value;
  }
  // the main split: refit on the whole training split, or keep validation
  // out of every arm's training (what the trials were fitted on)
  if (spec.tuning.refit) {
    spec.split.validation_into_train = true;
  } else if (!tuning.validation_file) {
    spec.split.validation_fraction = tuning.validation_fraction;
  }
}

nlohmann::json RunTuningStage(ExperimentSpec& spec, const PluginRegistry& registry, const Dataset& data,
                              tbb::task_arena& arena, std::vector<std::string>& warnings,
                              const TrialRunnerFactory* runners) {
  bool any = false;
  for (const ArmSpec& arm : spec.arms) any = any || !arm.tune.empty();
  if (!any) return nullptr;
  const CellTuning tuning =
      TuneCell(spec, registry, data, ExperimentCells(spec).front().fold, arena, warnings, runners);
  ApplyTuning(spec, tuning);
  return tuning.section;
}

}  // namespace reclift::host
