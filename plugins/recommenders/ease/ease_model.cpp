// EASE: see ease.h for the model and README.md for parameters.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#endif
#include <cblas.h>  // OpenBLAS: openblas_set_num_threads
#include <lapacke.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "ease.h"

namespace reclift::recommenders {
namespace ease_detail {

// Side of the tiles copied when mirroring the inverse's lower triangle.
constexpr size_t kTile = 64;

std::string Gibibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

// Single-threaded BLAS/LAPACK on tiles, parallelised by oneTBB over tiles
// (the tiled Cholesky of PLASMA: Buttari et al., "A class of parallel tiled
// linear algebra algorithms for multicore architectures", 2009). Each tile
// is updated by one call at a time, in a fixed order, so the result is the
// same bit for bit for any thread count; OpenBLAS's own threaded potrf /
// potri are not (their blocking depends on the thread count), and its
// threads would compete with oneTBB's for the cores the host granted.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : previous_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
  ~SingleThreadedBlas() { openblas_set_num_threads(previous_); }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

// Tile side: a 256 x 256 gemm runs at the single core's peak, and a
// 10k-item catalogue still gives 39 x 39 tiles to spread over threads.
constexpr size_t kBlasTile = 256;

// The float / double overloads of the routines the tiled algorithms call
// (column-major, leading dimension ld).
lapack_int Potrf(int n, float* a, int ld) {
  return LAPACKE_spotrf(LAPACK_COL_MAJOR, 'L', n, a, ld);
}
lapack_int Potrf(int n, double* a, int ld) {
  return LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, a, ld);
}
lapack_int Trtri(int n, float* a, int ld) {
  return LAPACKE_strtri(LAPACK_COL_MAJOR, 'L', 'N', n, a, ld);
}
lapack_int Trtri(int n, double* a, int ld) {
  return LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'L', 'N', n, a, ld);
}
lapack_int Lauum(int n, float* a, int ld) {
  return LAPACKE_slauum(LAPACK_COL_MAJOR, 'L', n, a, ld);
}
lapack_int Lauum(int n, double* a, int ld) {
  return LAPACKE_dlauum(LAPACK_COL_MAJOR, 'L', n, a, ld);
}
void Trsm(CBLAS_SIDE side, CBLAS_TRANSPOSE trans, int m, int n, float alpha, const float* a, int lda,
          float* b, int ldb) {
  cblas_strsm(CblasColMajor, side, CblasLower, trans, CblasNonUnit, m, n, alpha, a, lda, b, ldb);
}
void Trsm(CBLAS_SIDE side, CBLAS_TRANSPOSE trans, int m, int n, double alpha, const double* a, int lda,
          double* b, int ldb) {
  cblas_dtrsm(CblasColMajor, side, CblasLower, trans, CblasNonUnit, m, n, alpha, a, lda, b, ldb);
}
void Trmm(CBLAS_SIDE side, CBLAS_TRANSPOSE trans, int m, int n, float alpha, const float* a, int lda,
          float* b, int ldb) {
  cblas_strmm(CblasColMajor, side, CblasLower, trans, CblasNonUnit, m, n, alpha, a, lda, b, ldb);
}
void Trmm(CBLAS_SIDE side, CBLAS_TRANSPOSE trans, int m, int n, double alpha, const double* a, int lda,
          double* b, int ldb) {
  cblas_dtrmm(CblasColMajor, side, CblasLower, trans, CblasNonUnit, m, n, alpha, a, lda, b, ldb);
}
void Syrk(CBLAS_TRANSPOSE trans, int n, int k, float alpha, const float* a, int lda, float* c, int ldc) {
  cblas_ssyrk(CblasColMajor, CblasLower, trans, n, k, alpha, a, lda, 1.f, c, ldc);
}
void Syrk(CBLAS_TRANSPOSE trans, int n, int k, double alpha, const double* a, int lda, double* c, int ldc) {
  cblas_dsyrk(CblasColMajor, CblasLower, trans, n, k, alpha, a, lda, 1.0, c, ldc);
}
void Gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float* c, int ldc) {
  cblas_sgemm(CblasColMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, 1.f, c, ldc);
}
void Gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha, const double* a, int lda,
          const double* b, int ldb, double* c, int ldc) {
  cblas_dgemm(CblasColMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, 1.0, c, ldc);
}

// An n x n column-major matrix seen as tiles of kBlasTile.
template <class Scalar>
struct Tiles {
  Scalar* data;
  size_t n;
  size_t count() const { return (n + kBlasTile - 1) / kBlasTile; }
  int size(size_t t) const { return static_cast<int>(std::min(kBlasTile, n - t * kBlasTile)); }
  Scalar* at(size_t i, size_t j) const { return data + j * kBlasTile * n + i * kBlasTile; }
  int ld() const { return static_cast<int>(n); }
};

// Every (i, j) with first <= j <= i < count: the tiles of a trailing lower
// triangle, one task each.
template <class F>
void ForLowerTiles(size_t first, size_t count, F&& f) {
  const size_t m = count - first;
  tbb::parallel_for(size_t{0}, m * (m + 1) / 2, [&](size_t p) {
    // p enumerates rows i' = 0.. of the triangle, row i' holding i' + 1 tiles
    size_t row = static_cast<size_t>((std::sqrt(8.0 * static_cast<double>(p) + 1) - 1) / 2);
    while (row * (row + 1) / 2 > p) --row;
    while ((row + 1) * (row + 2) / 2 <= p) ++row;
    f(first + row, first + (p - row * (row + 1) / 2));
  });
}

// In place: the lower Cholesky factor L of the lower triangle of `a`
// (right-looking: factor the diagonal tile, solve the panel below it,
// update the trailing triangle). False when `a` is not positive definite.
template <class Scalar>
bool TiledCholesky(const Tiles<Scalar>& a) {
  const size_t t = a.count();
  for (size_t k = 0; k < t; ++k) {
    if (Potrf(a.size(k), a.at(k, k), a.ld()) != 0) return false;
    tbb::parallel_for(k + 1, t, [&](size_t i) {
      Trsm(CblasRight, CblasTrans, a.size(i), a.size(k), Scalar{1}, a.at(k, k), a.ld(), a.at(i, k), a.ld());
    });
    if (k + 1 == t) break;
    ForLowerTiles(k + 1, t, [&](size_t i, size_t j) {
      if (i == j) {
        Syrk(CblasNoTrans, a.size(i), a.size(k), Scalar{-1}, a.at(i, k), a.ld(), a.at(i, i), a.ld());
      } else {
        Gemm(CblasNoTrans, CblasTrans, a.size(i), a.size(j), a.size(k), Scalar{-1}, a.at(i, k), a.ld(),
             a.at(j, k), a.ld(), a.at(i, j), a.ld());
      }
    });
  }
  return true;
}

// In place: W = L^-1 of a lower factor, by block columns from the right:
// (W L)_ij = 0 gives W_ij = -(sum_{k=j+1..i} W_ik L_kj) W_jj, where the
// W_ik of the columns right of j are already known. The sums are gathered
// in a scratch panel first, since they read column j's L tiles.
template <class Scalar>
bool TiledTriangularInverse(const Tiles<Scalar>& a) {
  const size_t t = a.count();
  std::vector<Scalar> panel(a.n * kBlasTile);
  for (size_t j = t; j-- > 0;) {
    const int nj = a.size(j);
    tbb::parallel_for(j + 1, t, [&](size_t i) {
      const int mi = a.size(i);
      Scalar* sum = panel.data() + (i - j - 1) * kBlasTile * kBlasTile;  // mi x nj, ld mi
      for (int c = 0; c < nj; ++c) std::copy_n(a.at(i, j) + static_cast<size_t>(c) * a.n, mi, sum + c * mi);
      Trmm(CblasLeft, CblasNoTrans, mi, nj, Scalar{1}, a.at(i, i), a.ld(), sum, mi);  // W_ii L_ij
      for (size_t k = j + 1; k < i; ++k) {
        Gemm(CblasNoTrans, CblasNoTrans, mi, nj, a.size(k), Scalar{1}, a.at(i, k), a.ld(), a.at(k, j), a.ld(),
             sum, mi);
      }
    });
    if (Trtri(nj, a.at(j, j), a.ld()) != 0) return false;
    tbb::parallel_for(j + 1, t, [&](size_t i) {
      const int mi = a.size(i);
      Scalar* sum = panel.data() + (i - j - 1) * kBlasTile * kBlasTile;
      Trmm(CblasRight, CblasNoTrans, mi, nj, Scalar{-1}, a.at(j, j), a.ld(), sum, mi);
      for (int c = 0; c < nj; ++c) std::copy_n(sum + c * mi, mi, a.at(i, j) + static_cast<size_t>(c) * a.n);
    });
  }
  return true;
}

// In place: the lower triangle of P = W^T W from a lower W, by block rows
// from the top: P_ij = sum_{k=i..} W_ki^T W_kj reads only rows >= i, and
// row i's off-diagonal tiles need W_ii, so the diagonal tile comes last.
template <class Scalar>
void TiledLowerGram(const Tiles<Scalar>& a) {
  const size_t t = a.count();
  for (size_t i = 0; i < t; ++i) {
    const int ni = a.size(i);
    tbb::parallel_for(size_t{0}, i, [&](size_t j) {
      const int nj = a.size(j);
      Trmm(CblasLeft, CblasTrans, ni, nj, Scalar{1}, a.at(i, i), a.ld(), a.at(i, j), a.ld());
      for (size_t k = i + 1; k < t; ++k) {
        Gemm(CblasTrans, CblasNoTrans, ni, nj, a.size(k), Scalar{1}, a.at(k, i), a.ld(), a.at(k, j), a.ld(),
             a.at(i, j), a.ld());
      }
    });
    Lauum(ni, a.at(i, i), a.ld());
    for (size_t k = i + 1; k < t; ++k) {
      Syrk(CblasTrans, ni, a.size(k), Scalar{1}, a.at(k, i), a.ld(), a.at(i, i), a.ld());
    }
  }
}

// G = X^T X + lambda I into `gram` (n x n, column-major; only the lower
// triangle, i.e. rows >= the column, is written: LAPACK reads no more).
// Column i: the rows of the users of item i, weighted by their value for i.
// One task per column, summed in user order: deterministic.
template <class Scalar>
void BuildGram(const TrainData& data, double lambda, bool binarize, Scalar* gram) {
  const size_t n = data.num_items;
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 8), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t i = range.begin(); i != range.end(); ++i) {
      Scalar* column = gram + i * n;
      std::fill(column, column + n, Scalar{0});
      const auto users = data.by_item.RowIndices(i);
      const auto values = data.by_item.RowValues(i);
      for (size_t k = 0; k < users.size(); ++k) {
        const Scalar vi = binarize ? Scalar{1} : static_cast<Scalar>(values[k]);
        const auto items = data.by_user.RowIndices(users[k]);
        const auto item_values = data.by_user.RowValues(users[k]);
        // a user's items are sorted: the lower triangle starts at item i
        const size_t first = static_cast<size_t>(
            std::lower_bound(items.begin(), items.end(), static_cast<uint32_t>(i)) - items.begin());
        for (size_t m = first; m < items.size(); ++m) {
          column[items[m]] += binarize ? vi : vi * static_cast<Scalar>(item_values[m]);
        }
      }
      column[i] += static_cast<Scalar>(lambda);
    }
  });
}

// P = G^-1 in place of `matrix` (the tiled equivalent of LAPACK's potrf +
// potri: Cholesky factor L, W = L^-1, P = W^T W; n^3 flops, nearly all in
// single-threaded gemm/syrk/trsm/trmm of OpenBLAS on 256 x 256 tiles), then
// B with weights[i * n + j] = B_ij = -P_ij / P_jj, B_ii = 0, written into
// `weights` (which may be `matrix` itself). potri leaves P's lower
// triangle; P is symmetric, so column-major P's column i is row i, and
// weights' row i is P's column i over P's diagonal.
template <class Scalar>
Status Solve(const TrainData& data, double lambda, bool binarize, Scalar* matrix, float* weights) {
  const size_t n = data.num_items;
  BuildGram(data, lambda, binarize, matrix);
  {
    SingleThreadedBlas blas;
    const Tiles<Scalar> tiles{matrix, n};
    if (!TiledCholesky(tiles) || !TiledTriangularInverse(tiles)) {
      return Status::InvalidArgument(
          "ease: X^T X + lambda I is not positive definite in the chosen precision (lambda = " +
          std::to_string(lambda) + "); raise lambda or set precision = \"double\"");
    }
    TiledLowerGram(tiles);
  }
  // Mirror the lower triangle into the upper one, tile by tile (a tile row
  // of the upper triangle is read from a tile column of the lower one).
  const size_t tiles = (n + kTile - 1) / kTile;
  tbb::parallel_for(size_t{0}, tiles, [&](size_t tj) {
    for (size_t ti = 0; ti < tj; ++ti) {
      for (size_t j = tj * kTile; j < std::min(n, (tj + 1) * kTile); ++j) {
        for (size_t i = ti * kTile; i < (ti + 1) * kTile; ++i) matrix[j * n + i] = matrix[i * n + j];
      }
    }
    for (size_t j = tj * kTile; j < std::min(n, (tj + 1) * kTile); ++j) {
      for (size_t i = tj * kTile; i < j; ++i) matrix[j * n + i] = matrix[i * n + j];
    }
  });
  std::vector<Scalar> inverse_diagonal(n);
  for (size_t j = 0; j < n; ++j) inverse_diagonal[j] = Scalar{1} / matrix[j * n + j];
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 64), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t i = range.begin(); i != range.end(); ++i) {
      const Scalar* column = matrix + i * n;
      float* row = weights + i * n;
      for (size_t j = 0; j < n; ++j) row[j] = static_cast<float>(-column[j] * inverse_diagonal[j]);
      row[i] = 0;
    }
  });
  for (size_t k = 0; k < n * n; ++k) {
    if (!std::isfinite(weights[k])) {
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
  // float: one matrix, factored and inverted in place, becomes the weights;
  // double: the double matrix, then the float weights beside it
  return num_items * num_items * (sizeof(float) + (double_precision ? sizeof(double) : 0));
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
        "ease: " + std::to_string(n) + " items need " +
        (double_precision ? "a dense " + std::to_string(n) + " x " + std::to_string(n) +
                                " double matrix and its float copy, "
                          : "a dense " + std::to_string(n) + " x " + std::to_string(n) + " float matrix, ") +
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
    weights_.resize(n * n);
    RECLIFT_RETURN_IF_ERROR(
        ease_detail::Solve<double>(data, lambda, binarize_, storage.data(), weights_.data()));
  } else {
    weights_.resize(n * n);
    RECLIFT_RETURN_IF_ERROR(
        ease_detail::Solve<float>(data, lambda, binarize_, weights_.data(), weights_.data()));
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
