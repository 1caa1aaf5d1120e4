// BPR-MF: see bpr.h for the model and README.md for parameters.
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>

#include "bpr.h"

namespace reclift::recommenders {
namespace bpr_detail {

// Triples per parallel chunk in the non-deterministic mode: large enough to
// amortise scheduling, small enough to balance two to dozens of threads.
constexpr size_t kChunk = size_t{1} << 15;
// Triples drawn (and their memory prefetched) before their steps run.
constexpr size_t kBatch = 32;
// Draws of a negative item before giving a triple up (a user who saw nearly
// every item).
constexpr int kNegativeTries = 64;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A stream for (seed, a, b): independent of the order streams are created in.
uint64_t StreamState(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t state = seed;
  state ^= SplitMix64(state) + a;
  state ^= SplitMix64(state) + (b << 1);
  return state;
}

// Uniform in [0, n) by multiply-shift (bias below 2^-32 for n < 2^32).
uint32_t Below(uint64_t& state, uint64_t n) {
  return static_cast<uint32_t>((static_cast<unsigned __int128>(SplitMix64(state)) * n) >> 64);
}

double Normal(uint64_t& state) {
  const double u1 = (static_cast<double>(SplitMix64(state) >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

void InitNormal(std::vector<float>& m, size_t rows, int f, float std, uint64_t seed, uint64_t salt) {
  m.assign(rows * static_cast<size_t>(f), 0.f);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, rows, 1024), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t r = range.begin(); r != range.end(); ++r) {
      uint64_t state = StreamState(seed, salt, r);
      for (int k = 0; k < f; ++k) m[r * f + k] = static_cast<float>(std * Normal(state));
    }
  });
}

// Draws a training triple (u, i, j) with j not in u's history. Returns false
// when no negative item was found.
bool DrawTriple(const TrainData& data, const std::vector<uint32_t>& user_of, uint64_t& state, uint32_t& user,
                uint32_t& positive, uint32_t& negative) {
  const uint64_t e = Below(state, data.nnz());
  // user_of is freed after Fit: then the CSR row holding interaction e
  user = !user_of.empty() ? user_of[e]
                          : static_cast<uint32_t>(
                                std::upper_bound(data.by_user.indptr.begin(), data.by_user.indptr.end(), e) -
                                data.by_user.indptr.begin() - 1);
  positive = data.by_user.indices[e];
  const auto seen = data.by_user.RowIndices(user);
  if (seen.size() >= data.num_items) return false;
  for (int attempt = 0; attempt < kNegativeTries; ++attempt) {
    negative = Below(state, data.num_items);
    if (!std::binary_search(seen.begin(), seen.end(), negative)) return true;
  }
  return false;
}

}  // namespace bpr_detail

Status BprRecommender::Configure(const TrainData& data, const Params& params, uint64_t seed) {
  factors_ = static_cast<int>(params.GetInt("factors"));
  learning_rate_ = static_cast<float>(params.GetFloat("learning_rate"));
  regularization_ = static_cast<float>(params.GetFloat("regularization"));
  epochs_ = static_cast<int>(params.GetInt("epochs"));
  deterministic_ = params.GetBool("threads_deterministic");
  const float init_std = static_cast<float>(params.GetFloat("init_std"));
  if (data.num_items < 2) {
    return Status::InvalidArgument("bpr: needs at least 2 items to contrast, the data has " +
                                   std::to_string(data.num_items));
  }
  data_ = &data;
  seed_ = seed;
  user_of_interaction_.resize(data.nnz());
  for (uint32_t u = 0; u < data.num_users; ++u) {
    std::fill(user_of_interaction_.begin() + static_cast<ptrdiff_t>(data.by_user.indptr[u]),
              user_of_interaction_.begin() + static_cast<ptrdiff_t>(data.by_user.indptr[u + 1]), u);
  }
  bpr_detail::InitNormal(user_factors_, data.num_users, factors_, init_std, seed, 1);
  bpr_detail::InitNormal(item_factors_, data.num_items, factors_, init_std, seed, 2);
  item_bias_.assign(data.num_items, 0.f);
  // A user with no training interaction is never updated: zero factors make
  // the item bias (a learnt popularity) the user's ranking instead of noise.
  for (uint32_t u = 0; u < data.num_users; ++u) {
    if (data.by_user.RowSize(u) == 0)
      std::fill_n(user_factors_.begin() + static_cast<ptrdiff_t>(u) * factors_, factors_, 0.f);
  }
  return Status::Ok();
}

void BprRecommender::Step(uint32_t user, uint32_t positive, uint32_t negative) {
  const int f = factors_;
  float* __restrict__ x = user_factors_.data() + static_cast<size_t>(user) * f;
  float* __restrict__ yi = item_factors_.data() + static_cast<size_t>(positive) * f;
  float* __restrict__ yj = item_factors_.data() + static_cast<size_t>(negative) * f;
  float difference = item_bias_[positive] - item_bias_[negative];
  for (int k = 0; k < f; ++k) difference += x[k] * (yi[k] - yj[k]);
  // d/ds ln sigmoid(s) = sigmoid(-s)
  const float gradient = 1.f / (1.f + std::exp(difference));
  const float lr = learning_rate_, reg = regularization_;
  for (int k = 0; k < f; ++k) {
    const float xk = x[k], yik = yi[k], yjk = yj[k];
    x[k] = xk + lr * (gradient * (yik - yjk) - reg * xk);
    yi[k] = yik + lr * (gradient * xk - reg * yik);
    yj[k] = yjk + lr * (-gradient * xk - reg * yjk);
  }
  item_bias_[positive] += lr * (gradient - reg * item_bias_[positive]);
  item_bias_[negative] += lr * (-gradient - reg * item_bias_[negative]);
}

void BprRecommender::RunEpoch(int epoch) {
  const size_t samples = data_->nnz();
  if (samples == 0) return;
  // Each step touches ~8 scattered cache lines (the interaction, its user,
  // the user's row, three factor rows), mostly one after the other. Drawing
  // a batch of triples first and prefetching what each will read lets those
  // misses overlap; the steps still run in draw order, so the result is the
  // same as one-by-one drawing from the same stream.
  auto run = [&](size_t begin, size_t end, uint64_t state) {
    const TrainData& d = *data_;
    const size_t row_bytes = sizeof(float) * static_cast<size_t>(factors_);
    auto prefetch_row = [&](const float* row) {
      const char* bytes = reinterpret_cast<const char*>(row);
      for (size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(bytes + b);
    };
    uint64_t interaction[bpr_detail::kBatch];
    uint32_t user[bpr_detail::kBatch], positive[bpr_detail::kBatch], negative[bpr_detail::kBatch];
    for (size_t s = begin; s < end; s += bpr_detail::kBatch) {
      const size_t batch = std::min(bpr_detail::kBatch, end - s);
      for (size_t k = 0; k < batch; ++k) {
        interaction[k] = bpr_detail::Below(state, d.nnz());
        __builtin_prefetch(&user_of_interaction_[interaction[k]]);
        __builtin_prefetch(&d.by_user.indices[interaction[k]]);
      }
      for (size_t k = 0; k < batch; ++k) {
        user[k] = user_of_interaction_[interaction[k]];
        positive[k] = d.by_user.indices[interaction[k]];
        negative[k] = bpr_detail::Below(state, d.num_items);
        __builtin_prefetch(&d.by_user.indptr[user[k]]);
        prefetch_row(user_factors_.data() + static_cast<size_t>(user[k]) * factors_);
        prefetch_row(item_factors_.data() + static_cast<size_t>(positive[k]) * factors_);
        prefetch_row(item_factors_.data() + static_cast<size_t>(negative[k]) * factors_);
      }
      for (size_t k = 0; k < batch; ++k) {
        const auto seen = d.by_user.RowIndices(user[k]);
        __builtin_prefetch(seen.data() + seen.size() / 2);
      }
      for (size_t k = 0; k < batch; ++k) {
        const auto seen = d.by_user.RowIndices(user[k]);
        if (seen.size() >= d.num_items) continue;
        uint32_t j = negative[k];
        int attempt = 1;
        while (std::binary_search(seen.begin(), seen.end(), j) && attempt < bpr_detail::kNegativeTries) {
          j = bpr_detail::Below(state, d.num_items);
          ++attempt;
        }
        if (!std::binary_search(seen.begin(), seen.end(), j)) Step(user[k], positive[k], j);
      }
    }
  };
  if (deterministic_) {
    run(0, samples, bpr_detail::StreamState(seed_, 3, static_cast<uint64_t>(epoch)));
    return;
  }
  const size_t chunks = (samples + bpr_detail::kChunk - 1) / bpr_detail::kChunk;
  // Hogwild: chunks update shared rows without locks (documented in bpr.h).
  tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
    const size_t begin = c * bpr_detail::kChunk;
    run(begin, std::min(samples, begin + bpr_detail::kChunk),
        bpr_detail::StreamState(seed_, 4 + static_cast<uint64_t>(epoch), c));
  });
}

double BprRecommender::SampledAuc(size_t samples, uint64_t seed) const {
  if (data_ == nullptr || data_->nnz() == 0) return 0.5;
  uint64_t state = bpr_detail::StreamState(seed, 5, 0);
  size_t correct = 0, drawn = 0;
  const int f = factors_;
  for (size_t s = 0; s < samples; ++s) {
    uint32_t u, i, j;
    if (!bpr_detail::DrawTriple(*data_, user_of_interaction_, state, u, i, j)) continue;
    float si = item_bias_[i], sj = item_bias_[j];
    for (int k = 0; k < f; ++k) {
      si += user_factors_[static_cast<size_t>(u) * f + k] * item_factors_[static_cast<size_t>(i) * f + k];
      sj += user_factors_[static_cast<size_t>(u) * f + k] * item_factors_[static_cast<size_t>(j) * f + k];
    }
    correct += si > sj;
    ++drawn;
  }
  return drawn == 0 ? 0.5 : static_cast<double>(correct) / static_cast<double>(drawn);
}

Status BprRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  RECLIFT_RETURN_IF_ERROR(Configure(data, params, ctx.seed));
  for (int epoch = 0; epoch < epochs_; ++epoch) {
    if (ctx.IsCancelled()) return Status::Internal("bpr: fit cancelled");
    RunEpoch(epoch);
    // A too large step makes the factors grow without bound: stop at the
    // first non-finite value and name the parameter (a bad setting, not a bug).
    const bool finite =
        std::all_of(item_factors_.begin(), item_factors_.end(), [](float v) { return std::isfinite(v); }) &&
        std::all_of(user_factors_.begin(), user_factors_.end(), [](float v) { return std::isfinite(v); });
    if (!finite) {
      return Status::InvalidArgument("bpr: the factors diverged to a non-finite value in epoch " +
                                     std::to_string(epoch + 1) + "; lower learning_rate (now " +
                                     reclift::detail::FormatNumber(learning_rate_) + ")");
    }
  }
  // only training samples interactions by their user: 4 bytes per interaction to give back
  std::vector<uint32_t>().swap(user_of_interaction_);
  scorer_.Reset(item_factors_.data(), data.num_items, static_cast<size_t>(factors_),
                static_cast<size_t>(factors_), item_bias_);
  return Status::Ok();
}

Status BprRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("bpr: Score called before Fit");
  if (user >= data_->num_users) {
    return Status::InvalidArgument("bpr: user id " + std::to_string(user) +
                                   " is out of range (the model has " + std::to_string(data_->num_users) +
                                   " users)");
  }
  if (out.size() != items.size()) return Status::InvalidArgument("bpr: Score: out and items differ in size");
  const int f = factors_;
  Eigen::Map<const Eigen::VectorXf> x(user_factors_.data() + static_cast<size_t>(user) * f, f);
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= data_->num_items) {
      return Status::InvalidArgument("bpr: candidate item id " + std::to_string(items[j]) +
                                     " is out of range (the model has " + std::to_string(data_->num_items) +
                                     " items)");
    }
    out[j] = item_bias_[items[j]] + x.dot(Eigen::Map<const Eigen::VectorXf>(
                                        item_factors_.data() + static_cast<size_t>(items[j]) * f, f));
  }
  return Status::Ok();
}

Status BprRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("bpr: ScoreBatch called before Fit");
  const size_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(
        "bpr: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * num_items) +
        " scores, has " + std::to_string(out.size()));
  }
  if (scorer_.num_items() != num_items) return Status::InvalidArgument("bpr: ScoreBatch called before Fit");
  const size_t f = static_cast<size_t>(factors_);
  std::vector<float> rows(users.size() * f);
  for (size_t b = 0; b < users.size(); ++b) {
    if (users[b] >= data_->num_users) {
      return Status::InvalidArgument("bpr: user id " + std::to_string(users[b]) + " is out of range");
    }
    std::copy_n(user_factors_.data() + static_cast<size_t>(users[b]) * f, f, rows.data() + b * f);
  }
  scorer_.ScoreRows(rows.data(), users.size(), f, {}, out);
  return Status::Ok();
}

}  // namespace reclift::recommenders
