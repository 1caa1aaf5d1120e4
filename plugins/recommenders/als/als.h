// Implicit-feedback alternating least squares (Hu, Koren & Volinsky, ICDM 2008).
//
// Every (user, item) pair has preference p = 1 when the user interacted with
// the item and 0 otherwise, with confidence c = 1 + alpha * value (c = 1 for
// the unobserved pairs). ALS minimises
//   sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + regularization * (|X|^2 + |Y|^2)
// by solving for all users with the items fixed, then for all items with the
// users fixed. Each row's solve is either exact ("cholesky") or a few steps of
// conjugate gradient warm-started from the previous factors ("cg", Takacs et
// al. 2011), which costs O(f^2 + f * n_row) instead of O(f^2 * n_row).
//
// Thread-safety: Fit is single-caller; the scoring methods are const and may
// be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "reclift/dense_scorer.h"
#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kAlsParams[] = {
    {"factors", ParamType::kInt, "64", 1, 1024, nullptr, "number of latent factors"},
    {"regularization", ParamType::kFloat, "50", 0, 1e6, nullptr,
     "L2 penalty on user and item factors (not scaled by row length)"},
    {"alpha", ParamType::kFloat, "1", 0, 1e6, nullptr,
     "confidence slope: an observed pair weighs 1 + alpha * value"},
    {"iterations", ParamType::kInt, "15", 1, 1000, nullptr, "number of user+item sweeps"},
    {"solver", ParamType::kString, "cg", 0, 0, "cg|cholesky",
     "cg: a few warm-started conjugate-gradient steps per row; cholesky: exact solve"},
    {"cg_steps", ParamType::kInt, "3", 1, 64, nullptr, "conjugate-gradient steps per row and sweep"},
    {"init_std", ParamType::kFloat, "0.01", 1e-6, 1, nullptr,
     "standard deviation of the normal initial factors"},
};

class AlsRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // Fold-in: solves the user's least-squares problem exactly against the
  // fixed item factors. `history_values` may be empty (every value 1).
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // The steps of Fit, public so that tests and benchmarks can drive and time
  // one sweep at a time. Configure checks parameters and data and draws the
  // initial factors; SolveUsers / SolveItems are the two half-sweeps.
  Status Configure(const TrainData& data, const Params& params, uint64_t seed);
  void SolveUsers();
  void SolveItems();
  // The training objective above (double accumulation), O(nnz f + users f^2).
  double Loss() const;

  int factors() const { return factors_; }
  // Row-major num_users x factors and num_items x factors.
  std::vector<float>& user_factors() { return user_factors_; }
  std::vector<float>& item_factors() { return item_factors_; }
  const std::vector<float>& user_factors() const { return user_factors_; }
  const std::vector<float>& item_factors() const { return item_factors_; }

 private:
  const TrainData* data_ = nullptr;
  int factors_ = 0;
  float regularization_ = 0;
  float alpha_ = 0;
  int iterations_ = 0;
  bool exact_ = false;
  int cg_steps_ = 0;
  std::vector<float> user_factors_;
  std::vector<float> item_factors_;
  // item_factors' Gram matrix plus regularization * I (f x f, column-major),
  // kept after Fit for fold-in.
  std::vector<float> item_gram_;
  // The item factors packed by Fit for ScoreBatch.
  DenseScorer scorer_;
};

}  // namespace reclift::recommenders
