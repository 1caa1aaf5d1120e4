// Neighbourhood models shared by the item_knn and user_knn plugins: the
// similarity measures, their sparse top-N computation, the baseline
// estimates and the rating predictors of Surprise's KNNBasic, KNNWithMeans
// and KNNBaseline (Hug, JOSS 2020), whose formulas are mirrored exactly.
//
// Vocabulary (Surprise's): the model is "x-based". An item-based model has
// x = items and y = users; a user-based one x = users and y = items. The
// similarity of x and x2 is taken over the ys they share; the prediction of
// (user, item) looks at the neighbours x2 of x that rated y.
//
// Memory: only the `top_neighbours` most similar xs of each x are stored
// (sparse, sorted by similarity), never a dense x-by-x matrix. Computation
// keeps one dense accumulator row of size num_x per thread.
//
// Thread-safety: Fit is single-caller; everything const may be called
// concurrently after Fit. Results do not depend on the thread count: every
// row is summed in a fixed order by one task.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "reclift/context.h"
#include "reclift/params.h"
#include "reclift/status.h"
#include "reclift/train_data.h"

namespace reclift::recommenders::knn {

enum class Similarity {
  kCosine,           // Surprise's cosine: norms over the shared ys only
  kCosineFull,       // cosine of the full vectors (Sarwar et al. 2001): overlap-aware
  kPearson,          // Pearson correlation over the shared ys
  kMsd,              // 1 / (mean squared difference over the shared ys + 1)
  kPearsonBaseline,  // Pearson of baseline residuals, shrunk by support
};

enum class PredictionMode {
  kBasic,     // KNNBasic: similarity-weighted mean of the neighbours' ratings
  kMeans,     // KNNWithMeans: the same on ratings centred by each x's mean
  kBaseline,  // KNNBaseline: the same on baseline residuals
};

// The options both plugins read from their parameters.
struct KnnOptions {
  Similarity similarity = Similarity::kCosineFull;
  PredictionMode prediction = PredictionMode::kBasic;
  int k = 40;                      // neighbours used per prediction / per user's score
  int min_k = 1;                   // fewer usable neighbours: fall back (see Predict)
  int min_support = 1;             // pairs sharing fewer ys have similarity 0
  double shrinkage = 100;          // pearson_baseline: rho * (n - 1) / (n - 1 + shrinkage)
  uint32_t top_neighbours = 100;   // stored neighbours per x; 0 keeps every positive one
  int baseline_epochs = 10;        // ALS sweeps of the baseline estimates
  double baseline_reg_users = 15;  // Surprise's reg_u
  double baseline_reg_items = 10;  // Surprise's reg_i
};

// Reads the parameters shared by both plugins (names as in the READMEs).
// InvalidArgument for combinations the specs cannot express (min_k > k).
Status ParseOptions(const Params& params, KnnOptions& out);
const char* SimilarityName(Similarity s);

// One neighbour: its id and its similarity.
struct Neighbour {
  uint32_t id;
  float similarity;
};

// Neighbour lists in CSR form: row x lists its most similar xs, sorted by
// similarity descending, ties by ascending id. Only positive similarities
// are stored (no prediction or score uses the others).
struct NeighbourLists {
  std::vector<uint64_t> offsets{0};  // rows + 1
  std::vector<Neighbour> entries;

  size_t rows() const { return offsets.size() - 1; }
  std::span<const Neighbour> Row(size_t x) const {
    return std::span<const Neighbour>(entries).subspan(offsets[x], offsets[x + 1] - offsets[x]);
  }
  size_t MemoryBytes() const {
    return offsets.size() * sizeof(uint64_t) + entries.size() * sizeof(Neighbour);
  }
  // The reverse lists: row x2 holds every x whose list contains x2 (with the
  // same similarity), sorted by x ascending. `rows` = the number of x2s.
  NeighbourLists Reverse(size_t rows) const;
};

// Baseline estimates b_ui = mu + b_u + b_i, fitted by Surprise's ALS: each
// sweep sets b_i = sum(r - mu - b_u) / (reg_i + |U_i|) for every item, then
// b_u = sum(r - mu - b_i) / (reg_u + |I_u|) for every user, from zeros.
struct Baselines {
  double global_mean = 0;
  std::vector<double> user_bias;
  std::vector<double> item_bias;
};
Baselines FitBaselines(const TrainData& data, int epochs, double reg_users, double reg_items);

// Everything a neighbourhood model learns: the neighbour lists of every x
// and what predictions need. Shared by ItemKnnRecommender (user_based =
// false) and UserKnnRecommender (user_based = true).
class KnnCore {
 public:
  // Computes baselines / means when the options need them, then every x's
  // neighbours in parallel. InvalidArgument when the data cannot support
  // the similarity (constant values make all but cosine_full meaningless).
  Status Fit(const TrainData& data, const KnnOptions& options, bool user_based, const Context& ctx);

  // Surprise's estimate for (user, item), clipped to the training range
  // [min_value, max_value]. Unknown user or item (no training interaction):
  // the global mean (basic, means) or the partial baseline (baseline).
  // Fewer than min_k usable neighbours: the global mean (basic), x's mean
  // (means) or the baseline (baseline). Only stored neighbours are searched.
  float Predict(uint32_t user, uint32_t item) const;
  // Predict for each of `items` into out (the Recommender::Predict entry
  // point of both plugins): InvalidArgument for ids out of range or sizes
  // that differ, or before a successful Fit.
  Status PredictMany(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const;

  // The neighbours of an x unseen at fit time, described by its (y, value)
  // entries (sorted by y, unique), keeping the `keep` most similar.
  std::vector<Neighbour> FoldInNeighbours(std::span<const uint32_t> ys, std::span<const float> values,
                                          size_t keep) const;

  // Similarities of x with every x2 sharing a y, including non-positive ones
  // and x2s below min_support (reported as 0), sorted by id: for tests and
  // reports that need the full row rather than the stored top-N.
  std::vector<Neighbour> SimilarityRow(uint32_t x) const;

  const NeighbourLists& neighbours() const { return neighbours_; }
  const Baselines& baselines() const { return baselines_; }
  const KnnOptions& options() const { return options_; }
  const TrainData& data() const { return *data_; }
  // InvalidArgument unless the last Fit succeeded.
  Status CheckFitted() const {
    return data_ != nullptr ? Status::Ok() : Status::InvalidArgument("called before a successful Fit");
  }
  bool user_based() const { return user_based_; }

 private:
  // x-major: x -> (y, value); y-major: y -> (x, value)
  const SparseView& XMajor() const { return user_based_ ? data_->by_user : data_->by_item; }
  const SparseView& YMajor() const { return user_based_ ? data_->by_item : data_->by_user; }
  std::span<const double> XBias() const;
  std::span<const double> YBias() const;

  const TrainData* data_ = nullptr;
  KnnOptions options_;
  bool user_based_ = false;
  Baselines baselines_;          // filled for the baseline mode and pearson_baseline
  std::vector<double> x_means_;  // filled for the means mode
  std::vector<double> x_norms_;  // filled for cosine_full
  NeighbourLists neighbours_;
};

// Sorts a history by id and drops duplicates (the later one wins, as in
// OwnedSparse); `values` may be empty (every value 1). InvalidArgument for an
// id >= limit or mismatched sizes.
Status CanonicalHistory(std::span<const uint32_t> ids, std::span<const float> values, uint32_t limit,
                        std::vector<uint32_t>& out_ids, std::vector<float>& out_values);

}  // namespace reclift::recommenders::knn
