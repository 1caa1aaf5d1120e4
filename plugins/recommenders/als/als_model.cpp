// Implicit ALS: see als.h for the model and README.md for parameters.
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <string>

#include "als.h"

namespace reclift::recommenders {
namespace als_detail {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Fills `rows` x `f` with N(0, std) values; row r draws from its own stream
// (seed, salt, r), so the factors do not depend on the thread count.
void InitNormal(std::vector<float>& m, size_t rows, int f, float std, uint64_t seed, uint64_t salt) {
  m.assign(rows * static_cast<size_t>(f), 0.f);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, rows, 1024), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t r = range.begin(); r != range.end(); ++r) {
      uint64_t state = seed ^ (salt * 0xD1B54A32D192ED03ull);
      state ^= SplitMix64(state) + r;
      float* row = m.data() + r * f;
      for (int k = 0; k < f; k += 2) {
        // Box-Muller: two independent normals from two uniforms in (0, 1]
        const double u1 = (static_cast<double>(SplitMix64(state) >> 11) + 1.0) * 0x1.0p-53;
        const double u2 = static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
        const double radius = std * std::sqrt(-2.0 * std::log(u1));
        row[k] = static_cast<float>(radius * std::cos(2 * M_PI * u2));
        if (k + 1 < f) row[k + 1] = static_cast<float>(radius * std::sin(2 * M_PI * u2));
      }
    }
  });
}

// factors^T factors + regularization * I, column-major f x f. The rows are
// summed in fixed chunks, in chunk order, so the result does not depend on
// how tbb schedules them.
std::vector<float> RegularizedGram(const std::vector<float>& factors, size_t rows, int f,
                                   float regularization) {
  constexpr size_t kChunk = 4096;
  const size_t chunks = (rows + kChunk - 1) / kChunk;
  std::vector<Eigen::MatrixXf> partial(chunks);
  tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
    const size_t begin = c * kChunk, end = std::min(rows, begin + kChunk);
    Eigen::Map<const RowMatrix> block(factors.data() + begin * f, end - begin, f);
    partial[c] = Eigen::MatrixXf::Zero(f, f);
    partial[c].selfadjointView<Eigen::Lower>().rankUpdate(block.transpose());
    partial[c].triangularView<Eigen::StrictlyUpper>() = partial[c].transpose();
  });
  Eigen::MatrixXf gram = Eigen::MatrixXf::Zero(f, f);
  for (const auto& p : partial) gram += p;
  gram.diagonal().array() += regularization;
  return std::vector<float>(gram.data(), gram.data() + gram.size());
}

// The other side's factors of a row's interactions are gathered into a
// contiguous block once per solve and reused by every CG pass: the passes
// then stream through memory instead of jumping through the whole factor
// table. Rows longer than kGatherBytes (a few very popular items) are
// gathered again chunk by chunk in every pass, which bounds the scratch per
// task at kGatherBytes.
constexpr size_t kGatherBytes = size_t{32} << 20;

// Bytes of gathered rows whose two products run back to back (within L2).
constexpr size_t kCacheBytes = size_t{256} << 10;
// Rows prefetched ahead while gathering.
constexpr Eigen::Index kPrefetchAhead = 8;

Eigen::Index GatherRows(int f) {
  return static_cast<Eigen::Index>(kGatherBytes / (sizeof(float) * f));
}

struct CgWorkspace {
  explicit CgWorkspace(int f) : r(f), p(f), ap(f) {}
  Eigen::VectorXf r, p, ap;
  RowMatrix gathered;       // rows of the other side, contiguous: GEMV-friendly
  Eigen::VectorXf weights;  // alpha * value per gathered row
  Eigen::VectorXf q;        // per-row coefficients
};

// out += Y^T (residual ? (1 + w) - w (Y v) : w (Y v)) over the row's
// interactions, where Y holds the other side's factors of those
// interactions: two matrix-vector products per chunk of gathered rows.
void AccumulateSparse(std::span<const uint32_t> indices, std::span<const float> values, const float* other,
                      int f, float alpha, const Eigen::VectorXf& v, bool residual, bool reuse_gathered,
                      CgWorkspace& ws, Eigen::VectorXf& out) {
  const Eigen::Index n = static_cast<Eigen::Index>(indices.size());
  const Eigen::Index chunk = GatherRows(f);
  // Both products of a sub-block run while it is still in L2, so a long row
  // streams through memory once per pass, not twice.
  const Eigen::Index cache_rows =
      std::max<Eigen::Index>(16, static_cast<Eigen::Index>(kCacheBytes / (sizeof(float) * f)));
  const size_t row_bytes = sizeof(float) * static_cast<size_t>(f);
  for (Eigen::Index begin = 0; begin < n; begin += chunk) {
    const Eigen::Index m = std::min(chunk, n - begin);
    if (!reuse_gathered) {
      if (ws.gathered.rows() < m || ws.gathered.cols() != f) ws.gathered.resize(m, f);
      if (ws.weights.size() < m) ws.weights.resize(m);
      for (Eigen::Index k = 0; k < m; ++k) {
        // the rows are scattered through the factor table: ask for the next
        // ones early so that several cache misses are in flight at once
        if (k + kPrefetchAhead < m) {
          const char* ahead = reinterpret_cast<const char*>(
              other + static_cast<size_t>(indices[begin + k + kPrefetchAhead]) * f);
          for (size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(ahead + b);
        }
        ws.gathered.row(k) =
            Eigen::Map<const Eigen::RowVectorXf>(other + static_cast<size_t>(indices[begin + k]) * f, f);
        ws.weights(k) = alpha * values[begin + k];
      }
    }
    if (ws.q.size() < m) ws.q.resize(m);
    for (Eigen::Index sub = 0; sub < m; sub += cache_rows) {
      const Eigen::Index s = std::min(cache_rows, m - sub);
      const auto rows = ws.gathered.middleRows(sub, s);
      const auto w = ws.weights.segment(sub, s).array();
      auto q = ws.q.segment(sub, s);
      q.noalias() = rows * v;
      if (residual) {
        q = (1.f + w - w * q.array()).matrix();
      } else {
        q.array() *= w;
      }
      out.noalias() += rows.transpose() * q;
    }
  }
}

// A few conjugate-gradient steps on
//   (gram + sum_k w_k y_k y_k^T) x = sum_k (1 + w_k) y_k,   w_k = alpha * value_k,
// starting from the current x (warm start). Each step costs f^2 + 2 f n.
void SolveRowCg(const Eigen::Map<const Eigen::MatrixXf>& gram, std::span<const uint32_t> indices,
                std::span<const float> values, const float* other, int f, float alpha, int steps,
                float* x_out, CgWorkspace& ws) {
  VectorMap x(x_out, f);
  if (indices.empty()) {  // the exact solution of gram x = 0
    x.setZero();
    return;
  }
  const bool fits = static_cast<Eigen::Index>(indices.size()) <= GatherRows(f);
  ws.p = x;  // AccumulateSparse multiplies by a VectorXf
  ws.r.noalias() = -(gram * ws.p);
  AccumulateSparse(indices, values, other, f, alpha, ws.p, /*residual=*/true, /*reuse_gathered=*/false, ws,
                   ws.r);
  ws.p = ws.r;
  float rs_old = ws.r.squaredNorm();
  for (int step = 0; step < steps && rs_old > 1e-20f; ++step) {
    ws.ap.noalias() = gram * ws.p;
    AccumulateSparse(indices, values, other, f, alpha, ws.p, /*residual=*/false, /*reuse_gathered=*/fits, ws,
                     ws.ap);
    const float p_ap = ws.p.dot(ws.ap);
    if (!(p_ap > 0.f)) break;  // a singular direction (regularization 0): stop, x stays finite
    const float step_size = rs_old / p_ap;
    x += step_size * ws.p;
    ws.r -= step_size * ws.ap;
    const float rs_new = ws.r.squaredNorm();
    ws.p = ws.r + (rs_new / rs_old) * ws.p;
    rs_old = rs_new;
  }
}

// The exact solve of the same system with a Cholesky factorisation; the
// weighted rows are added in chunks so the scratch stays small. Falls back to
// LDLT when the system is only semi-definite (regularization 0).
void SolveRowExact(const Eigen::Map<const Eigen::MatrixXf>& gram, std::span<const uint32_t> indices,
                   std::span<const float> values, const float* other, int f, float alpha, float* x_out) {
  VectorMap x(x_out, f);
  if (indices.empty()) {
    x.setZero();
    return;
  }
  constexpr size_t kChunk = 256;
  Eigen::MatrixXf a = gram;
  Eigen::VectorXf b = Eigen::VectorXf::Zero(f);
  Eigen::MatrixXf weighted(f, static_cast<Eigen::Index>(std::min(kChunk, indices.size())));
  for (size_t begin = 0; begin < indices.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, indices.size() - begin);
    for (size_t k = 0; k < n; ++k) {
      ConstVectorMap y(other + static_cast<size_t>(indices[begin + k]) * f, f);
      const float w = alpha * values[begin + k];
      weighted.col(k) = std::sqrt(w) * y;
      b += (1.f + w) * y;
    }
    a.selfadjointView<Eigen::Lower>().rankUpdate(weighted.leftCols(n));
  }
  Eigen::LLT<Eigen::MatrixXf> llt(a.selfadjointView<Eigen::Lower>());
  if (llt.info() == Eigen::Success) {
    x = llt.solve(b);
  } else {
    x = a.selfadjointView<Eigen::Lower>().ldlt().solve(b);
  }
  if (!x.allFinite()) x.setZero();
}

Status CheckItems(std::span<const uint32_t> items, uint32_t num_items, const char* what) {
  for (uint32_t item : items) {
    if (item >= num_items) {
      return Status::InvalidArgument(std::string("als: ") + what + " item id " + std::to_string(item) +
                                     " is out of range (the model has " + std::to_string(num_items) +
                                     " items)");
    }
  }
  return Status::Ok();
}

void SolveSide(const SparseView& rows, size_t num_rows, const std::vector<float>& other, size_t num_other,
               int f, float regularization, float alpha, bool exact, int cg_steps, std::vector<float>& mine) {
  const std::vector<float> gram_storage = RegularizedGram(other, num_other, f, regularization);
  const Eigen::Map<const Eigen::MatrixXf> gram(gram_storage.data(), f, f);
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, num_rows, 16), [&](const tbb::blocked_range<size_t>& range) {
        CgWorkspace ws(f);
        for (size_t r = range.begin(); r != range.end(); ++r) {
          float* x = mine.data() + r * f;
          if (exact) {
            SolveRowExact(gram, rows.RowIndices(r), rows.RowValues(r), other.data(), f, alpha, x);
          } else {
            SolveRowCg(gram, rows.RowIndices(r), rows.RowValues(r), other.data(), f, alpha, cg_steps, x, ws);
          }
        }
      });
}

}  // namespace als_detail

Status AlsRecommender::Configure(const TrainData& data, const Params& params, uint64_t seed) {
  factors_ = static_cast<int>(params.GetInt("factors"));
  regularization_ = static_cast<float>(params.GetFloat("regularization"));
  alpha_ = static_cast<float>(params.GetFloat("alpha"));
  iterations_ = static_cast<int>(params.GetInt("iterations"));
  exact_ = params.GetString("solver") == "cholesky";
  cg_steps_ = static_cast<int>(params.GetInt("cg_steps"));
  const float init_std = static_cast<float>(params.GetFloat("init_std"));
  for (size_t e = 0; e < data.by_user.values.size(); ++e) {
    const float v = data.by_user.values[e];
    if (!(v >= 0.f) || !std::isfinite(v)) {
      return Status::InvalidArgument(
          "als: interaction values must be finite and >= 0 (confidence is 1 + alpha * value), found " +
          std::to_string(v) + " at interaction " + std::to_string(e) +
          "; rescale explicit ratings or use a rating model");
    }
  }
  data_ = &data;
  als_detail::InitNormal(user_factors_, data.num_users, factors_, init_std, seed, 1);
  als_detail::InitNormal(item_factors_, data.num_items, factors_, init_std, seed, 2);
  item_gram_.clear();
  return Status::Ok();
}

void AlsRecommender::SolveUsers() {
  als_detail::SolveSide(data_->by_user, data_->num_users, item_factors_, data_->num_items, factors_,
                        regularization_, alpha_, exact_, cg_steps_, user_factors_);
}

void AlsRecommender::SolveItems() {
  als_detail::SolveSide(data_->by_item, data_->num_items, user_factors_, data_->num_users, factors_,
                        regularization_, alpha_, exact_, cg_steps_, item_factors_);
  item_gram_ = als_detail::RegularizedGram(item_factors_, data_->num_items, factors_, regularization_);
}

double AlsRecommender::Loss() const {
  const int f = factors_;
  // sum over all pairs of c (p - s)^2 = sum_u x_u^T (Y^T Y) x_u
  //   + sum over observed pairs of [c (1 - s)^2 - s^2]   (the observed pair counted once with c)
  const std::vector<float> gram_storage =
      als_detail::RegularizedGram(item_factors_, data_->num_items, f, 0.f);
  const Eigen::Map<const Eigen::MatrixXf> gram_f(gram_storage.data(), f, f);
  const Eigen::MatrixXd gram = gram_f.cast<double>();
  double loss = 0;
  for (uint32_t u = 0; u < data_->num_users; ++u) {
    const Eigen::VectorXd x =
        als_detail::ConstVectorMap(user_factors_.data() + static_cast<size_t>(u) * f, f).cast<double>();
    loss += x.dot(gram * x) + regularization_ * x.squaredNorm();
    auto items = data_->by_user.RowIndices(u);
    auto values = data_->by_user.RowValues(u);
    for (size_t k = 0; k < items.size(); ++k) {
      const Eigen::VectorXd y =
          als_detail::ConstVectorMap(item_factors_.data() + static_cast<size_t>(items[k]) * f, f)
              .cast<double>();
      const double s = x.dot(y);
      const double c = 1.0 + static_cast<double>(alpha_) * values[k];
      loss += c * (1 - s) * (1 - s) - s * s;
    }
  }
  for (float v : item_factors_) loss += regularization_ * static_cast<double>(v) * v;
  return loss;
}

Status AlsRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  RECLIFT_RETURN_IF_ERROR(Configure(data, params, ctx.seed));
  for (int it = 0; it < iterations_; ++it) {
    if (ctx.IsCancelled()) return Status::Internal("als: fit cancelled");
    SolveUsers();
    SolveItems();
    ctx.Log(LogLevel::kDebug,
            "als: sweep " + std::to_string(it + 1) + "/" + std::to_string(iterations_) + " done");
  }
  scorer_.Reset(item_factors_.data(), data.num_items, static_cast<size_t>(factors_),
                static_cast<size_t>(factors_));
  return Status::Ok();
}

Status AlsRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("als: Score called before Fit");
  if (user >= data_->num_users) {
    return Status::InvalidArgument("als: user id " + std::to_string(user) +
                                   " is out of range (the model has " + std::to_string(data_->num_users) +
                                   " users)");
  }
  if (out.size() != items.size()) return Status::InvalidArgument("als: Score: out and items differ in size");
  RECLIFT_RETURN_IF_ERROR(als_detail::CheckItems(items, data_->num_items, "candidate"));
  const int f = factors_;
  als_detail::ConstVectorMap x(user_factors_.data() + static_cast<size_t>(user) * f, f);
  for (size_t j = 0; j < items.size(); ++j) {
    out[j] = x.dot(als_detail::ConstVectorMap(item_factors_.data() + static_cast<size_t>(items[j]) * f, f));
  }
  return Status::Ok();
}

Status AlsRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("als: ScoreBatch called before Fit");
  const size_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(
        "als: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * num_items) +
        " scores, has " + std::to_string(out.size()));
  }
  if (scorer_.num_items() != num_items) return Status::InvalidArgument("als: ScoreBatch called before Fit");
  const size_t f = static_cast<size_t>(factors_);
  std::vector<float> rows(users.size() * f);
  for (size_t b = 0; b < users.size(); ++b) {
    if (users[b] >= data_->num_users) {
      return Status::InvalidArgument("als: user id " + std::to_string(users[b]) + " is out of range");
    }
    std::copy_n(user_factors_.data() + static_cast<size_t>(users[b]) * f, f, rows.data() + b * f);
  }
  scorer_.ScoreRows(rows.data(), users.size(), f, {}, out);
  return Status::Ok();
}

Status AlsRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                    std::span<const float> history_values, std::span<const uint32_t> items,
                                    std::span<float> out) const {
  if (data_ == nullptr || item_gram_.empty())
    return Status::InvalidArgument("als: ScoreHistory called before Fit");
  if (out.size() != items.size())
    return Status::InvalidArgument("als: ScoreHistory: out and items differ in size");
  if (!history_values.empty() && history_values.size() != history_items.size()) {
    return Status::InvalidArgument("als: ScoreHistory: history_values must be empty or match history_items");
  }
  RECLIFT_RETURN_IF_ERROR(als_detail::CheckItems(history_items, data_->num_items, "history"));
  RECLIFT_RETURN_IF_ERROR(als_detail::CheckItems(items, data_->num_items, "candidate"));
  std::vector<float> values(history_items.size(), 1.f);
  for (size_t k = 0; k < history_values.size(); ++k) {
    if (!(history_values[k] >= 0.f) || !std::isfinite(history_values[k])) {
      return Status::InvalidArgument("als: ScoreHistory: history values must be finite and >= 0");
    }
    values[k] = history_values[k];
  }
  const int f = factors_;
  const Eigen::Map<const Eigen::MatrixXf> gram(item_gram_.data(), f, f);
  std::vector<float> x(f, 0.f);
  als_detail::SolveRowExact(gram, history_items, values, item_factors_.data(), f, alpha_, x.data());
  als_detail::ConstVectorMap xv(x.data(), f);
  for (size_t j = 0; j < items.size(); ++j) {
    out[j] = xv.dot(als_detail::ConstVectorMap(item_factors_.data() + static_cast<size_t>(items[j]) * f, f));
  }
  return Status::Ok();
}

}  // namespace reclift::recommenders
