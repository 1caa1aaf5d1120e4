// Content-based TF-IDF recommender: see content.h and README.md.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "content.h"

namespace reclift::recommenders {
namespace content_detail {

// Function words common to most titles and descriptions; words shorter than
// min_word_length never reach this list. Sorted for binary search.
constexpr std::array<std::string_view, 52> kStopWords = {
    "about", "after", "all", "also",  "and",  "any",   "are",   "before", "but",  "can",  "each",
    "for",   "from",  "had", "has",   "have", "her",   "his",   "how",    "into", "its",  "more",
    "most",  "not",   "off", "once",  "only", "other", "our",   "out",    "over", "per",  "she",
    "than",  "that",  "the", "their", "them", "then",  "there", "these",  "they", "this", "those",
    "under", "via",   "was", "were",  "what", "when",  "with",  "your",
};

bool IsStopWord(std::string_view word) {
  return std::binary_search(kStopWords.begin(), kStopWords.end(), word);
}

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

struct Fields {
  bool categories = false;
  bool tags = false;
  bool text = false;
};

// "all", or names separated by commas, '|', '+' or spaces.
Status ParseFields(const std::string& spec, Fields& fields) {
  size_t start = 0;
  bool any = false;
  while (start < spec.size()) {
    size_t end = spec.find_first_of(",|+ \t", start);
    if (end == std::string::npos) end = spec.size();
    const std::string name = spec.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    any = true;
    if (name == "all") {
      fields = {true, true, true};
    } else if (name == "categories") {
      fields.categories = true;
    } else if (name == "tags") {
      fields.tags = true;
    } else if (name == "text") {
      fields.text = true;
    } else {
      return Status::InvalidArgument("content: parameter 'fields': unknown field '" + name +
                                     "' (expected all, or a list of categories, tags, text)");
    }
  }
  if (!any) {
    return Status::InvalidArgument(
        "content: parameter 'fields' is empty (expected all, or a list of categories, tags, text)");
  }
  return Status::Ok();
}

// Smoothed inverse document frequency (the convention of scikit-learn's
// TfidfVectorizer): never zero, so a feature every item has still counts.
double Idf(size_t num_items, size_t df) {
  return std::log((1.0 + static_cast<double>(num_items)) / (1.0 + static_cast<double>(df))) + 1.0;
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Status CheckIds(std::span<const uint32_t> ids, uint32_t limit, const char* what, const char* limit_name) {
  for (uint32_t id : ids) {
    if (id >= limit) {
      return Status::InvalidArgument("content: " + std::string(what) + " id " + std::to_string(id) +
                                     " is out of range (" + limit_name + " = " + std::to_string(limit) + ")");
    }
  }
  return Status::Ok();
}

// Profiles of this many floats at most are held at once by ScoreBatch.
constexpr size_t kProfileBudgetFloats = size_t{1} << 20;
// Items scored together against every profile of a sub-block (their rows stay in cache).
constexpr uint32_t kItemTile = 2048;

}  // namespace content_detail

std::vector<std::string> ContentRecommender::Tokenize(const std::string& text, size_t min_length) {
  std::vector<std::string> words;
  std::string word;
  auto finish = [&] {
    const bool number = std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (word.size() >= min_length && !number && !content_detail::IsStopWord(word)) words.push_back(word);
    word.clear();
  };
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (content_detail::IsWordByte(c)) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
    } else if (!word.empty()) {
      finish();
    }
  }
  if (!word.empty()) finish();
  return words;
}

Status ContentRecommender::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  using content_detail::Idf;
  content_detail::Fields fields;
  RECLIFT_RETURN_IF_ERROR(content_detail::ParseFields(params.GetString("fields"), fields));
  use_values_ = params.GetBool("use_values");
  const size_t min_word_length = static_cast<size_t>(params.GetInt("min_word_length"));
  const size_t min_word_df = static_cast<size_t>(params.GetInt("min_word_df"));
  const double max_word_df = params.GetFloat("max_word_df");
  const bool balance_fields = params.GetBool("balance_fields");

  const ItemFeaturesView& features = data.item_features;
  const uint32_t num_items = data.num_items;
  const bool has_categories = features.categories.nnz() > 0;
  const bool has_tags = features.tags.nnz() > 0;
  const bool has_text = std::any_of(features.text.begin(), features.text.end(),
                                    [](const std::string& t) { return !t.empty(); });
  if (!has_categories && !has_tags && !has_text) {
    return Status::InvalidArgument(
        std::string("content needs item features: give [dataset].items, a file with categories, tags or "
                    "text per item") +
        (features.numeric.empty() ? "" : " (numeric attributes are not used)"));
  }
  const bool use_categories = fields.categories && has_categories;
  const bool use_tags = fields.tags && has_tags;
  const bool use_text = fields.text && has_text;
  if (!use_categories && !use_tags && !use_text) {
    std::string present;
    for (auto [flag, name] :
         {std::pair{has_categories, "categories"}, {has_tags, "tags"}, {has_text, "text"}}) {
      if (flag) present += (present.empty() ? "" : ", ") + std::string(name);
    }
    return Status::InvalidArgument("content: no item has any of the chosen fields ('" +
                                   params.GetString("fields") + "'); this dataset has " + present);
  }
  if ((use_categories && features.categories.rows() != num_items) ||
      (use_tags && features.tags.rows() != num_items) || (use_text && features.text.size() != num_items)) {
    return Status::InvalidArgument("content: item features do not have one row per item (" +
                                   std::to_string(num_items) + " items)");
  }

  // Feature ids: categories, then tags, then words. Only features some item
  // has get an id.
  feature_names_.clear();
  std::vector<std::vector<std::pair<uint32_t, double>>> rows(num_items);  // (feature, tf)
  auto add_sparse = [&](const SparseView& m, std::span<const std::string> names, const char* prefix) {
    size_t count = names.size();
    for (uint32_t c : m.indices) count = std::max<size_t>(count, c + size_t{1});
    std::vector<int64_t> id(count, -1);
    for (uint32_t item = 0; item < num_items; ++item) {
      for (auto [c, w] : m.Row(item)) {
        if (!(w > 0) || !std::isfinite(w)) continue;
        if (id[c] < 0) id[c] = 0;  // used; numbered below in index order
      }
    }
    for (size_t c = 0; c < count; ++c) {
      if (id[c] < 0) continue;
      id[c] = static_cast<int64_t>(feature_names_.size());
      feature_names_.push_back(std::string(prefix) + (c < names.size() ? names[c] : std::to_string(c)));
    }
    for (uint32_t item = 0; item < num_items; ++item) {
      for (auto [c, w] : m.Row(item)) {
        if (w > 0 && std::isfinite(w)) rows[item].emplace_back(static_cast<uint32_t>(id[c]), w);
      }
    }
  };
  // field of each feature: 0 categories, 1 tags, 2 words
  std::vector<uint8_t> field_of;
  if (use_categories) add_sparse(features.categories, features.category_names, "category:");
  field_of.resize(feature_names_.size(), 0);
  if (use_tags) add_sparse(features.tags, features.tag_names, "tag:");
  field_of.resize(feature_names_.size(), 1);
  if (use_text) {
    std::vector<std::vector<std::string>> item_words(num_items);
    std::map<std::string, size_t> df;  // ordered: word ids follow the alphabet, whatever the input order
    for (uint32_t item = 0; item < num_items; ++item) {
      item_words[item] = Tokenize(features.text[item], min_word_length);
      std::sort(item_words[item].begin(), item_words[item].end());
      for (size_t k = 0; k < item_words[item].size(); ++k) {
        if (k == 0 || item_words[item][k] != item_words[item][k - 1]) ++df[item_words[item][k]];
      }
    }
    std::unordered_map<std::string, uint32_t> word_id;
    for (const auto& [word, count] : df) {
      if (count < min_word_df || static_cast<double>(count) > max_word_df * num_items) continue;
      word_id.emplace(word, static_cast<uint32_t>(feature_names_.size()));
      feature_names_.push_back("word:" + word);
    }
    for (uint32_t item = 0; item < num_items; ++item) {
      const auto& words = item_words[item];
      for (size_t k = 0; k < words.size();) {
        size_t run = k;
        while (run < words.size() && words[run] == words[k]) ++run;
        auto it = word_id.find(words[k]);
        if (it != word_id.end()) rows[item].emplace_back(it->second, static_cast<double>(run - k));
        k = run;
      }
    }
  }
  const size_t num_features = feature_names_.size();
  field_of.resize(num_features, 2);
  if (num_features == 0) {
    return Status::InvalidArgument(
        "content: the chosen fields ('" + params.GetString("fields") +
        "') give no usable feature: every word was dropped by min_word_length, min_word_df or max_word_df");
  }

  std::vector<size_t> df(num_features, 0);
  for (const auto& row : rows) {
    for (auto [f, tf] : row) ++df[f];
  }
  item_begin_.assign(num_items + 1, 0);
  item_features_.clear();
  item_weights_.clear();
  for (uint32_t item = 0; item < num_items; ++item) {
    auto& row = rows[item];
    std::sort(row.begin(), row.end());
    double norm[3] = {0, 0, 0};
    for (auto& [f, weight] : row) {
      weight *= Idf(num_items, df[f]);
      norm[balance_fields ? field_of[f] : 0] += weight * weight;
    }
    // balanced: each field's part has length 1 / sqrt(fields the item has),
    // so that the item's many tags or words do not drown its one category
    const int fields_present = (norm[0] > 0) + (norm[1] > 0) + (norm[2] > 0);
    for (double& n : norm) n = std::sqrt(n * fields_present);
    for (auto [f, weight] : row) {
      item_features_.push_back(f);
      item_weights_.push_back(static_cast<float>(weight / norm[balance_fields ? field_of[f] : 0]));
    }
    item_begin_[item + 1] = item_features_.size();
  }
  feature_weights_.assign(num_features, 1.f);
  data_ = &data;
  if (params.GetBool("learn_weights")) LearnWeights(params, ctx.seed);
  // popularity prior, scaled to [0, w]: log damps the long tail's head
  const double prior = params.Has("popularity_prior") ? params.GetFloat("popularity_prior") : 0.0;
  size_t most = 0;
  for (uint32_t item = 0; item < num_items; ++item) most = std::max(most, data.by_item.RowSize(item));
  item_prior_.assign(num_items, 0.f);
  if (prior > 0 && most > 0) {
    const double scale = prior / std::log1p(static_cast<double>(most));
    for (uint32_t item = 0; item < num_items; ++item) {
      item_prior_[item] =
          static_cast<float>(scale * std::log1p(static_cast<double>(data.by_item.RowSize(item))));
    }
  }
  return Status::Ok();
}

// BPR on a diagonal W: for a training pair (u, i) and an item j the user has
// not used, ascend ln sigmoid(s(u, i) - s(u, j)) - regularization * |w - 1|^2
// over the features of i and j, where s uses the profile of u without i
// (leave-one-out: with i inside, the positive would match itself). Sequential
// and from one seeded stream per epoch, so the weights depend only on the seed.
void ContentRecommender::LearnWeights(const Params& params, uint64_t seed) {
  const TrainData& data = *data_;
  const int epochs = static_cast<int>(params.GetInt("epochs"));
  const float learning_rate = static_cast<float>(params.GetFloat("learning_rate"));
  const float regularization = static_cast<float>(params.GetFloat("regularization"));
  const size_t num_features = feature_names_.size();
  std::vector<float>& w = feature_weights_;
  std::vector<double> sum(num_features, 0.0);  // the user's unnormalised profile
  std::vector<uint32_t> present;               // the features of the user's items
  std::vector<double> negative_profile;        // the profile at the negative item's features
  std::vector<uint32_t> order(data.num_users);
  for (uint32_t u = 0; u < data.num_users; ++u) order[u] = u;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    uint64_t state = seed ^ (0xC0FFEEull + static_cast<uint64_t>(epoch) * 0x9E3779B97F4A7C15ull);
    std::mt19937_64 rng(content_detail::SplitMix64(state));
    std::shuffle(order.begin(), order.end(), rng);
    for (uint32_t user : order) {
      const auto history = data.by_user.RowIndices(user);
      const auto values = data.by_user.RowValues(user);
      const size_t n = history.size();
      if (n < 2 || n >= data.num_items) continue;
      double sum_norm2 = 0;
      for (size_t k = 0; k < n; ++k) {
        const double v = use_values_ ? values[k] : 1.0;
        for (uint64_t e = item_begin_[history[k]]; e < item_begin_[history[k] + 1]; ++e) {
          sum[item_features_[e]] += v * item_weights_[e];
        }
      }
      // |sum|^2 over the features present (each counted once)
      present.clear();
      for (size_t k = 0; k < n; ++k) {
        for (uint64_t e = item_begin_[history[k]]; e < item_begin_[history[k] + 1]; ++e) {
          present.push_back(item_features_[e]);
        }
      }
      std::sort(present.begin(), present.end());
      present.erase(std::unique(present.begin(), present.end()), present.end());
      for (uint32_t f : present) sum_norm2 += sum[f] * sum[f];

      for (size_t step = 0; step < n; ++step) {
        const size_t k = static_cast<size_t>(rng() % n);
        const uint32_t positive = history[k];
        uint32_t negative = UINT32_MAX;
        for (int attempt = 0; attempt < 32 && negative == UINT32_MAX; ++attempt) {
          const uint32_t j = static_cast<uint32_t>(rng() % data.num_items);
          if (!std::binary_search(history.begin(), history.end(), j)) negative = j;
        }
        if (negative == UINT32_MAX) continue;
        const double v = use_values_ ? values[k] : 1.0;
        const uint64_t pi = item_begin_[positive], pe = item_begin_[positive + 1];
        const uint64_t ni = item_begin_[negative], ne = item_begin_[negative + 1];
        // |sum - v x_i|^2 = |sum|^2 - 2 v sum.x_i + v^2 |x_i|^2
        double dot = 0, self = 0;
        for (uint64_t e = pi; e < pe; ++e) {
          dot += sum[item_features_[e]] * item_weights_[e];
          self += static_cast<double>(item_weights_[e]) * item_weights_[e];
        }
        const double rest_norm2 = sum_norm2 - 2 * v * dot + v * v * self;
        if (!(rest_norm2 > 1e-12)) continue;
        const double inv_norm = 1.0 / std::sqrt(rest_norm2);
        // profile value of feature f without i: (sum_f - v x_if) / |.|
        auto profile_at = [&](uint32_t f, double x_if) { return (sum[f] - v * x_if) * inv_norm; };
        double s_pos = 0, s_neg = 0;
        for (uint64_t e = pi; e < pe; ++e) {
          s_pos += profile_at(item_features_[e], item_weights_[e]) * w[item_features_[e]] * item_weights_[e];
        }
        // x_i at the negative's features: merge the two sorted rows
        negative_profile.resize(ne - ni);
        for (uint64_t e = ni, p = pi; e < ne; ++e) {
          const uint32_t f = item_features_[e];
          while (p < pe && item_features_[p] < f) ++p;
          const double x_if = (p < pe && item_features_[p] == f) ? item_weights_[p] : 0.0;
          negative_profile[e - ni] = profile_at(f, x_if);
          s_neg += negative_profile[e - ni] * w[f] * item_weights_[e];
        }
        // d/d(difference) of ln sigmoid(difference) = sigmoid(-difference)
        const double g = 1.0 / (1.0 + std::exp(s_pos - s_neg));
        for (uint64_t e = pi; e < pe; ++e) {
          const uint32_t f = item_features_[e];
          const double grad = g * profile_at(f, item_weights_[e]) * item_weights_[e];
          w[f] += learning_rate * static_cast<float>(grad - regularization * (w[f] - 1.f));
        }
        for (uint64_t e = ni; e < ne; ++e) {
          const uint32_t f = item_features_[e];
          const double grad = -g * negative_profile[e - ni] * item_weights_[e];
          w[f] += learning_rate * static_cast<float>(grad - regularization * (w[f] - 1.f));
        }
      }
      for (uint32_t f : present) sum[f] = 0;
    }
  }
}

int64_t ContentRecommender::FindFeature(const std::string& name) const {
  for (size_t f = 0; f < feature_names_.size(); ++f) {
    if (feature_names_[f] == name) return static_cast<int64_t>(f);
  }
  return -1;
}

float ContentRecommender::ItemWeight(uint32_t item, size_t feature) const {
  for (uint64_t e = item_begin_[item]; e < item_begin_[item + 1]; ++e) {
    if (item_features_[e] == feature) return item_weights_[e];
  }
  return 0.f;
}

bool ContentRecommender::Profile(std::span<const uint32_t> history_items,
                                 std::span<const float> history_values, std::vector<float>& profile) const {
  profile.assign(feature_names_.size(), 0.f);
  for (size_t k = 0; k < history_items.size(); ++k) {
    const float v = use_values_ && !history_values.empty() ? history_values[k] : 1.f;
    for (uint64_t e = item_begin_[history_items[k]]; e < item_begin_[history_items[k] + 1]; ++e) {
      profile[item_features_[e]] += v * item_weights_[e];
    }
  }
  double norm2 = 0;
  for (float x : profile) norm2 += static_cast<double>(x) * x;
  if (!(norm2 > 0) || !std::isfinite(norm2)) {
    std::fill(profile.begin(), profile.end(), 0.f);
    return false;
  }
  const float scale = static_cast<float>(1.0 / std::sqrt(norm2));
  for (size_t f = 0; f < profile.size(); ++f) profile[f] *= scale * feature_weights_[f];
  return true;
}

float ContentRecommender::ScoreItem(const std::vector<float>& profile, uint32_t item) const {
  float s = item_prior_[item];
  for (uint64_t e = item_begin_[item]; e < item_begin_[item + 1]; ++e) {
    s += profile[item_features_[e]] * item_weights_[e];
  }
  return s;
}

Status ContentRecommender::Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("content: Score called before Fit");
  RECLIFT_RETURN_IF_ERROR(
      content_detail::CheckIds(std::span<const uint32_t>(&user, 1), data_->num_users, "user", "num_users"));
  if (out.size() != items.size())
    return Status::InvalidArgument("content: Score: out and items differ in size");
  RECLIFT_RETURN_IF_ERROR(content_detail::CheckIds(items, data_->num_items, "item", "num_items"));
  std::vector<float> profile;
  Profile(data_->by_user.RowIndices(user), data_->by_user.RowValues(user), profile);
  for (size_t j = 0; j < items.size(); ++j) out[j] = ScoreItem(profile, items[j]);
  return Status::Ok();
}

Status ContentRecommender::ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("content: ScoreBatch called before Fit");
  const uint32_t num_items = data_->num_items;
  if (out.size() != users.size() * num_items) {
    return Status::InvalidArgument(
        "content: ScoreBatch: out must hold users x items = " + std::to_string(users.size() * num_items) +
        " scores, has " + std::to_string(out.size()));
  }
  RECLIFT_RETURN_IF_ERROR(content_detail::CheckIds(users, data_->num_users, "user", "num_users"));
  // Profiles of a sub-block of users are held together and every tile of
  // item rows is run against all of them while it is in cache.
  const size_t num_features = feature_names_.size();
  const size_t sub_block =
      std::max<size_t>(1, content_detail::kProfileBudgetFloats / std::max<size_t>(1, num_features));
  std::vector<std::vector<float>> profiles(std::min(sub_block, users.size()));
  for (size_t first = 0; first < users.size(); first += sub_block) {
    const size_t count = std::min(sub_block, users.size() - first);
    for (size_t b = 0; b < count; ++b) {
      const uint32_t user = users[first + b];
      Profile(data_->by_user.RowIndices(user), data_->by_user.RowValues(user), profiles[b]);
    }
    for (uint32_t tile = 0; tile < num_items; tile += content_detail::kItemTile) {
      const uint32_t tile_end = std::min(num_items, tile + content_detail::kItemTile);
      for (size_t b = 0; b < count; ++b) {
        float* row = out.data() + (first + b) * num_items;
        for (uint32_t item = tile; item < tile_end; ++item) row[item] = ScoreItem(profiles[b], item);
      }
    }
  }
  return Status::Ok();
}

Status ContentRecommender::ScoreHistory(std::span<const uint32_t> history_items,
                                        std::span<const float> history_values,
                                        std::span<const uint32_t> items, std::span<float> out) const {
  if (data_ == nullptr) return Status::InvalidArgument("content: ScoreHistory called before Fit");
  if (out.size() != items.size()) {
    return Status::InvalidArgument("content: ScoreHistory: out and items differ in size");
  }
  if (!history_values.empty() && history_values.size() != history_items.size()) {
    return Status::InvalidArgument(
        "content: ScoreHistory: history_values must be empty or match history_items");
  }
  RECLIFT_RETURN_IF_ERROR(
      content_detail::CheckIds(history_items, data_->num_items, "history item", "num_items"));
  RECLIFT_RETURN_IF_ERROR(content_detail::CheckIds(items, data_->num_items, "item", "num_items"));
  for (float v : history_values) {
    if (!std::isfinite(v))
      return Status::InvalidArgument("content: ScoreHistory: history values must be finite");
  }
  std::vector<float> profile;
  Profile(history_items, history_values, profile);
  for (size_t j = 0; j < items.size(); ++j) out[j] = ScoreItem(profile, items[j]);
  return Status::Ok();
}

}  // namespace reclift::recommenders
