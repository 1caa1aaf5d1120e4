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
#include "runner/cell_data.h"

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

// Bucketed assignment: hashes each test user's original id with the seed
// into one of `arms` buckets by `weights` (equal when empty), the way an
// online A/B test assigns users. Returns the bucket of each cell user.
std::vector<uint32_t> AssignBuckets(const CellData& cell, const Dataset& data, size_t arms,
                                    const std::vector<double>& weights, uint64_t seed);

// The sample-ratio-mismatch check of a bucketed run: users with a value of
// the primary metric per arm against the configured weights (chi-square);
// a mismatch (p < 0.001) means the assignment or the evaluation lost users
// unevenly, and is added to `warnings`. Returns the "sample_ratio" JSON.
struct ArmRunView {
  std::string name;
  bool ok = false;
  const std::vector<double>* values = nullptr;
};
nlohmann::json SampleRatio(const std::vector<ArmRunView>& arms, const std::vector<double>& weights,
                           size_t num_columns, size_t primary_column, std::vector<std::string>& warnings);

}  // namespace reclift::host
