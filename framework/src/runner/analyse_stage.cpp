// The analyse stage: statistics of one repetition from its cells' per-user
// values.
#include <cmath>

#include "runner/metric_set.h"
#include "runner/stages.h"

namespace reclift::host {
namespace {

nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json FailureJson(const engine::CellResult& r) {
  return {{"kind", r.failure}, {"phase", r.phase},           {"plugin", r.plugin},
          {"cell", r.label},   {"last_lines", r.last_lines}, {"trace", r.trace}};
}

nlohmann::json ArmJson(const RunEnv& env, const PreparedGroup& g, size_t a, const engine::CellResult& r) {
  const auto& columns = env.plan.columns;
  const size_t nc = columns.size(), num_users = g.cell.users.size();
  const ArmSpec& arm = env.spec.arms[a];
  nlohmann::json j;
  j["name"] = arm.name;
  j["recommender"] = arm.recommender.plugin;
  j["plugin"] =
      r.plugin.empty() && r.key_parts.contains("arm") ? r.key_parts["arm"].value("plugin", "") : r.plugin;
  j["params"] = r.ok ? r.params : r.key_parts.contains("arm") ? r.key_parts["arm"]["params"] : r.params;
  j["status"] = r.ok ? "ok" : "failed";
  if (!r.ok) {
    j["error"] = r.error;
    j["failure"] = FailureJson(r);
  }
  j["fit_seconds"] = r.fit_seconds;
  j["eval_seconds"] = r.eval_seconds;
  j["peak_rss_bytes"] = r.peak_rss;
  j["model_rss_bytes"] = r.model_rss;
  j["host"] = r.host;
  j["rank"] = r.rank;
  j["users_evaluated"] = r.ok ? num_users : 0;
  nlohmann::json metrics = nlohmann::json::object();
  nlohmann::json segs = nlohmann::json::object();
  if (r.ok) {
    for (size_t c = 0; c < nc; ++c) {
      if (columns[c].aggregation == Aggregation::kListLevel) {
        metrics[columns[c].name] = {
            {"mean", Num(r.list_values[c])}, {"ci_low", nullptr}, {"ci_high", nullptr}, {"n", num_users}};
      } else {
        metrics[columns[c].name] = SummariseColumn(r.values, nc, c, nullptr, env.spec.ab.alpha);
      }
    }
    for (const auto& seg : g.segmentations) {
      for (size_t k = 0; k < seg.names.size(); ++k) {
        std::vector<uint32_t> subset;
        for (size_t u = 0; u < num_users; ++u) {
          if (seg.of_user[u] == k) subset.push_back(static_cast<uint32_t>(u));
        }
        nlohmann::json m = nlohmann::json::object();
        for (size_t c = 0; c < nc; ++c) {
          if (columns[c].aggregation == Aggregation::kMeanOverUsers) {
            m[columns[c].name] = SummariseColumn(r.values, nc, c, &subset, env.spec.ab.alpha);
          }
        }
        segs[seg.profiler][seg.names[k]] = m;
      }
    }
  }
  j["metrics"] = metrics;
  j["segments"] = segs;
  return j;
}

std::vector<double> ColumnMeans(const engine::CellResult& r, const std::vector<MetricColumn>& columns,
                                size_t num_users) {
  std::vector<double> means(columns.size(), NAN);
  if (!r.ok) return means;
  for (size_t c = 0; c < columns.size(); ++c)
    means[c] = ColumnMean(columns, c, r.values, r.list_values, num_users);
  return means;
}

}  // namespace

RepetitionAnalysis AnalyseStage(const RunEnv& env, const PreparedGroup& g,
                                const std::vector<const engine::CellResult*>& arms) {
  const ExperimentSpec& spec = env.spec;
  const auto& columns = env.plan.columns;
  const size_t num_users = g.cell.users.size();
  RepetitionAnalysis out;
  for (size_t a = 0; a < arms.size(); ++a) {
    out.arms.push_back(ArmJson(env, g, a, *arms[a]));
    out.means.push_back(ColumnMeans(*arms[a], columns, num_users));
  }
  for (size_t a = 0; a < arms.size(); ++a) {
    if (!spec.ab.control.empty() && spec.arms[a].name == spec.ab.control) out.control = a;
  }
  out.primary = spec.ab.primary_metric;
  if (out.primary.empty() && !columns.empty()) out.primary = columns.front().name;
  const engine::CellResult& control = *arms[out.control];
  if (!control.ok) {
    out.ab_warnings.push_back("the control arm '" + spec.arms[out.control].name +
                              "' failed: no comparison is possible");
    return out;
  }
  std::vector<ArmValues> av;
  for (size_t a = 0; a < arms.size(); ++a) av.push_back({spec.arms[a].name, arms[a]->ok, &arms[a]->values});
  out.comparisons =
      CompareArms(av, out.control, columns, num_users, g.segmentations, spec.ab, spec.seed, out.ab_warnings);
  if (spec.ab.assignment == "bucketed") {
    std::vector<ArmRunView> views;
    for (size_t a = 0; a < arms.size(); ++a)
      views.push_back({spec.arms[a].name, arms[a]->ok, &arms[a]->values});
    size_t primary_column = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].name == out.primary) primary_column = c;
    }
    out.sample_ratio = SampleRatio(views, spec.ab.weights, columns.size(), primary_column, out.ab_warnings);
  }
  return out;
}

nlohmann::json PerUserJson(const RunEnv& env, const Dataset& data, const PreparedGroup& g,
                           const std::vector<const engine::CellResult*>& arms) {
  const auto& columns = env.plan.columns;
  const size_t nc = columns.size(), num_users = g.cell.users.size();
  nlohmann::json per_user;
  std::vector<std::string> ids;
  ids.reserve(num_users);
  for (const auto& ut : g.cell.users) ids.push_back(data.user_ids[ut.user]);
  per_user["users"] = ids;
  per_user["segments"] = nlohmann::json::object();
  for (const auto& seg : g.segmentations) per_user["segments"][seg.profiler] = seg.of_user;
  per_user["arms"] = nlohmann::json::object();
  for (size_t a = 0; a < arms.size(); ++a) {
    if (!arms[a]->ok) continue;
    nlohmann::json m = nlohmann::json::object();
    for (size_t c = 0; c < nc; ++c) {
      if (columns[c].aggregation != Aggregation::kMeanOverUsers) continue;
      nlohmann::json v = nlohmann::json::array();
      for (size_t u = 0; u < num_users; ++u) v.push_back(Num(arms[a]->values[u * nc + c]));
      m[columns[c].name] = std::move(v);
    }
    per_user["arms"][env.spec.arms[a].name] = std::move(m);
  }
  return per_user;
}

}  // namespace reclift::host
