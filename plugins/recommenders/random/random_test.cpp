#include "random.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <thread>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::plugins::RandomRecommender;

// Only the shape matters to this plugin: 200 users, 500 items.
constexpr uint32_t kUsers = 200;
constexpr uint32_t kItems = 500;

OwnedTrainData ShapeOnlyData() {
  return OwnedTrainData::FromTriplets(kUsers, kItems, {{0, 0, 1.f}});
}

RandomRecommender Fitted(const OwnedTrainData& data, uint64_t seed) {
  RandomRecommender model;
  Context ctx;
  ctx.seed = seed;
  REQUIRE(model.Fit(data.view(), reclift::Params{}, ctx).ok());
  return model;
}

std::vector<uint32_t> AllItems() {
  std::vector<uint32_t> items(kItems);
  std::iota(items.begin(), items.end(), 0u);
  return items;
}

std::vector<float> ScoreUser(const RandomRecommender& model, uint32_t user) {
  std::vector<float> out(kItems);
  REQUIRE(model.Score(user, AllItems(), out).ok());
  return out;
}

std::vector<float> ScoreEveryone(const RandomRecommender& model) {
  std::vector<uint32_t> users(kUsers);
  std::iota(users.begin(), users.end(), 0u);
  std::vector<float> out(size_t{kUsers} * kItems);
  REQUIRE(model.ScoreBatch(users, out).ok());
  return out;
}

}  // namespace

TEST_CASE("splitmix64 matches the reference generator's first outputs", "[random]") {
  // The reference generator (Vigna's splitmix64.c) seeded with 0 returns
  // mix(0 + gamma), then mix(2 * gamma): the published first two outputs.
  CHECK(reclift::plugins::SplitMix64(0) == 0xe220a8397b1dcdafULL);
  CHECK(reclift::plugins::SplitMix64(0x9e3779b97f4a7c15ULL) == 0x6e789e6aa1b965f4ULL);
}

TEST_CASE("random scores lie between 0 (included) and 1 (excluded) and look uniform", "[random]") {
  auto data = ShapeOnlyData();
  auto scores = ScoreEveryone(Fitted(data, 42));
  REQUIRE(scores.size() == 100000u);
  CHECK(*std::min_element(scores.begin(), scores.end()) >= 0.f);
  CHECK(*std::max_element(scores.begin(), scores.end()) < 1.f);

  // Uniform on [0, 1): mean 0.5 with standard error sqrt(1/12) / sqrt(1e5) = 0.00091;
  // 0.005 is 5.5 standard errors.
  const double mean = std::accumulate(scores.begin(), scores.end(), 0.0) / scores.size();
  CHECK(mean == Approx(0.5).margin(0.005));

  // Ten equal bins of 10000 expected values each; binomial sd = sqrt(1e5 * 0.1 * 0.9) = 95.
  std::vector<int> bins(10, 0);
  for (float s : scores) ++bins[static_cast<int>(s * 10)];
  for (int count : bins) CHECK(std::abs(count - 10000) < 500);

  // Neighbouring users are not correlated: user u beats user u+1 on an item about half
  // the time (199 * 500 = 99500 pairs, sd = 158).
  int wins = 0;
  for (uint32_t u = 0; u + 1 < kUsers; ++u) {
    for (uint32_t i = 0; i < kItems; ++i) wins += scores[u * kItems + i] > scores[(u + 1) * kItems + i];
  }
  CHECK(std::abs(wins - 49750) < 800);
}

TEST_CASE("random scores depend only on seed, user and item", "[random]") {
  auto data = ShapeOnlyData();
  auto model = Fitted(data, 7);
  auto batch = ScoreEveryone(model);

  SECTION("Score and ScoreBatch agree") {
    for (uint32_t user : {0u, 1u, 57u, kUsers - 1}) {
      auto single = ScoreUser(model, user);
      CHECK(std::equal(single.begin(), single.end(), batch.begin() + size_t{user} * kItems));
    }
  }
  SECTION("candidate order and subset do not change an item's score") {
    const std::vector<uint32_t> items{499, 3, 250};
    std::vector<float> out(3);
    REQUIRE(model.Score(9, items, out).ok());
    CHECK(out[0] == batch[9 * kItems + 499]);
    CHECK(out[1] == batch[9 * kItems + 3]);
    CHECK(out[2] == batch[9 * kItems + 250]);
  }
  SECTION("a second instance with the same seed gives the same scores") {
    CHECK(ScoreEveryone(Fitted(data, 7)) == batch);
  }
  SECTION("scoring from several threads gives the same scores") {
    std::vector<std::vector<float>> per_thread(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] { per_thread[t] = ScoreEveryone(model); });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& scores : per_thread) CHECK(scores == batch);
  }
  SECTION("another seed gives other scores") {
    auto other = ScoreEveryone(Fitted(data, 8));
    size_t same = 0;
    for (size_t j = 0; j < batch.size(); ++j) same += other[j] == batch[j];
    // two independent 24-bit values coincide with probability 2^-24: expect none of 1e5
    CHECK(same < 5u);
  }
}

TEST_CASE("random folds in unseen users by their history", "[random]") {
  auto data = ShapeOnlyData();
  auto model = Fitted(data, 42);
  const auto items = AllItems();
  std::vector<float> a(kItems), b(kItems), c(kItems);
  const std::vector<float> values{1.f, 1.f};
  REQUIRE(model.ScoreHistory(std::vector<uint32_t>{3, 8}, values, items, a).ok());
  REQUIRE(model.ScoreHistory(std::vector<uint32_t>{8, 3}, values, items, b).ok());
  REQUIRE(model.ScoreHistory(std::vector<uint32_t>{3, 9}, values, items, c).ok());
  CHECK(a == b);  // the history's order does not matter
  CHECK(a != c);  // another history is another pseudo-user
  CHECK(a != ScoreUser(model, 0));
}

TEST_CASE("random reports ids out of range and calls before Fit", "[random]") {
  RandomRecommender model;
  std::vector<float> out(1);
  CHECK(model.Score(0, std::vector<uint32_t>{0}, out).message() == "random: scoring called before Fit");
  auto data = ShapeOnlyData();
  model = Fitted(data, 1);
  CHECK(model.Score(0, std::vector<uint32_t>{kItems}, out).message() ==
        "random: item id 500 out of range (num_items = 500)");
  CHECK(model.Score(kUsers, std::vector<uint32_t>{0}, out).message() ==
        "random: user id 200 out of range (num_users = 200)");
  CHECK(model.ScoreBatch(std::vector<uint32_t>{0}, out).message() ==
        "random: ScoreBatch output has 1 slots, expected users x items = 1 x 500");
}
