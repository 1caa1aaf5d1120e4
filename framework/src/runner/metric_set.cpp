#include "runner/metric_set.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

#include "util/error.h"
#include "util/text.h"

namespace reclift::host {

double ColumnMean(const std::vector<MetricColumn>& columns, size_t column, std::span<const double> values,
                  std::span<const double> list_values, size_t users) {
  if (columns[column].aggregation == Aggregation::kListLevel) return list_values[column];
  double sum = 0;
  size_t n = 0;
  for (size_t u = 0; u < users; ++u) {
    const double v = values[u * columns.size() + column];
    if (!std::isnan(v)) sum += v, ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : NAN;
}

MetricSet::MetricSet(const PluginRegistry& registry, const EvaluationSpec& spec, uint32_t num_users,
                     uint32_t num_items, std::vector<float> item_popularity, const ItemFeaturesView* features)
    : ks_(spec.ks), popularity_(std::move(item_popularity)) {
  std::sort(ks_.begin(), ks_.end());
  ks_.erase(std::unique(ks_.begin(), ks_.end()), ks_.end());
  const EvalContext ctx{num_items, num_users, ks_, popularity_, features};
  std::vector<PluginUse> uses = spec.evaluators;
  if (uses.empty()) {
    PluginUse ranking;
    ranking.plugin = "ranking";
    uses.push_back(ranking);
  }
  std::set<std::string> provided;
  for (const auto& use : uses) {
    EvaluatorHandle ev = registry.CreateEvaluator(use.plugin);
    Params params;
    Status s = Params::Build(ev.info().param_specs(), use.params, params);
    if (s.ok()) s = ev->Configure(params, ctx);
    if (!s.ok()) throw Error(use.where, "evaluator '" + use.plugin + "': " + s.ToString());
    const auto cols = ev->Columns();
    for (size_t i = 0; i < cols.size(); ++i) {
      provided.insert(cols[i].metric);
      const auto& wanted = spec.metrics;
      if (wanted.empty() || std::find(wanted.begin(), wanted.end(), cols[i].metric) != wanted.end()) {
        selected_.push_back({evaluators_.size(), i});
        columns_.push_back(cols[i]);
      }
    }
    evaluator_width_.push_back(cols.size());
    evaluators_.push_back(std::move(ev));
  }
  for (const auto& m : spec.metrics) {
    if (provided.count(m) == 0) {
      std::vector<std::string> names(provided.begin(), provided.end());
      const auto where = spec.where.count("metrics") ? spec.where.at("metrics") : SourceLocation{};
      const std::string hint = DidYouMean(m, names);
      throw Error(where, "metric '" + m + "' is not provided by any evaluator" +
                             (hint.empty() ? " (available: " + Join(names, ", ") + ")" : hint));
    }
  }
}

std::string MetricSet::EvaluatorId(size_t column) const {
  const PluginInfo& info = evaluators_[selected_[column].evaluator].info();
  return std::string(info.name) + "@" + info.version;
}

void MetricSet::RequireColumn(const std::string& name, const SourceLocation& where,
                              const std::string& what) const {
  std::vector<std::string> names;
  for (const auto& c : columns_) names.push_back(c.name);
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  const std::string hint = DidYouMean(name, names);
  throw Error(where, what + " '" + name + "' is not a metric column of this run" +
                         (hint.empty() ? " (columns: " + Join(names, ", ") + ")" : hint));
}

Status MetricSet::Evaluate(std::span<const UserEvalInput> inputs, tbb::task_arena& arena,
                           std::vector<double>& values, std::vector<double>& list_values) const {
  const size_t nc = columns_.size();
  values.assign(inputs.size() * nc, NAN);
  list_values.assign(nc, NAN);
  Status first;
  std::mutex m;
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, inputs.size(), [&](size_t u) {
      for (size_t e = 0; e < evaluators_.size(); ++e) {
        std::vector<double> out(evaluator_width_[e], NAN);
        Status s = evaluators_[e]->EvaluateUser(inputs[u], out);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(m);
          if (first.ok()) first = s;
          return;
        }
        for (size_t c = 0; c < nc; ++c) {
          if (selected_[c].evaluator == e && columns_[c].aggregation == Aggregation::kMeanOverUsers) {
            values[u * nc + c] = out[selected_[c].index];
          }
        }
      }
    });
  });
  if (!first.ok()) return first;
  for (size_t e = 0; e < evaluators_.size(); ++e) {
    std::vector<double> out(evaluator_width_[e], NAN);
    Status s = evaluators_[e]->EvaluateLists(inputs, out);
    if (!s.ok()) return s;
    for (size_t c = 0; c < nc; ++c) {
      if (selected_[c].evaluator == e && columns_[c].aggregation == Aggregation::kListLevel) {
        list_values[c] = out[selected_[c].index];
      }
    }
  }
  return Status::Ok();
}

}  // namespace reclift::host
