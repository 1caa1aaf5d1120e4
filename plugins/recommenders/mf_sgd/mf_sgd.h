// Biased matrix factorisation by stochastic gradient descent: Funk's SVD
// (Koren, Bell & Volinsky, "Matrix factorization techniques for recommender
// systems", IEEE Computer 2009) and SVD++ (Koren, "Factorization meets the
// neighborhood", KDD 2008), with Surprise's update rules and defaults.
//
//   SVD:   r^(u, i) = mu + b_u + b_i + q_i . p_u
//   SVD++: r^(u, i) = mu + b_u + b_i + q_i . (p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j)
//
// with N(u) the items u rated in training. Each training rating, in turn,
// computes e = r - r^(u, i) and moves every parameter it touches by
// lr * (gradient - reg * parameter):
//   b_u += lr (e - reg b_u)            b_i += lr (e - reg b_i)
//   p_u += lr (e q_i - reg p_u)        q_i += lr (e (p_u [+ implicit]) - reg q_i)
//   SVD++ also, for every j in N(u): y_j += lr (e |N(u)|^-1/2 q_i - reg y_j)
// (old values on the right). Biases start at 0 and factors at
// N(init_mean, init_std). A user or item with no training rating is unknown,
// as in Surprise: its factors (and bias) are left out of the estimate.
// Predict clips to the training rating range; Score and ScoreBatch give the
// unclipped estimate (same order, no ties at the top rating).
//
// Order of the updates: by default ("user") each user's ratings are processed
// together, users in a seeded random order and each user's ratings in a seeded
// random order, the same order every epoch: Surprise's scheme (it walks its
// trainset user by user). "shuffled" (SVD only) takes one seeded random
// permutation of all ratings instead.
//
// SVD++ in O(f) per rating, exactly: within one user's run every y_j of N(u)
// receives the same update y_j <- (1 - lr reg) y_j + c_t, so the run keeps the
// scale (1 - lr reg)^t and the sum of the c_t aside and applies them to N(u)
// once at the end of the run, and keeps the implicit sum up to date with
// sum' = (1 - lr reg) sum + lr e q_i. This equals Surprise's per-rating
// update of every y_j (up to float rounding) at O(|N(u)| f) per user instead
// of per rating.
//
// Determinism: with strata = 1 (the default) the SGD runs in one thread in
// the seeded order, so the model depends on the seed only. With strata = K > 1
// (SVD only) users and items are split into K groups each and the epoch runs
// in K rounds of K blocks (user group g, item group (g + round) mod K) that
// share no row, in parallel ("DSGD", Gemulla et al., KDD 2011): the same for
// any thread count, but a different update order than strata = 1.
//
// Speed: factor rows are padded to a multiple of 8 floats and 64-byte aligned;
// the per-rating loops use AVX2 + FMA when the CPU has them (checked at run
// time) and prefetch the item rows of the next ratings.
//
// Top-N ranking: a second, separate "selection" model of which items a user
// picks (rates at all), fitted on the same training interactions after the
// rating SGD, with its own parameters and seeded streams (so the rating model
// and Predict do not depend on it):
//
//   P(pick | u, i) = sigmoid(c_i + x_u . y_i + log s_u)
//
// a logistic matrix factorisation trained by SGD on every training pair
// (label 1) and `selection_negatives` items per pair drawn uniformly among
// the items u did not pick (label 0). Sampling keeps a share
// s_u = negatives |N(u)| / (items - |N(u)|) of the unpicked pairs, so the
// fitted logit is corrected by log s_u (case-control "prior correction")
// to estimate the probability over the whole catalogue. `ranking` chooses
// what Score and ScoreBatch return:
//   rating     the unclipped rating estimate (the model's only output before)
//   selection  P(pick | u, i)
//   expected   P(pick | u, i) * g(u, i), g = (clip(r^) - r_min) / (r_max - r_min):
//              the expected normalised rating of the item, counting an item
//              the user does not pick as 0 (the two-part, missing-not-at-
//              random view of ratings: Marlin & Zemel 2009, Steck 2010).
// Training the selection model is sequential, users in a seeded order per
// epoch, so it depends on the seed only, whatever the thread count.
//
// Thread-safety: Fit is single-caller; the scoring methods are const and may
// be called concurrently after Fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "reclift/dense_scorer.h"
#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

// The top-N scoring parameters SVD and SVD++ share (the selection model).
// clang-format off
#define RECLIFT_MF_SGD_RANKING_PARAMS                                                                        \
  {"ranking", ParamType::kString, "expected", 0, 0, "expected|selection|rating",                             \
   "what Score ranks by: expected = P(pick) x normalised predicted rating; selection = P(pick); rating = "   \
   "the predicted rating alone (Predict is always the rating)"},                                             \
  {"selection_factors", ParamType::kInt, "32", 1, 1024, nullptr,                                             \
   "latent factors of the selection model (which items a user picks); not used with ranking = rating"},      \
  {"selection_epochs", ParamType::kInt, "20", 1, 1000, nullptr,                                              \
   "selection model: passes over the training pairs"},                                                       \
  {"selection_negatives", ParamType::kInt, "4", 1, 100, nullptr,                                             \
   "selection model: items drawn among those the user did not pick, per training pair"},                     \
  {"selection_learning_rate", ParamType::kFloat, "0.05", 1e-6, 1, nullptr, "selection model: SGD step size"},\
  {"selection_regularization", ParamType::kFloat, "0.01", 0, 10, nullptr,                                    \
   "selection model: L2 penalty of every parameter, at each step that touches it"},
// clang-format on

// The "mf_sgd" plugin (SVD): Surprise's SVD defaults.
inline constexpr ParamSpec kMfSgdParams[] = {
    {"factors", ParamType::kInt, "100", 1, 1024, nullptr, "number of latent factors"},
    {"epochs", ParamType::kInt, "20", 1, 1000, nullptr, "passes over the training ratings"},
    {"learning_rate", ParamType::kFloat, "0.005", 1e-6, 1, nullptr, "SGD step size of every parameter"},
    {"regularization", ParamType::kFloat, "0.02", 0, 10, nullptr,
     "L2 penalty of every parameter, applied at each rating that touches it"},
    {"init_mean", ParamType::kFloat, "0", -1, 1, nullptr, "mean of the normal initial factors"},
    {"init_std", ParamType::kFloat, "0.1", 0, 1, nullptr, "standard deviation of the normal initial factors"},
    {"biased", ParamType::kBool, "true", 0, 0, nullptr,
     "learn the global mean and user and item biases; false: the estimate is q_i . p_u alone"},
    {"order", ParamType::kString, "user", 0, 0, "user|shuffled",
     "user: each user's ratings together, in a seeded random order (Surprise's scheme); shuffled: one seeded "
     "random permutation of all ratings"},
    {"strata", ParamType::kInt, "1", 1, 64, nullptr,
     "1: sequential SGD; K > 1: K x K blocks run K at a time in parallel (DSGD), the same for any thread "
     "count"},
    RECLIFT_MF_SGD_RANKING_PARAMS};

// The "svdpp" plugin (SVD++): Surprise's SVDpp defaults.
inline constexpr ParamSpec kSvdppParams[] = {
    {"factors", ParamType::kInt, "20", 1, 1024, nullptr, "number of latent factors"},
    {"epochs", ParamType::kInt, "20", 1, 1000, nullptr, "passes over the training ratings"},
    {"learning_rate", ParamType::kFloat, "0.007", 1e-6, 1, nullptr, "SGD step size of every parameter"},
    {"regularization", ParamType::kFloat, "0.02", 0, 10, nullptr,
     "L2 penalty of every parameter, applied at each rating that touches it"},
    {"init_mean", ParamType::kFloat, "0", -1, 1, nullptr, "mean of the normal initial factors"},
    {"init_std", ParamType::kFloat, "0.1", 0, 1, nullptr, "standard deviation of the normal initial factors"},
    RECLIFT_MF_SGD_RANKING_PARAMS};

enum class MfSgdVariant { kSvd, kSvdpp };

// What Score and ScoreBatch rank by (the `ranking` parameter).
enum class MfSgdRanking { kExpected, kSelection, kRating };

namespace mf_sgd_detail {

// Factor rows start on cache lines, so a row never straddles more lines than
// it must and the vector loads are aligned.
template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  CacheAlignedAllocator() = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, size_t) { ::operator delete (p, std::align_val_t{64}); }
  bool operator==(const CacheAlignedAllocator&) const { return true; }
};
using AlignedFloats = std::vector<float, CacheAlignedAllocator<float>>;

struct Rating {
  uint32_t item;
  float value;
};
// Consecutive ratings of one user in the training order.
struct Run {
  uint32_t user;
  uint32_t count;
};

}  // namespace mf_sgd_detail

class MfSgdRecommender : public Recommender {
 public:
  explicit MfSgdRecommender(MfSgdVariant variant = MfSgdVariant::kSvd) : variant_(variant) {}

  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  // One matrix product per call: (users x f) times (f x items), plus biases.
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  Status Predict(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  // Fold-in: the new user's b_u and p_u minimise the same loss SGD minimises
  // for a trained user, sum_j (e_j^2 + reg (b_u^2 + |p_u|^2)), with every item
  // parameter fixed: a ridge regression of (f + 1) unknowns solved exactly.
  // SVD++ adds the history's implicit term. Unclipped estimates, like Score.
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // The steps of Fit, public so that tests and benchmarks can drive them.
  // Configure checks parameters and data, draws the initial factors and
  // builds the training order.
  Status Configure(const TrainData& data, const Params& params, uint64_t seed);
  // One pass over every training rating; returns the sum of the squared
  // errors met before each update.
  double RunEpoch();
  // Leaves unknown users and items out of the estimate (zero rows) and, for
  // SVD++, builds each user's p_u + implicit sum for scoring. Fit calls it
  // after the last epoch.
  void Finish();
  // Runs SGD on `user`'s ratings (items[k], ratings[k]) in that order, exactly
  // as one run of an epoch does (for SVD++, N(u) is the user's training row).
  // The items must be distinct, as in a training row.
  void TrainUser(uint32_t user, std::span<const uint32_t> items, std::span<const float> ratings);
  // Root mean squared error of the current parameters on the training data.
  double TrainingRmse() const;

  // The selection model (see the top of this file). Fit calls these after
  // Finish unless ranking = rating. ConfigureSelection draws the initial
  // factors from streams of its own; RunSelectionEpoch returns the mean
  // log-loss of the pairs it stepped on; FinishSelection zeroes the rows of
  // users and items with no training interaction and sets the prior
  // corrections log s_u.
  void ConfigureSelection(uint64_t seed);
  double RunSelectionEpoch(int epoch);
  void FinishSelection();
  // Packs the item factors (and biases) for ScoreBatch. Fit calls it last;
  // call it again after changing factors by hand.
  void PackForScoring();
  // P(pick | user, item) after FinishSelection.
  float SelectionProbability(uint32_t user, uint32_t item) const;
  // The `expected` score: probability times the rating estimate clipped to
  // [min_rating, max_rating] and scaled to [0, 1] (the rating range empty:
  // the probability alone).
  static float ExpectedScore(float probability, float rating, float min_rating, float max_rating);

  MfSgdRanking ranking() const { return ranking_; }
  int selection_factors() const { return selection_factors_; }
  size_t selection_stride() const { return selection_stride_; }
  float* selection_user_row(uint32_t user) { return selection_users_.data() + user * selection_stride_; }
  float* selection_item_row(uint32_t item) { return selection_items_.data() + item * selection_stride_; }
  std::vector<float>& selection_bias() { return selection_bias_; }

  MfSgdVariant variant() const { return variant_; }
  const char* name() const { return variant_ == MfSgdVariant::kSvd ? "mf_sgd" : "svdpp"; }
  int factors() const { return factors_; }
  int epochs() const { return epochs_; }
  size_t stride() const { return stride_; }  // floats per factor row (factors rounded up to 8)
  bool uses_avx2() const { return avx2_; }
  float global_mean() const { return global_mean_; }
  float* user_row(uint32_t user) { return user_factors_.data() + user * stride_; }
  float* item_row(uint32_t item) { return item_factors_.data() + item * stride_; }
  float* implicit_row(uint32_t item) { return implicit_factors_.data() + item * stride_; }
  std::vector<float>& user_bias() { return user_bias_; }
  std::vector<float>& item_bias() { return item_bias_; }
  // The training order: runs of one user's ratings.
  const std::vector<mf_sgd_detail::Run>& runs() const { return runs_; }
  const std::vector<mf_sgd_detail::Rating>& ordered_ratings() const { return ratings_; }

 private:
  void BuildOrder(uint64_t seed);
  double RunBlock(size_t block);
  Status Diverged(const std::string& when) const;
  Status CheckDiverged(const std::string& when) const;
  Status CheckScoring(const char* call) const;
  Status CheckItems(std::span<const uint32_t> items, size_t out_size, const char* call) const;
  bool IsUnknownUser(uint32_t user) const { return data_->by_user.RowSize(user) == 0; }
  bool IsUnknownItem(uint32_t item) const { return data_->by_item.RowSize(item) == 0; }
  const float* ScoringRow(uint32_t user) const;
  float Estimate(uint32_t user, uint32_t item) const;
  // Score of (user, item) given its rating estimate and selection logit
  // (without the prior correction), by ranking_.
  float Combine(float estimate, float selection_logit, float log_share) const;
  // Fold-in of the selection model: the new user's x_u maximising the
  // expected training objective with every item parameter fixed.
  Status SelectionFoldIn(std::span<const uint32_t> history_items, std::vector<float>& user_row,
                         float& log_share) const;
  Status CheckSelectionDiverged() const;

  MfSgdVariant variant_;
  const TrainData* data_ = nullptr;
  int factors_ = 0;
  size_t stride_ = 0;
  int epochs_ = 0;
  float learning_rate_ = 0;
  float regularization_ = 0;
  bool biased_ = true;
  bool shuffled_ = false;
  int strata_ = 1;
  bool avx2_ = false;
  float global_mean_ = 0;  // mu of the estimate (0 when not biased)
  float mean_rating_ = 0;  // the training mean, Surprise's fall-back for unknown users and items
  float min_rating_ = 0;
  float max_rating_ = 0;
  mf_sgd_detail::AlignedFloats user_factors_;      // p_u, num_users x stride
  mf_sgd_detail::AlignedFloats item_factors_;      // q_i, num_items x stride
  mf_sgd_detail::AlignedFloats implicit_factors_;  // SVD++ y_j, num_items x stride
  mf_sgd_detail::AlignedFloats scoring_users_;     // SVD++ p_u + implicit sum, after Finish
  std::vector<float> user_bias_;
  std::vector<float> item_bias_;
  std::vector<mf_sgd_detail::Rating> ratings_;  // every training rating, in training order
  std::vector<mf_sgd_detail::Run> runs_;
  std::vector<size_t> block_ratings_;  // strata^2 + 1 offsets into ratings_
  std::vector<size_t> block_runs_;     // strata^2 + 1 offsets into runs_

  // the selection model
  MfSgdRanking ranking_ = MfSgdRanking::kExpected;
  int selection_factors_ = 0;
  size_t selection_stride_ = 0;
  int selection_epochs_ = 0;
  int selection_negatives_ = 0;
  float selection_learning_rate_ = 0;
  float selection_regularization_ = 0;
  uint64_t selection_seed_ = 0;
  mf_sgd_detail::AlignedFloats selection_users_;  // x_u, num_users x selection_stride
  mf_sgd_detail::AlignedFloats selection_items_;  // y_i, num_items x selection_stride
  std::vector<float> selection_bias_;             // c_i
  DenseScorer rating_scorer_;                     // q_i and b_i, packed for ScoreBatch
  DenseScorer selection_scorer_;                  // the selection model's item rows and c_i
  std::vector<float> log_share_;                  // log s_u, the prior correction of each user
  float unknown_log_share_ = 0;                   // log s of a user with no training interaction
};

// The "svdpp" plugin's class: the same model with the SVD++ estimate.
class SvdppRecommender final : public MfSgdRecommender {
 public:
  SvdppRecommender() : MfSgdRecommender(MfSgdVariant::kSvdpp) {}
};

}  // namespace reclift::recommenders
