#include "mf_sgd.h"

#include <tbb/task_arena.h>

#include <array>
#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Triplet;
using reclift::recommenders::kMfSgdParams;
using reclift::recommenders::MfSgdRecommender;

Params MakeParams(std::map<std::string, ParamValue> given) {
  Params p;
  const reclift::Status s = Params::Build(kMfSgdParams, given, p);
  REQUIRE(s.ok());
  return p;
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
  REQUIRE(model.Fit(d.view(), MakeParams({{"factors", int64_t{6}}}), ctx).ok());
  const uint32_t items[] = {3, 39};
  float out[2];
  // user 79 has no rating: mu + b_i; item 39 has no rating: mu + b_u (+ b_i = 0)
  REQUIRE(model.Score(79, items, out).ok());
  CHECK(out[0] == Approx(model.global_mean() + model.item_bias()[3]));
  CHECK(out[1] == Approx(model.global_mean()));
  REQUIRE(model.Score(5, items, out).ok());
  CHECK(out[1] == Approx(model.global_mean() + model.user_bias()[5]));

  MfSgdRecommender unbiased;
  REQUIRE(unbiased.Fit(d.view(), MakeParams({{"factors", int64_t{6}}, {"biased", false}}), ctx).ok());
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
  REQUIRE(model.Configure(d.view(), MakeParams({{"factors", int64_t{1}}}), 1).ok());
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
