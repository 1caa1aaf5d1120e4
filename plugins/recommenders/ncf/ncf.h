// Neural Collaborative Filtering: NeuMF (He, Liao, Zhang, Nie, Hu & Chua,
// WWW 2017), trained from implicit feedback.
//
// Every training interaction is a positive (label 1, whatever its value);
// each positive brings `negatives` items the user has not used, drawn
// uniformly (label 0). The network (ncf_network.h: a GMF tower and an MLP
// tower over separate embeddings, joined by a linear NeuMF layer) is trained
// on binary cross-entropy with Adam over shuffled mini-batches; embeddings
// get lazy (sparse) Adam updates, only rows present in the batch. No
// pre-training of the towers (the paper's optional step).
//
// Determinism: sampling draws from a stream per (seed, epoch, interaction)
// and the shuffle from one per (seed, epoch); a batch's gradient is summed
// over fixed 64-sample chunks (computed in parallel) in chunk order, and
// embedding rows in sample order. So the model depends on the seed only, not
// on the thread count.
//
// Scores are the network's logits (the sigmoid is monotone and saturates in
// float). Scoring a user against many items splits the first MLP layer as
// W_u m_u + W_i n_i, both parts precomputed after training, so only the
// deeper layers run per (user, item) pair; the GMF part is one GEMM per block.
//
// Thread-safety: Fit is single-caller; the scoring methods are const and may
// be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ncf_network.h"
#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kNcfParams[] = {
    {"factors", ParamType::kInt, "16", 1, 512, nullptr,
     "GMF embedding size (the paper's predictive factors)"},
    {"mlp_layers", ParamType::kString, "64,32,16", 0, 0, nullptr,
     "MLP tower: the concatenated user+item embedding size (even), then each hidden ReLU layer's size"},
    {"negatives", ParamType::kInt, "4", 1, 50, nullptr, "sampled negatives per positive interaction"},
    {"epochs", ParamType::kInt, "20", 1, 200, nullptr, "passes over the training interactions"},
    {"batch_size", ParamType::kInt, "256", 1, 65536, nullptr,
     "samples (positives and negatives) per Adam step"},
    {"learning_rate", ParamType::kFloat, "0.001", 1e-6, 1, nullptr, "Adam step size"},
    {"l2", ParamType::kFloat, "0.00001", 0, 1, nullptr,
     "L2 penalty on the embeddings of each sample and on the weights (not biases)"},
    {"init_std", ParamType::kFloat, "0.01", 1e-6, 1, nullptr,
     "standard deviation of the normal initial embeddings"},
};

class NcfRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;

  // The steps of Fit, public so that tests and benchmarks can drive them.
  // Configure checks parameters and data and draws the initial network;
  // RunEpoch trains one epoch and returns its mean batch objective;
  // PrepareScoring precomputes the split first layer (call it after the last
  // epoch, before scoring).
  Status Configure(const TrainData& data, const Params& params, uint64_t seed);
  double RunEpoch(int epoch);
  void PrepareScoring();

  const NeuMfParameters<float>& network() const { return net_; }

 private:
  // Adds the MLP tower's contribution (and the output bias) for user `user`
  // and `count` items (items[j], or item j when items is null) to out.
  void AddMlp(uint32_t user, const uint32_t* items, size_t count, float* out) const;
  void ApplyAdam(std::span<const uint32_t> users, std::span<const uint32_t> items, size_t samples);

  const TrainData* data_ = nullptr;
  uint64_t seed_ = 0;
  int negatives_ = 0;
  int batch_size_ = 0;
  float learning_rate_ = 0;
  float l2_ = 0;
  std::vector<int> layer_sizes_;
  NeuMfParameters<float> net_;
  NeuMfParameters<float> first_moment_, second_moment_;  // Adam
  int64_t steps_ = 0;
  std::vector<uint32_t> entry_user_;  // the user of each training interaction (CSR order)
  // per chunk of a batch: scratch and gradient
  std::vector<NeuMfWorkspace<float>> workspaces_;
  std::vector<NeuMfGradient<float>> gradients_;
  // scoring: user_mlp W_u^T + b_1 and item_mlp W_i^T, and user_gmf ⊙ h_gmf
  NeuMfParameters<float>::Matrix user_first_, item_first_, user_gmf_scaled_;
  bool ready_ = false;
};

}  // namespace reclift::recommenders
