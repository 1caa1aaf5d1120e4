// A/B comparisons of arms from their per-user metric values (paired
// assignment: every arm is evaluated on every user).
//
// For each treatment arm, metric column and population (all users, then
// each segment of each profiler): the per-user differences treatment -
// control over users where both values exist; paired t-test (whose p-value
// drives the verdict), Wilcoxon signed-rank (reported as a robustness
// check), percentile bootstrap intervals of the absolute and relative lift,
// and Cohen's d_z. P-values are corrected (Holm or Benjamini-Hochberg) within
// a family: all (treatment x metric) comparisons on all users form one
// family; each segment forms its own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiment/spec.h"
#include "reclift/evaluator.h"

namespace reclift::host {

struct ArmValues {
  std::string name;
  bool ok = false;
  const std::vector<double>* values = nullptr;  // users x columns, NaN = missing
};

struct Segmentation {
  std::string profiler;
  std::vector<std::string> names;
  std::vector<uint32_t> of_user;  // per evaluated user
};

// Returns the "comparisons" array of results.json and appends warnings (a
// Simpson's-paradox-style reversal between the overall and a segment
// verdict, too few users) to `warnings`.
nlohmann::json CompareArms(const std::vector<ArmValues>& arms, size_t control,
                           const std::vector<MetricColumn>& columns, size_t num_users,
                           const std::vector<Segmentation>& segments, const AbSpec& ab, uint64_t seed,
                           std::vector<std::string>& warnings);

// Mean, t interval and count of one column over a subset of users (all
// when `subset` is empty), skipping NaN.
nlohmann::json SummariseColumn(const std::vector<double>& values, size_t num_columns, size_t column,
                               const std::vector<uint32_t>* subset, double alpha);

}  // namespace reclift::host
