#include "eval/ranker.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "reclift/owned_train_data.h"

using namespace reclift;
using namespace reclift::host;

TEST_CASE("TopK keeps the k best by score, smaller item id first on ties", "[ranker]") {
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, 0.1f, 0.9f, 0.7f};
  std::vector<uint32_t> out;
  TopK(scores, {}, 3, out);
  CHECK(out == std::vector<uint32_t>{1, 4, 5});
  TopK(scores, {}, 5, out);
  CHECK(out == std::vector<uint32_t>{1, 4, 5, 0, 2});  // 0 and 2 tie at 0.5: 0 first
  TopK(scores, {}, 10, out);                           // k beyond the catalogue: everything, ranked
  CHECK(out == std::vector<uint32_t>{1, 4, 5, 0, 2, 3});
  TopK(scores, {}, 0, out);
  CHECK(out.empty());
}

TEST_CASE("TopK never returns an excluded item", "[ranker]") {
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, 0.1f, 0.9f, 0.7f};
  std::vector<uint32_t> out;
  const uint32_t seen[] = {1, 5};
  TopK(scores, seen, 3, out);
  CHECK(out == std::vector<uint32_t>{4, 0, 2});
  const uint32_t all[] = {0, 1, 2, 3, 4, 5};
  TopK(scores, all, 3, out);
  CHECK(out.empty());
}

namespace {
class ConstantModel final : public Recommender {
 public:
  explicit ConstantModel(float bad = 0.f) : bad_(bad) {}
  Status Fit(const TrainData&, const Params&, const Context&) override { return {}; }
  Status Score(uint32_t u, std::span<const uint32_t> items, std::span<float> out) const override {
    for (size_t j = 0; j < items.size(); ++j) out[j] = static_cast<float>((items[j] * 7 + u) % 5);
    if (u == 2 && !out.empty()) out[0] = bad_ == 0.f ? out[0] : bad_;
    return {};
  }
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override {
    const size_t n = out.size() / users.size();
    std::vector<uint32_t> items(n);
    for (uint32_t i = 0; i < n; ++i) items[i] = i;
    for (size_t b = 0; b < users.size(); ++b) (void)Score(users[b], items, out.subspan(b * n, n));
    return {};
  }

 private:
  float bad_;
};
}  // namespace

TEST_CASE("RankUsers gives the same lists with and without batch scoring, in any block size", "[ranker]") {
  auto data = OwnedTrainData::FromTriplets(4, 9, {{0, 1}, {0, 2}, {1, 8}, {3, 0}});
  ConstantModel model;
  const uint32_t users[] = {0, 1, 2, 3};
  std::vector<std::vector<uint32_t>> a, b;
  RankerOptions o;
  o.k = 4;
  o.block_users = 3;
  REQUIRE(RankUsers(model, kCapScoreBatch, data.view(), users, o, a).ok());
  o.use_batch = false;
  o.block_users = 1;
  REQUIRE(RankUsers(model, kCapScoreBatch, data.view(), users, o, b).ok());
  CHECK(a == b);
  for (uint32_t u = 0; u < 4; ++u) {
    for (uint32_t item : a[u])
      CHECK_FALSE(data.view().by_user.RowIndices(u).end() !=
                  std::find(data.view().by_user.RowIndices(u).begin(),
                            data.view().by_user.RowIndices(u).end(), item));
  }
}

TEST_CASE("RankUsers refuses NaN and infinite scores, naming the user and item", "[ranker]") {
  auto data = OwnedTrainData::FromTriplets(4, 9, {{0, 1}});
  const uint32_t users[] = {0, 1, 2, 3};
  std::vector<std::vector<uint32_t>> lists;
  for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
    ConstantModel model(bad);
    Status s = RankUsers(model, kCapScoreBatch, data.view(), users, RankerOptions{}, lists);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("for user 2, item 0") != std::string::npos);
  }
}

namespace {
// The reference: sort every non-excluded item by (score desc, id asc), cut k.
std::vector<uint32_t> SortedTopK(const std::vector<float>& scores, const std::vector<uint32_t>& exclude,
                                 size_t k) {
  std::vector<uint32_t> items;
  for (uint32_t i = 0; i < scores.size(); ++i) {
    if (!std::binary_search(exclude.begin(), exclude.end(), i)) items.push_back(i);
  }
  std::stable_sort(items.begin(), items.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  items.resize(std::min(k, items.size()));
  return items;
}
}  // namespace

TEST_CASE("TopK over long rows (the chunked scan) equals a full sort, ties and exclusions included",
          "[ranker]") {
  std::mt19937 rng(3);
  for (size_t n : {63u, 64u, 65u, 1000u, 4133u}) {
    for (size_t k : {1u, 5u, 20u, 200u}) {
      std::vector<float> scores(n);
      // few distinct values, so most chunks hold ties with the threshold;
      // rising with the id, so late chunks keep entering the heap
      for (size_t i = 0; i < n; ++i) scores[i] = static_cast<float>(rng() % 7) + (i % 3 == 0 ? i / 500 : 0);
      std::vector<uint32_t> exclude;
      for (uint32_t i = 0; i < n; ++i) {
        if (rng() % 4 == 0) exclude.push_back(i);
      }
      std::vector<uint32_t> out;
      TopK(scores, exclude, k, out);
      INFO("n = " << n << ", k = " << k);
      CHECK(out == SortedTopK(scores, exclude, k));
    }
  }
}

TEST_CASE("RankUsers finds a NaN or infinite score anywhere in a long row, also in a skipped chunk",
          "[ranker]") {
  auto data = OwnedTrainData::FromTriplets(3, 700, {{0, 1}});
  const uint32_t users[] = {0, 1, 2};
  struct Model final : public Recommender {
    float bad = 0;
    uint32_t where = 0;
    Status Fit(const TrainData&, const Params&, const Context&) override { return {}; }
    Status Score(uint32_t u, std::span<const uint32_t> items, std::span<float> out) const override {
      // high scores first, so the heap is full early and later chunks are skipped
      for (size_t j = 0; j < items.size(); ++j) out[j] = 1000.f - static_cast<float>(items[j]);
      for (size_t j = 0; j < items.size(); ++j) {
        if (u == 1 && items[j] == where) out[j] = bad;
      }
      return {};
    }
  };
  for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
    for (uint32_t where : {0u, 63u, 64u, 650u, 699u}) {
      Model model;
      model.bad = bad;
      model.where = where;
      std::vector<std::vector<uint32_t>> lists;
      Status s = RankUsers(model, 0, data.view(), users, RankerOptions{}, lists);
      REQUIRE_FALSE(s.ok());
      CHECK(s.message().find("for user 1, item " + std::to_string(where)) != std::string::npos);
    }
  }
}
