#include "scenarios/diversity.h"

#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "runner/metric_set.h"
#include "scenarios/rerank.h"
#include "util/error.h"
#include "util/text.h"

namespace reclift::host {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view kMiscalibration = "miscalibration@";

// A reported metric: an evaluator column, or the host's miscalibration@k.
struct Reported {
  std::string name;
  bool higher_is_better = true;
  size_t column = SIZE_MAX;  // evaluator column, or SIZE_MAX for miscalibration
  int k = 0;                 // miscalibration only
  bool list_level = false;
};

int MiscalibrationK(const std::string& name, const std::vector<int>& ks) {
  if (name.rfind(kMiscalibration, 0) != 0) return 0;
  const std::string k_text = name.substr(kMiscalibration.size());
  for (int k : ks) {
    if (std::to_string(k) == k_text) return k;
  }
  return 0;
}

// The metrics one scenario reports, first the accuracy one. Throws Error at
// the scenario's `metrics` for a name that is neither a column nor
// miscalibration@k with k among evaluation.k.
std::vector<Reported> ReportedMetrics(const ScenarioSpec& scenario, const MetricSet& metrics,
                                      const std::string& primary) {
  const auto& columns = metrics.columns();
  auto column_of = [&](const std::string& name) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].name == name) return c;
    }
    return SIZE_MAX;
  };
  auto make = [&](const std::string& name) -> std::optional<Reported> {
    if (const int k = MiscalibrationK(name, metrics.ks()); k > 0)
      return Reported{name, false, SIZE_MAX, k, false};
    const size_t c = column_of(name);
    if (c == SIZE_MAX) return std::nullopt;
    return Reported{name, columns[c].higher_is_better, c, 0,
                    columns[c].aggregation == Aggregation::kListLevel};
  };
  std::vector<Reported> out;
  if (!scenario.metrics.empty()) {
    for (const std::string& name : scenario.metrics) {
      auto reported = make(name);
      if (!reported) {
        std::vector<std::string> names;
        for (const auto& column : columns) names.push_back(column.name);
        for (int k : metrics.ks()) names.push_back(std::string(kMiscalibration) + std::to_string(k));
        std::string hint = DidYouMean(name, names);
        if (hint.empty()) hint = " (columns: " + Join(names, ", ") + ")";
        throw Error(scenario.At("metrics"),
                    "scenarios.metrics: '" + name + "' is not a metric column of this run" + hint);
      }
      out.push_back(*reported);
    }
    return out;
  }
  // default: the primary, then ild, novelty and coverage at its k where available
  const size_t at = primary.rfind('@');
  const std::string k =
      at == std::string::npos ? std::to_string(metrics.ks().front()) : primary.substr(at + 1);
  std::vector<std::string> names = {primary, "ild@" + k, "novelty@" + k, "coverage@" + k};
  if (scenario.reranker == "calibration") names.push_back(std::string(kMiscalibration) + k);
  for (const std::string& name : names) {
    if (auto reported = make(name)) out.push_back(*reported);
  }
  return out;
}

bool Better(double a, double b, bool higher_is_better) {
  return higher_is_better ? a > b : a < b;
}

}  // namespace

nlohmann::json RunDiversity(const ScenarioEnv& env, const std::vector<const ScenarioSpec*>& all) {
  std::vector<const ScenarioSpec*> scenarios;
  for (const ScenarioSpec* s : all) {
    if (s->kind == "diversity") scenarios.push_back(s);
  }
  if (scenarios.empty()) return nullptr;
  const auto start = std::chrono::steady_clock::now();
  const ExperimentSpec& spec = env.spec;
  const ArmFitter fit = env.fit ? env.fit : RegistryFitter(env.registry, env.arena);

  std::unique_ptr<CellData> own_cell;
  if (env.plain_cell == nullptr) own_cell = std::make_unique<CellData>(BuildCellData(env.data, env.split));
  const CellData& cell = env.plain_cell != nullptr ? *env.plain_cell : *own_cell;
  const TrainData& train = cell.train.view();
  const ItemFeaturesView features = train.item_features;
  EvaluationSpec evaluation = spec.evaluation;
  evaluation.metrics.clear();  // every column: the diversity ones may not be in the A/B selection
  const MetricSet metrics(env.registry, evaluation, train.num_users, train.num_items, cell.item_popularity,
                          &features);
  const size_t nc = metrics.size();
  std::string primary = spec.ab.primary_metric;
  if (primary.empty() && nc > 0) primary = metrics.columns().front().name;
  const size_t max_k = metrics.max_k();
  const size_t num_users = cell.users.size();

  // what each scenario reports, and the section's union of metrics
  std::vector<std::vector<Reported>> reported(scenarios.size());
  nlohmann::json metric_names = nlohmann::json::array();
  nlohmann::json directions = nlohmann::json::object();
  std::vector<Reported> all_metrics;
  for (size_t s = 0; s < scenarios.size(); ++s) {
    reported[s] = ReportedMetrics(*scenarios[s], metrics, primary);
    for (const Reported& r : reported[s]) {
      if (directions.contains(r.name)) continue;
      directions[r.name] = r.higher_is_better;
      metric_names.push_back(r.name);
      all_metrics.push_back(r);
    }
  }
  const std::string accuracy = reported.front().empty() ? primary : reported.front().front().name;

  // similarity and calibration, built once
  std::optional<ItemSimilarity> by_features, by_cooccurrence;
  std::optional<CategoryCalibrator> calibrator;
  if (features.categories.nnz() > 0) calibrator.emplace(features, train.num_items);
  nlohmann::json runs = nlohmann::json::array();
  std::vector<std::string> run_error(scenarios.size());
  size_t max_candidates = max_k;
  for (size_t s = 0; s < scenarios.size(); ++s) {
    const ScenarioSpec& sc = *scenarios[s];
    nlohmann::json run = {{"reranker", sc.reranker}, {"candidates", sc.candidates}, {"lambda", sc.lambdas}};
    nlohmann::json names = nlohmann::json::array();
    for (const Reported& r : reported[s]) names.push_back(r.name);
    run["metrics"] = names;
    if (sc.reranker == "mmr") {
      run["similarity"] = sc.similarity;
      env.arena.execute([&] {
        if (sc.similarity == "features" && !by_features) {
          by_features.emplace(ItemSimilarity::FromFeatures(features, train.num_items));
        }
        if (sc.similarity == "cooccurrence" && !by_cooccurrence) {
          by_cooccurrence.emplace(ItemSimilarity::FromCooccurrence(train));
        }
      });
      if (sc.similarity == "features" && by_features->items_with_vectors() == 0) {
        run_error[s] =
            "similarity = \"features\" needs item categories or tags, and the dataset has none "
            "(use similarity = \"cooccurrence\")";
      }
    } else if (!calibrator) {
      run_error[s] = "calibration needs item categories, and the dataset has none";
    }
    if (!run_error[s].empty()) {
      run["error"] = run_error[s];
      spdlog::error("diversity ({}): {}", sc.reranker, run_error[s]);
    } else {
      max_candidates = std::max(max_candidates, static_cast<size_t>(sc.candidates));
    }
    runs.push_back(std::move(run));
  }
  // the calibration targets p of every test user
  std::vector<std::vector<double>> target(calibrator ? num_users : 0);
  for (size_t u = 0; u < target.size(); ++u) {
    target[u] = calibrator->UserDistribution(train.by_user.RowIndices(cell.users[u].user));
  }

  std::vector<RankQuery> queries(num_users);
  for (size_t u = 0; u < num_users; ++u) {
    queries[u].user = cell.users[u].user;
    queries[u].exclude = train.by_user.RowIndices(cell.users[u].user);
  }

  // the union of every scenario's arms, in the experiment's order
  std::vector<const ArmSpec*> arms;
  for (const ArmSpec& arm : spec.arms) {
    for (const ScenarioSpec* sc : scenarios) {
      const auto chosen = ScenarioArms(spec, *sc);
      if (std::find(chosen.begin(), chosen.end(), &arm) != chosen.end()) {
        arms.push_back(&arm);
        break;
      }
    }
  }

  nlohmann::json points = nlohmann::json::array();
  nlohmann::json arm_status = nlohmann::json::object();
  for (const ArmSpec* arm : arms) {
    ScenarioLogger logger("diversity, arm " + arm->name + ": ");
    try {
      spdlog::info("diversity: fitting arm {}", arm->name);
      const FittedArm fitted = fit(*arm, train, Context{spec.seed, env.threads, &logger, nullptr});
      const ScoredLists candidates =
          RankQueries(fitted, train.num_items, queries, false, max_candidates, env.arena);
      for (size_t s = 0; s < scenarios.size(); ++s) {
        const ScenarioSpec& sc = *scenarios[s];
        if (!run_error[s].empty()) continue;
        const auto chosen = ScenarioArms(spec, sc);
        if (std::find(chosen.begin(), chosen.end(), arm) == chosen.end()) continue;
        const ItemSimilarity* similarity = sc.reranker != "mmr"          ? nullptr
                                           : sc.similarity == "features" ? &*by_features
                                                                         : &*by_cooccurrence;
        const size_t m = static_cast<size_t>(sc.candidates);
        for (double lambda : sc.lambdas) {
          std::vector<std::vector<uint32_t>> lists(num_users);
          env.arena.execute([&] {
            tbb::parallel_for(size_t{0}, num_users, [&](size_t u) {
              const auto& items = candidates.lists[u];
              const size_t n = std::min(m, items.size());
              std::span<const uint32_t> c(items.data(), n);
              std::span<const float> scores(candidates.scores[u].data(), n);
              if (similarity != nullptr) {
                MmrRerank(c, scores, *similarity, lambda, max_k, lists[u]);
              } else {
                calibrator->Rerank(c, scores, target[u], lambda, max_k, lists[u]);
              }
            });
          });
          std::vector<UserEvalInput> inputs(num_users);
          for (size_t u = 0; u < num_users; ++u) {
            const UserTest& t = cell.users[u];
            inputs[u] = UserEvalInput{t.user, lists[u], t.relevant, t.gains, t.items, t.values, {}};
          }
          std::vector<double> values, list_values;
          const Status status = metrics.Evaluate(inputs, env.arena, values, list_values);
          if (!status.ok()) throw Error("evaluation failed: " + status.ToString());
          nlohmann::json point = {{"arm", arm->name}, {"reranker", sc.reranker}};
          if (sc.reranker == "mmr") point["similarity"] = sc.similarity;
          point["lambda"] = lambda;
          point["users"] = num_users;
          nlohmann::json ci = nlohmann::json::object();
          for (const Reported& r : reported[s]) {
            if (r.list_level) {
              point[r.name] = JsonNumber(list_values[r.column]);
              continue;
            }
            std::vector<double> x(num_users, kNaN);
            for (size_t u = 0; u < num_users; ++u) {
              if (r.column != SIZE_MAX) {
                x[u] = values[u * nc + r.column];
              } else if (calibrator) {
                const auto& list = lists[u];
                const size_t n = std::min(list.size(), static_cast<size_t>(r.k));
                x[u] = calibrator->Miscalibration(target[u], std::span<const uint32_t>(list.data(), n));
              }
            }
            const nlohmann::json summary = Summary(x, spec.ab.alpha);
            point[r.name] = summary["mean"];
            ci[r.name] = {summary["ci_low"], summary["ci_high"]};
          }
          point["ci"] = std::move(ci);
          points.push_back(std::move(point));
        }
      }
      arm_status[arm->name] = {{"status", "ok"}, {"plugin", fitted.plugin}};
    } catch (const std::exception& e) {
      spdlog::error("diversity: arm {} failed: {}", arm->name, e.what());
      arm_status[arm->name] = {{"status", "failed"}, {"error", e.what()}};
    }
  }

  // Pareto-best points for (accuracy, each other metric)
  nlohmann::json pareto = nlohmann::json::object();
  const bool accuracy_higher = directions.value(accuracy, true);
  for (auto& point : points) point["pareto_best"] = nlohmann::json::array();
  for (const Reported& r : all_metrics) {
    if (r.name == accuracy) continue;
    nlohmann::json best = nlohmann::json::array();
    for (auto& p : points) {
      if (!p[accuracy].is_number() || !p.contains(r.name) || !p[r.name].is_number()) continue;
      const double pa = p[accuracy].get<double>(), pd = p[r.name].get<double>();
      bool dominated = false;
      for (const auto& q : points) {
        if (&q == &p || !q[accuracy].is_number() || !q.contains(r.name) || !q[r.name].is_number()) continue;
        const double qa = q[accuracy].get<double>(), qd = q[r.name].get<double>();
        const bool no_worse = !Better(pa, qa, accuracy_higher) && !Better(pd, qd, r.higher_is_better);
        const bool better = Better(qa, pa, accuracy_higher) || Better(qd, pd, r.higher_is_better);
        if (no_worse && better) {
          dominated = true;
          break;
        }
      }
      if (dominated) continue;
      p["pareto_best"].push_back(r.name);
      nlohmann::json setting = {{"arm", p["arm"]}, {"reranker", p["reranker"]}, {"lambda", p["lambda"]}};
      if (p.contains("similarity")) setting["similarity"] = p["similarity"];
      best.push_back(std::move(setting));
    }
    pareto[r.name] = std::move(best);
  }

  std::vector<std::string> rerankers;
  for (const ScenarioSpec* sc : scenarios) {
    if (std::find(rerankers.begin(), rerankers.end(), sc->reranker) == rerankers.end())
      rerankers.push_back(sc->reranker);
  }
  nlohmann::json section;
  section["reranker"] = Join(rerankers, ", ");
  section["accuracy"] = accuracy;
  section["metrics"] = metric_names;
  section["higher_is_better"] = directions;
  section["runs"] = std::move(runs);
  section["arms"] = std::move(arm_status);
  section["points"] = std::move(points);
  section["pareto"] = std::move(pareto);
  section["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return section;
}

}  // namespace reclift::host
