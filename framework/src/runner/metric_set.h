// MetricSet: the evaluator plugins of an experiment, configured for one
// cell, and the metric columns selected from them.
#pragma once

#include <tbb/task_arena.h>

#include <string>
#include <vector>

#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "reclift/evaluator.h"

namespace reclift::host {

// The mean of `column` over users (users x columns.size() `values`, NaN
// skipped), or its list-level value for a list-level column.
double ColumnMean(const std::vector<MetricColumn>& columns, size_t column, std::span<const double> values,
                  std::span<const double> list_values, size_t users);

class MetricSet {
 public:
  // Creates and configures every evaluator of `spec` (default: "ranking")
  // and selects the columns of the requested metrics (all when none are
  // named). Throws Error at the file location for a metric no evaluator
  // provides (with "did you mean") or an evaluator that refuses its
  // configuration. `features` must outlive the set.
  MetricSet(const PluginRegistry& registry, const EvaluationSpec& spec, uint32_t num_users,
            uint32_t num_items, std::vector<float> item_popularity, const ItemFeaturesView* features);

  const std::vector<MetricColumn>& columns() const { return columns_; }
  size_t size() const { return columns_.size(); }
  const std::vector<int>& ks() const { return ks_; }
  size_t max_k() const { return ks_.empty() ? 10 : static_cast<size_t>(ks_.back()); }
  // "ranking@1.2.0": the evaluator that provides a column
  std::string EvaluatorId(size_t column) const;
  // Throws Error (at `where`) when `name` is not a column, with "did you mean".
  void RequireColumn(const std::string& name, const SourceLocation& where, const std::string& what) const;

  // Evaluates every user's list: values is users x columns (NaN where a
  // metric is undefined for a user or the column is list-level), list_values
  // one value per column (NaN for per-user columns). Runs in `arena`.
  Status Evaluate(std::span<const UserEvalInput> inputs, tbb::task_arena& arena, std::vector<double>& values,
                  std::vector<double>& list_values) const;

 private:
  struct Selected {
    size_t evaluator;
    size_t index;
  };
  std::vector<int> ks_;
  std::vector<float> popularity_;
  std::vector<EvaluatorHandle> evaluators_;
  std::vector<size_t> evaluator_width_;
  std::vector<Selected> selected_;
  std::vector<MetricColumn> columns_;
};

}  // namespace reclift::host
