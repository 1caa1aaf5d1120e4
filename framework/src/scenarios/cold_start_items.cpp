#include "scenarios/cold_start_items.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "data/hash.h"
#include "runner/metric_set.h"
#include "util/error.h"

namespace reclift::host {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Contains(const std::vector<char>& flags, uint32_t item) {
  return item < flags.size() && flags[item] != 0;
}

// The evaluation settings of the scenario: the experiment's, with recall
// and nDCG added when metrics are listed and the ranking evaluator is used
// (the issue's new-item metrics).
EvaluationSpec ScenarioEvaluation(const EvaluationSpec& base) {
  EvaluationSpec ev = base;
  const bool ranking = std::any_of(ev.evaluators.begin(), ev.evaluators.end(),
                                   [](const PluginUse& use) { return use.plugin == "ranking"; });
  if (ranking && !ev.metrics.empty()) {
    for (const char* metric : {"recall", "ndcg"}) {
      if (std::find(ev.metrics.begin(), ev.metrics.end(), metric) == ev.metrics.end())
        ev.metrics.push_back(metric);
    }
  }
  return ev;
}

}  // namespace

ColdItemPlan PlanColdStartItems(const ScenarioEnv& env, const ScenarioSpec& scenario) {
  const Dataset& data = env.data;
  const uint32_t num_items = data.num_items();
  ColdItemPlan plan;
  std::vector<char> used(num_items, 0), pool(num_items, 0);
  for (uint32_t item : data.items) used[item] = 1;
  for (uint64_t i : env.split.test) {
    if (IsRelevant(data, data.values[i])) pool[data.items[i]] = 1;
  }
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  size_t used_count = 0;
  for (uint32_t item = 0; item < num_items; ++item) {
    used_count += used[item];
    if (pool[item]) keyed.emplace_back(Mix64(scenario.seed ^ Mix64(0x7f4a7c159e3779b9ULL + item)), item);
  }
  plan.eligible = keyed.size();
  size_t count = static_cast<size_t>(std::llround(scenario.item_fraction * static_cast<double>(used_count)));
  count = std::min(std::max<size_t>(count, keyed.empty() ? 0 : 1), keyed.size());
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(count), keyed.end());
  std::vector<char> held(num_items, 0);
  for (size_t i = 0; i < count; ++i) {
    plan.items.push_back(keyed[i].second);
    held[keyed[i].second] = 1;
  }
  std::sort(plan.items.begin(), plan.items.end());
  plan.hidden.assign(data.num_users(), {});
  for (uint64_t i : env.split.train) {
    if (Contains(held, data.items[i])) {
      ++plan.removed;
      plan.hidden[data.users[i]].push_back(data.items[i]);
    } else {
      plan.train.push_back(i);
    }
  }
  for (auto& items : plan.hidden) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
  }
  return plan;
}

nlohmann::json RunColdStartItems(const ScenarioEnv& env, const ScenarioSpec& scenario) {
  const auto start = std::chrono::steady_clock::now();
  const Dataset& data = env.data;
  const ExperimentSpec& spec = env.spec;
  const ArmFitter fit = env.fit ? env.fit : RegistryFitter(env.registry, env.arena);
  const std::vector<const ArmSpec*> arms = ScenarioArms(spec, scenario);

  const ColdItemPlan plan = PlanColdStartItems(env, scenario);
  nlohmann::json section;
  section["item_fraction"] = scenario.item_fraction;
  section["new_items"] = plan.items.size();
  section["eligible_items"] = plan.eligible;
  section["train_interactions_removed"] = plan.removed;
  spdlog::info(
      "cold-start-items: {} new items (of {} with a relevant test interaction), {} training "
      "interactions removed",
      plan.items.size(), plan.eligible, plan.removed);
  if (plan.items.empty()) {
    section["error"] = "no item has a relevant test interaction: no item can be held out";
    return section;
  }
  std::vector<char> is_new(data.num_items(), 0);
  for (uint32_t item : plan.items) is_new[item] = 1;

  Split split;
  split.train = plan.train;
  split.test = env.split.test;
  const CellData cell = BuildCellData(data, split);
  const TrainData& train = cell.train.view();
  const ItemFeaturesView features = train.item_features;
  const EvaluationSpec evaluation = ScenarioEvaluation(spec.evaluation);
  const MetricSet metrics(env.registry, evaluation, train.num_users, train.num_items, cell.item_popularity,
                          &features);
  const auto& columns = metrics.columns();
  const size_t nc = columns.size();

  // overall: the experiment's metrics; new items: the ranking evaluator's per-user columns
  std::vector<size_t> overall_columns, new_columns;
  for (size_t c = 0; c < nc; ++c) {
    const auto& listed = spec.evaluation.metrics;
    if (listed.empty() || std::find(listed.begin(), listed.end(), columns[c].metric) != listed.end()) {
      overall_columns.push_back(c);
    }
    if (columns[c].aggregation == Aggregation::kMeanOverUsers &&
        metrics.EvaluatorId(c).rfind("ranking@", 0) == 0) {
      new_columns.push_back(c);
    }
  }
  nlohmann::json names = nlohmann::json::array(), new_names = nlohmann::json::array();
  for (size_t c : overall_columns) names.push_back(columns[c].name);
  for (size_t c : new_columns) new_names.push_back(columns[c].name);
  section["metrics"] = names;
  section["new_item_metrics"] = new_names;

  // the users' candidates exclude their training row and their hidden items
  const size_t num_users = cell.users.size();
  std::vector<std::vector<uint32_t>> excluded(num_users);
  std::vector<RankQuery> queries(num_users);
  for (size_t u = 0; u < num_users; ++u) {
    const uint32_t user = cell.users[u].user;
    const auto row = train.by_user.RowIndices(user);
    const auto& hidden = plan.hidden[user];
    std::set_union(row.begin(), row.end(), hidden.begin(), hidden.end(), std::back_inserter(excluded[u]));
    queries[u].user = user;
    queries[u].exclude = excluded[u];
  }
  // the ground truth restricted to new items, for the users who have a relevant one
  std::vector<UserTest> new_tests;
  std::vector<size_t> new_test_user;
  for (size_t u = 0; u < num_users; ++u) {
    const UserTest& t = cell.users[u];
    UserTest r;
    r.user = t.user;
    for (size_t j = 0; j < t.items.size(); ++j) {
      if (!is_new[t.items[j]]) continue;
      r.items.push_back(t.items[j]);
      r.values.push_back(t.values[j]);
    }
    for (size_t j = 0; j < t.relevant.size(); ++j) {
      if (!is_new[t.relevant[j]]) continue;
      r.relevant.push_back(t.relevant[j]);
      r.gains.push_back(t.gains[j]);
    }
    if (r.relevant.empty()) continue;
    new_tests.push_back(std::move(r));
    new_test_user.push_back(u);
  }
  section["users"] = num_users;
  section["users_with_new_relevant"] = new_tests.size();

  nlohmann::json arms_json = nlohmann::json::array();
  for (const ArmSpec* arm : arms) {
    nlohmann::json j;
    j["name"] = arm->name;
    ScenarioLogger logger("cold-start-items, arm " + arm->name + ": ");
    try {
      spdlog::info("cold-start-items: fitting arm {} without the new items", arm->name);
      const FittedArm fitted = fit(*arm, train, Context{spec.seed, env.threads, &logger, nullptr});
      j["plugin"] = fitted.plugin;
      const bool uses_features = (fitted.capabilities & kCapItemFeatures) != 0;
      j["uses_item_features"] = uses_features;
      if (!uses_features) j["note"] = "does not use item features";
      const ScoredLists ranked =
          RankQueries(fitted, train.num_items, queries, false, metrics.max_k(), env.arena);

      std::vector<UserEvalInput> inputs(num_users);
      for (size_t u = 0; u < num_users; ++u) {
        const UserTest& t = cell.users[u];
        inputs[u] = UserEvalInput{t.user, ranked.lists[u], t.relevant, t.gains, t.items, t.values, {}};
      }
      std::vector<double> values, list_values;
      Status s = metrics.Evaluate(inputs, env.arena, values, list_values);
      if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
      nlohmann::json overall = nlohmann::json::object();
      for (size_t c : overall_columns) {
        if (columns[c].aggregation == Aggregation::kListLevel) {
          overall[columns[c].name] = {{"mean", JsonNumber(list_values[c])},
                                      {"ci_low", nullptr},
                                      {"ci_high", nullptr},
                                      {"n", num_users}};
          continue;
        }
        std::vector<double> x(num_users);
        for (size_t u = 0; u < num_users; ++u) x[u] = values[u * nc + c];
        overall[columns[c].name] = Summary(x, spec.ab.alpha);
      }

      std::vector<UserEvalInput> new_inputs(new_tests.size());
      for (size_t i = 0; i < new_tests.size(); ++i) {
        const UserTest& t = new_tests[i];
        new_inputs[i] =
            UserEvalInput{t.user, ranked.lists[new_test_user[i]], t.relevant, t.gains, t.items, t.values, {}};
      }
      s = metrics.Evaluate(new_inputs, env.arena, values, list_values);
      if (!s.ok()) throw Error("evaluation on new items failed: " + s.ToString());
      nlohmann::json on_new = nlohmann::json::object();
      for (size_t c : new_columns) {
        std::vector<double> x(new_tests.size());
        for (size_t i = 0; i < new_tests.size(); ++i) x[i] = values[i * nc + c];
        on_new[columns[c].name] = Summary(x, spec.ab.alpha);
      }

      nlohmann::json share = nlohmann::json::object(), coverage = nlohmann::json::object();
      for (int k : metrics.ks()) {
        std::vector<double> x(num_users, kNaN);
        std::vector<char> shown(data.num_items(), 0);
        for (size_t u = 0; u < num_users; ++u) {
          const auto& list = ranked.lists[u];
          const size_t n = std::min(list.size(), static_cast<size_t>(k));
          size_t hits = 0;
          for (size_t r = 0; r < n; ++r) {
            if (is_new[list[r]]) {
              ++hits;
              shown[list[r]] = 1;
            }
          }
          if (n > 0) x[u] = static_cast<double>(hits) / static_cast<double>(n);
        }
        size_t covered = 0;
        for (uint32_t item : plan.items) covered += shown[item];
        share["new_item_share@" + std::to_string(k)] = Summary(x, spec.ab.alpha);
        coverage["new_item_coverage@" + std::to_string(k)] =
            static_cast<double>(covered) / static_cast<double>(plan.items.size());
      }
      j["status"] = "ok";
      j["new_items"] = std::move(on_new);
      j["new_item_share"] = std::move(share);
      j["new_item_coverage"] = std::move(coverage);
      j["overall"] = std::move(overall);
    } catch (const std::exception& e) {
      spdlog::error("cold-start-items: arm {} failed: {}", arm->name, e.what());
      j["status"] = "failed";
      j["error"] = e.what();
    }
    arms_json.push_back(std::move(j));
  }
  section["arms"] = std::move(arms_json);
  section["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return section;
}

}  // namespace reclift::host
