// Evaluator: the interface of a metrics plugin.
//
// An evaluator provides one or more metric columns ("ndcg@10", "ndcg@20",
// "coverage@10", "rmse"). Most are computed per user and averaged over users
// by the host, which keeps every per-user value for the statistics; some are
// list-level (catalogue coverage, Gini), computed once over all users' lists.
//
// Lifecycle: Configure once (after which Columns is fixed), then
// EvaluateUser concurrently from many threads, and EvaluateLists once.
//
//   evaluator.Configure(params, ctx);
//   auto cols = evaluator.Columns();           // e.g. precision@10, ndcg@10
//   std::vector<double> v(cols.size());
//   evaluator.EvaluateUser(user_input, v);      // NaN for list-level columns
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/params.h"
#include "reclift/status.h"
#include "reclift/train_data.h"

namespace reclift {

enum class Aggregation : int {
  kMeanOverUsers = 0,  // EvaluateUser gives a value per user; the host averages
  kListLevel = 1,      // EvaluateLists gives one value over all users' lists
};

struct MetricColumn {
  std::string name;    // full column name: "ndcg@10", "rmse"
  std::string metric;  // the metric as named in experiment files: "ndcg"
  int k = 0;           // cut-off, or 0 for metrics without one
  bool higher_is_better = true;
  Aggregation aggregation = Aggregation::kMeanOverUsers;
  // false: neither direction is better (e.g. one category's share of the
  // exposure); the host tests the difference and calls a significant one
  // "higher" or "lower", never "better" or "worse". higher_is_better is then
  // ignored.
  bool directional = true;
};

// What the host knows about the evaluation, fixed for one cell.
struct EvalContext {
  uint32_t num_items = 0;
  uint32_t num_users = 0;
  std::span<const int> ks;                          // ascending cut-offs, e.g. {10, 20}
  std::span<const float> item_popularity;           // training interactions per item
  const ItemFeaturesView* item_features = nullptr;  // may be null
};

// One user's list and ground truth.
struct UserEvalInput {
  uint32_t user = 0;
  // recommended items, best first, at most max(ks) long (shorter when fewer
  // candidates exist); training items already removed
  std::span<const uint32_t> ranked;
  // the user's relevant test items, sorted ascending, and their gains
  // (graded relevance: the test value; 1 for implicit data)
  std::span<const uint32_t> relevant;
  std::span<const float> relevant_gain;
  // every test item of the user with its value, and the predicted rating of
  // each (empty when the recommender cannot predict ratings)
  std::span<const uint32_t> test_items;
  std::span<const float> test_values;
  std::span<const float> predicted;
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;

  virtual Status Configure(const Params& params, const EvalContext& ctx) = 0;

  // The columns this evaluator fills, valid after Configure.
  virtual std::vector<MetricColumn> Columns() const = 0;

  // Writes one value per column into out (out.size() == Columns().size()).
  // Write NaN where a value is undefined for this user or the column is
  // list-level; the host then leaves the user out of that column's mean.
  // Thread-safe.
  virtual Status EvaluateUser(const UserEvalInput& user, std::span<double> out) const = 0;

  // List-level columns: one value each over all users' lists. Columns that
  // are per-user are left untouched. The default has no list-level columns.
  virtual Status EvaluateLists(std::span<const UserEvalInput> users, std::span<double> out) const {
    (void)users;
    (void)out;
    return Status::Ok();
  }
};

}  // namespace reclift
