// RankingEvaluator: the top-k accuracy metrics of one user's ranked list:
// precision, recall, ndcg, hit_rate, mrr, map and auc at every cut-off k.
// The conventions (denominators, empty lists, k beyond the list) are in
// README.md; they follow trec_eval where trec_eval has one.
#pragma once

#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class RankingEvaluator final : public Evaluator {
 public:
  // The metrics, in column order; each gets one column per cut-off.
  // auc comes last so that the columns of version 1.0.0 keep their positions.
  static constexpr const char* kMetrics[] = {"precision", "recall", "ndcg", "hit_rate", "mrr", "map", "auc"};
  static constexpr size_t kNumMetrics = std::size(kMetrics);

  Status Configure(const Params& params, const EvalContext& ctx) override;
  // Metric-major: precision@k1, precision@k2, ..., recall@k1, ...
  std::vector<MetricColumn> Columns() const override;
  Status EvaluateUser(const UserEvalInput& user, std::span<double> out) const override;

 private:
  bool configured_ = false;
  bool graded_ = false;              // ndcg gain: the relevant item's gain, or 1
  bool map_min_k_relevant_ = false;  // map denominator: min(k, |relevant|), or |relevant|
  std::vector<int> ks_;              // ascending, unique, positive
  uint32_t num_items_ = 0;           // catalogue size: the universe of auc's pairs
  std::vector<double> discount_;     // discount_[r] = 1 / log2(r + 1) for rank r = 1..max k
};

std::span<const ParamSpec> RankingParamSpecs();

}  // namespace reclift::plugins
