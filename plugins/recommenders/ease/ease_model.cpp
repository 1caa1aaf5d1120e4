// EASE: see ease.h for the model and README.md for parameters.
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <string>

#include "ease.h"

namespace reclift::recommenders {
namespace ease_detail {

// Columns of the identity solved per task when inverting: wide enough for a
// matrix-matrix triangular solve, narrow enough to balance the threads.
constexpr Eigen::Index kSolveBlock = 64;

std::string Gibibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

// Writes B (row-major, weights[i * n + j] = B_ij) into `storage`, which Fit
// sizes to n * n scalars and which holds P = G^-1 column-major on the way:
// P's column i is P's row i (P is symmetric), so B's row i is P's column i
// divided by P's diagonal, computed in place.
template <class Scalar>
Status Solve(const TrainData& data, double lambda, bool binarize, Scalar* storage) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index n = data.num_items;
  Matrix gram = Matrix::Zero(n, n);
  // Column i of X^T X: the rows of the users of item i, weighted by their
  // value for i. One task per column, summed in user order: deterministic.
  tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, n, 8),
                    [&](const tbb::blocked_range<Eigen::Index>& range) {
                      for (Eigen::Index i = range.begin(); i != range.end(); ++i) {
                        Scalar* column = gram.col(i).data();
                        const auto users = data.by_item.RowIndices(static_cast<size_t>(i));
                        const auto values = data.by_item.RowValues(static_cast<size_t>(i));
                        for (size_t k = 0; k < users.size(); ++k) {
                          const Scalar vi = binarize ? Scalar{1} : static_cast<Scalar>(values[k]);
                          const auto items = data.by_user.RowIndices(users[k]);
                          const auto item_values = data.by_user.RowValues(users[k]);
                          for (size_t m = 0; m < items.size(); ++m) {
                            column[items[m]] += binarize ? vi : vi * static_cast<Scalar>(item_values[m]);
                          }
                        }
                      }
                    });
  gram.diagonal().array() += static_cast<Scalar>(lambda);

  Eigen::Map<Matrix> inverse(storage, n, n);
  {
    Eigen::LLT<Eigen::Ref<Matrix>> llt(gram);  // in place: gram now holds the factor
    if (llt.info() != Eigen::Success) {
      return Status::InvalidArgument(
          "ease: X^T X + lambda I is not positive definite in the chosen precision (lambda = " +
          std::to_string(lambda) + "); raise lambda or set precision = \"double\"");
    }
    inverse.setIdentity();
    const Eigen::Index blocks = (n + kSolveBlock - 1) / kSolveBlock;
    tbb::parallel_for(Eigen::Index{0}, blocks, [&](Eigen::Index b) {
      const Eigen::Index begin = b * kSolveBlock, width = std::min(kSolveBlock, n - begin);
      auto columns = inverse.middleCols(begin, width);
      llt.solveInPlace(columns);
    });
  }
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> inverse_diagonal = inverse.diagonal().cwiseInverse();
  tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, n, 64),
                    [&](const tbb::blocked_range<Eigen::Index>& range) {
                      for (Eigen::Index i = range.begin(); i != range.end(); ++i) {
                        inverse.col(i).array() *= -inverse_diagonal.array();
                        inverse(i, i) = 0;
                      }
                    });
  for (Eigen::Index k = 0; k < n * n; ++k) {
    if (!std::isfinite(storage[k])) {
      return Status::Internal("ease: the weights are not finite; raise lambda or set precision = \"double\"");
    }
  }
  return Status::Ok();
}

Status CheckItems(std::span<const uint32_t> items, uint32_t num_items, const char* what) {
  for (uint32_t item : items) {
    if (item >= num_items) {
      return Status::InvalidArgument(std::string("ease: ") + what + " item id " + std::to_string(item) +
                                     " is out of range (the model has " + std::to_string(num_items) +
                                     " items)");
    }
  }
  return Status::Ok();
}

}  // namespace ease_detail

uint64_t EaseRecommender::RequiredBytes(uint64_t num_items, bool double_precision) {
  return 2 * num_items * num_items * (double_precision ? sizeof(double) : sizeof(float));
}

Status EaseRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const double lambda = params.GetFloat("lambda");
  const int64_t budget_mb = params.GetInt("memory_budget_mb");
  const bool double_precision = params.GetString("precision") == "double";
  binarize_ = params.GetBool("binarize");
  const uint64_t n = data.num_items;
  const uint64_t needed = RequiredBytes(n, double_precision);
  if (needed > static_cast<uint64_t>(budget_mb) * 1024 * 1024) {
    return Status::InvalidArgument(
        "ease: " + std::to_string(n) + " items need two dense " + std::to_string(n) + " x " +
        std::to_string(n) + (double_precision ? " double" : " float") + " matrices, " +
        ease_detail::Gibibytes(needed) + ", more than memory_budget_mb = " + std::to_string(budget_mb) +
        "; raise memory_budget_mb to at least " + std::to_string((needed + 1024 * 1024 - 1) / (1024 * 1024)) +
        " or reduce the catalogue");
  }
  if (!binarize_) {
    for (float v : data.by_user.values) {
      if (!std::isfinite(v)) return Status::InvalidArgument("ease: interaction values must be finite");
    }
  }
  data_ = &data;
  num_items_ = data.num_items;
  weights_.clear();
  weights_.shrink_to_fit();
  if (double_precision) {
    std::vector<double> storage(n * n);
    RECLIFT_RETURN_IF_ERROR(ease_detail::Solve<double>(data, lambda, binarize_, storage.data()));
    weights_.assign(storage.begin(), storage.end());
  } else {
    weights_.resize(n * n);
    RECLIFT_RETURN_IF_ERROR(ease_detail::Solve<float>(data, lambda, binarize_, weights_.data()));
  }
  ctx.Log(LogLevel::kDebug, "ease: fitted " + std::to_string(n) + " x " + std::to_string(n) + " weights");
  return Status::Ok();
}

Status EaseRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("ease: Score called before Fit");
  if (user >= data_->num_users) {
    return Status::InvalidArgument("ease: user id " + std::to_string(user) +
                                   " is out of range (the model has " + std::to_string(data_->num_users) +
                                   " users)");
  }
  return ScoreHistory(data_->by_user.RowIndices(user), data_->by_user.RowValues(user), items, out);
}

Status EaseRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                     std::span<const float> history_values, std::span<const uint32_t> items,
                                     std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("ease: ScoreHistory called before Fit");
  if (out.size() != items.size()) return Status::InvalidArgument("ease: out and items differ in size");
  if (!history_values.empty() && history_values.size() != history_items.size()) {
    return Status::InvalidArgument("ease: ScoreHistory: history_values must be empty or match history_items");
  }
  RECLIFT_RETURN_IF_ERROR(ease_detail::CheckItems(history_items, num_items_, "history"));
  RECLIFT_RETURN_IF_ERROR(ease_detail::CheckItems(items, num_items_, "candidate"));
  std::fill(out.begin(), out.end(), 0.f);
  for (size_t k = 0; k < history_items.size(); ++k) {
    const float value = binarize_ || history_values.empty() ? 1.f : history_values[k];
    const float* row = weights_.data() + static_cast<size_t>(history_items[k]) * num_items_;
    for (size_t j = 0; j < items.size(); ++j) out[j] += value * row[items[j]];
  }
  return Status::Ok();
}

Status EaseRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("ease: ScoreBatch called before Fit");
  const size_t n = num_items_;
  if (out.size() != users.size() * n) {
    return Status::InvalidArgument(
        "ease: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * n) +
        " scores, has " + std::to_string(out.size()));
  }
  const Eigen::Index width = static_cast<Eigen::Index>(n);
  for (size_t b = 0; b < users.size(); ++b) {
    if (users[b] >= data_->num_users) {
      return Status::InvalidArgument("ease: user id " + std::to_string(users[b]) + " is out of range");
    }
    // a sparse row times dense B: one axpy of a B row per history item
    Eigen::Map<Eigen::RowVectorXf> scores(out.data() + b * n, width);
    scores.setZero();
    const auto history = data_->by_user.RowIndices(users[b]);
    const auto values = data_->by_user.RowValues(users[b]);
    for (size_t k = 0; k < history.size(); ++k) {
      const float value = binarize_ ? 1.f : values[k];
      scores += value * Eigen::Map<const Eigen::RowVectorXf>(weights_.data() + history[k] * n, width);
    }
  }
  return Status::Ok();
}

}  // namespace reclift::recommenders
