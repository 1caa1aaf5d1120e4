// Bayesian Personalised Ranking (Rendle, Freudenthaler, Gantner &
// Schmidt-Thieme, UAI 2009) for matrix factorisation with an item bias.
//
// The model scores s(u, i) = x_u . y_i + b_i. Training draws triples (u, i, j)
// with (u, i) a uniformly drawn training interaction and j a uniformly drawn
// item u has not interacted with, and takes one stochastic gradient step on
//   ln sigmoid(s(u, i) - s(u, j)) - regularization * (|x_u|^2 + |y_i|^2 + |y_j|^2 + b_i^2 + b_j^2)
// (ascent). An epoch draws as many triples as there are interactions.
//
// Every training interaction counts as positive, whatever its value.
//
// Determinism: with threads_deterministic = true (the default) the steps run
// in one thread from one seeded stream, so the model depends only on the
// seed. With false, the epoch is split into fixed chunks run in parallel
// without locks ("Hogwild", Recht et al. 2011): faster, but concurrent updates
// of the same item interleave differently from run to run, so results vary
// slightly between runs.
//
// Thread-safety: Fit is single-caller; the scoring methods are const and may
// be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reclift/dense_scorer.h"
#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kBprParams[] = {
    {"factors", ParamType::kInt, "64", 1, 1024, nullptr, "number of latent factors"},
    {"learning_rate", ParamType::kFloat, "0.05", 1e-6, 1, nullptr, "SGD step size"},
    {"regularization", ParamType::kFloat, "0.01", 0, 10, nullptr,
     "L2 penalty on the factors and biases touched by a step"},
    {"epochs", ParamType::kInt, "30", 1, 1000, nullptr, "passes; each draws one triple per interaction"},
    {"init_std", ParamType::kFloat, "0.1", 1e-6, 1, nullptr,
     "standard deviation of the normal initial factors"},
    {"threads_deterministic", ParamType::kBool, "true", 0, 0, nullptr,
     "true: sequential SGD, the same seed gives the same model; false: parallel lock-free SGD, faster, "
     "not reproducible"},
};

class BprRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;

  // The steps of Fit, public so that tests and benchmarks can drive them.
  // Configure checks the data and draws the initial factors.
  Status Configure(const TrainData& data, const Params& params, uint64_t seed);
  void RunEpoch(int epoch);
  // One SGD step on the triple (user, positive item, negative item).
  void Step(uint32_t user, uint32_t positive, uint32_t negative);
  // Share of `samples` drawn triples (u, i, j) the model orders correctly
  // (s(u, i) > s(u, j)): an estimate of the training AUC.
  double SampledAuc(size_t samples, uint64_t seed) const;

  int factors() const { return factors_; }
  std::vector<float>& user_factors() { return user_factors_; }
  std::vector<float>& item_factors() { return item_factors_; }
  std::vector<float>& item_bias() { return item_bias_; }
  const std::vector<float>& user_factors() const { return user_factors_; }
  const std::vector<float>& item_factors() const { return item_factors_; }
  const std::vector<float>& item_bias() const { return item_bias_; }

 private:
  const TrainData* data_ = nullptr;
  int factors_ = 0;
  float learning_rate_ = 0;
  float regularization_ = 0;
  int epochs_ = 0;
  bool deterministic_ = true;
  uint64_t seed_ = 0;
  std::vector<uint32_t> user_of_interaction_;  // CSR row of each interaction
  std::vector<float> user_factors_;            // row-major num_users x factors
  std::vector<float> item_factors_;            // row-major num_items x factors
  std::vector<float> item_bias_;
  // The item factors and biases packed by Fit for ScoreBatch.
  DenseScorer scorer_;
};

}  // namespace reclift::recommenders
