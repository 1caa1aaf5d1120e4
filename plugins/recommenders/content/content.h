// Content-based recommender: TF-IDF item vectors from item features, a user
// profile from the items the user used, cosine similarity between the two.
//
// Item vector: one coordinate per category, tag and text word (words are
// lower-cased tokens of the item text, without stop words, words shorter than
// min_word_length, numbers, and words too rare or too common to tell items
// apart). Weight = tf * idf with tf the category/tag weight or the word count
// and idf(t) = ln((1 + N) / (1 + df(t))) + 1 (N = items in the catalogue,
// df(t) = items having t); every vector is L2-normalised.
//
// User profile: sum of the vectors of the user's training items, each
// weighted by the interaction value (use_values) or 1, L2-normalised. Score
// = profile . diag(w) . item vector, with w = 1 (cosine similarity) unless
// learn_weights fits a diagonal w by BPR (see README.md).
//
// Popularity prior: score = profile . W . x_i + w log(1 + n_i) / log(1 + max n),
// n_i the item's training interactions and w = popularity_prior. A cold item
// (n_i = 0) gets no prior, so cold items keep their content order among
// themselves.
//
// Items with no interaction are scored like any other (cold items), so the
// plugin declares kCapItemFeatures; users unseen at fit time are scored from
// a given history (ScoreHistory).
//
// Thread-safety: Fit is single-caller; the scoring methods are const and may
// be called concurrently after Fit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reclift/params.h"
#include "reclift/recommender.h"

namespace reclift::recommenders {

inline constexpr ParamSpec kContentParams[] = {
    {"fields", ParamType::kString, "all", 0, 0, nullptr,
     "item features to use: all, or a list of categories, tags, text (e.g. \"categories,tags\")"},
    {"use_values", ParamType::kBool, "true", 0, 0, nullptr,
     "weigh each training item in the user profile by its interaction value (false: by 1)"},
    {"min_word_length", ParamType::kInt, "3", 1, 64, nullptr, "text: drop words shorter than this (bytes)"},
    {"min_word_df", ParamType::kInt, "2", 1, 1000000, nullptr,
     "text: drop words found in fewer items than this (they match no other item)"},
    {"max_word_df", ParamType::kFloat, "0.5", 0.0001, 1, nullptr,
     "text: drop words found in more than this share of the items (too common to tell items apart)"},
    {"balance_fields", ParamType::kBool, "true", 0, 0, nullptr,
     "normalise each field's part of an item vector to the same length (false: one norm over all)"},
    {"learn_weights", ParamType::kBool, "false", 0, 0, nullptr,
     "learn a diagonal feature weighting W (score = profile . W . item) by BPR SGD on training pairs"},
    {"epochs", ParamType::kInt, "5", 1, 100, nullptr,
     "learn_weights: passes over the users, one step per training interaction"},
    {"learning_rate", ParamType::kFloat, "0.05", 1e-6, 10, nullptr, "learn_weights: SGD step size"},
    {"regularization", ParamType::kFloat, "0.001", 0, 100, nullptr,
     "learn_weights: L2 pull of each weight towards 1 (plain cosine)"},
    {"popularity_prior", ParamType::kFloat, "1.5", 0, 100, nullptr,
     "weight w of the popularity prior: score = similarity + w log(1 + training count) / log(1 + largest "
     "count); 0 = similarity alone; items with no interaction get no prior"},
};

class ContentRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& data, const Params& params, const Context& ctx) override;
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override;
  // Fold-in: the profile is built from the given history (values weigh the
  // items when use_values; empty values mean 1 each).
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                      std::span<const uint32_t> items, std::span<float> out) const override;

  // Feature space after Fit, for tests and reports.
  size_t num_features() const { return feature_names_.size(); }
  // "category:<name>", "tag:<name>" or "word:<word>".
  const std::string& feature_name(size_t f) const { return feature_names_[f]; }
  // Index of a feature by name, or -1.
  int64_t FindFeature(const std::string& name) const;
  // The L2-normalised TF-IDF weight of feature f in item i (0 when absent).
  float ItemWeight(uint32_t item, size_t feature) const;
  // The diagonal of W (all 1 unless learn_weights).
  const std::vector<float>& feature_weights() const { return feature_weights_; }
  // The popularity prior added to each item's score (0 for cold items).
  const std::vector<float>& item_prior() const { return item_prior_; }

  // Splits text into lower-case words (runs of ASCII letters and digits, or
  // of non-ASCII bytes), dropping stop words, numbers and words shorter than
  // min_length bytes.
  static std::vector<std::string> Tokenize(const std::string& text, size_t min_length);

 private:
  // Builds the profile (times the feature weights) into `profile` (size
  // num_features); returns false when it is empty (no history with features).
  bool Profile(std::span<const uint32_t> history_items, std::span<const float> history_values,
               std::vector<float>& profile) const;
  // profile . x_item plus the item's popularity prior.
  float ScoreItem(const std::vector<float>& profile, uint32_t item) const;
  void LearnWeights(const Params& params, uint64_t seed);

  const TrainData* data_ = nullptr;
  bool use_values_ = true;
  std::vector<std::string> feature_names_;
  // item vectors, CSR over items, features sorted within a row
  std::vector<uint64_t> item_begin_;
  std::vector<uint32_t> item_features_;
  std::vector<float> item_weights_;
  std::vector<float> feature_weights_;
  std::vector<float> item_prior_;  // popularity_prior * log(1 + n_i) / log(1 + max n)
};

}  // namespace reclift::recommenders
