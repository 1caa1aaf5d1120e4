// NeuMF recommender: see ncf.h and README.md.
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "ncf.h"

namespace reclift::recommenders {
namespace ncf_detail {

using Matrix = NeuMfParameters<float>::Matrix;

// Samples per gradient chunk: fixed, so that a batch's sum does not depend
// on how many threads computed it.
constexpr size_t kChunkSamples = 64;
// Items whose MLP activations are computed together when scoring.
constexpr size_t kScoreItems = 256;
constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEpsilon = 1e-8f;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A stream keyed by (seed, salt, index).
uint64_t StreamState(uint64_t seed, uint64_t salt, uint64_t index) {
  uint64_t state = seed ^ (salt * 0xD1B54A32D192ED03ull);
  state ^= SplitMix64(state) + index;
  SplitMix64(state);
  return state;
}

double Uniform(uint64_t& state) {
  return static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
}

// Fills each row of m with N(0, std) from its own stream (seed, salt, row).
void InitNormal(Matrix& m, float std, uint64_t seed, uint64_t salt) {
  tbb::parallel_for(Eigen::Index{0}, m.rows(), [&](Eigen::Index r) {
    uint64_t state = StreamState(seed, salt, static_cast<uint64_t>(r));
    for (Eigen::Index k = 0; k < m.cols(); k += 2) {
      // Box-Muller: two normals from two uniforms, the first in (0, 1]
      const double u1 = Uniform(state) + 0x1.0p-53, u2 = Uniform(state);
      const double radius = std * std::sqrt(-2.0 * std::log(u1));
      m(r, k) = static_cast<float>(radius * std::cos(2 * M_PI * u2));
      if (k + 1 < m.cols()) m(r, k + 1) = static_cast<float>(radius * std::sin(2 * M_PI * u2));
    }
  });
}

// Glorot-uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
template <class M>
void InitGlorot(M& m, Eigen::Index fan_in, Eigen::Index fan_out, uint64_t seed, uint64_t salt) {
  uint64_t state = StreamState(seed, salt, 0);
  const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = static_cast<float>((2 * Uniform(state) - 1) * a);
  }
}

Status ParseLayers(const std::string& text, std::vector<int>& sizes) {
  sizes.clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(start, comma - start);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (part.empty() || used != part.size() || value < 1 || value > 4096) {
      return Status::InvalidArgument(
          "ncf: parameter 'mlp_layers': expected comma-separated sizes in [1, 4096] "
          "such as \"64,32,16\", found \"" +
          text + "\"");
    }
    sizes.push_back(value);
    start = comma + 1;
  }
  if (sizes.size() < 2 || sizes[0] % 2 != 0) {
    return Status::InvalidArgument(
        "ncf: parameter 'mlp_layers': give an even embedding size (user and item halves) and at least one "
        "hidden layer, such as \"64,32,16\"; found \"" +
        text + "\"");
  }
  return Status::Ok();
}

// Values below this are set to 0 after each Adam step. Weights whose only
// gradient is their own L2 term (a dead ReLU unit's) shrink geometrically
// under Adam, and so do moments fed zero gradients; once they are denormal,
// every matrix product that reads them runs 10-20x slower.
constexpr float kNegligible = 1e-30f;

template <class X>
void FlushNegligible(X&& x) {
  x = (x.array().abs() < kNegligible).select(0.f, x);
}

// One Adam step (Kingma & Ba, with the bias corrections folded into the step
// size) on a dense block or one embedding row.
template <class P, class M, class G>
void AdamStep(P&& param, M&& m, M&& v, const G& grad, float step) {
  m = kBeta1 * m + (1 - kBeta1) * grad;
  v = kBeta2 * v + (1 - kBeta2) * grad.cwiseAbs2();
  param.array() -= step * m.array() / (v.array().sqrt() + kEpsilon);
  FlushNegligible(param);
  FlushNegligible(m);
  FlushNegligible(v);
}

Status CheckIds(std::span<const uint32_t> ids, uint32_t limit, const char* what, const char* limit_name) {
  for (uint32_t id : ids) {
    if (id >= limit) {
      return Status::InvalidArgument("ncf: " + std::string(what) + " id " + std::to_string(id) +
                                     " is out of range (" + limit_name + " = " + std::to_string(limit) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace ncf_detail

Status NcfRecommender::Configure(const TrainData& data, const Params& params, uint64_t seed) {
  RECLIFT_RETURN_IF_ERROR(ncf_detail::ParseLayers(params.GetString("mlp_layers"), layer_sizes_));
  const int factors = static_cast<int>(params.GetInt("factors"));
  negatives_ = static_cast<int>(params.GetInt("negatives"));
  batch_size_ = static_cast<int>(params.GetInt("batch_size"));
  learning_rate_ = static_cast<float>(params.GetFloat("learning_rate"));
  l2_ = static_cast<float>(params.GetFloat("l2"));
  const float init_std = static_cast<float>(params.GetFloat("init_std"));
  seed_ = seed;
  data_ = &data;
  ready_ = false;
  steps_ = 0;

  net_.Resize(data.num_users, data.num_items, factors, layer_sizes_);
  ncf_detail::InitNormal(net_.user_gmf, init_std, seed, 1);
  ncf_detail::InitNormal(net_.item_gmf, init_std, seed, 2);
  ncf_detail::InitNormal(net_.user_mlp, init_std, seed, 3);
  ncf_detail::InitNormal(net_.item_mlp, init_std, seed, 4);
  for (size_t l = 0; l < net_.weights.size(); ++l) {
    ncf_detail::InitGlorot(net_.weights[l], net_.weights[l].cols(), net_.weights[l].rows(), seed, 10 + l);
  }
  // the NeuMF layer: one output over the two towers' concatenation
  const Eigen::Index joined = net_.out_gmf.size() + net_.out_mlp.size();
  ncf_detail::InitGlorot(net_.out_gmf, joined, 1, seed, 5);
  ncf_detail::InitGlorot(net_.out_mlp, joined, 1, seed, 6);
  first_moment_.Resize(data.num_users, data.num_items, factors, layer_sizes_);
  second_moment_.Resize(data.num_users, data.num_items, factors, layer_sizes_);

  entry_user_.resize(data.nnz());
  for (uint32_t u = 0; u < data.num_users; ++u) {
    for (uint64_t e = data.by_user.indptr[u]; e < data.by_user.indptr[u + 1]; ++e) entry_user_[e] = u;
  }
  return Status::Ok();
}

double NcfRecommender::RunEpoch(int epoch) {
  const TrainData& data = *data_;
  const size_t positives = data.nnz();
  if (positives == 0 || data.num_items == 0) return 0.0;
  std::vector<uint32_t> order(positives);
  std::iota(order.begin(), order.end(), 0u);
  {
    std::mt19937_64 rng(ncf_detail::StreamState(seed_, 100, static_cast<uint64_t>(epoch)));
    std::shuffle(order.begin(), order.end(), rng);
  }
  const size_t per_sample = 1 + static_cast<size_t>(negatives_);
  const size_t positives_per_batch = std::max<size_t>(1, static_cast<size_t>(batch_size_) / per_sample);
  const size_t max_samples = positives_per_batch * per_sample;
  const size_t max_chunks = (max_samples + ncf_detail::kChunkSamples - 1) / ncf_detail::kChunkSamples;
  workspaces_.resize(max_chunks);
  gradients_.resize(max_chunks);
  std::vector<uint32_t> users, items;
  std::vector<float> labels;
  std::vector<float> chunk_objective(max_chunks);
  double total = 0;
  size_t batches = 0;
  for (size_t first = 0; first < positives; first += positives_per_batch) {
    const size_t last = std::min(positives, first + positives_per_batch);
    users.clear();
    items.clear();
    labels.clear();
    for (size_t k = first; k < last; ++k) {
      const uint32_t entry = order[k];
      const uint32_t user = entry_user_[entry];
      users.push_back(user);
      items.push_back(data.by_user.indices[entry]);
      labels.push_back(1.f);
      const auto seen = data.by_user.RowIndices(user);
      if (seen.size() >= data.num_items) continue;
      uint64_t state = ncf_detail::StreamState(seed_, 200 + static_cast<uint64_t>(epoch), entry);
      for (int n = 0; n < negatives_; ++n) {
        // rejection: a user's history is usually a small part of the catalogue
        for (int attempt = 0; attempt < 64; ++attempt) {
          const uint32_t j = static_cast<uint32_t>(ncf_detail::SplitMix64(state) % data.num_items);
          if (std::binary_search(seen.begin(), seen.end(), j)) continue;
          users.push_back(user);
          items.push_back(j);
          labels.push_back(0.f);
          break;
        }
      }
    }
    const size_t samples = users.size();
    const size_t chunks = (samples + ncf_detail::kChunkSamples - 1) / ncf_detail::kChunkSamples;
    tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
      const size_t begin = c * ncf_detail::kChunkSamples;
      const size_t count = std::min(samples, begin + ncf_detail::kChunkSamples) - begin;
      chunk_objective[c] =
          NeuMfObjective<float>(net_, std::span<const uint32_t>(users).subspan(begin, count),
                                std::span<const uint32_t>(items).subspan(begin, count),
                                std::span<const float>(labels).subspan(begin, count), l2_,
                                static_cast<float>(samples), c == 0, workspaces_[c], &gradients_[c]);
    });
    double objective = 0;
    for (size_t c = 0; c < chunks; ++c) objective += chunk_objective[c];
    for (size_t c = 1; c < chunks; ++c) gradients_[0].AddDense(gradients_[c]);
    ApplyAdam(users, items, samples);
    total += objective;
    ++batches;
  }
  ready_ = false;
  return total / static_cast<double>(batches);
}

void NcfRecommender::ApplyAdam(std::span<const uint32_t> users, std::span<const uint32_t> items,
                               size_t samples) {
  using ncf_detail::kBeta1;
  using ncf_detail::kBeta2;
  using ncf_detail::kChunkSamples;
  ++steps_;
  const double t = static_cast<double>(steps_);
  const float step =
      static_cast<float>(learning_rate_ * std::sqrt(1 - std::pow(kBeta2, t)) / (1 - std::pow(kBeta1, t)));
  const NeuMfGradient<float>& dense = gradients_[0];
  for (size_t l = 0; l < net_.weights.size(); ++l) {
    ncf_detail::AdamStep(net_.weights[l], first_moment_.weights[l], second_moment_.weights[l],
                         dense.weights[l], step);
    ncf_detail::AdamStep(net_.biases[l], first_moment_.biases[l], second_moment_.biases[l], dense.biases[l],
                         step);
  }
  ncf_detail::AdamStep(net_.out_gmf, first_moment_.out_gmf, second_moment_.out_gmf, dense.out_gmf, step);
  ncf_detail::AdamStep(net_.out_mlp, first_moment_.out_mlp, second_moment_.out_mlp, dense.out_mlp, step);
  {
    float& m = first_moment_.out_bias;
    float& v = second_moment_.out_bias;
    m = kBeta1 * m + (1 - kBeta1) * dense.out_bias;
    v = kBeta2 * v + (1 - kBeta2) * dense.out_bias * dense.out_bias;
    net_.out_bias -= step * m / (std::sqrt(v) + ncf_detail::kEpsilon);
  }

  // Embeddings: lazy Adam on the rows of this batch. A row met in several
  // samples gets their gradients summed in sample order; distinct rows are
  // independent, so they are updated in parallel.
  using Member = ncf_detail::Matrix NeuMfGradient<float>::*;
  std::vector<uint32_t> by_row(samples);
  std::vector<size_t> group_begin;
  auto sparse_update = [&](std::span<const uint32_t> ids, Member gmf, Member mlp, NeuMfParameters<float>& net,
                           NeuMfParameters<float>& m, NeuMfParameters<float>& v, bool users_side) {
    std::iota(by_row.begin(), by_row.end(), 0u);
    std::stable_sort(by_row.begin(), by_row.end(), [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
    group_begin.clear();
    for (size_t k = 0; k < samples; ++k) {
      if (k == 0 || ids[by_row[k]] != ids[by_row[k - 1]]) group_begin.push_back(k);
    }
    group_begin.push_back(samples);
    auto& param_gmf = users_side ? net.user_gmf : net.item_gmf;
    auto& param_mlp = users_side ? net.user_mlp : net.item_mlp;
    auto& m_gmf = users_side ? m.user_gmf : m.item_gmf;
    auto& m_mlp = users_side ? m.user_mlp : m.item_mlp;
    auto& v_gmf = users_side ? v.user_gmf : v.item_gmf;
    auto& v_mlp = users_side ? v.user_mlp : v.item_mlp;
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, group_begin.size() - 1, 32),
        [&](const tbb::blocked_range<size_t>& range) {
          Eigen::RowVectorXf grad_gmf(param_gmf.cols()), grad_mlp(param_mlp.cols());
          for (size_t g = range.begin(); g != range.end(); ++g) {
            grad_gmf.setZero();
            grad_mlp.setZero();
            for (size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
              const NeuMfGradient<float>& chunk = gradients_[by_row[k] / kChunkSamples];
              const Eigen::Index row = by_row[k] % kChunkSamples;
              grad_gmf += (chunk.*gmf).row(row);
              grad_mlp += (chunk.*mlp).row(row);
            }
            const uint32_t id = ids[by_row[group_begin[g]]];
            ncf_detail::AdamStep(param_gmf.row(id), m_gmf.row(id), v_gmf.row(id), grad_gmf, step);
            ncf_detail::AdamStep(param_mlp.row(id), m_mlp.row(id), v_mlp.row(id), grad_mlp, step);
          }
        });
  };
  sparse_update(users, &NeuMfGradient<float>::user_gmf, &NeuMfGradient<float>::user_mlp, net_, first_moment_,
                second_moment_, true);
  sparse_update(items, &NeuMfGradient<float>::item_gmf, &NeuMfGradient<float>::item_mlp, net_, first_moment_,
                second_moment_, false);
}

void NcfRecommender::PrepareScoring() {
  const Eigen::Index e = net_.embedding();
  const auto& first = net_.weights[0];
  user_first_.noalias() = net_.user_mlp * first.leftCols(e).transpose();
  user_first_.rowwise() += net_.biases[0].transpose();
  item_first_.noalias() = net_.item_mlp * first.rightCols(e).transpose();
  user_gmf_scaled_ = net_.user_gmf.array().rowwise() * net_.out_gmf.transpose().array();
  ready_ = true;
}

Status NcfRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  RECLIFT_RETURN_IF_ERROR(Configure(data, params, ctx.seed));
  const int epochs = static_cast<int>(params.GetInt("epochs"));
  for (int epoch = 0; epoch < epochs; ++epoch) {
    if (ctx.IsCancelled()) return Status::Internal("ncf: cancelled");
    const double objective = RunEpoch(epoch);
    ctx.Log(LogLevel::kDebug,
            "ncf: epoch " + std::to_string(epoch + 1) + " objective " + std::to_string(objective));
    if (!std::isfinite(objective)) {
      return Status::InvalidArgument("ncf: training diverged (objective " + std::to_string(objective) +
                                     " in epoch " + std::to_string(epoch + 1) + "); lower learning_rate");
    }
  }
  PrepareScoring();
  return Status::Ok();
}

void NcfRecommender::AddMlp(uint32_t user, const uint32_t* items, size_t count, float* out) const {
  using ncf_detail::Matrix;
  const size_t layers = net_.weights.size();
  Matrix hidden, next;
  for (size_t begin = 0; begin < count; begin += ncf_detail::kScoreItems) {
    const auto n = static_cast<Eigen::Index>(std::min(count, begin + ncf_detail::kScoreItems) - begin);
    if (items == nullptr) {
      hidden = item_first_.middleRows(static_cast<Eigen::Index>(begin), n);
    } else {
      hidden.resize(n, item_first_.cols());
      for (Eigen::Index j = 0; j < n; ++j) hidden.row(j) = item_first_.row(items[begin + j]);
    }
    hidden.rowwise() += user_first_.row(user);
    hidden = hidden.cwiseMax(0.f);
    for (size_t l = 1; l < layers; ++l) {
      next.noalias() = hidden * net_.weights[l].transpose();
      next.rowwise() += net_.biases[l].transpose();
      hidden = next.cwiseMax(0.f);
    }
    Eigen::Map<Eigen::VectorXf> target(out + begin, n);
    target.noalias() += hidden * net_.out_mlp;
    target.array() += net_.out_bias;
  }
}

Status NcfRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (!ready_) return Status::InvalidArgument("ncf: Score called before Fit");
  RECLIFT_RETURN_IF_ERROR(
      ncf_detail::CheckIds(std::span<const uint32_t>(&user, 1), data_->num_users, "user", "num_users"));
  if (out.size() != items.size()) return Status::InvalidArgument("ncf: Score: out and items differ in size");
  RECLIFT_RETURN_IF_ERROR(ncf_detail::CheckIds(items, data_->num_items, "item", "num_items"));
  for (size_t j = 0; j < items.size(); ++j)
    out[j] = user_gmf_scaled_.row(user).dot(net_.item_gmf.row(items[j]));
  AddMlp(user, items.data(), items.size(), out.data());
  return Status::Ok();
}

Status NcfRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (!ready_) return Status::InvalidArgument("ncf: ScoreBatch called before Fit");
  const uint32_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(
        "ncf: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * num_items) +
        " scores, has " + std::to_string(out.size()));
  }
  RECLIFT_RETURN_IF_ERROR(ncf_detail::CheckIds(users, data_->num_users, "user", "num_users"));
  const auto rows = static_cast<Eigen::Index>(users.size());
  ncf_detail::Matrix block(rows, user_gmf_scaled_.cols());
  for (Eigen::Index b = 0; b < rows; ++b) block.row(b) = user_gmf_scaled_.row(users[b]);
  Eigen::Map<ncf_detail::Matrix> scores(out.data(), rows, num_items);
  scores.noalias() = block * net_.item_gmf.transpose();
  for (Eigen::Index b = 0; b < rows; ++b) AddMlp(users[b], nullptr, num_items, out.data() + b * num_items);
  return Status::Ok();
}

}  // namespace reclift::recommenders
