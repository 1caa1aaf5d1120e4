// SVD and SVD++ by SGD: see mf_sgd.h for the model and README.md for
// parameters and measured speed.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#endif
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Core>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "mf_sgd.h"

namespace reclift::recommenders {
namespace mf_sgd_detail {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr size_t kMaxStride = 1024;  // factors are at most 1024 (the declared range)
// Ratings ahead whose item row is prefetched: several memory latencies at
// ~30 ns per rating (12 to 24 measured the same on the ml-20m shape; 6 was
// 10% slower), a few KiB of rows in flight.
constexpr size_t kPrefetchRatings = 16;
constexpr size_t kPrefetchRuns = 4;  // runs ahead whose user row is prefetched
constexpr size_t kPrefetchLines = 16;
// A squared error beyond this per rating means the SGD diverged.
constexpr double kDivergedSquaredError = 1e12;
// A parameter beyond this would overflow a dot product of 1024 factors.
constexpr float kDivergedParameter = 1e15f;
// Standard deviation of the selection model's normal initial factors.
constexpr double kSelectionInitStd = 0.1;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The stream for (seed, purpose, index): independent of which thread draws
// it or in what order streams are created.
uint64_t Stream(uint64_t seed, uint64_t purpose, uint64_t index) {
  uint64_t state = seed ^ (0xD1B54A32D192ED03ull * (purpose + 1));
  SplitMix64(state);
  state ^= 0x8CB92BA72F3D8DD7ull * (index + 1);
  SplitMix64(state);
  return state;
}

// Uniform in [0, n) by multiply-shift (bias below 2^-32 for n < 2^32).
uint64_t Below(uint64_t& state, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(SplitMix64(state)) * n) >> 64);
}

double StandardNormal(uint64_t& state) {
  const double u1 = (static_cast<double>(SplitMix64(state) >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

template <class T>
void Shuffle(T* first, size_t n, uint64_t& state) {
  for (size_t k = n; k > 1; --k) std::swap(first[k - 1], first[Below(state, k)]);
}

// Rows of N(mean, std) in the first `factors` columns, zero padding after.
void InitRows(AlignedFloats& m, size_t rows, int factors, size_t stride, double mean, double std,
              uint64_t seed, uint64_t purpose) {
  m.assign(rows * stride, 0.f);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, rows, 1024), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t r = range.begin(); r != range.end(); ++r) {
      uint64_t state = Stream(seed, purpose, r);
      for (int k = 0; k < factors; ++k)
        m[r * stride + k] = static_cast<float>(mean + std * StandardNormal(state));
    }
  });
}

// Eight floats, loaded from and stored to any float address. GCC compiles
// the arithmetic to AVX2 + FMA inside the target("avx2,fma") functions below
// and to pairs of SSE instructions elsewhere.
typedef float Vec8 __attribute__((vector_size(32), aligned(4), may_alias));
#define MF_VEC(p) (*reinterpret_cast<mf_sgd_detail::Vec8*>(p))
#define MF_CVEC(p) (*reinterpret_cast<const mf_sgd_detail::Vec8*>(p))

// What the per-rating loops read and write.
struct Model {
  float* users;     // p_u
  float* items;     // q_i
  float* implicit;  // y_j (SVD++)
  float* user_bias;
  float* item_bias;
  size_t stride;
  float mu;
  float learning_rate;
  float regularization;
  const TrainData* data;
};

[[gnu::always_inline]] inline void PrefetchRow(const float* row, size_t stride) {
  const size_t lines = std::min(kPrefetchLines, (stride * sizeof(float) + 63) / 64);
  for (size_t line = 0; line < lines; ++line)
    __builtin_prefetch(reinterpret_cast<const char*>(row) + 64 * line, 1);
}

[[gnu::always_inline]] inline float Dot(const float* a, const float* b, size_t stride) {
  Vec8 even = {}, odd = {};
  size_t k = 0;
  for (; k + 16 <= stride; k += 16) {
    even += MF_CVEC(a + k) * MF_CVEC(b + k);
    odd += MF_CVEC(a + k + 8) * MF_CVEC(b + k + 8);
  }
  if (k < stride) even += MF_CVEC(a + k) * MF_CVEC(b + k);
  even += odd;
  return ((even[0] + even[4]) + (even[1] + even[5])) + ((even[2] + even[6]) + (even[3] + even[7]));
}

// SVD on the runs [runs, runs + num_runs), whose ratings are consecutive from
// `ratings`. Returns the sum of squared errors.
template <bool kBiased>
[[gnu::always_inline]] inline double SvdRuns(const Model& m, const Run* runs, size_t num_runs,
                                             const Rating* ratings, size_t num_ratings) {
  const size_t stride = m.stride;
  const float lr = m.learning_rate, reg = m.regularization, decay = 1.f - lr * reg;
  double squared_errors = 0;
  size_t t = 0;
  for (size_t r = 0; r < num_runs; ++r) {
    if (r + kPrefetchRuns < num_runs) PrefetchRow(m.users + runs[r + kPrefetchRuns].user * stride, stride);
    const uint32_t user = runs[r].user;
    float* __restrict__ p = m.users + user * stride;
    float user_bias = kBiased ? m.user_bias[user] : 0.f;
    const size_t end = t + runs[r].count;
    // the dot product of the user's row with the next item's row is taken in
    // the same pass as the previous update, so each rating reads p once
    float dot = t < end ? Dot(p, m.items + ratings[t].item * stride, stride) : 0.f;
    for (; t < end; ++t) {
      if (t + kPrefetchRatings < num_ratings) {
        PrefetchRow(m.items + ratings[t + kPrefetchRatings].item * stride, stride);
      }
      const uint32_t item = ratings[t].item;
      float* __restrict__ q = m.items + item * stride;
      float estimate = dot;
      if (kBiased) estimate += m.mu + user_bias + m.item_bias[item];
      const float error = ratings[t].value - estimate;
      squared_errors += static_cast<double>(error) * error;
      if (kBiased) {
        user_bias += lr * (error - reg * user_bias);
        m.item_bias[item] += lr * (error - reg * m.item_bias[item]);
      }
      // p += lr (e q - reg p) and q += lr (e p - reg q), old values on the right
      const float step = lr * error;
      if (t + 1 == end) {
        for (size_t k = 0; k < stride; k += 8) {
          const Vec8 pk = MF_CVEC(p + k), qk = MF_CVEC(q + k);
          MF_VEC(p + k) = pk * decay + step * qk;
          MF_VEC(q + k) = qk * decay + step * pk;
        }
        break;
      }
      const float* next = m.items + ratings[t + 1].item * stride;  // another item: a user rates an item once
      Vec8 even = {}, odd = {};
      size_t k = 0;
      for (; k + 16 <= stride; k += 16) {
        const Vec8 p0 = MF_CVEC(p + k), q0 = MF_CVEC(q + k), p1 = MF_CVEC(p + k + 8), q1 = MF_CVEC(q + k + 8);
        const Vec8 new_p0 = p0 * decay + step * q0, new_p1 = p1 * decay + step * q1;
        MF_VEC(p + k) = new_p0;
        MF_VEC(p + k + 8) = new_p1;
        MF_VEC(q + k) = q0 * decay + step * p0;
        MF_VEC(q + k + 8) = q1 * decay + step * p1;
        even += new_p0 * MF_CVEC(next + k);
        odd += new_p1 * MF_CVEC(next + k + 8);
      }
      if (k < stride) {
        const Vec8 p0 = MF_CVEC(p + k), q0 = MF_CVEC(q + k);
        const Vec8 new_p0 = p0 * decay + step * q0;
        MF_VEC(p + k) = new_p0;
        MF_VEC(q + k) = q0 * decay + step * p0;
        even += new_p0 * MF_CVEC(next + k);
      }
      even += odd;
      dot = ((even[0] + even[4]) + (even[1] + even[5])) + ((even[2] + even[6]) + (even[3] + even[7]));
    }
    t = end;
    if (kBiased) m.user_bias[user] = user_bias;
  }
  return squared_errors;
}

// SVD++ on whole-user runs (see mf_sgd.h for the lazy y_j update).
[[gnu::always_inline]] inline double SvdppRuns(const Model& m, const Run* runs, size_t num_runs,
                                               const Rating* ratings, size_t num_ratings) {
  const size_t stride = m.stride;
  const float lr = m.learning_rate, reg = m.regularization, decay = 1.f - lr * reg;
  alignas(64) float implicit[kMaxStride];  // |N(u)|^-1/2 sum_j y_j, kept current
  alignas(64) float pending[kMaxStride];   // sum of the c_t not yet applied to the y_j
  double squared_errors = 0;
  size_t t = 0;
  for (size_t r = 0; r < num_runs; ++r) {
    const uint32_t user = runs[r].user;
    const auto rated = m.data->by_user.RowIndices(user);
    const float inv_sqrt_n = rated.empty() ? 0.f : 1.f / std::sqrt(static_cast<float>(rated.size()));
    for (size_t k = 0; k < stride; k += 8) MF_VEC(implicit + k) = Vec8{};
    for (uint32_t j : rated) {
      const float* y = m.implicit + j * stride;
      for (size_t k = 0; k < stride; k += 8) MF_VEC(implicit + k) += MF_CVEC(y + k);
    }
    for (size_t k = 0; k < stride; k += 8) {
      MF_VEC(implicit + k) *= inv_sqrt_n;
      MF_VEC(pending + k) = Vec8{};
    }
    float scale = 1.f;
    float* __restrict__ p = m.users + user * stride;
    float user_bias = m.user_bias[user];
    for (const size_t end = t + runs[r].count; t < end; ++t) {
      if (t + kPrefetchRatings < num_ratings) {
        PrefetchRow(m.items + ratings[t + kPrefetchRatings].item * stride, stride);
      }
      const uint32_t item = ratings[t].item;
      float* __restrict__ q = m.items + item * stride;
      Vec8 sum = {};
      for (size_t k = 0; k < stride; k += 8) sum += MF_CVEC(q + k) * (MF_CVEC(p + k) + MF_CVEC(implicit + k));
      const float dot = ((sum[0] + sum[4]) + (sum[1] + sum[5])) + ((sum[2] + sum[6]) + (sum[3] + sum[7]));
      const float error = ratings[t].value - (m.mu + user_bias + m.item_bias[item] + dot);
      squared_errors += static_cast<double>(error) * error;
      user_bias += lr * (error - reg * user_bias);
      m.item_bias[item] += lr * (error - reg * m.item_bias[item]);
      const float step = lr * error, implicit_step = step * inv_sqrt_n;
      for (size_t k = 0; k < stride; k += 8) {
        const Vec8 pk = MF_CVEC(p + k), qk = MF_CVEC(q + k), ik = MF_CVEC(implicit + k);
        MF_VEC(p + k) = pk * decay + step * qk;
        MF_VEC(q + k) = qk * decay + step * (pk + ik);
        // every y_j <- decay y_j + implicit_step q: their sum / sqrt(n) moves by
        // decay and n implicit_step q / sqrt(n) = step q
        MF_VEC(pending + k) = MF_CVEC(pending + k) * decay + implicit_step * qk;
        MF_VEC(implicit + k) = ik * decay + step * qk;
      }
      scale *= decay;
    }
    m.user_bias[user] = user_bias;
    for (uint32_t j : rated) {
      float* y = m.implicit + j * stride;
      for (size_t k = 0; k < stride; k += 8) MF_VEC(y + k) = MF_CVEC(y + k) * scale + MF_CVEC(pending + k);
    }
  }
  return squared_errors;
}

[[gnu::target("avx2,fma")]] double SvdRunsAvx2(const Model& m, bool biased, const Run* runs, size_t num_runs,
                                               const Rating* ratings, size_t num_ratings) {
  return biased ? SvdRuns<true>(m, runs, num_runs, ratings, num_ratings)
                : SvdRuns<false>(m, runs, num_runs, ratings, num_ratings);
}
double SvdRunsGeneric(const Model& m, bool biased, const Run* runs, size_t num_runs, const Rating* ratings,
                      size_t num_ratings) {
  return biased ? SvdRuns<true>(m, runs, num_runs, ratings, num_ratings)
                : SvdRuns<false>(m, runs, num_runs, ratings, num_ratings);
}
[[gnu::target("avx2,fma")]] double SvdppRunsAvx2(const Model& m, const Run* runs, size_t num_runs,
                                                 const Rating* ratings, size_t num_ratings) {
  return SvdppRuns(m, runs, num_runs, ratings, num_ratings);
}
double SvdppRunsGeneric(const Model& m, const Run* runs, size_t num_runs, const Rating* ratings,
                        size_t num_ratings) {
  return SvdppRuns(m, runs, num_runs, ratings, num_ratings);
}

// The selection model's SGD (see mf_sgd.h): logistic loss on a picked pair
// (label 1) and on `negatives` unpicked items drawn per picked pair (label 0).
struct SelectionModel {
  float* users;  // x_u
  float* items;  // y_i
  float* bias;   // c_i
  size_t stride;
  float learning_rate;
  float regularization;
  uint32_t negatives;
  const TrainData* data;
};

[[gnu::always_inline]] inline float Sigmoid(float z) {
  return 1.f / (1.f + std::exp(-z));
}

// One step on the pair (x, y) towards `label`; returns the squared error of
// the probability before the step.
[[gnu::always_inline]] inline float LogisticStep(float* __restrict__ x, float* __restrict__ y, float& bias,
                                                 float label, float learning_rate, float regularization,
                                                 size_t stride) {
  const float error = label - Sigmoid(Dot(x, y, stride) + bias);
  bias += learning_rate * (error - regularization * bias);
  const float step = learning_rate * error, decay = 1.f - learning_rate * regularization;
  for (size_t k = 0; k < stride; k += 8) {
    const Vec8 xk = MF_CVEC(x + k), yk = MF_CVEC(y + k);
    MF_VEC(x + k) = xk * decay + step * yk;
    MF_VEC(y + k) = yk * decay + step * xk;
  }
  return error * error;
}

// One epoch over the users in `order`: each user's picked items in a seeded
// random order, each followed by its negatives. Returns the sum of squared
// errors and the number of steps.
[[gnu::always_inline]] inline std::pair<double, size_t> SelectionRuns(const SelectionModel& m,
                                                                      const uint32_t* order, size_t num_users,
                                                                      uint64_t seed, int epoch) {
  const size_t stride = m.stride;
  const uint32_t num_items = m.data->num_items;
  double squared_errors = 0;
  size_t steps = 0;
  std::vector<uint32_t> picked;
  std::vector<uint64_t> is_picked((num_items + 63) / 64, 0);  // the user's row as a bit set
  for (size_t position = 0; position < num_users; ++position) {
    const uint32_t user = order[position];
    const auto row = m.data->by_user.RowIndices(user);
    if (row.empty() || row.size() >= num_items) continue;
    uint64_t state = Stream(seed, 10, static_cast<uint64_t>(epoch) * m.data->num_users + user);
    picked.assign(row.begin(), row.end());
    Shuffle(picked.data(), picked.size(), state);
    for (uint32_t item : row) is_picked[item / 64] |= uint64_t{1} << (item % 64);
    float* __restrict__ x = m.users + user * stride;
    for (uint32_t item : picked) {
      squared_errors += LogisticStep(x, m.items + item * stride, m.bias[item], 1.f, m.learning_rate,
                                     m.regularization, stride);
      ++steps;
      for (uint32_t n = 0; n < m.negatives; ++n) {
        // rejection against the user's row; a user who picked nearly every
        // item may get fewer negatives
        for (int attempt = 0; attempt < 64; ++attempt) {
          const uint32_t other = static_cast<uint32_t>(Below(state, num_items));
          if (is_picked[other / 64] >> (other % 64) & 1) continue;
          squared_errors += LogisticStep(x, m.items + other * stride, m.bias[other], 0.f, m.learning_rate,
                                         m.regularization, stride);
          ++steps;
          break;
        }
      }
    }
    for (uint32_t item : row) is_picked[item / 64] = 0;
  }
  return {squared_errors, steps};
}

[[gnu::target("avx2,fma")]] std::pair<double, size_t> SelectionRunsAvx2(const SelectionModel& m,
                                                                        const uint32_t* order,
                                                                        size_t num_users, uint64_t seed,
                                                                        int epoch) {
  return SelectionRuns(m, order, num_users, seed, epoch);
}
std::pair<double, size_t> SelectionRunsGeneric(const SelectionModel& m, const uint32_t* order,
                                               size_t num_users, uint64_t seed, int epoch) {
  return SelectionRuns(m, order, num_users, seed, epoch);
}

#undef MF_VEC
#undef MF_CVEC

// Item groups for DSGD: items by descending popularity dealt out
// boustrophedon (0..K-1, K-1..0, ...), so the groups carry similar loads.
std::vector<uint32_t> ItemGroups(const TrainData& data, int strata) {
  std::vector<uint32_t> by_count(data.num_items);
  std::iota(by_count.begin(), by_count.end(), 0u);
  std::stable_sort(by_count.begin(), by_count.end(),
                   [&](uint32_t a, uint32_t b) { return data.by_item.RowSize(a) > data.by_item.RowSize(b); });
  std::vector<uint32_t> group(data.num_items);
  const size_t k = static_cast<size_t>(strata);
  for (size_t position = 0; position < by_count.size(); ++position) {
    const size_t lap = position / k, seat = position % k;
    group[by_count[position]] = static_cast<uint32_t>(lap % 2 == 0 ? seat : k - 1 - seat);
  }
  return group;
}

}  // namespace mf_sgd_detail

using mf_sgd_detail::Rating;
using mf_sgd_detail::Run;

Status MfSgdRecommender::Configure(const TrainData& data, const Params& params, uint64_t seed) {
  if (!data.explicit_feedback) {
    return Status::InvalidArgument(
        std::string(name()) +
        " predicts ratings, but the training data is implicit (no rating column); use "
        "it on explicit ratings, or pick a ranking model such as als or bpr");
  }
  factors_ = static_cast<int>(params.GetInt("factors"));
  epochs_ = static_cast<int>(params.GetInt("epochs"));
  learning_rate_ = static_cast<float>(params.GetFloat("learning_rate"));
  regularization_ = static_cast<float>(params.GetFloat("regularization"));
  biased_ = params.Has("biased") ? params.GetBool("biased") : true;
  shuffled_ = params.Has("order") && params.GetString("order") == "shuffled";
  strata_ = params.Has("strata") ? static_cast<int>(params.GetInt("strata")) : 1;
  const std::string ranking = params.Has("ranking") ? params.GetString("ranking") : "expected";
  ranking_ = ranking == "rating"      ? MfSgdRanking::kRating
             : ranking == "selection" ? MfSgdRanking::kSelection
                                      : MfSgdRanking::kExpected;
  const auto int_or = [&](const char* key, int64_t fallback) {
    return static_cast<int>(params.Has(key) ? params.GetInt(key) : fallback);
  };
  const auto float_or = [&](const char* key, double fallback) {
    return static_cast<float>(params.Has(key) ? params.GetFloat(key) : fallback);
  };
  selection_factors_ = int_or("selection_factors", 32);
  selection_epochs_ = int_or("selection_epochs", 20);
  selection_negatives_ = int_or("selection_negatives", 4);
  selection_learning_rate_ = float_or("selection_learning_rate", 0.05);
  selection_regularization_ = float_or("selection_regularization", 0.01);
  if (selection_factors_ < 1 || static_cast<size_t>(selection_factors_) > mf_sgd_detail::kMaxStride) {
    return Status::InvalidArgument(std::string(name()) + ": selection_factors must be in [1, 1024], found " +
                                   std::to_string(selection_factors_));
  }
  if (factors_ < 1 || static_cast<size_t>(factors_) > mf_sgd_detail::kMaxStride) {
    return Status::InvalidArgument(std::string(name()) + ": factors must be in [1, 1024], found " +
                                   std::to_string(factors_));
  }
  // SVD++ moves every y_j of the user at each rating: only whole-user runs
  // in one thread keep that exact and cheap (see mf_sgd.h).
  if (variant_ == MfSgdVariant::kSvdpp && (shuffled_ || strata_ != 1)) {
    return Status::InvalidArgument("svdpp: runs in user order with strata = 1 only");
  }
  data_ = &data;
  stride_ = (static_cast<size_t>(factors_) + 7) / 8 * 8;
  avx2_ = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  mean_rating_ = data.nnz() == 0 ? 0.f : static_cast<float>(data.global_mean);
  global_mean_ = biased_ ? mean_rating_ : 0.f;
  min_rating_ = static_cast<float>(data.min_value);
  max_rating_ = static_cast<float>(data.max_value);
  const double init_mean = params.GetFloat("init_mean"), init_std = params.GetFloat("init_std");
  mf_sgd_detail::InitRows(user_factors_, data.num_users, factors_, stride_, init_mean, init_std, seed, 1);
  mf_sgd_detail::InitRows(item_factors_, data.num_items, factors_, stride_, init_mean, init_std, seed, 2);
  if (variant_ == MfSgdVariant::kSvdpp) {
    mf_sgd_detail::InitRows(implicit_factors_, data.num_items, factors_, stride_, init_mean, init_std, seed,
                            3);
  } else {
    implicit_factors_.clear();
  }
  scoring_users_.clear();
  user_bias_.assign(data.num_users, 0.f);
  item_bias_.assign(data.num_items, 0.f);
  BuildOrder(seed);
  return Status::Ok();
}

void MfSgdRecommender::BuildOrder(uint64_t seed) {
  const TrainData& d = *data_;
  const size_t k = static_cast<size_t>(strata_), blocks = k * k;
  std::vector<uint32_t> users(d.num_users);
  std::iota(users.begin(), users.end(), 0u);
  uint64_t state = mf_sgd_detail::Stream(seed, 4, 0);
  mf_sgd_detail::Shuffle(users.data(), users.size(), state);
  std::vector<uint32_t> user_group(d.num_users);
  for (size_t position = 0; position < users.size(); ++position) user_group[users[position]] = position % k;
  const std::vector<uint32_t> item_group = mf_sgd_detail::ItemGroups(d, strata_);

  std::vector<size_t> block_size(blocks, 0);
  for (uint32_t u = 0; u < d.num_users; ++u) {
    for (uint32_t item : d.by_user.RowIndices(u)) ++block_size[user_group[u] * k + item_group[item]];
  }
  block_ratings_.assign(blocks + 1, 0);
  for (size_t b = 0; b < blocks; ++b) block_ratings_[b + 1] = block_ratings_[b] + block_size[b];
  ratings_.resize(d.nnz());

  // Each user group fills its own blocks (g, *): users of the group in the
  // shuffled order, each user's ratings in its own shuffled order, split by
  // item group.
  std::vector<std::vector<Run>> block_runs(blocks);
  tbb::parallel_for(size_t{0}, k, [&](size_t g) {
    std::vector<size_t> cursor(block_ratings_.begin() + g * k, block_ratings_.begin() + (g + 1) * k);
    std::vector<uint32_t> order, in_group(k);
    for (size_t position = g; position < users.size(); position += k) {
      const uint32_t u = users[position];
      const auto items = d.by_user.RowIndices(u);
      const auto values = d.by_user.RowValues(u);
      if (items.empty()) continue;
      order.resize(items.size());
      std::iota(order.begin(), order.end(), 0u);
      uint64_t user_state = mf_sgd_detail::Stream(seed, 5, u);
      mf_sgd_detail::Shuffle(order.data(), order.size(), user_state);
      std::fill(in_group.begin(), in_group.end(), 0u);
      for (uint32_t e : order) {
        const uint32_t h = item_group[items[e]];
        ratings_[cursor[h]++] = Rating{items[e], values[e]};
        ++in_group[h];
      }
      for (size_t h = 0; h < k; ++h) {
        if (in_group[h] > 0) block_runs[g * k + h].push_back(Run{u, in_group[h]});
      }
    }
  });
  if (shuffled_) {
    // One run per rating, the block's ratings in a seeded random order.
    tbb::parallel_for(size_t{0}, blocks, [&](size_t b) {
      std::vector<Run> singles;
      singles.reserve(block_size[b]);
      for (const Run& run : block_runs[b]) {
        for (uint32_t c = 0; c < run.count; ++c) singles.push_back(Run{run.user, 1});
      }
      Rating* first = ratings_.data() + block_ratings_[b];
      std::vector<uint32_t> order(block_size[b]);
      std::iota(order.begin(), order.end(), 0u);
      uint64_t block_state = mf_sgd_detail::Stream(seed, 6, b);
      mf_sgd_detail::Shuffle(order.data(), order.size(), block_state);
      std::vector<Rating> shuffled(block_size[b]);
      block_runs[b].resize(block_size[b]);
      for (size_t e = 0; e < order.size(); ++e) {
        shuffled[e] = first[order[e]];
        block_runs[b][e] = singles[order[e]];
      }
      std::copy(shuffled.begin(), shuffled.end(), first);
    });
  }
  block_runs_.assign(blocks + 1, 0);
  for (size_t b = 0; b < blocks; ++b) block_runs_[b + 1] = block_runs_[b] + block_runs[b].size();
  runs_.resize(block_runs_[blocks]);
  for (size_t b = 0; b < blocks; ++b)
    std::copy(block_runs[b].begin(), block_runs[b].end(), runs_.begin() + block_runs_[b]);
}

double MfSgdRecommender::RunBlock(size_t block) {
  const mf_sgd_detail::Model m{user_factors_.data(),
                               item_factors_.data(),
                               implicit_factors_.data(),
                               user_bias_.data(),
                               item_bias_.data(),
                               stride_,
                               global_mean_,
                               learning_rate_,
                               regularization_,
                               data_};
  const Run* runs = runs_.data() + block_runs_[block];
  const size_t num_runs = block_runs_[block + 1] - block_runs_[block];
  const Rating* ratings = ratings_.data() + block_ratings_[block];
  const size_t num_ratings = block_ratings_[block + 1] - block_ratings_[block];
  if (variant_ == MfSgdVariant::kSvdpp) {
    return avx2_ ? mf_sgd_detail::SvdppRunsAvx2(m, runs, num_runs, ratings, num_ratings)
                 : mf_sgd_detail::SvdppRunsGeneric(m, runs, num_runs, ratings, num_ratings);
  }
  return avx2_ ? mf_sgd_detail::SvdRunsAvx2(m, biased_, runs, num_runs, ratings, num_ratings)
               : mf_sgd_detail::SvdRunsGeneric(m, biased_, runs, num_runs, ratings, num_ratings);
}

double MfSgdRecommender::RunEpoch() {
  const size_t k = static_cast<size_t>(strata_);
  if (k == 1) return RunBlock(0);
  double squared_errors = 0;
  std::vector<double> per_group(k);
  for (size_t round = 0; round < k; ++round) {
    // blocks (g, (g + round) mod K) share no user and no item
    tbb::parallel_for(size_t{0}, k, [&](size_t g) { per_group[g] = RunBlock(g * k + (g + round) % k); });
    for (double e : per_group) squared_errors += e;  // in group order: thread-count independent
  }
  return squared_errors;
}

void MfSgdRecommender::TrainUser(uint32_t user, std::span<const uint32_t> items,
                                 std::span<const float> ratings) {
  std::vector<Rating> run_ratings(items.size());
  for (size_t e = 0; e < items.size(); ++e) run_ratings[e] = Rating{items[e], ratings[e]};
  const Run run{user, static_cast<uint32_t>(items.size())};
  const mf_sgd_detail::Model m{user_factors_.data(),
                               item_factors_.data(),
                               implicit_factors_.data(),
                               user_bias_.data(),
                               item_bias_.data(),
                               stride_,
                               global_mean_,
                               learning_rate_,
                               regularization_,
                               data_};
  if (variant_ == MfSgdVariant::kSvdpp) {
    if (avx2_) {
      mf_sgd_detail::SvdppRunsAvx2(m, &run, 1, run_ratings.data(), run_ratings.size());
    } else {
      mf_sgd_detail::SvdppRunsGeneric(m, &run, 1, run_ratings.data(), run_ratings.size());
    }
  } else if (avx2_) {
    mf_sgd_detail::SvdRunsAvx2(m, biased_, &run, 1, run_ratings.data(), run_ratings.size());
  } else {
    mf_sgd_detail::SvdRunsGeneric(m, biased_, &run, 1, run_ratings.data(), run_ratings.size());
  }
}

double MfSgdRecommender::TrainingRmse() const {
  const TrainData& d = *data_;
  if (d.nnz() == 0) return 0.0;
  std::vector<double> per_user(d.num_users, 0.0);
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, d.num_users, 256), [&](const auto& range) {
    std::vector<float> z(stride_);
    for (uint32_t u = range.begin(); u != range.end(); ++u) {
      const auto items = d.by_user.RowIndices(u);
      const auto values = d.by_user.RowValues(u);
      if (items.empty()) continue;
      const float* p = user_factors_.data() + u * stride_;
      std::copy(p, p + stride_, z.begin());
      if (variant_ == MfSgdVariant::kSvdpp) {
        const float inv_sqrt_n = 1.f / std::sqrt(static_cast<float>(items.size()));
        for (uint32_t j : items) {
          for (size_t k = 0; k < stride_; ++k) z[k] += inv_sqrt_n * implicit_factors_[j * stride_ + k];
        }
      }
      double sum = 0;
      for (size_t e = 0; e < items.size(); ++e) {
        const float* q = item_factors_.data() + items[e] * stride_;
        double estimate = global_mean_ + user_bias_[u] + item_bias_[items[e]];
        for (size_t k = 0; k < stride_; ++k) estimate += static_cast<double>(z[k]) * q[k];
        sum += (values[e] - estimate) * (values[e] - estimate);
      }
      per_user[u] = sum;
    }
  });
  return std::sqrt(std::accumulate(per_user.begin(), per_user.end(), 0.0) / static_cast<double>(d.nnz()));
}

void MfSgdRecommender::Finish() {
  const TrainData& d = *data_;
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, d.num_items, 1024), [&](const auto& range) {
    for (uint32_t i = range.begin(); i != range.end(); ++i) {
      if (!IsUnknownItem(i)) continue;
      std::fill_n(item_factors_.begin() + i * stride_, stride_, 0.f);
      if (!implicit_factors_.empty()) std::fill_n(implicit_factors_.begin() + i * stride_, stride_, 0.f);
    }
  });
  if (variant_ == MfSgdVariant::kSvdpp) scoring_users_.assign(user_factors_.size(), 0.f);
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, d.num_users, 1024), [&](const auto& range) {
    for (uint32_t u = range.begin(); u != range.end(); ++u) {
      float* p = user_factors_.data() + u * stride_;
      if (IsUnknownUser(u)) {
        std::fill_n(p, stride_, 0.f);
        continue;
      }
      if (variant_ != MfSgdVariant::kSvdpp) continue;
      const auto items = d.by_user.RowIndices(u);
      const float inv_sqrt_n = 1.f / std::sqrt(static_cast<float>(items.size()));
      float* z = scoring_users_.data() + u * stride_;
      for (uint32_t j : items) {
        for (size_t k = 0; k < stride_; ++k) z[k] += implicit_factors_[j * stride_ + k];
      }
      for (size_t k = 0; k < stride_; ++k) z[k] = p[k] + inv_sqrt_n * z[k];
    }
  });
}

Status MfSgdRecommender::Diverged(const std::string& when) const {
  return Status::InvalidArgument(std::string(name()) + ": training diverged " + when +
                                 " (a parameter became non-finite or huge); lower learning_rate (now " +
                                 std::to_string(learning_rate_) + ") or raise regularization (now " +
                                 std::to_string(regularization_) + ")");
}

Status MfSgdRecommender::CheckDiverged(const std::string& when) const {
  const auto sane = [](float x) {
    return std::isfinite(x) && std::abs(x) < mf_sgd_detail::kDivergedParameter;
  };
  for (const auto* v : {&user_factors_, &item_factors_, &implicit_factors_}) {
    if (!std::all_of(v->begin(), v->end(), sane)) return Diverged(when);
  }
  if (!std::all_of(user_bias_.begin(), user_bias_.end(), sane) ||
      !std::all_of(item_bias_.begin(), item_bias_.end(), sane)) {
    return Diverged(when);
  }
  return Status::Ok();
}

Status MfSgdRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  RECLIFT_RETURN_IF_ERROR(Configure(data, params, ctx.seed));
  for (int epoch = 0; epoch < epochs_; ++epoch) {
    if (ctx.IsCancelled()) return Status::Internal(std::string(name()) + ": fit cancelled");
    const double squared_errors = RunEpoch();
    if (!std::isfinite(squared_errors) ||
        squared_errors > mf_sgd_detail::kDivergedSquaredError * static_cast<double>(data.nnz())) {
      return Diverged("in epoch " + std::to_string(epoch + 1));
    }
    ctx.Log(LogLevel::kDebug,
            std::string(name()) + ": epoch " + std::to_string(epoch + 1) + ", RMSE of the errors met " +
                std::to_string(data.nnz() == 0 ? 0.0 : std::sqrt(squared_errors / data.nnz())));
  }
  RECLIFT_RETURN_IF_ERROR(CheckDiverged("after the last epoch"));
  Finish();
  // the order is only needed for training
  std::vector<Rating>().swap(ratings_);
  std::vector<Run>().swap(runs_);
  if (ranking_ == MfSgdRanking::kRating) {
    PackForScoring();
    return Status::Ok();
  }
  ConfigureSelection(ctx.seed);
  for (int epoch = 0; epoch < selection_epochs_; ++epoch) {
    if (ctx.IsCancelled()) return Status::Internal(std::string(name()) + ": fit cancelled");
    const double brier = RunSelectionEpoch(epoch);
    ctx.Log(LogLevel::kDebug, std::string(name()) + ": selection epoch " + std::to_string(epoch + 1) +
                                  ", mean squared error of the probabilities met " + std::to_string(brier));
  }
  RECLIFT_RETURN_IF_ERROR(CheckSelectionDiverged());
  FinishSelection();
  PackForScoring();
  return Status::Ok();
}

void MfSgdRecommender::PackForScoring() {
  const size_t num_items = data_->num_items;
  rating_scorer_.Reset(item_factors_.data(), num_items, static_cast<size_t>(factors_), stride_,
                       biased_ ? std::span<const float>(item_bias_) : std::span<const float>());
  if (ranking_ == MfSgdRanking::kRating) {
    selection_scorer_ = DenseScorer();
    return;
  }
  selection_scorer_.Reset(selection_items_.data(), num_items, static_cast<size_t>(selection_factors_),
                          selection_stride_, selection_bias_);
}

void MfSgdRecommender::ConfigureSelection(uint64_t seed) {
  const TrainData& d = *data_;
  selection_seed_ = seed;
  selection_stride_ = (static_cast<size_t>(selection_factors_) + 7) / 8 * 8;
  // streams 7 and 8 (the rating model draws from 1 to 6)
  mf_sgd_detail::InitRows(selection_users_, d.num_users, selection_factors_, selection_stride_, 0.0,
                          mf_sgd_detail::kSelectionInitStd, seed, 7);
  mf_sgd_detail::InitRows(selection_items_, d.num_items, selection_factors_, selection_stride_, 0.0,
                          mf_sgd_detail::kSelectionInitStd, seed, 8);
  selection_bias_.assign(d.num_items, 0.f);
  log_share_.clear();
}

double MfSgdRecommender::RunSelectionEpoch(int epoch) {
  const TrainData& d = *data_;
  std::vector<uint32_t> order(d.num_users);
  std::iota(order.begin(), order.end(), 0u);
  uint64_t state = mf_sgd_detail::Stream(selection_seed_, 9, static_cast<uint64_t>(epoch));
  mf_sgd_detail::Shuffle(order.data(), order.size(), state);
  const mf_sgd_detail::SelectionModel m{selection_users_.data(),
                                        selection_items_.data(),
                                        selection_bias_.data(),
                                        selection_stride_,
                                        selection_learning_rate_,
                                        selection_regularization_,
                                        static_cast<uint32_t>(selection_negatives_),
                                        data_};
  const auto [squared_errors, steps] =
      avx2_ ? mf_sgd_detail::SelectionRunsAvx2(m, order.data(), order.size(), selection_seed_, epoch)
            : mf_sgd_detail::SelectionRunsGeneric(m, order.data(), order.size(), selection_seed_, epoch);
  return steps == 0 ? 0.0 : squared_errors / static_cast<double>(steps);
}

void MfSgdRecommender::FinishSelection() {
  const TrainData& d = *data_;
  const double negatives = selection_negatives_, items = d.num_items;
  log_share_.assign(d.num_users, 0.f);
  double known_users = 0;
  for (uint32_t u = 0; u < d.num_users; ++u) {
    const double n = static_cast<double>(d.by_user.RowSize(u));
    if (n == 0) {
      // never stepped on: its random initial row would only add noise
      std::fill_n(selection_users_.begin() + u * selection_stride_, selection_stride_, 0.f);
      continue;
    }
    ++known_users;
    if (n < items) log_share_[u] = static_cast<float>(std::log(negatives * n / (items - n)));
  }
  // a user with no training interaction: the share of an average user
  const double unpicked = known_users * items - static_cast<double>(d.nnz());
  unknown_log_share_ =
      d.nnz() > 0 && unpicked > 0 ? static_cast<float>(std::log(negatives * d.nnz() / unpicked)) : 0.f;
}

Status MfSgdRecommender::CheckSelectionDiverged() const {
  const auto sane = [](float x) {
    return std::isfinite(x) && std::abs(x) < mf_sgd_detail::kDivergedParameter;
  };
  if (std::all_of(selection_users_.begin(), selection_users_.end(), sane) &&
      std::all_of(selection_items_.begin(), selection_items_.end(), sane) &&
      std::all_of(selection_bias_.begin(), selection_bias_.end(), sane)) {
    return Status::Ok();
  }
  return Status::InvalidArgument(std::string(name()) +
                                 ": the selection model diverged (a parameter became non-finite or huge); "
                                 "lower selection_learning_rate (now " +
                                 std::to_string(selection_learning_rate_) +
                                 ") or raise selection_regularization (now " +
                                 std::to_string(selection_regularization_) + ")");
}

float MfSgdRecommender::ExpectedScore(float probability, float rating, float min_rating, float max_rating) {
  if (!(max_rating > min_rating)) return probability;
  return probability *
         ((std::clamp(rating, min_rating, max_rating) - min_rating) / (max_rating - min_rating));
}

float MfSgdRecommender::Combine(float estimate, float selection_logit, float log_share) const {
  switch (ranking_) {
    case MfSgdRanking::kRating: return estimate;
    case MfSgdRanking::kSelection: return mf_sgd_detail::Sigmoid(selection_logit + log_share);
    case MfSgdRanking::kExpected:
      return ExpectedScore(mf_sgd_detail::Sigmoid(selection_logit + log_share), estimate, min_rating_,
                           max_rating_);
  }
  return estimate;
}

float MfSgdRecommender::SelectionProbability(uint32_t user, uint32_t item) const {
  Eigen::Map<const Eigen::VectorXf> x(selection_users_.data() + user * selection_stride_,
                                      static_cast<Eigen::Index>(selection_stride_));
  Eigen::Map<const Eigen::VectorXf> y(selection_items_.data() + item * selection_stride_,
                                      static_cast<Eigen::Index>(selection_stride_));
  return mf_sgd_detail::Sigmoid(x.dot(y) + selection_bias_[item] + log_share_[user]);
}

const float* MfSgdRecommender::ScoringRow(uint32_t user) const {
  return (variant_ == MfSgdVariant::kSvdpp ? scoring_users_.data() : user_factors_.data()) + user * stride_;
}

float MfSgdRecommender::Estimate(uint32_t user, uint32_t item) const {
  // Surprise: an unbiased model cannot predict for an unknown user or item
  // and falls back to the training mean
  if (!biased_ && (IsUnknownUser(user) || IsUnknownItem(item))) return mean_rating_;
  Eigen::Map<const Eigen::VectorXf> z(ScoringRow(user), static_cast<Eigen::Index>(stride_));
  Eigen::Map<const Eigen::VectorXf> q(item_factors_.data() + item * stride_,
                                      static_cast<Eigen::Index>(stride_));
  float estimate = z.dot(q);
  if (biased_) estimate += global_mean_ + user_bias_[user] + item_bias_[item];
  return estimate;
}

Status MfSgdRecommender::CheckScoring(const char* call) const {
  if (data_ == nullptr || (variant_ == MfSgdVariant::kSvdpp && scoring_users_.empty()) ||
      (ranking_ != MfSgdRanking::kRating && log_share_.size() != data_->num_users)) {
    return Status::InvalidArgument(std::string(name()) + ": " + call + " called before Fit");
  }
  return Status::Ok();
}

Status MfSgdRecommender::CheckItems(std::span<const uint32_t> items, size_t out_size,
                                    const char* call) const {
  if (out_size != items.size()) {
    return Status::InvalidArgument(std::string(name()) + ": " + call + ": out and items differ in size");
  }
  for (uint32_t item : items) {
    if (item >= data_->num_items) {
      return Status::InvalidArgument(std::string(name()) + ": item id " + std::to_string(item) +
                                     " is out of range (the model has " + std::to_string(data_->num_items) +
                                     " items)");
    }
  }
  return Status::Ok();
}

Status MfSgdRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(CheckScoring("Score"));
  if (user >= data_->num_users) {
    return Status::InvalidArgument(std::string(name()) + ": user id " + std::to_string(user) +
                                   " is out of range (the model has " + std::to_string(data_->num_users) +
                                   " users)");
  }
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out.size(), "Score"));
  if (ranking_ == MfSgdRanking::kRating) {
    for (size_t j = 0; j < items.size(); ++j) out[j] = Estimate(user, items[j]);
    return Status::Ok();
  }
  Eigen::Map<const Eigen::VectorXf> x(selection_users_.data() + user * selection_stride_,
                                      static_cast<Eigen::Index>(selection_stride_));
  for (size_t j = 0; j < items.size(); ++j) {
    const uint32_t item = items[j];
    Eigen::Map<const Eigen::VectorXf> y(selection_items_.data() + item * selection_stride_,
                                        static_cast<Eigen::Index>(selection_stride_));
    const float estimate = ranking_ == MfSgdRanking::kSelection ? 0.f : Estimate(user, item);
    out[j] = Combine(estimate, x.dot(y) + selection_bias_[item], log_share_[user]);
  }
  return Status::Ok();
}

Status MfSgdRecommender::Predict(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  // the rating model alone, whatever `ranking` says
  RECLIFT_RETURN_IF_ERROR(CheckScoring("Predict"));
  if (user >= data_->num_users) {
    return Status::InvalidArgument(std::string(name()) + ": user id " + std::to_string(user) +
                                   " is out of range (the model has " + std::to_string(data_->num_users) +
                                   " users)");
  }
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out.size(), "Predict"));
  for (size_t j = 0; j < items.size(); ++j) {
    out[j] = std::clamp(Estimate(user, items[j]), min_rating_, max_rating_);
  }
  return Status::Ok();
}

Status MfSgdRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(CheckScoring("ScoreBatch"));
  const size_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(std::string(name()) + ": ScoreBatch: out must hold users x items = " +
                                   std::to_string(users.size() * num_items) + " scores, has " +
                                   std::to_string(out.size()));
  }
  if (rating_scorer_.num_items() != num_items) {
    return Status::InvalidArgument(std::string(name()) + ": ScoreBatch called before Fit");
  }
  for (uint32_t u : users) {
    if (u >= data_->num_users) {
      return Status::InvalidArgument(std::string(name()) + ": user id " + std::to_string(u) +
                                     " is out of range (the model has " + std::to_string(data_->num_users) +
                                     " users)");
    }
  }
  const size_t rows = users.size();
  std::vector<float> block;
  if (ranking_ != MfSgdRanking::kSelection) {
    block.resize(rows * stride_);
    std::vector<float> user_offset(rows, 0.f);
    for (size_t b = 0; b < rows; ++b) {
      std::copy_n(ScoringRow(users[b]), stride_, block.data() + b * stride_);
      if (biased_) user_offset[b] = global_mean_ + user_bias_[users[b]];
    }
    rating_scorer_.ScoreRows(block.data(), rows, stride_, user_offset, out);
    if (!biased_) {
      for (size_t b = 0; b < rows; ++b) {
        float* row = out.data() + b * num_items;
        if (IsUnknownUser(users[b])) std::fill_n(row, num_items, mean_rating_);
        for (uint32_t i = 0; i < num_items; ++i) {
          if (IsUnknownItem(i)) row[i] = mean_rating_;
        }
      }
    }
  } else {
    std::fill(out.begin(), out.end(), 0.f);  // the rating is not needed
  }
  if (ranking_ == MfSgdRanking::kRating) return Status::Ok();
  // the selection logits: a second product, (users x g) times (g x items)
  block.resize(rows * selection_stride_);
  for (size_t b = 0; b < rows; ++b) {
    std::copy_n(selection_users_.data() + users[b] * selection_stride_, selection_stride_,
                block.data() + b * selection_stride_);
  }
  std::vector<float> logits(rows * num_items);
  selection_scorer_.ScoreRows(block.data(), rows, selection_stride_, {}, logits);
  for (size_t b = 0; b < rows; ++b) {
    const float log_share = log_share_[users[b]];
    float* row = out.data() + b * num_items;
    const float* logit = logits.data() + b * num_items;
    for (size_t i = 0; i < num_items; ++i) row[i] = Combine(row[i], logit[i], log_share);
  }
  return Status::Ok();
}

Status MfSgdRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                      std::span<const float> history_values, std::span<const uint32_t> items,
                                      std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(CheckScoring("ScoreHistory"));
  if (history_values.size() != history_items.size()) {
    return Status::InvalidArgument(std::string(name()) +
                                   ": ScoreHistory needs one rating per history item (" +
                                   std::to_string(history_items.size()) + " items, " +
                                   std::to_string(history_values.size()) + " values)");
  }
  RECLIFT_RETURN_IF_ERROR(CheckItems(history_items, history_items.size(), "ScoreHistory"));
  RECLIFT_RETURN_IF_ERROR(CheckItems(items, out.size(), "ScoreHistory"));
  const Eigen::Index f = factors_, offset = biased_ ? 1 : 0, dim = f + offset;
  const auto item_vector = [&](uint32_t item) {
    return Eigen::Map<const Eigen::VectorXf>(item_factors_.data() + item * stride_, f);
  };
  // SVD++: the history's implicit term |N|^-1/2 sum_j y_j
  Eigen::VectorXf implicit = Eigen::VectorXf::Zero(f);
  if (variant_ == MfSgdVariant::kSvdpp && !history_items.empty()) {
    for (uint32_t j : history_items) {
      implicit += Eigen::Map<const Eigen::VectorXf>(implicit_factors_.data() + j * stride_, f);
    }
    implicit /= std::sqrt(static_cast<float>(history_items.size()));
  }
  // Ridge regression of the residuals on [1, q_j] with penalty reg * n,
  // the per-rating penalty of SGD summed over the n history ratings.
  float user_bias = 0;
  Eigen::VectorXf user_vector = Eigen::VectorXf::Zero(f);
  const size_t n = history_items.size();
  if (n > 0) {
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(dim, dim);
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(dim);
    Eigen::VectorXd x(dim);
    for (size_t e = 0; e < n; ++e) {
      const uint32_t j = history_items[e];
      if (biased_) x[0] = 1.0;
      x.tail(f) = item_vector(j).cast<double>();
      double target = history_values[e] - implicit.dot(item_vector(j));
      if (biased_) target -= global_mean_ + item_bias_[j];
      gram.selfadjointView<Eigen::Lower>().rankUpdate(x);
      rhs += target * x;
    }
    gram.diagonal().array() += std::max(static_cast<double>(regularization_) * static_cast<double>(n), 1e-6);
    const Eigen::VectorXd solution = gram.selfadjointView<Eigen::Lower>().ldlt().solve(rhs);
    if (biased_) user_bias = static_cast<float>(solution[0]);
    user_vector = solution.tail(f).cast<float>();
  }
  user_vector += implicit;
  for (size_t k = 0; k < items.size(); ++k) {
    if (!biased_ && (n == 0 || IsUnknownItem(items[k]))) {
      out[k] = mean_rating_;
      continue;
    }
    float estimate = user_vector.dot(item_vector(items[k]));
    if (biased_) estimate += global_mean_ + user_bias + item_bias_[items[k]];
    out[k] = estimate;
  }
  if (ranking_ != MfSgdRanking::kRating) {
    std::vector<float> selection_user;
    float log_share = 0;
    RECLIFT_RETURN_IF_ERROR(SelectionFoldIn(history_items, selection_user, log_share));
    Eigen::Map<const Eigen::VectorXf> x(selection_user.data(), static_cast<Eigen::Index>(selection_stride_));
    for (size_t k = 0; k < items.size(); ++k) {
      Eigen::Map<const Eigen::VectorXf> y(selection_items_.data() + items[k] * selection_stride_,
                                          static_cast<Eigen::Index>(selection_stride_));
      out[k] = Combine(out[k], x.dot(y) + selection_bias_[items[k]], log_share);
    }
  }
  for (float v : out) {
    if (!std::isfinite(v)) return Status::Internal(std::string(name()) + ": fold-in gave a non-finite score");
  }
  return Status::Ok();
}

// The training objective of x_u in expectation over the negative draws:
//   sum_{i picked} softplus(-z_i) + s sum_{j not picked} softplus(z_j) + lambda / 2 |x_u|^2,
// z = c + x_u . y, s = negatives n / (items - n) (each unpicked item is drawn
// s times per epoch on average), lambda = regularization n (1 + negatives)
// (the per-step penalty summed over the user's steps of an epoch). Convex:
// Newton's method with step halving from x_u = 0.
Status MfSgdRecommender::SelectionFoldIn(std::span<const uint32_t> history_items,
                                         std::vector<float>& user_row, float& log_share) const {
  const TrainData& d = *data_;
  user_row.assign(selection_stride_, 0.f);
  std::vector<char> picked(d.num_items, 0);
  for (uint32_t item : history_items) picked[item] = 1;
  const size_t n = static_cast<size_t>(std::count(picked.begin(), picked.end(), 1));
  if (n == 0) {
    log_share = unknown_log_share_;
    return Status::Ok();
  }
  if (n >= d.num_items) {
    log_share = 0;  // nothing left to rank
    return Status::Ok();
  }
  const double share = static_cast<double>(selection_negatives_) * static_cast<double>(n) /
                       static_cast<double>(d.num_items - n);
  log_share = static_cast<float>(std::log(share));
  const double lambda =
      std::max(1e-6, static_cast<double>(selection_regularization_) * static_cast<double>(n) *
                         (1.0 + static_cast<double>(selection_negatives_)));
  const Eigen::Index g = selection_factors_;
  Eigen::MatrixXd y(static_cast<Eigen::Index>(d.num_items), g);
  for (uint32_t i = 0; i < d.num_items; ++i) {
    for (Eigen::Index k = 0; k < g; ++k) y(i, k) = selection_items_[i * selection_stride_ + k];
  }
  const Eigen::VectorXd c =
      Eigen::Map<const Eigen::VectorXf>(selection_bias_.data(), y.rows()).cast<double>();
  Eigen::VectorXd weight(y.rows());
  for (uint32_t i = 0; i < d.num_items; ++i) weight[i] = picked[i] ? 1.0 : share;
  const auto softplus = [](double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); };
  const auto objective = [&](const Eigen::VectorXd& x) {
    const Eigen::VectorXd z = y * x + c;
    double total = 0.5 * lambda * x.squaredNorm();
    for (uint32_t i = 0; i < d.num_items; ++i) total += weight[i] * softplus(picked[i] ? -z[i] : z[i]);
    return total;
  };
  Eigen::VectorXd x = Eigen::VectorXd::Zero(g);
  double current = objective(x);
  for (int iteration = 0; iteration < 50; ++iteration) {
    const Eigen::VectorXd z = y * x + c;
    Eigen::VectorXd residual(y.rows()), curvature(y.rows());
    for (uint32_t i = 0; i < d.num_items; ++i) {
      const double p = 1.0 / (1.0 + std::exp(-z[i]));
      residual[i] = weight[i] * (p - (picked[i] ? 1.0 : 0.0));
      curvature[i] = weight[i] * p * (1.0 - p);
    }
    const Eigen::VectorXd gradient = y.transpose() * residual + lambda * x;
    Eigen::MatrixXd hessian = y.transpose() * curvature.asDiagonal() * y;
    hessian.diagonal().array() += lambda;
    const Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    double scale = 1.0, next = current;
    Eigen::VectorXd candidate = x;
    for (int halving = 0; halving < 30; ++halving, scale *= 0.5) {
      candidate = x - scale * step;
      next = objective(candidate);
      if (next <= current) break;
    }
    if (!(next <= current)) break;  // no descent left: converged within rounding
    const double moved = (candidate - x).norm();
    x = candidate;
    current = next;
    if (moved < 1e-7 * (1.0 + x.norm())) break;
  }
  if (!x.allFinite()) return Status::Internal(std::string(name()) + ": selection fold-in did not converge");
  for (Eigen::Index k = 0; k < g; ++k) user_row[k] = static_cast<float>(x[k]);
  return Status::Ok();
}

}  // namespace reclift::recommenders
