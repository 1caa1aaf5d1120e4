#include "mf_sgd.h"

#include <tbb/task_arena.h>

#include <array>
#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Triplet;
using reclift::recommenders::kMfSgdParams;
using reclift::recommenders::MfSgdRecommender;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  return reclift::testing::MakeParams(kMfSgdParams, given);
}

// Ratings 1..5 from a rank-2 taste model plus noise: 80 users x 40 items,
// about 40% of the pairs rated. User 79 and item 39 have no rating.
OwnedTrainData Planted(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<std::array<float, 2>> user(80), item(40);
  for (auto& v : user) v = {normal(rng), normal(rng)};
  for (auto& v : item) v = {normal(rng), normal(rng)};
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 79; ++u) {
    for (uint32_t i = 0; i < 39; ++i) {
      if (rng() % 5 >= 2) continue;
      const float r = 3.f + 0.8f * (user[u][0] * item[i][0] + user[u][1] * item[i][1]) + 0.3f * normal(rng);
      t.push_back({u, i, std::clamp(std::round(r), 1.f, 5.f)});
    }
  }
  return OwnedTrainData::FromTriplets(80, 40, t);
}

std::vector<float> AllScores(const MfSgdRecommender& model, uint32_t users, uint32_t items) {
  std::vector<uint32_t> ids(items);
  std::iota(ids.begin(), ids.end(), 0u);
  std::vector<float> out(static_cast<size_t>(users) * items);
  for (uint32_t u = 0; u < users; ++u) {
    REQUIRE(model.Score(u, ids, std::span<float>(out).subspan(static_cast<size_t>(u) * items, items)).ok());
  }
  return out;
}

std::vector<float> FitAndScore(const OwnedTrainData& d, const Params& params, uint64_t seed, int threads) {
  std::vector<float> scores;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    MfSgdRecommender model;
    Context ctx;
    ctx.seed = seed;
    REQUIRE(model.Fit(d.view(), params, ctx).ok());
    scores = AllScores(model, d.view().num_users, d.view().num_items);
  });
  return scores;
}

}  // namespace

TEST_CASE("one svd step on one rating moves biases and factors as worked by hand", "[mf_sgd]") {
  // Ratings (0, 0, 5) and (1, 0, 3): mu = 4. Two factors, p_0 = (0.1, 0.2),
  // q_0 = (0.3, -0.1), biases 0, lr = 0.1, reg = 0.5. Step on (0, 0, 5):
  //   q.p = 0.03 - 0.02 = 0.01;  e = 5 - (4 + 0 + 0 + 0.01) = 0.99
  //   b_u = b_i = 0 + 0.1 (0.99 - 0.5 * 0) = 0.099
  //   p = (0.1 + 0.1 (0.99 * 0.3 - 0.05),  0.2 + 0.1 (0.99 * -0.1 - 0.1))  = (0.1247, 0.1801)
  //   q = (0.3 + 0.1 (0.99 * 0.1 - 0.15), -0.1 + 0.1 (0.99 * 0.2 + 0.05)) = (0.2949, -0.0752)
  OwnedTrainData d = OwnedTrainData::FromTriplets(2, 1, {{0, 0, 5.f}, {1, 0, 3.f}});
  MfSgdRecommender model;
  REQUIRE(model
              .Configure(
                  d.view(),
                  MakeParams({{"factors", int64_t{2}}, {"learning_rate", 0.1}, {"regularization", 0.5}}), 1)
              .ok());
  REQUIRE(model.stride() == 8);  // padded to a whole vector; the padding must stay 0
  std::fill_n(model.user_row(0), 8, 0.f);
  std::fill_n(model.item_row(0), 8, 0.f);
  model.user_row(0)[0] = 0.1f;
  model.user_row(0)[1] = 0.2f;
  model.item_row(0)[0] = 0.3f;
  model.item_row(0)[1] = -0.1f;
  const uint32_t items[] = {0};
  const float ratings[] = {5.f};
  model.TrainUser(0, items, ratings);
  CHECK(model.global_mean() == Approx(4.f));
  CHECK(model.user_bias()[0] == Approx(0.099f));
  CHECK(model.item_bias()[0] == Approx(0.099f));
  CHECK(model.user_row(0)[0] == Approx(0.1247f));
  CHECK(model.user_row(0)[1] == Approx(0.1801f));
  CHECK(model.item_row(0)[0] == Approx(0.2949f));
  CHECK(model.item_row(0)[1] == Approx(-0.0752f));
  for (int k = 2; k < 8; ++k) CHECK(model.user_row(0)[k] == 0.f);
}

TEST_CASE("an unbiased svd step uses the dot product alone", "[mf_sgd]") {
  // biased = false: mu and the biases are out. One factor, p = 1, q = 2,
  // lr = 0.1, reg = 0: e = 5 - 2 = 3; p = 1 + 0.1 * 3 * 2 = 1.6; q = 2 + 0.1 * 3 * 1 = 2.3
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 1, {{0, 0, 5.f}});
  MfSgdRecommender model;
  REQUIRE(model
              .Configure(d.view(),
                         MakeParams({{"factors", int64_t{1}},
                                     {"learning_rate", 0.1},
                                     {"regularization", 0.0},
                                     {"biased", false}}),
                         1)
              .ok());
  model.user_row(0)[0] = 1.f;
  model.item_row(0)[0] = 2.f;
  const uint32_t items[] = {0};
  const float ratings[] = {5.f};
  model.TrainUser(0, items, ratings);
  CHECK(model.user_row(0)[0] == Approx(1.6f));
  CHECK(model.item_row(0)[0] == Approx(2.3f));
  CHECK(model.user_bias()[0] == 0.f);
  CHECK(model.item_bias()[0] == 0.f);
}

TEST_CASE("svd training RMSE decreases every epoch, sequential and stratified", "[mf_sgd]") {
  OwnedTrainData d = Planted(11);
  for (int64_t strata : {1, 4}) {
    for (const char* order : {"user", "shuffled"}) {
      MfSgdRecommender model;
      REQUIRE(model
                  .Configure(d.view(),
                             MakeParams({{"factors", int64_t{8}},
                                         {"learning_rate", 0.02},
                                         {"strata", strata},
                                         {"order", std::string(order)}}),
                             42)
                  .ok());
      double previous = model.TrainingRmse();
      const double start = previous;
      for (int epoch = 0; epoch < 30; ++epoch) {
        model.RunEpoch();
        const double rmse = model.TrainingRmse();
        INFO("strata " << strata << ", order " << order << ", epoch " << epoch);
        CHECK(rmse < previous);
        previous = rmse;
      }
      CHECK(previous < 0.75 * start);
    }
  }
}

TEST_CASE("the training order visits every rating once, by user runs or shuffled", "[mf_sgd]") {
  OwnedTrainData d = Planted(12);
  const auto& view = d.view();
  for (const char* order : {"user", "shuffled"}) {
    for (int64_t strata : {1, 3}) {
      MfSgdRecommender model;
      REQUIRE(model.Configure(view, MakeParams({{"order", std::string(order)}, {"strata", strata}}), 5).ok());
      std::multiset<std::tuple<uint32_t, uint32_t, float>> seen;
      size_t position = 0;
      std::set<uint32_t> users_with_run;
      for (const auto& run : model.runs()) {
        users_with_run.insert(run.user);
        for (uint32_t c = 0; c < run.count; ++c, ++position) {
          const auto& r = model.ordered_ratings()[position];
          seen.insert({run.user, r.item, r.value});
        }
      }
      std::multiset<std::tuple<uint32_t, uint32_t, float>> expected;
      for (uint32_t u = 0; u < view.num_users; ++u) {
        for (auto [item, value] : view.by_user.Row(u)) expected.insert({u, item, value});
      }
      INFO("order " << order << ", strata " << strata);
      CHECK(seen == expected);
      if (std::string(order) == "user" && strata == 1) {
        CHECK(model.runs().size() == users_with_run.size());  // one run per user
      }
      if (std::string(order) == "shuffled") CHECK(model.runs().size() == view.nnz());
    }
  }
}

TEST_CASE("svd fits the same model for a seed whatever the thread count", "[mf_sgd]") {
  OwnedTrainData d = Planted(13);
  for (int64_t strata : {1, 4}) {
    const Params params = MakeParams({{"factors", int64_t{10}}, {"strata", strata}});
    const std::vector<float> one = FitAndScore(d, params, 42, 1);
    const std::vector<float> two = FitAndScore(d, params, 42, 2);
    const std::vector<float> other_seed = FitAndScore(d, params, 43, 2);
    INFO("strata " << strata);
    CHECK(one == two);
    CHECK(one != other_seed);
  }
}

TEST_CASE("svd batch scores equal single scores and predictions are clipped", "[mf_sgd]") {
  OwnedTrainData d = Planted(14);
  for (bool biased : {true, false}) {
    MfSgdRecommender model;
    Context ctx;
    // trained hard so that some estimates leave the 1..5 range
    REQUIRE(model
                .Fit(d.view(),
                     MakeParams({{"factors", int64_t{12}},
                                 {"ranking", std::string("rating")},
                                 {"biased", biased},
                                 {"learning_rate", 0.03},
                                 {"epochs", int64_t{200}}}),
                     ctx)
                .ok());
    const std::vector<float> single = AllScores(model, 80, 40);
    std::vector<uint32_t> users(80);
    std::iota(users.begin(), users.end(), 0u);
    std::vector<float> batch(80 * 40);
    REQUIRE(model.ScoreBatch(users, batch).ok());
    for (size_t k = 0; k < batch.size(); ++k) REQUIRE(batch[k] == Approx(single[k]).margin(1e-5));
    std::vector<uint32_t> items(40);
    std::iota(items.begin(), items.end(), 0u);
    float lowest = 10, highest = -10;
    for (uint32_t u = 0; u < 80; ++u) {
      std::vector<float> rating(40);
      REQUIRE(model.Predict(u, items, rating).ok());
      for (size_t i = 0; i < 40; ++i) {
        CHECK(rating[i] == std::clamp(single[u * 40 + i], 1.f, 5.f));
        lowest = std::min(lowest, single[u * 40 + i]);
        highest = std::max(highest, single[u * 40 + i]);
      }
    }
    CHECK((lowest < 1.f || highest > 5.f));  // some estimate needed the clip
  }
}

TEST_CASE("svd leaves unknown users and items out of the estimate, as Surprise does", "[mf_sgd]") {
  OwnedTrainData d = Planted(15);
  MfSgdRecommender model;
  Context ctx;
  REQUIRE(model.Fit(d.view(), MakeParams({{"factors", int64_t{6}}, {"ranking", std::string("rating")}}), ctx)
              .ok());
  const uint32_t items[] = {3, 39};
  float out[2];
  // user 79 has no rating: mu + b_i; item 39 has no rating: mu + b_u (+ b_i = 0)
  REQUIRE(model.Score(79, items, out).ok());
  CHECK(out[0] == Approx(model.global_mean() + model.item_bias()[3]));
  CHECK(out[1] == Approx(model.global_mean()));
  REQUIRE(model.Score(5, items, out).ok());
  CHECK(out[1] == Approx(model.global_mean() + model.user_bias()[5]));

  MfSgdRecommender unbiased;
  REQUIRE(
      unbiased
          .Fit(d.view(),
               MakeParams({{"factors", int64_t{6}}, {"biased", false}, {"ranking", std::string("rating")}}),
               ctx)
          .ok());
  // an unbiased model cannot predict them and falls back to the training mean
  const double mean = d.view().global_mean;
  REQUIRE(unbiased.Score(79, items, out).ok());
  CHECK(out[0] == Approx(mean));
  REQUIRE(unbiased.Score(5, items, out).ok());
  CHECK(out[1] == Approx(mean));
}

TEST_CASE("svd fold-in solves the new user's bias and factors by ridge regression", "[mf_sgd]") {
  // Ratings (0,0,2), (0,1,4): mu = 3. One factor; set q = (1, 2, 3), b_i = (0, 0, 0.5).
  // History: item 0 rated 4, item 1 rated 5: residuals t = (4 - 3, 5 - 3) = (1, 2).
  // Unknowns w = (b_u, p_u), rows x_j = (1, q_j): X = [[1, 1], [1, 2]],
  //   (X'X + reg * n * I) w = X't, reg * n = 0.02 * 2 = 0.04:
  //   [[2.04, 3], [3, 5.04]] w = (3, 5); det = 2.04 * 5.04 - 9 = 1.2816
  //   b_u = (5.04 * 3 - 3 * 5) / 1.2816 = 0.0936330, p_u = (2.04 * 5 - 3 * 3) / 1.2816 = 0.9363296
  // score(item 2) = 3 + 0.0936330 + 0.5 + 0.9363296 * 3 = 6.4026217
  OwnedTrainData d = OwnedTrainData::FromTriplets(1, 3, {{0, 0, 2.f}, {0, 1, 4.f}});
  MfSgdRecommender model;
  REQUIRE(
      model.Configure(d.view(), MakeParams({{"factors", int64_t{1}}, {"ranking", std::string("rating")}}), 1)
          .ok());
  model.item_row(0)[0] = 1.f;
  model.item_row(1)[0] = 2.f;
  model.item_row(2)[0] = 3.f;
  model.item_bias() = {0.f, 0.f, 0.5f};
  const uint32_t history[] = {0, 1};
  const float values[] = {4.f, 5.f};
  const uint32_t items[] = {2, 0};
  float out[2];
  REQUIRE(model.ScoreHistory(history, values, items, out).ok());
  CHECK(out[0] == Approx(6.4026217f));
  CHECK(out[1] == Approx(3 + 0.0936330f + 0.9363296f));
  // no history: the mean and the item bias
  REQUIRE(model.ScoreHistory({}, {}, items, out).ok());
  CHECK(out[0] == Approx(3.5f));
}

TEST_CASE("svd refuses implicit data, diverging steps and bad ids with a message", "[mf_sgd]") {
  Context ctx;
  MfSgdRecommender model;
  OwnedTrainData implicit = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}}, false);
  reclift::Status s = model.Fit(implicit.view(), MakeParams({}), ctx);
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message().rfind("mf_sgd predicts ratings, but the training data is implicit", 0) == 0);

  OwnedTrainData d = Planted(16);
  s = model.Fit(d.view(), MakeParams({{"learning_rate", 1.0}, {"init_std", 1.0}}), ctx);
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message().rfind("mf_sgd: training diverged in epoch ", 0) == 0);
  CHECK(s.message().find("lower learning_rate (now 1.000000)") != std::string::npos);

  REQUIRE(model.Fit(d.view(), MakeParams({{"factors", int64_t{4}}}), ctx).ok());
  const uint32_t bad_item[] = {40};
  float out[1];
  s = model.Score(0, bad_item, out);
  CHECK(s.message() == "mf_sgd: item id 40 is out of range (the model has 40 items)");
  const uint32_t item[] = {0};
  s = model.Predict(80, item, out);
  CHECK(s.message() == "mf_sgd: user id 80 is out of range (the model has 80 users)");
}

TEST_CASE("the expected score is the pick probability times the normalised clipped rating", "[mf_sgd]") {
  using reclift::recommenders::MfSgdRecommender;
  // g = (clip(r) - r_min) / (r_max - r_min) on a 1..5 scale
  CHECK(MfSgdRecommender::ExpectedScore(0.5f, 4.f, 1.f, 5.f) == Approx(0.375f));   // 0.5 * 3/4
  CHECK(MfSgdRecommender::ExpectedScore(0.2f, 6.f, 1.f, 5.f) == Approx(0.2f));     // clipped to 5: g = 1
  CHECK(MfSgdRecommender::ExpectedScore(0.8f, 0.5f, 1.f, 5.f) == 0.f);             // clipped to 1: g = 0
  CHECK(MfSgdRecommender::ExpectedScore(0.3f, 3.f, 3.f, 3.f) == Approx(0.3f));     // one rating value
  CHECK(MfSgdRecommender::ExpectedScore(0.25f, 2.f, 0.f, 10.f) == Approx(0.05f));  // 0.25 * 2/10

  // A model set by hand. Ratings (0, 0, 5), (1, 1, 3), (1, 2, 1): mu = 3, scale 1..5. One
  // factor each; rating side p_0 = 1, q = (0, 0.5, 3), biases 0; selection side x_0 = 0.5,
  // y = (1, -1, 2), c = (0.1, 0, -0.3). User 0 picked 1 of 3 items, 4 negatives per pair:
  // s_0 = 4 * 1 / (3 - 1) = 2.
  //   item 1: r^ = 3 + 0.5 = 3.5, g = 0.625; logit = -0.5 + 0 + ln 2 = 0.1931472,
  //           P = 0.5481372; expected = 0.3425858
  //   item 2: r^ = 3 + 3 = 6 -> clipped 5, g = 1; logit = 1 - 0.3 + ln 2 = 1.3931472,
  //           P = 0.8010942; expected = 0.8010942
  OwnedTrainData d = OwnedTrainData::FromTriplets(2, 3, {{0, 0, 5.f}, {1, 1, 3.f}, {1, 2, 1.f}});
  const auto hand_set = [&](const std::string& ranking, MfSgdRecommender& model) {
    REQUIRE(model
                .Configure(
                    d.view(),
                    MakeParams(
                        {{"factors", int64_t{1}}, {"selection_factors", int64_t{1}}, {"ranking", ranking}}),
                    1)
                .ok());
    model.Finish();
    model.ConfigureSelection(1);
    model.FinishSelection();
    model.user_row(0)[0] = 1.f;
    const float q[] = {0.f, 0.5f, 3.f}, y[] = {1.f, -1.f, 2.f};
    for (uint32_t i = 0; i < 3; ++i) {
      model.item_row(i)[0] = q[i];
      model.selection_item_row(i)[0] = y[i];
    }
    model.selection_user_row(0)[0] = 0.5f;
    model.selection_bias() = {0.1f, 0.f, -0.3f};
    model.PackForScoring();
  };
  const uint32_t items[] = {1, 2};
  float out[2];
  const uint32_t user[] = {0};
  std::vector<float> batch(3);
  SECTION("expected") {
    MfSgdRecommender model;
    hand_set("expected", model);
    CHECK(model.SelectionProbability(0, 1) == Approx(0.5481372f));
    REQUIRE(model.Score(0, items, out).ok());
    CHECK(out[0] == Approx(0.3425858f));
    CHECK(out[1] == Approx(0.8010942f));
    REQUIRE(model.ScoreBatch(user, batch).ok());
    CHECK(batch[1] == Approx(0.3425858f));
    CHECK(batch[2] == Approx(0.8010942f));
    // Predict stays the rating, clipped
    REQUIRE(model.Predict(0, items, out).ok());
    CHECK(out[0] == Approx(3.5f));
    CHECK(out[1] == 5.f);
  }
  SECTION("selection") {
    MfSgdRecommender model;
    hand_set("selection", model);
    REQUIRE(model.Score(0, items, out).ok());
    CHECK(out[0] == Approx(0.5481372f));
    CHECK(out[1] == Approx(0.8010942f));
    REQUIRE(model.ScoreBatch(user, batch).ok());
    CHECK(batch[1] == Approx(0.5481372f));
  }
  SECTION("rating: the unclipped estimate, as before") {
    MfSgdRecommender model;
    hand_set("rating", model);
    REQUIRE(model.Score(0, items, out).ok());
    CHECK(out[0] == Approx(3.5f));
    CHECK(out[1] == Approx(6.f));
  }
}

namespace {

// 60 users in two taste groups over 20 items: group A (users 0-29) picks 4 random items of 0-9 and,
// 9 times in 10, item 7; group B picks 4 random items of 10-19. Every rating is 3, so the rating
// model has nothing to rank by.
OwnedTrainData PlantedPicks() {
  std::mt19937_64 rng(5);
  std::vector<Triplet> t;
  for (uint32_t u = 0; u < 60; ++u) {
    const uint32_t first = u < 30 ? 0 : 10;
    std::set<uint32_t> picks;
    if (u < 30 && rng() % 10 != 0) picks.insert(7);
    while (picks.size() < (picks.count(7) ? 5u : 4u)) {
      const uint32_t item = first + static_cast<uint32_t>(rng() % 10);
      if (item != 7) picks.insert(item);
    }
    for (uint32_t item : picks) t.push_back({u, item, 3.f});
  }
  return OwnedTrainData::FromTriplets(60, 20, t);
}

}  // namespace

TEST_CASE("the selection model ranks a planted, often picked item first for users who lack it", "[mf_sgd]") {
  OwnedTrainData d = PlantedPicks();
  const auto& view = d.view();
  MfSgdRecommender model;
  Context ctx;
  REQUIRE(model.Fit(view, MakeParams({{"factors", int64_t{4}}, {"ranking", std::string("selection")}}), ctx)
              .ok());
  std::vector<uint32_t> all(20);
  std::iota(all.begin(), all.end(), 0u);
  size_t checked = 0;
  for (uint32_t u = 0; u < 30; ++u) {
    const auto row = view.by_user.RowIndices(u);
    if (std::binary_search(row.begin(), row.end(), 7u)) continue;
    std::vector<float> scores(20);
    REQUIRE(model.Score(u, all, scores).ok());
    for (uint32_t i = 0; i < 20; ++i) {
      if (i == 7 || std::binary_search(row.begin(), row.end(), i)) continue;
      INFO("user " << u << ", item " << i);
      CHECK(scores[7] > scores[i]);
    }
    ++checked;
  }
  CHECK(checked > 0);
  // group A's items are likelier picks for group A than group B's
  std::vector<float> scores(20);
  REQUIRE(model.Score(0, all, scores).ok());
  CHECK(*std::min_element(scores.begin(), scores.begin() + 10) >
        *std::max_element(scores.begin() + 10, scores.end()));

  SECTION("a new user folded in from four group-A items gets item 7 first") {
    const uint32_t history[] = {0, 2, 4, 9};
    const float values[] = {3.f, 3.f, 3.f, 3.f};
    std::vector<float> folded(20);
    REQUIRE(model.ScoreHistory(history, values, all, folded).ok());
    for (uint32_t i : {1u, 3u, 5u, 6u, 8u, 10u, 15u, 19u}) CHECK(folded[7] > folded[i]);
    // no history: item popularity (item 7 is the most picked)
    REQUIRE(model.ScoreHistory({}, {}, all, folded).ok());
    CHECK(std::max_element(folded.begin(), folded.end()) - folded.begin() == 7);
  }
}

TEST_CASE("predicted ratings do not depend on the ranking (the selection model is separate)", "[mf_sgd]") {
  OwnedTrainData d = Planted(17);
  const auto& view = d.view();
  std::vector<uint32_t> items(view.num_items);
  std::iota(items.begin(), items.end(), 0u);
  std::vector<float> rating_scores(items.size());
  std::vector<std::vector<float>> predictions;
  for (const char* ranking : {"rating", "expected", "selection"}) {
    MfSgdRecommender model;
    Context ctx;
    ctx.seed = 9;
    REQUIRE(
        model.Fit(view, MakeParams({{"factors", int64_t{8}}, {"ranking", std::string(ranking)}}), ctx).ok());
    std::vector<float> all;
    for (uint32_t u = 0; u < view.num_users; ++u) {
      std::vector<float> out(items.size());
      REQUIRE(model.Predict(u, items, out).ok());
      all.insert(all.end(), out.begin(), out.end());
    }
    predictions.push_back(all);
    if (std::string(ranking) == "rating") {
      // ranking = rating: Score is the unclipped Predict
      REQUIRE(model.Score(3, items, rating_scores).ok());
      for (size_t i = 0; i < items.size(); ++i) {
        CHECK(std::clamp(rating_scores[i], 1.f, 5.f) == all[3 * items.size() + i]);
      }
    }
  }
  CHECK(predictions[0] == predictions[1]);  // bit for bit
  CHECK(predictions[0] == predictions[2]);
}

TEST_CASE("a selection learning rate that diverges is refused with a message", "[mf_sgd]") {
  OwnedTrainData d = Planted(18);
  MfSgdRecommender model;
  Context ctx;
  const reclift::Status s = model.Fit(
      d.view(),
      MakeParams(
          {{"factors", int64_t{4}}, {"selection_learning_rate", 1.0}, {"selection_regularization", 10.0}}),
      ctx);
  // each step multiplies the factors by 1 - lr reg = -9
  CHECK(s.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(s.message().rfind("mf_sgd: the selection model diverged", 0) == 0);
  CHECK(s.message().find("lower selection_learning_rate (now 1.000000)") != std::string::npos);
}
