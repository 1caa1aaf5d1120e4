// Neighbourhood models: see knn_common.h.
#include "knn_common.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <type_traits>

namespace reclift::recommenders::knn {
namespace detail {

// Sums over the ys a pair shares; N is how many sums the measure needs.
// cosine_full sums in float (a plain dot product: half the cache footprint,
// and the hot loop of the default measure); Surprise's measures in double.
template <class Value, int N>
struct PairStats {
  Value sum[N] = {};
  uint32_t freq = 0;  // the number of shared ys (the support)
};
using FloatStats1 = PairStats<float, 1>;
using Stats1 = PairStats<double, 1>;
using Stats3 = PairStats<double, 3>;
using Stats5 = PairStats<double, 5>;

// What the similarity of one row needs besides the row itself.
struct RowInputs {
  const SparseView* y_major = nullptr;  // y -> (x2, value)
  size_t num_x = 0;
  Similarity similarity = Similarity::kCosineFull;
  int min_support = 1;
  double shrinkage = 0;
  double global_mean = 0;
  std::span<const double> x_bias;   // pearson_baseline
  std::span<const double> y_bias;   // pearson_baseline
  std::span<const double> x_norms;  // cosine_full
};

// The order of neighbour lists. A function object, not a function, so that
// the sorts inline it (selection is a fifth of the fit time otherwise).
struct Better {
  bool operator()(const Neighbour& a, const Neighbour& b) const {
    return a.similarity > b.similarity || (a.similarity == b.similarity && a.id < b.id);
  }
};

// One thread's dense accumulators: computes the similarities of one x with
// every x2 it shares a y with, by walking x's ys and, for each, the xs of
// that y (a sparse dot product of x against all rows at once).
class RowKernel {
 public:
  explicit RowKernel(const RowInputs& in) : in_(in) {
    switch (in_.similarity) {
      case Similarity::kCosineFull: float1_.resize(in_.num_x); break;
      case Similarity::kMsd: stats1_.resize(in_.num_x); break;
      case Similarity::kCosine:
      case Similarity::kPearsonBaseline: stats3_.resize(in_.num_x); break;
      case Similarity::kPearson: stats5_.resize(in_.num_x); break;
    }
  }

  // Writes (x2, similarity) for the x2 != self sharing a y with the row: only
  // positive similarities when positive_only, else all (x2s below the
  // support get 0); the `keep` best of them (all when keep = 0), best first.
  // Leaves the accumulators zeroed.
  void Compute(std::span<const uint32_t> ys, std::span<const float> values, double x_bias, double x_norm,
               uint32_t self, bool positive_only, size_t keep, std::vector<Neighbour>& out) {
    keep_ = keep;
    // A row that touches most xs is cheaper to finish by scanning them all
    // than by recording each first touch; the sums are the same either way.
    uint64_t steps = 0;
    for (uint32_t y : ys) steps += in_.y_major->RowSize(y);
    const bool dense = 2 * steps >= in_.num_x;
    switch (in_.similarity) {
      case Similarity::kCosineFull:
        // Only a positive dot product can give a stored neighbour, so without a
        // support threshold the count is not needed at all.
        if (dense && positive_only && in_.min_support <= 1) {
          CosineFullDense(ys, values, x_norm, self, out);
        } else if (dense) {
          Run<Similarity::kCosineFull, true, true>(float1_, ys, values, x_bias, x_norm, self, positive_only,
                                                   out);
        } else {
          Run<Similarity::kCosineFull, false, true>(float1_, ys, values, x_bias, x_norm, self, positive_only,
                                                    out);
        }
        break;
      case Similarity::kMsd:
        Dispatch<Similarity::kMsd>(dense, stats1_, ys, values, x_bias, x_norm, self, positive_only, out);
        break;
      case Similarity::kCosine:
        Dispatch<Similarity::kCosine>(dense, stats3_, ys, values, x_bias, x_norm, self, positive_only, out);
        break;
      case Similarity::kPearsonBaseline:
        Dispatch<Similarity::kPearsonBaseline>(dense, stats3_, ys, values, x_bias, x_norm, self,
                                               positive_only, out);
        break;
      case Similarity::kPearson:
        Dispatch<Similarity::kPearson>(dense, stats5_, ys, values, x_bias, x_norm, self, positive_only, out);
        break;
    }
    std::sort(out.begin(), out.end(), Better{});
  }

 private:
  // Adds a neighbour to `out`, which holds at most keep_ of them (all when
  // keep_ = 0) as a heap whose front is the worst kept: past the first keep_
  // candidates, most cost one comparison. The kept set is the best keep_
  // under the total order Better, whatever the order of the offers.
  void Offer(std::vector<Neighbour>& out, Neighbour n) const {
    if (keep_ == 0) {
      out.push_back(n);
    } else if (out.size() < keep_) {
      out.push_back(n);
      std::push_heap(out.begin(), out.end(), Better{});
    } else if (Better{}(n, out.front())) {
      std::pop_heap(out.begin(), out.end(), Better{});
      out.back() = n;
      std::push_heap(out.begin(), out.end(), Better{});
    }
  }

  // The default measure's hot path (a dense row, no support threshold, only
  // positive neighbours): the plain dot products in a float array half the
  // size of the general accumulators, so more of it stays in cache. The sums
  // are the general path's, term by term.
  void CosineFullDense(std::span<const uint32_t> ys, std::span<const float> values, double x_norm,
                       uint32_t self, std::vector<Neighbour>& out) {
    if (dot_.size() != in_.num_x) dot_.assign(in_.num_x, 0.f);
    float* dot = dot_.data();
    for (size_t e = 0; e < ys.size(); ++e) {
      const float r = values.empty() ? 1.f : values[e];
      const auto xs = in_.y_major->RowIndices(ys[e]);
      const float* rs = in_.y_major->RowValues(ys[e]).data();
      const uint32_t* xp = xs.data();
      const size_t count = xs.size();
      for (size_t m = 0; m < count; ++m) dot[xp[m]] += r * rs[m];
    }
    out.clear();
    const uint32_t n = static_cast<uint32_t>(in_.num_x);
    for (uint32_t x2 = 0; x2 < n; ++x2) {
      if (dot[x2] == 0) continue;  // untouched, or no evidence either way
      if (x2 != self) {
        const double den = x_norm * in_.x_norms[x2];
        const double sim = den > 0 ? dot[x2] / den : 0.0;
        if (sim > 0 && std::isfinite(sim)) Offer(out, {x2, static_cast<float>(sim)});
      }
      dot[x2] = 0;
    }
  }

  template <Similarity kSim, class Stat>
  void Dispatch(bool dense, std::vector<Stat>& stats, std::span<const uint32_t> ys,
                std::span<const float> values, double x_bias, double x_norm, uint32_t self,
                bool positive_only, std::vector<Neighbour>& out) {
    if (dense) {
      Run<kSim, true, true>(stats, ys, values, x_bias, x_norm, self, positive_only, out);
    } else {
      Run<kSim, false, true>(stats, ys, values, x_bias, x_norm, self, positive_only, out);
    }
  }

  // kDense: finish by scanning every x2 instead of a list of touched ones.
  // kCount: keep the support count (always, unless kDense and it is unused).
  template <Similarity kSim, bool kDense, bool kCount, class Stat>
  void Run(std::vector<Stat>& stats, std::span<const uint32_t> ys, std::span<const float> values,
           double x_bias, double x_norm, uint32_t self, bool positive_only, std::vector<Neighbour>& out) {
    out.clear();
    // Surprise: pearson_baseline needs two shared ys (its shrinkage divides by n - 1)
    const uint32_t min_support = static_cast<uint32_t>(
        kSim == Similarity::kPearsonBaseline ? std::max(2, in_.min_support) : in_.min_support);
    auto finish = [&](uint32_t x2) {
      Stat& s = stats[x2];
      if (x2 != self) {
        double sim = 0;
        if (!kCount || s.freq >= min_support) sim = Finish<kSim>(s, x_norm, x2);
        if (!std::isfinite(sim)) sim = 0;  // a zero norm or variance: no evidence of similarity
        if (!positive_only || sim > 0) Offer(out, {x2, static_cast<float>(sim)});
      }
      s = Stat{};
    };
    if constexpr (kDense) {
      Accumulate<kSim, kDense, kCount>(stats, ys, values, x_bias);
      const uint32_t n = static_cast<uint32_t>(in_.num_x);
      for (uint32_t x2 = 0; x2 < n; ++x2) {
        // without the count, an untouched entry and a zero dot product look
        // alike, and neither can be a (positive) neighbour
        if (kCount ? stats[x2].freq != 0 : stats[x2].sum[0] != 0) finish(x2);
      }
    } else {
      touched_.clear();
      Accumulate<kSim, kDense, kCount>(stats, ys, values, x_bias);
      for (uint32_t x2 : touched_) finish(x2);
    }
  }

  // Adds the terms of every (y, x2) of the row to the pair sums.
  template <Similarity kSim, bool kDense, bool kCount, class Stat>
  void Accumulate(std::vector<Stat>& stats, std::span<const uint32_t> ys, std::span<const float> values,
                  double x_bias) {
    using Value = std::remove_reference_t<decltype(stats[0].sum[0])>;
    for (size_t e = 0; e < ys.size(); ++e) {
      const uint32_t y = ys[e];
      const Value r = values.empty() ? Value{1} : static_cast<Value>(values[e]);
      const auto xs = in_.y_major->RowIndices(y);
      const auto rs = in_.y_major->RowValues(y);
      [[maybe_unused]] double base = 0, dx = 0;
      if constexpr (kSim == Similarity::kPearsonBaseline) {
        base = in_.global_mean + in_.y_bias[y];
        dx = r - (base + x_bias);
      }
      const uint32_t* xp = xs.data();
      const float* rp = rs.data();
      const size_t count = xs.size();
      for (size_t m = 0; m < count; ++m) {
        const uint32_t x2 = xp[m];
        const Value r2 = static_cast<Value>(rp[m]);
        Stat& s = stats[x2];
        if constexpr (!kDense) {
          if (s.freq++ == 0) touched_.push_back(x2);
        } else if constexpr (kCount) {
          ++s.freq;
        }
        if constexpr (kSim == Similarity::kCosineFull) {
          s.sum[0] += r * r2;
        } else if constexpr (kSim == Similarity::kMsd) {
          s.sum[0] += (r - r2) * (r - r2);
        } else if constexpr (kSim == Similarity::kCosine) {
          s.sum[0] += r * r2;
          s.sum[1] += r * r;
          s.sum[2] += r2 * r2;
        } else if constexpr (kSim == Similarity::kPearsonBaseline) {
          const double dx2 = r2 - (base + in_.x_bias[x2]);
          s.sum[0] += dx * dx2;
          s.sum[1] += dx * dx;
          s.sum[2] += dx2 * dx2;
        } else {  // pearson
          s.sum[0] += r * r2;
          s.sum[1] += r * r;
          s.sum[2] += r2 * r2;
          s.sum[3] += r;
          s.sum[4] += r2;
        }
      }
    }
  }

  template <Similarity kSim, class Stat>
  double Finish(const Stat& s, double x_norm, uint32_t x2) const {
    const double n = s.freq;
    if constexpr (kSim == Similarity::kCosineFull) {
      const double den = x_norm * in_.x_norms[x2];
      return den > 0 ? s.sum[0] / den : 0.0;
    } else if constexpr (kSim == Similarity::kMsd) {
      return 1.0 / (s.sum[0] / n + 1.0);
    } else if constexpr (kSim == Similarity::kCosine) {
      const double den = std::sqrt(s.sum[1] * s.sum[2]);
      return den > 0 ? s.sum[0] / den : 0.0;
    } else if constexpr (kSim == Similarity::kPearsonBaseline) {
      const double den = std::sqrt(s.sum[1] * s.sum[2]);
      if (!(den > 0)) return 0.0;
      return s.sum[0] / den * ((n - 1) / (n - 1 + in_.shrinkage));
    } else {  // pearson, Surprise's one-pass form
      const double num = n * s.sum[0] - s.sum[3] * s.sum[4];
      const double den =
          std::sqrt((n * s.sum[1] - s.sum[3] * s.sum[3]) * (n * s.sum[2] - s.sum[4] * s.sum[4]));
      return den > 0 ? num / den : 0.0;
    }
  }

  RowInputs in_;
  std::vector<FloatStats1> float1_;
  std::vector<Stats1> stats1_;
  std::vector<Stats3> stats3_;
  std::vector<Stats5> stats5_;
  size_t keep_ = 0;         // the current row's limit (0 = all)
  std::vector<float> dot_;  // CosineFullDense's accumulators, sized on first use
  std::vector<uint32_t> touched_;
};

double MeanOf(std::span<const float> values) {
  if (values.empty()) return 0.0;
  double sum = 0;
  for (float v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace detail

const char* SimilarityName(Similarity s) {
  switch (s) {
    case Similarity::kCosine: return "cosine";
    case Similarity::kCosineFull: return "cosine_full";
    case Similarity::kPearson: return "pearson";
    case Similarity::kMsd: return "msd";
    case Similarity::kPearsonBaseline: return "pearson_baseline";
  }
  return "?";
}

Status ParseOptions(const Params& params, KnnOptions& out) {
  KnnOptions o;
  const std::string& sim = params.GetString("similarity");
  if (sim == "cosine") {
    o.similarity = Similarity::kCosine;
  } else if (sim == "cosine_full") {
    o.similarity = Similarity::kCosineFull;
  } else if (sim == "pearson") {
    o.similarity = Similarity::kPearson;
  } else if (sim == "msd") {
    o.similarity = Similarity::kMsd;
  } else if (sim == "pearson_baseline") {
    o.similarity = Similarity::kPearsonBaseline;
  } else {
    return Status::InvalidArgument(
        "parameter 'similarity': expected one of cosine|cosine_full|pearson|msd|"
        "pearson_baseline, found \"" +
        sim + "\"");
  }
  const std::string& mode = params.GetString("prediction");
  if (mode == "basic") {
    o.prediction = PredictionMode::kBasic;
  } else if (mode == "means") {
    o.prediction = PredictionMode::kMeans;
  } else if (mode == "baseline") {
    o.prediction = PredictionMode::kBaseline;
  } else {
    return Status::InvalidArgument("parameter 'prediction': expected one of basic|means|baseline, found \"" +
                                   mode + "\"");
  }
  o.k = static_cast<int>(params.GetInt("k"));
  o.min_k = static_cast<int>(params.GetInt("min_k"));
  o.min_support = static_cast<int>(params.GetInt("min_support"));
  o.shrinkage = params.GetFloat("shrinkage");
  o.top_neighbours = static_cast<uint32_t>(params.GetInt("top_neighbours"));
  o.baseline_epochs = static_cast<int>(params.GetInt("baseline_epochs"));
  o.baseline_reg_users = params.GetFloat("baseline_reg_users");
  o.baseline_reg_items = params.GetFloat("baseline_reg_items");
  if (o.k < 1 || o.min_k < 1 || o.min_support < 1 || o.shrinkage < 0 || o.baseline_epochs < 0 ||
      o.baseline_reg_users < 0 || o.baseline_reg_items < 0) {
    return Status::InvalidArgument(
        "k, min_k and min_support must be at least 1; shrinkage, baseline_epochs "
        "and the baseline regularisations must not be negative");
  }
  if (o.min_k > o.k) {
    return Status::InvalidArgument("min_k (" + std::to_string(o.min_k) + ") must not exceed k (" +
                                   std::to_string(o.k) + "): no prediction could ever use its neighbours");
  }
  out = o;
  return Status::Ok();
}

NeighbourLists NeighbourLists::Reverse(size_t num_rows) const {
  NeighbourLists r;
  r.offsets.assign(num_rows + 1, 0);
  for (const Neighbour& n : entries) ++r.offsets[n.id + 1];
  for (size_t x = 0; x < num_rows; ++x) r.offsets[x + 1] += r.offsets[x];
  std::vector<uint64_t> next(r.offsets.begin(), r.offsets.end() - 1);
  r.entries.resize(entries.size());
  for (size_t x = 0; x < rows(); ++x) {  // ascending x: each reverse row ends up sorted by x
    for (const Neighbour& n : Row(x)) r.entries[next[n.id]++] = {static_cast<uint32_t>(x), n.similarity};
  }
  return r;
}

Baselines FitBaselines(const TrainData& data, int epochs, double reg_users, double reg_items) {
  Baselines b;
  b.user_bias.assign(data.num_users, 0.0);
  b.item_bias.assign(data.num_items, 0.0);
  double sum = 0;
  for (float v : data.by_user.values) sum += v;
  b.global_mean = data.nnz() > 0 ? sum / static_cast<double>(data.nnz()) : 0.0;
  // Each bias depends only on the other side's biases: one task per row, in
  // a fixed order within the row, so the result is thread-count independent.
  auto sweep = [&](const SparseView& rows, std::span<const double> other, double reg,
                   std::vector<double>& out) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, rows.rows(), 1024),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t x = r.begin(); x != r.end(); ++x) {
                          const auto ids = rows.RowIndices(x);
                          const auto values = rows.RowValues(x);
                          double dev = 0;
                          for (size_t e = 0; e < ids.size(); ++e)
                            dev += values[e] - b.global_mean - other[ids[e]];
                          out[x] = dev / (reg + static_cast<double>(ids.size()));
                        }
                      });
  };
  for (int epoch = 0; epoch < epochs; ++epoch) {
    sweep(data.by_item, b.user_bias, reg_items, b.item_bias);
    sweep(data.by_user, b.item_bias, reg_users, b.user_bias);
  }
  return b;
}

std::span<const double> KnnCore::XBias() const {
  return user_based_ ? std::span<const double>(baselines_.user_bias)
                     : std::span<const double>(baselines_.item_bias);
}

std::span<const double> KnnCore::YBias() const {
  return user_based_ ? std::span<const double>(baselines_.item_bias)
                     : std::span<const double>(baselines_.user_bias);
}

Status KnnCore::Fit(const TrainData& data, const KnnOptions& options, bool user_based, const Context& ctx) {
  data_ = nullptr;  // until this fit succeeds
  if (data.nnz() > 0 && options.similarity != Similarity::kCosineFull) {
    const auto [lo, hi] = std::minmax_element(data.by_user.values.begin(), data.by_user.values.end());
    if (*lo == *hi) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", static_cast<double>(*lo));
      return Status::InvalidArgument(std::string("similarity '") + SimilarityName(options.similarity) +
                                     "' needs varying values such as ratings, but every training value is " +
                                     value + ", which makes it the same for every pair that shares " +
                                     (user_based ? "an item" : "a user") +
                                     "; use similarity = \"cosine_full\" for implicit feedback");
    }
  }
  data_ = &data;
  options_ = options;
  user_based_ = user_based;
  const size_t num_x = user_based ? data.num_users : data.num_items;

  const bool need_baselines =
      options.prediction == PredictionMode::kBaseline || options.similarity == Similarity::kPearsonBaseline;
  if (need_baselines) {
    baselines_ =
        FitBaselines(data, options.baseline_epochs, options.baseline_reg_users, options.baseline_reg_items);
  } else {
    baselines_ = Baselines{};
    double sum = 0;
    for (float v : data.by_user.values) sum += v;
    baselines_.global_mean = data.nnz() > 0 ? sum / static_cast<double>(data.nnz()) : 0.0;
  }
  x_means_.clear();
  if (options.prediction == PredictionMode::kMeans) {
    x_means_.resize(num_x);
    for (size_t x = 0; x < num_x; ++x) x_means_[x] = detail::MeanOf(XMajor().RowValues(x));
  }
  x_norms_.clear();
  if (options.similarity == Similarity::kCosineFull) {
    x_norms_.resize(num_x);
    for (size_t x = 0; x < num_x; ++x) {
      double sq = 0;
      for (float v : XMajor().RowValues(x)) sq += static_cast<double>(v) * v;
      x_norms_[x] = std::sqrt(sq);
    }
  }

  detail::RowInputs in;
  in.y_major = &YMajor();
  in.num_x = num_x;
  in.similarity = options.similarity;
  in.min_support = options.min_support;
  in.shrinkage = options.shrinkage;
  in.global_mean = baselines_.global_mean;
  if (options.similarity == Similarity::kPearsonBaseline) {
    in.x_bias = XBias();
    in.y_bias = YBias();
  }
  in.x_norms = x_norms_;

  std::vector<std::vector<Neighbour>> rows(num_x);
  tbb::enumerable_thread_specific<detail::RowKernel> kernels([&] { return detail::RowKernel(in); });
  std::atomic<bool> cancelled{false};
  const SparseView& x_major = XMajor();
  tbb::parallel_for(tbb::blocked_range<size_t>(0, num_x, 8), [&](const tbb::blocked_range<size_t>& range) {
    detail::RowKernel& kernel = kernels.local();
    std::vector<Neighbour> row;
    for (size_t x = range.begin(); x != range.end(); ++x) {
      if (ctx.IsCancelled()) {
        cancelled = true;
        return;
      }
      kernel.Compute(x_major.RowIndices(x), x_major.RowValues(x), in.x_bias.empty() ? 0.0 : in.x_bias[x],
                     x_norms_.empty() ? 0.0 : x_norms_[x], static_cast<uint32_t>(x), true,
                     options.top_neighbours, row);
      rows[x].assign(row.begin(), row.end());
    }
  });
  if (cancelled) {
    data_ = nullptr;
    return Status::Internal("fit cancelled");
  }

  neighbours_ = NeighbourLists{};
  neighbours_.offsets.assign(num_x + 1, 0);
  for (size_t x = 0; x < num_x; ++x) neighbours_.offsets[x + 1] = neighbours_.offsets[x] + rows[x].size();
  neighbours_.entries.resize(neighbours_.offsets[num_x]);
  for (size_t x = 0; x < num_x; ++x) {
    std::copy(rows[x].begin(), rows[x].end(), neighbours_.entries.begin() + neighbours_.offsets[x]);
    std::vector<Neighbour>().swap(rows[x]);
  }
  return Status::Ok();
}

Status KnnCore::PredictMany(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  RECLIFT_RETURN_IF_ERROR(CheckFitted());
  if (user >= data_->num_users)
    return Status::InvalidArgument("user " + std::to_string(user) + " is out of range");
  if (out.size() != items.size()) return Status::InvalidArgument("out and items differ in size");
  for (size_t j = 0; j < items.size(); ++j) {
    if (items[j] >= data_->num_items) {
      return Status::InvalidArgument("item " + std::to_string(items[j]) + " is out of range");
    }
    out[j] = Predict(user, items[j]);
  }
  return Status::Ok();
}

float KnnCore::Predict(uint32_t user, uint32_t item) const {
  const TrainData& d = *data_;
  const double mu = baselines_.global_mean;
  const bool user_known = user < d.num_users && d.by_user.RowSize(user) > 0;
  const bool item_known = item < d.num_items && d.by_item.RowSize(item) > 0;
  double est = mu;
  if (options_.prediction == PredictionMode::kBaseline) {
    if (user_known) est += baselines_.user_bias[user];
    if (item_known) est += baselines_.item_bias[item];
  }
  if (user_known && item_known) {
    const uint32_t x = user_based_ ? user : item;
    const uint32_t y = user_based_ ? item : user;
    // the xs that rated y, sorted: a stored neighbour counts when it is among them
    const auto raters = YMajor().RowIndices(y);
    const auto ratings = YMajor().RowValues(y);
    const double y_bias = options_.prediction == PredictionMode::kBaseline ? YBias()[y] : 0.0;
    double sum_sim = 0, sum = 0;
    int actual_k = 0;
    for (const Neighbour& nb : neighbours_.Row(x)) {
      const auto it = std::lower_bound(raters.begin(), raters.end(), nb.id);
      if (it == raters.end() || *it != nb.id) continue;
      const double r = ratings[static_cast<size_t>(it - raters.begin())];
      const double s = nb.similarity;
      sum_sim += s;
      switch (options_.prediction) {
        case PredictionMode::kBasic: sum += s * r; break;
        case PredictionMode::kMeans: sum += s * (r - x_means_[nb.id]); break;
        case PredictionMode::kBaseline: sum += s * (r - (mu + XBias()[nb.id] + y_bias)); break;
      }
      if (++actual_k == options_.k) break;
    }
    const bool enough = actual_k >= options_.min_k && sum_sim > 0;
    switch (options_.prediction) {
      case PredictionMode::kBasic: est = enough ? sum / sum_sim : mu; break;
      case PredictionMode::kMeans: est = x_means_[x] + (enough ? sum / sum_sim : 0.0); break;
      case PredictionMode::kBaseline: est += enough ? sum / sum_sim : 0.0; break;
    }
  }
  if (d.nnz() > 0) est = std::clamp(est, d.min_value, d.max_value);
  return static_cast<float>(est);
}

std::vector<Neighbour> KnnCore::FoldInNeighbours(std::span<const uint32_t> ys, std::span<const float> values,
                                                 size_t keep) const {
  detail::RowInputs in;
  in.y_major = &YMajor();
  in.num_x = user_based_ ? data_->num_users : data_->num_items;
  in.similarity = options_.similarity;
  in.min_support = options_.min_support;
  in.shrinkage = options_.shrinkage;
  in.global_mean = baselines_.global_mean;
  in.x_norms = x_norms_;
  double x_bias = 0, sq = 0;
  for (size_t e = 0; e < ys.size(); ++e) {
    const double r = values.empty() ? 1.0 : values[e];
    sq += r * r;
  }
  if (options_.similarity == Similarity::kPearsonBaseline) {
    in.x_bias = XBias();
    in.y_bias = YBias();
    // one ALS half-step for the new x with the ys' biases fixed
    double dev = 0;
    for (size_t e = 0; e < ys.size(); ++e) {
      dev += (values.empty() ? 1.0 : values[e]) - baselines_.global_mean - in.y_bias[ys[e]];
    }
    const double reg = user_based_ ? options_.baseline_reg_users : options_.baseline_reg_items;
    x_bias = dev / (reg + static_cast<double>(ys.size()));
  }
  detail::RowKernel kernel(in);
  std::vector<Neighbour> row;
  kernel.Compute(ys, values, x_bias, std::sqrt(sq), std::numeric_limits<uint32_t>::max(), true, keep, row);
  return row;
}

std::vector<Neighbour> KnnCore::SimilarityRow(uint32_t x) const {
  detail::RowInputs in;
  in.y_major = &YMajor();
  in.num_x = user_based_ ? data_->num_users : data_->num_items;
  in.similarity = options_.similarity;
  in.min_support = options_.min_support;
  in.shrinkage = options_.shrinkage;
  in.global_mean = baselines_.global_mean;
  in.x_norms = x_norms_;
  if (options_.similarity == Similarity::kPearsonBaseline) {
    in.x_bias = XBias();
    in.y_bias = YBias();
  }
  detail::RowKernel kernel(in);
  std::vector<Neighbour> row;
  kernel.Compute(XMajor().RowIndices(x), XMajor().RowValues(x), in.x_bias.empty() ? 0.0 : in.x_bias[x],
                 x_norms_.empty() ? 0.0 : x_norms_[x], x, false, 0, row);
  std::sort(row.begin(), row.end(), [](const Neighbour& a, const Neighbour& b) { return a.id < b.id; });
  return row;
}

Status CanonicalHistory(std::span<const uint32_t> ids, std::span<const float> values, uint32_t limit,
                        std::vector<uint32_t>& out_ids, std::vector<float>& out_values) {
  if (!values.empty() && values.size() != ids.size()) {
    return Status::InvalidArgument("history has " + std::to_string(ids.size()) + " items but " +
                                   std::to_string(values.size()) + " values");
  }
  std::vector<size_t> order(ids.size());
  std::iota(order.begin(), order.end(), size_t{0});
  for (uint32_t id : ids) {
    if (id >= limit) {
      return Status::InvalidArgument("history item " + std::to_string(id) + " is out of range (" +
                                     std::to_string(limit) + " items)");
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a] < ids[b]; });
  out_ids.clear();
  out_values.clear();
  for (size_t p = 0; p < order.size(); ++p) {
    if (p + 1 < order.size() && ids[order[p + 1]] == ids[order[p]]) continue;  // the later one wins
    out_ids.push_back(ids[order[p]]);
    out_values.push_back(values.empty() ? 1.f : values[order[p]]);
  }
  return Status::Ok();
}

}  // namespace reclift::recommenders::knn
