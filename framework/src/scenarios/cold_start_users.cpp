#include "scenarios/cold_start_users.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "data/hash.h"
#include "runner/metric_set.h"
#include "stats/stats.h"
#include "util/error.h"

namespace reclift::host {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A user's interactions in a seeded random order that depends only on the
// seed and the user: Fisher-Yates driven by a counter hash, the same on
// every platform (std::shuffle is not).
void SeededShuffle(std::vector<uint64_t>& v, uint64_t seed, uint32_t user) {
  const uint64_t stream = Mix64(seed ^ Mix64(0x5ce9a210ULL + user));
  for (size_t i = v.size(); i > 1; --i) {
    const uint64_t r = Mix64(stream + i);
    std::swap(v[i - 1], v[r % i]);
  }
}

// Per-user values of one column (NaN where undefined) for ranked lists.
std::vector<double> ColumnValues(const MetricSet& metrics, size_t column, std::span<const UserTest> tests,
                                 const std::vector<std::vector<uint32_t>>& lists, tbb::task_arena& arena) {
  std::vector<UserEvalInput> inputs(tests.size());
  for (size_t i = 0; i < tests.size(); ++i) {
    const UserTest& t = tests[i];
    inputs[i] = UserEvalInput{t.user, lists[i], t.relevant, t.gains, t.items, t.values, {}};
  }
  std::vector<double> values, list_values;
  const Status s = metrics.Evaluate(inputs, arena, values, list_values);
  if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
  const size_t nc = metrics.size();
  std::vector<double> out(tests.size());
  for (size_t i = 0; i < tests.size(); ++i) out[i] = values[i * nc + column];
  return out;
}

size_t ColumnIndex(const MetricSet& metrics, const std::string& name) {
  for (size_t c = 0; c < metrics.size(); ++c) {
    if (metrics.columns()[c].name == name) return c;
  }
  return SIZE_MAX;
}

// One arm in one mode: per-shot per-user values, or why there are none.
struct Curve {
  std::string status = "ok";
  std::string error;
  std::vector<std::vector<double>> values;  // per shot index; empty where missing
};

// The first N from which `pass(i)` holds at every later point; null when
// it fails at the last point.
nlohmann::json FirstFromWhichAlways(const std::vector<int>& shots, const std::function<bool(size_t)>& pass) {
  nlohmann::json at = nullptr;
  for (size_t i = shots.size(); i-- > 0;) {
    if (!pass(i)) break;
    at = shots[i];
  }
  return at;
}

}  // namespace

ColdUserPlan PlanColdStartUsers(const ScenarioEnv& env, const ScenarioSpec& scenario) {
  const Dataset& data = env.data;
  ColdUserPlan plan;
  const std::string& method = env.spec.split.method;
  plan.temporal =
      (method == "temporal" || method == "leave-last" || method == "leave-one-out") && data.has_timestamps();
  const uint32_t num_users = data.num_users();
  // interactions grouped by user (counting sort keeps file order within a user)
  std::vector<uint64_t> offsets(num_users + 1, 0);
  for (uint32_t u : data.users) ++offsets[u + 1];
  for (uint32_t u = 0; u < num_users; ++u) offsets[u + 1] += offsets[u];
  std::vector<uint64_t> by_user(data.size());
  {
    std::vector<uint64_t> next(offsets.begin(), offsets.end() - 1);
    for (uint64_t i = 0; i < data.size(); ++i) by_user[next[data.users[i]]++] = i;
  }
  const size_t max_shots = static_cast<size_t>(scenario.shots.back());
  std::vector<uint32_t> eligible;
  std::vector<std::vector<uint64_t>> sequence_of(num_users);
  for (uint32_t u = 0; u < num_users; ++u) {
    if (offsets[u + 1] - offsets[u] <= max_shots) continue;
    std::vector<uint64_t> seq(by_user.begin() + static_cast<std::ptrdiff_t>(offsets[u]),
                              by_user.begin() + static_cast<std::ptrdiff_t>(offsets[u + 1]));
    if (plan.temporal) {
      std::stable_sort(seq.begin(), seq.end(),
                       [&](uint64_t a, uint64_t b) { return data.timestamps[a] < data.timestamps[b]; });
    } else {
      SeededShuffle(seq, scenario.seed, u);
    }
    bool has_target = false;
    for (size_t p = max_shots; p < seq.size() && !has_target; ++p)
      has_target = IsRelevant(data, data.values[seq[p]]);
    if (!has_target) continue;
    eligible.push_back(u);
    sequence_of[u] = std::move(seq);
  }
  plan.eligible = eligible.size();
  size_t held =
      static_cast<size_t>(std::llround(scenario.user_fraction * static_cast<double>(eligible.size())));
  if (held == 0 && !eligible.empty()) held = 1;
  // the `held` eligible users with the smallest seeded keys
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  for (uint32_t u : eligible) keyed.emplace_back(Mix64(scenario.seed ^ Mix64(0x9e3779b97f4a7c15ULL + u)), u);
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(held), keyed.end());
  for (size_t i = 0; i < held; ++i) plan.users.push_back(keyed[i].second);
  std::sort(plan.users.begin(), plan.users.end());
  std::vector<char> is_held(num_users, 0);
  for (uint32_t u : plan.users) {
    is_held[u] = 1;
    plan.sequences.push_back(std::move(sequence_of[u]));
  }
  for (uint64_t i : env.split.train) {
    if (!is_held[data.users[i]]) plan.warm_train.push_back(i);
  }
  return plan;
}

nlohmann::json RunColdStartUsers(const ScenarioEnv& env, const ScenarioSpec& scenario) {
  const auto start = std::chrono::steady_clock::now();
  const Dataset& data = env.data;
  const ExperimentSpec& spec = env.spec;
  const ArmFitter fit = env.fit ? env.fit : RegistryFitter(env.registry, env.arena);
  const std::vector<const ArmSpec*> arms = ScenarioArms(spec, scenario);
  const std::vector<int>& shots = scenario.shots;
  const size_t max_shots = static_cast<size_t>(shots.back());
  const bool retrain = scenario.has_mode("retrain"), fold_in = scenario.has_mode("fold-in");

  ColdUserPlan plan = PlanColdStartUsers(env, scenario);
  nlohmann::json section;
  section["metric"] = scenario.metric;
  section["shots"] = shots;
  section["order"] = plan.temporal ? "temporal" : "random";
  section["user_fraction"] = scenario.user_fraction;
  section["eligible_users"] = plan.eligible;
  section["users"] = plan.users.size();
  spdlog::info("cold-start-users: {} of {} eligible users held out ({} order), shots {}", plan.users.size(),
               plan.eligible, plan.temporal ? "temporal" : "random", fmt::join(shots, ", "));
  if (plan.users.empty()) {
    section["error"] = "no user has more than " + std::to_string(max_shots) +
                       " interactions with a relevant one after the first " + std::to_string(max_shots) +
                       "; lower the largest of scenarios.shots";
    return section;
  }

  // the targets: everything after the first max(N), the same at every N
  std::vector<UserTest> tests(plan.users.size());
  size_t targets = 0;
  for (size_t h = 0; h < plan.users.size(); ++h) {
    const auto& seq = plan.sequences[h];
    std::vector<uint64_t> rest(seq.begin() + static_cast<std::ptrdiff_t>(max_shots), seq.end());
    std::sort(rest.begin(), rest.end(),
              [&](uint64_t a, uint64_t b) { return data.items[a] < data.items[b]; });
    UserTest& t = tests[h];
    t.user = plan.users[h];
    for (uint64_t i : rest) {
      t.items.push_back(data.items[i]);
      t.values.push_back(data.values[i]);
      if (IsRelevant(data, data.values[i])) {
        t.relevant.push_back(data.items[i]);
        t.gains.push_back(data.explicit_feedback ? data.values[i] : 1.f);
      }
    }
    targets += t.relevant.size();
  }
  section["targets"] = targets;

  const size_t num_shots = shots.size();
  std::vector<Curve> retrained(arms.size()), folded(arms.size());
  for (auto* curves : {&retrained, &folded}) {
    for (Curve& c : *curves) c.values.assign(num_shots, {});
  }
  auto fail = [&](Curve& curve, const std::string& what, const std::exception& e) {
    if (curve.status == "ok") {
      curve.status = "failed";
      curve.error = what + ": " + e.what();
    }
    spdlog::error("cold-start-users: {}: {}", what, e.what());
  };
  const SourceLocation metric_where = scenario.key_where.count("metric") ? scenario.At("metric")
                                      : spec.ab.where.count("primary_metric")
                                          ? spec.ab.where.at("primary_metric")
                                          : scenario.where;

  // One training view per N: the other users' training interactions plus
  // each held-out user's first N. N = 0 is also the fold-in models' view.
  auto view_for = [&](size_t n) {
    std::vector<uint64_t> indices = plan.warm_train;
    for (const auto& seq : plan.sequences) {
      indices.insert(indices.end(), seq.begin(), seq.begin() + static_cast<std::ptrdiff_t>(n));
    }
    return BuildTrainView(data, indices);
  };
  auto queries_for = [&](const TrainData& train) {
    std::vector<RankQuery> queries(plan.users.size());
    for (size_t h = 0; h < plan.users.size(); ++h) {
      queries[h].user = plan.users[h];
      queries[h].exclude = train.by_user.RowIndices(plan.users[h]);
    }
    return queries;
  };

  // The passes over training views: the view without any shot (the fold-in
  // models', and the retrained ones' at N = 0), then one per N > 0 to retrain.
  struct Pass {
    size_t shots_given;
    size_t retrain_slot;  // index into shots, or SIZE_MAX
    bool fold;
  };
  std::vector<Pass> passes;
  const bool zero_in_sweep = shots.front() == 0;
  if (fold_in || (retrain && zero_in_sweep))
    passes.push_back({0, retrain && zero_in_sweep ? 0 : SIZE_MAX, fold_in});
  for (size_t s = 0; s < num_shots && retrain; ++s) {
    if (shots[s] > 0) passes.push_back({static_cast<size_t>(shots[s]), s, false});
  }
  for (const Pass& pass : passes) {
    const size_t n = pass.shots_given;
    const OwnedTrainData owned = view_for(n);
    const TrainData& train = owned.view();
    const ItemFeaturesView features = train.item_features;
    const MetricSet metrics(env.registry, spec.evaluation, train.num_users, train.num_items,
                            ItemPopularity(train), &features);
    metrics.RequireColumn(scenario.metric, metric_where, "scenarios.metric");
    const size_t column = ColumnIndex(metrics, scenario.metric);
    const std::vector<RankQuery> by_id = queries_for(train);
    for (size_t a = 0; a < arms.size(); ++a) {
      const ArmSpec& arm = *arms[a];
      const std::string what = "arm " + arm.name + " at N = " + std::to_string(n);
      const bool fold_here = pass.fold;
      const size_t retrain_slot = pass.retrain_slot;
      const bool retrain_here = retrain_slot != SIZE_MAX;
      ScenarioLogger logger("cold-start-users, arm " + arm.name + ": ");
      FittedArm fitted;
      try {
        spdlog::info("cold-start-users: fitting arm {} with {} shots per held-out user", arm.name, n);
        fitted = fit(arm, train, Context{spec.seed, env.threads, &logger, nullptr});
      } catch (const std::exception& e) {
        if (retrain_here) fail(retrained[a], what, e);
        if (fold_here) fail(folded[a], "arm " + arm.name + " (fit without the held-out users)", e);
        continue;
      }
      if (retrain_here) {
        try {
          const ScoredLists ranked =
              RankQueries(fitted, train.num_items, by_id, false, metrics.max_k(), env.arena);
          retrained[a].values[retrain_slot] = ColumnValues(metrics, column, tests, ranked.lists, env.arena);
        } catch (const std::exception& e) {
          fail(retrained[a], what, e);
        }
      }
      if (!fold_here) continue;
      if (!(fitted.capabilities & kCapScoreHistory)) {
        folded[a].status = "fold-in not supported";
        continue;
      }
      for (size_t f = 0; f < num_shots; ++f) {
        const size_t shots_given = static_cast<size_t>(shots[f]);
        std::vector<std::vector<uint32_t>> items(plan.users.size()), excluded(plan.users.size());
        std::vector<std::vector<float>> values(plan.users.size());
        std::vector<RankQuery> queries(plan.users.size());
        for (size_t h = 0; h < plan.users.size(); ++h) {
          for (size_t p = 0; p < shots_given; ++p) {
            const uint64_t i = plan.sequences[h][p];
            items[h].push_back(data.items[i]);
            values[h].push_back(data.values[i]);
          }
          excluded[h] = items[h];
          std::sort(excluded[h].begin(), excluded[h].end());
          queries[h] = RankQuery{plan.users[h], excluded[h], items[h], values[h]};
        }
        try {
          const ScoredLists ranked =
              RankQueries(fitted, train.num_items, queries, true, metrics.max_k(), env.arena);
          folded[a].values[f] = ColumnValues(metrics, column, tests, ranked.lists, env.arena);
        } catch (const std::exception& e) {
          fail(folded[a], "arm " + arm.name + ", fold-in of " + std::to_string(shots_given) + " shots", e);
        }
      }
    }
  }

  // the popularity reference: the control when it is one, else the first
  size_t reference = SIZE_MAX;
  for (size_t a = 0; a < arms.size(); ++a) {
    if (arms[a]->recommender.plugin != "popularity") continue;
    if (reference == SIZE_MAX || arms[a]->name == spec.ab.control) reference = a;
  }
  section["reference"] =
      reference == SIZE_MAX ? nlohmann::json(nullptr) : nlohmann::json(arms[reference]->name);

  nlohmann::json modes = nlohmann::json::array();
  for (const char* mode : {"retrain", "fold-in"}) {
    if (!scenario.has_mode(mode)) continue;
    const std::vector<Curve>& curves = std::string(mode) == "retrain" ? retrained : folded;
    nlohmann::json arms_json = nlohmann::json::object();
    for (size_t a = 0; a < arms.size(); ++a) {
      const Curve& curve = curves[a];
      nlohmann::json j;
      j["status"] = curve.status;
      if (!curve.error.empty()) j["error"] = curve.error;
      nlohmann::json mean = nlohmann::json::array(), low = nlohmann::json::array(),
                     high = nlohmann::json::array(), count = nlohmann::json::array();
      std::vector<double> means(num_shots, kNaN);
      for (size_t s = 0; s < num_shots; ++s) {
        if (curve.status == "fold-in not supported" || curve.values[s].empty()) {
          mean.push_back(nullptr), low.push_back(nullptr), high.push_back(nullptr), count.push_back(nullptr);
          continue;
        }
        const nlohmann::json summary = Summary(curve.values[s], spec.ab.alpha);
        mean.push_back(summary["mean"]);
        low.push_back(summary["ci_low"]);
        high.push_back(summary["ci_high"]);
        count.push_back(summary["n"]);
        if (summary["mean"].is_number()) means[s] = summary["mean"].get<double>();
      }
      j["mean"] = mean;
      j["ci_low"] = low;
      j["ci_high"] = high;
      j["n"] = count;
      if (reference != SIZE_MAX && a != reference) {
        const Curve& ref = curves[reference];
        auto ref_mean = [&](size_t s) {
          if (ref.values[s].empty()) return kNaN;
          std::vector<double> x;
          for (double v : ref.values[s]) {
            if (std::isfinite(v)) x.push_back(v);
          }
          return x.empty() ? kNaN : stats::Mean(x);
        };
        // paired over users where both have a value
        auto paired_low = [&](size_t s) {
          if (ref.values[s].empty() || curve.values[s].empty()) return kNaN;
          std::vector<double> diffs;
          for (size_t u = 0; u < curve.values[s].size(); ++u) {
            const double d = curve.values[s][u] - ref.values[s][u];
            if (std::isfinite(d)) diffs.push_back(d);
          }
          return diffs.size() >= 2 ? stats::MeanCi(diffs, spec.ab.alpha).low : kNaN;
        };
        j["overtakes_reference_at"] =
            FirstFromWhichAlways(shots, [&](size_t s) { return means[s] > ref_mean(s); });
        j["significantly_overtakes_reference_at"] =
            FirstFromWhichAlways(shots, [&](size_t s) { return paired_low(s) > 0; });
      }
      arms_json[arms[a]->name] = std::move(j);
    }
    modes.push_back({{"mode", mode}, {"arms", std::move(arms_json)}});
  }
  section["modes"] = std::move(modes);
  section["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return section;
}

}  // namespace reclift::host
