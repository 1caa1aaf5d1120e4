// BeyondAccuracyEvaluator: what a top-k list does besides hitting the test
// items — catalogue coverage, Gini of exposure, intra-list diversity,
// novelty, serendipity, popularity bias (ARP, long-tail share) and exposure
// by item category. One plugin, so an experiment adds all of them with one
// name and picks columns with `metrics`. Conventions in README.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/reclift.h"

namespace reclift::plugins {

class BeyondAccuracyEvaluator final : public Evaluator {
 public:
  enum class Metric : int {
    kCoverage,       // list-level: distinct recommended items / catalogue
    kGini,           // list-level: Gini index of item exposure counts
    kIld,            // per user: mean pairwise feature distance
    kNovelty,        // per user: mean self-information of the items
    kSerendipity,    // per user: relevant and unexpected items / k
    kArp,            // per user: mean training popularity of the items
    kLongTailShare,  // per user: share of items outside the popularity head
    kExposureGap,    // list-level: spread of category exposure relative to catalogue share
    kExposure,       // list-level: share of the slots going to one category
  };

  Status Configure(const Params& params, const EvalContext& ctx) override;
  // Metric-major, cut-offs ascending; exposure@k:<category> last, by k then
  // category id. ild and exposure columns exist only when items have the
  // features they need.
  std::vector<MetricColumn> Columns() const override;
  Status EvaluateUser(const UserEvalInput& user, std::span<double> out) const override;
  Status EvaluateLists(std::span<const UserEvalInput> users, std::span<double> out) const override;

  // What Configure derived from the training popularity, for tests and logs.
  bool IsHead(uint32_t item) const { return head_[item] != 0; }
  bool IsExpected(uint32_t item) const { return expected_[item] != 0; }

 private:
  struct ColumnSlot {
    Metric metric;
    size_t k_index;     // into ks_
    uint32_t category;  // kExposure only
  };

  // The first min(k, size) items of the list with repeats dropped, checked
  // against the catalogue.
  Status DistinctTop(const UserEvalInput& user, size_t max_k, std::vector<uint32_t>& items,
                     std::vector<size_t>& length_at_k) const;

  bool configured_ = false;
  uint32_t num_items_ = 0;
  std::vector<int> ks_;  // ascending, unique, positive
  std::vector<MetricColumn> columns_;
  std::vector<ColumnSlot> slots_;

  std::vector<double> popularity_;        // training interactions per item
  std::vector<double> self_information_;  // -log2(max(pop, 1) / num_users), >= 0
  std::vector<char> expected_;            // among the expected_top most popular items
  std::vector<char> head_;                // in the popularity head (not long tail)

  // binary feature vectors for ild, as sorted feature ids per item (CSR)
  std::vector<uint64_t> feature_indptr_;
  std::vector<uint32_t> feature_ids_;
  bool has_features_ = false;

  // item categories for exposure (CSR, sorted unique), and each category's
  // share of the catalogue (an item of c categories counts 1/c for each)
  std::vector<uint64_t> category_indptr_;
  std::vector<uint32_t> category_ids_;
  std::vector<std::string> category_names_;
  std::vector<double> catalogue_share_;
};

std::span<const ParamSpec> BeyondAccuracyParamSpecs();

}  // namespace reclift::plugins
