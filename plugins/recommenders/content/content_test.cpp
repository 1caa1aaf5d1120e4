#include "content.h"

#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::OwnedItemFeatures;
using reclift::OwnedSparse;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Status;
using reclift::StatusCode;
using reclift::recommenders::ContentRecommender;
using reclift::recommenders::kContentParams;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  Status status = Params::Build(kContentParams, given, params);
  REQUIRE(status.ok());
  return params;
}

OwnedSparse Rows(uint32_t num_items, const std::vector<std::vector<uint32_t>>& per_item) {
  std::vector<uint32_t> rows, cols;
  for (uint32_t i = 0; i < per_item.size(); ++i) {
    for (uint32_t c : per_item[i]) {
      rows.push_back(i);
      cols.push_back(c);
    }
  }
  return OwnedSparse::Build(num_items, rows, cols, {}, {});
}

// Items: 0 = category A, tags x and y; 1 = category A, tag y; 2 = category B, tag y.
// User 0 used items 0 (value 2) and 1 (value 1); user 1 used item 2.
OwnedTrainData ThreeItems() {
  auto data = OwnedTrainData::FromTriplets(2, 3, {{0, 0, 2.f}, {0, 1, 1.f}, {1, 2, 5.f}});
  OwnedItemFeatures f;
  f.categories = Rows(3, {{0}, {0}, {1}});
  f.category_names = {"A", "B"};
  f.tags = Rows(3, {{0, 1}, {1}, {1}});
  f.tag_names = {"x", "y"};
  f.text = {"The Guitar Basics", "Jazz guitar: the basics!", "Piano for kids 101"};
  data.SetItemFeatures(std::move(f));
  return data;
}

std::vector<float> ScoreAll(const ContentRecommender& model, uint32_t user, uint32_t num_items) {
  std::vector<uint32_t> items(num_items);
  std::iota(items.begin(), items.end(), 0u);
  std::vector<float> out(num_items, -1.f);
  REQUIRE(model.Score(user, items, out).ok());
  return out;
}

}  // namespace

TEST_CASE("content TF-IDF weights of categories and tags match a hand computation", "[content]") {
  auto data = ThreeItems();
  ContentRecommender model;
  // one norm over the whole vector here; the balanced default is checked below
  REQUIRE(model
              .Fit(data.view(),
                   MakeParams({{"fields", std::string("categories,tags")},
                               {"balance_fields", false},
                               {"popularity_prior", 0.0}}),
                   {})
              .ok());
  REQUIRE(model.num_features() == 4);
  const auto a = model.FindFeature("category:A"), b = model.FindFeature("category:B");
  const auto x = model.FindFeature("tag:x"), y = model.FindFeature("tag:y");
  REQUIRE((a >= 0 && b >= 0 && x >= 0 && y >= 0));
  // N = 3 items, idf(t) = ln((1 + N) / (1 + df)) + 1:
  //   A: df 2 -> ln(4/3) + 1 = 1.2876821; B, x: df 1 -> ln 2 + 1 = 1.6931472; y: df 3 -> ln 1 + 1 = 1
  // item 0 = (A 1.2876821, x 1.6931472, y 1), norm sqrt(1.6581 + 2.8667 + 1) = 2.3505047
  CHECK(model.ItemWeight(0, a) == Approx(0.5478322));
  CHECK(model.ItemWeight(0, x) == Approx(0.7203334));
  CHECK(model.ItemWeight(0, y) == Approx(0.4254405));
  CHECK(model.ItemWeight(0, b) == 0.f);
  // item 1 = (A 1.2876821, y 1), norm 1.6303758
  CHECK(model.ItemWeight(1, a) == Approx(0.7898069));
  CHECK(model.ItemWeight(1, y) == Approx(0.6133555));
  // item 2 = (B 1.6931472, y 1), norm 1.9664047
  CHECK(model.ItemWeight(2, b) == Approx(0.8610370));
  CHECK(model.ItemWeight(2, y) == Approx(0.5085423));

  SECTION("the score is the cosine of the normalised profile and the item vector") {
    // use_values = false: profile = x0 + x1 = (A 1.3376391, x 0.7203334, y 1.0387961), norm 1.8404499
    // score(item 2) = 1.0387961 * 0.5085423 / 1.8404499 = 0.2870340
    // score(item 0) = (1.3376391 * 0.5478322 + 0.7203334 * 0.7203334 + 1.0387961 * 0.4254405) / 1.8404499
    //              = 0.9202250
    ContentRecommender plain;
    REQUIRE(plain
                .Fit(data.view(),
                     MakeParams({{"fields", std::string("categories,tags")},
                                 {"use_values", false},
                                 {"balance_fields", false},
                                 {"popularity_prior", 0.0}}),
                     {})
                .ok());
    auto scores = ScoreAll(plain, 0, 3);
    CHECK(scores[2] == Approx(0.2870340));
    CHECK(scores[0] == Approx(0.9202250));
    // use_values = true weighs item 0 by 2: profile 2 x0 + x1, score(item 2) = 0.2670557
    CHECK(ScoreAll(model, 0, 3)[2] == Approx(0.2670557));
  }
  SECTION("balanced fields: each field's part has length 1 / sqrt(fields present)") {
    ContentRecommender balanced;
    REQUIRE(balanced
                .Fit(data.view(),
                     MakeParams({{"fields", std::string("categories,tags")}, {"popularity_prior", 0.0}}), {})
                .ok());
    // item 0: categories part (A 1.2876821) -> 1; tags part (x 1.6931472, y 1), norm 1.9664047 ->
    // (0.8610370, 0.5085423); two fields, so each part times 1/sqrt 2:
    // A 0.7071068, x 0.6088451, y 0.3595937
    CHECK(balanced.ItemWeight(0, a) == Approx(0.7071068));
    CHECK(balanced.ItemWeight(0, x) == Approx(0.6088451));
    CHECK(balanced.ItemWeight(0, y) == Approx(0.3595937));
    // item 2: B and y alone in their fields: 0.7071068 each
    CHECK(balanced.ItemWeight(2, b) == Approx(0.7071068));
    CHECK(balanced.ItemWeight(2, y) == Approx(0.7071068));
    // user 0: profile 2 x0 + x1 = (A 2.1213203, x 1.2176902, y 1.4262942), norm 2.8314457;
    // score(item 2) = 1.4262942 * 0.7071068 / 2.8314457 = 0.3561934
    CHECK(ScoreAll(balanced, 0, 3)[2] == Approx(0.3561934));
  }
}

TEST_CASE("content turns text into lower-case words without stop words, numbers or short words",
          "[content]") {
  CHECK(ContentRecommender::Tokenize("C++ for Data-Science: 2024 Edition, \xC3\x89TUDES", 3) ==
        std::vector<std::string>{"data", "science", "edition", "\xC3\x89tudes"});
  CHECK(ContentRecommender::Tokenize("The Guitar Basics", 3) == std::vector<std::string>{"guitar", "basics"});
  CHECK(ContentRecommender::Tokenize("go to the web", 2) == std::vector<std::string>{"go", "to", "web"});

  auto data = ThreeItems();
  SECTION("word TF-IDF with every word kept") {
    ContentRecommender model;
    REQUIRE(
        model
            .Fit(data.view(),
                 MakeParams(
                     {{"fields", std::string("text")}, {"min_word_df", int64_t{1}}, {"max_word_df", 1.0}}),
                 {})
            .ok());
    // words: basics (df 2), guitar (2), jazz (1), kids (1), piano (1); "the", "for" and "101" are dropped
    CHECK(model.num_features() == 5);
    // item 1 = (jazz 1.6931472, guitar 1.2876821, basics 1.2876821), norm 2.4865498
    CHECK(model.ItemWeight(1, model.FindFeature("word:jazz")) == Approx(0.6809186));
    CHECK(model.ItemWeight(1, model.FindFeature("word:guitar")) == Approx(0.5178561));
    CHECK(model.ItemWeight(0, model.FindFeature("word:basics")) == Approx(std::sqrt(0.5)));
  }
  SECTION("words in fewer than min_word_df items are dropped") {
    ContentRecommender model;
    REQUIRE(
        model.Fit(data.view(), MakeParams({{"fields", std::string("text")}, {"max_word_df", 1.0}}), {}).ok());
    CHECK(model.num_features() == 2);  // basics and guitar
    CHECK(model.FindFeature("word:jazz") == -1);
  }
  SECTION("words in more than max_word_df of the items are dropped") {
    // basics and guitar are in 2 of 3 items (> 0.5); the rest in 1 (< min_word_df 2): nothing is left
    ContentRecommender model;
    Status s = model.Fit(data.view(), MakeParams({{"fields", std::string("text")}}), {});
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() ==
          "content: the chosen fields ('text') give no usable feature: every word was dropped by "
          "min_word_length, min_word_df or max_word_df");
  }
}

TEST_CASE("content ranks a cold item of the user's category above popular items of another", "[content]") {
  // items 0-2 are guitar courses (music), 3-5 budgeting e-books (finance); items 2 and 5 have no
  // interaction. User 0 used items 0 and 1; users 1-5 all used the popular finance items 3 and 4.
  std::vector<reclift::Triplet> t{{0, 0, 5.f}, {0, 1, 4.f}};
  for (uint32_t u = 1; u < 6; ++u) {
    t.push_back({u, 3, 4.f});
    t.push_back({u, 4, 5.f});
  }
  auto data = OwnedTrainData::FromTriplets(6, 6, std::span<const reclift::Triplet>(t));
  OwnedItemFeatures f;
  f.categories = Rows(6, {{0}, {0}, {0}, {1}, {1}, {1}});
  f.category_names = {"music", "finance"};
  f.text = {"Guitar for beginners", "Blues guitar",           "Jazz guitar chords",
            "Personal budgeting",   "Budgeting for families", "Budgeting with spreadsheets"};
  data.SetItemFeatures(std::move(f));
  ContentRecommender model;
  // content alone (with the default popularity prior the popular finance items would come first)
  REQUIRE(model.Fit(data.view(), MakeParams({{"popularity_prior", 0.0}}), {}).ok());
  auto scores = ScoreAll(model, 0, 6);
  // among the items user 0 has not used (2, 3, 4, 5), the cold guitar course comes first
  CHECK(scores[2] > 0.3f);
  CHECK(scores[2] > scores[3]);
  CHECK(scores[2] > scores[4]);
  CHECK(scores[2] > scores[5]);
  // and a finance user gets the cold budgeting e-book first among unused items
  auto finance = ScoreAll(model, 1, 6);
  CHECK(finance[5] > finance[0]);
  CHECK(finance[5] > finance[1]);
  CHECK(finance[5] > finance[2]);

  SECTION("a user unseen at fit time is scored from the given history") {
    const std::vector<uint32_t> history{0, 1}, items{0, 1, 2, 3, 4, 5};
    const std::vector<float> values{5.f, 4.f};
    std::vector<float> folded(6);
    REQUIRE(model.ScoreHistory(history, values, items, folded).ok());
    for (size_t j = 0; j < 6; ++j) CHECK(folded[j] == Approx(scores[j]));
    // an empty history gives no preference: every score 0 (the prior alone, here 0)
    REQUIRE(model.ScoreHistory({}, {}, items, folded).ok());
    CHECK(folded == std::vector<float>(6, 0.f));
  }
  SECTION("ScoreBatch gives the rows of Score") {
    const std::vector<uint32_t> users{1, 0, 5};
    std::vector<float> batch(18);
    REQUIRE(model.ScoreBatch(users, batch).ok());
    for (size_t r = 0; r < users.size(); ++r) {
      auto row = ScoreAll(model, users[r], 6);
      for (size_t j = 0; j < 6; ++j) CHECK(batch[r * 6 + j] == Approx(row[j]));
    }
  }
}

TEST_CASE("content refuses data without item features and unknown fields, with a message", "[content]") {
  auto bare = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}, {1, 1, 1.f}});
  ContentRecommender model;
  Status s = model.Fit(bare.view(), MakeParams({}), {});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "content needs item features: give [dataset].items, a file with categories, tags or text per item");

  auto data = ThreeItems();
  s = model.Fit(data.view(), MakeParams({{"fields", std::string("categories,genres")}}), {});
  CHECK(s.message() ==
        "content: parameter 'fields': unknown field 'genres' (expected all, or a list of categories, tags, "
        "text)");

  OwnedTrainData only_tags = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}});
  OwnedItemFeatures f;
  f.tags = Rows(2, {{0}, {1}});
  only_tags.SetItemFeatures(std::move(f));
  s = model.Fit(only_tags.view(), MakeParams({{"fields", std::string("categories|text")}}), {});
  CHECK(s.message() ==
        "content: no item has any of the chosen fields ('categories|text'); this dataset has tags");

  REQUIRE(model.Fit(data.view(), MakeParams({}), {}).ok());
  std::vector<float> out(1);
  CHECK(model.Score(2, std::vector<uint32_t>{0}, out).message() ==
        "content: user id 2 is out of range (num_users = 2)");
  CHECK(model.Score(0, std::vector<uint32_t>{3}, out).message() ==
        "content: item id 3 is out of range (num_items = 3)");
}

namespace {

// 40 items in 4 categories (item % 4) with 2 tags each drawn at random from 10
// (noise); 80 users, each using 6 random items of category user % 4.
OwnedTrainData PlantedCategories() {
  std::mt19937_64 rng(11);
  std::vector<reclift::Triplet> t;
  for (uint32_t u = 0; u < 80; ++u) {
    for (int k = 0; k < 6; ++k) t.push_back({u, static_cast<uint32_t>((rng() % 10) * 4 + u % 4), 1.f});
  }
  auto data = OwnedTrainData::FromTriplets(80, 40, std::span<const reclift::Triplet>(t), false);
  std::vector<std::vector<uint32_t>> categories(40), tags(40);
  for (uint32_t i = 0; i < 40; ++i) {
    categories[i] = {i % 4};
    const uint32_t first = static_cast<uint32_t>(rng() % 10);
    tags[i] = {first, static_cast<uint32_t>((first + 1 + rng() % 9) % 10)};
  }
  OwnedItemFeatures f;
  f.categories = Rows(40, categories);
  f.tags = Rows(40, tags);
  data.SetItemFeatures(std::move(f));
  return data;
}

}  // namespace

TEST_CASE("content learned weights favour the features that predict use over noise", "[content]") {
  auto data = PlantedCategories();
  const auto params = MakeParams({{"learn_weights", true}, {"epochs", int64_t{20}}});
  ContentRecommender model;
  REQUIRE(model.Fit(data.view(), params, {}).ok());
  double category_weight = 0, tag_weight = 0;
  int categories = 0, tags = 0;
  for (size_t f = 0; f < model.num_features(); ++f) {
    if (model.feature_name(f).rfind("category:", 0) == 0) {
      category_weight += model.feature_weights()[f];
      ++categories;
    } else {
      tag_weight += model.feature_weights()[f];
      ++tags;
    }
  }
  REQUIRE((categories == 4 && tags == 10));
  // categories start at 1 like the tags; BPR raises them, the noise tags stay near or below 1
  CHECK(category_weight / categories > 1.2);
  CHECK(category_weight / categories > tag_weight / tags + 0.2);

  SECTION("the same seed gives the same weights with 1 thread and with 2") {
    std::vector<float> one, two;
    {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
      ContentRecommender m;
      REQUIRE(m.Fit(data.view(), params, {}).ok());
      one = m.feature_weights();
    }
    {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
      ContentRecommender m;
      REQUIRE(m.Fit(data.view(), params, {}).ok());
      two = m.feature_weights();
    }
    CHECK(one == two);
    CHECK(one == model.feature_weights());
    reclift::Context other;
    other.seed = 7;
    ContentRecommender reseeded;
    REQUIRE(reseeded.Fit(data.view(), params, other).ok());
    CHECK(reseeded.feature_weights() != one);
  }
}

TEST_CASE("content's popularity prior lifts popular items and leaves cold items in content order",
          "[content]") {
  // Items 0-3 are music, 4-5 finance. Training counts: item 0 used by 4 users, item 1 by 1, item 4 by
  // 3; items 2, 3 and 5 are cold. User 0 used item 0 only.
  std::vector<reclift::Triplet> t{{0, 0, 5.f}, {1, 0, 4.f}, {2, 0, 4.f}, {3, 0, 4.f},
                                  {1, 1, 4.f}, {1, 4, 4.f}, {2, 4, 4.f}, {3, 4, 4.f}};
  auto data = OwnedTrainData::FromTriplets(4, 6, std::span<const reclift::Triplet>(t));
  OwnedItemFeatures f;
  f.categories = Rows(6, {{0}, {0}, {0}, {0}, {1}, {1}});
  f.category_names = {"music", "finance"};
  f.tags = Rows(6, {{0}, {1}, {0}, {1}, {2}, {2}});
  f.tag_names = {"guitar", "piano", "budget"};
  data.SetItemFeatures(std::move(f));
  ContentRecommender plain, prior;
  REQUIRE(plain.Fit(data.view(), MakeParams({{"popularity_prior", 0.0}}), {}).ok());
  REQUIRE(prior.Fit(data.view(), MakeParams({{"popularity_prior", 1.0}}), {}).ok());
  // prior = log(1 + n) / log(1 + 4): item 0 -> 1, item 1 -> ln 2 / ln 5 = 0.4306766,
  // item 4 -> ln 4 / ln 5 = 0.8613531, cold items 0
  const std::vector<float> expected_prior{1.f, 0.4306766f, 0.f, 0.f, 0.8613531f, 0.f};
  for (size_t i = 0; i < 6; ++i) CHECK(prior.item_prior()[i] == Approx(expected_prior[i]));
  CHECK(plain.item_prior() == std::vector<float>(6, 0.f));
  const auto without = ScoreAll(plain, 0, 6), with = ScoreAll(prior, 0, 6);
  for (size_t i = 0; i < 6; ++i) CHECK(with[i] == Approx(without[i] + expected_prior[i]));
  // the popular finance course now comes before the user's own category's piano course...
  CHECK(without[3] > without[4]);
  CHECK(with[4] > with[3]);
  // ...but the cold items keep their content order and their scores
  for (uint32_t a : {2u, 3u, 5u}) {
    CHECK(with[a] == without[a]);
    for (uint32_t b : {2u, 3u, 5u}) CHECK((with[a] < with[b]) == (without[a] < without[b]));
  }
  CHECK(with[2] > with[3]);  // the cold guitar course before the cold piano one, as by content
  CHECK(with[3] > with[5]);

  SECTION("a user with no history gets the prior alone: popularity") {
    const std::vector<uint32_t> items{0, 1, 2, 3, 4, 5};
    std::vector<float> folded(6);
    REQUIRE(prior.ScoreHistory({}, {}, items, folded).ok());
    CHECK(folded == prior.item_prior());
  }
  SECTION("the default weight is 1.5") {
    ContentRecommender defaults;
    REQUIRE(defaults.Fit(data.view(), MakeParams({}), {}).ok());
    CHECK(defaults.item_prior()[0] == Approx(1.5f));
  }
}
