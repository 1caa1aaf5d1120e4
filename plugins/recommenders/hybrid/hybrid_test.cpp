#include "hybrid.h"

#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::ChildRecommender;
using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Recommender;
using reclift::Status;
using reclift::StatusCode;
using reclift::TrainData;
using reclift::recommenders::HybridRecommender;
using reclift::recommenders::kHybridParams;

// A child whose scores are a fixed users x items table; fold-in returns a
// fixed row when one is given.
class TableChild final : public Recommender {
 public:
  explicit TableChild(std::vector<std::vector<float>> rows, std::vector<float> history_row = {})
      : rows_(std::move(rows)), history_row_(std::move(history_row)) {}
  Status Fit(const TrainData&, const Params&, const Context&) override { return {}; }
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override {
    if (user >= rows_.size()) return Status::InvalidArgument("no such user");
    for (size_t j = 0; j < items.size(); ++j) out[j] = rows_[user][items[j]];
    return {};
  }
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override {
    ++batch_calls;
    const size_t n = rows_[0].size();
    for (size_t r = 0; r < users.size(); ++r) {
      std::copy(rows_[users[r]].begin(), rows_[users[r]].end(), out.begin() + r * n);
    }
    return {};
  }
  Status ScoreHistory(std::span<const uint32_t>, std::span<const float>, std::span<const uint32_t> items,
                      std::span<float> out) const override {
    if (history_row_.empty()) return Status::NotSupported("ScoreHistory");
    for (size_t j = 0; j < items.size(); ++j) out[j] = history_row_[items[j]];
    return {};
  }
  mutable int batch_calls = 0;  // tests run single-threaded

 private:
  std::vector<std::vector<float>> rows_;
  std::vector<float> history_row_;
};

// 3 users, 4 items. Training: user 0 used items 0, 1; user 1 items 0, 1, 2; user 2 item 0.
// Interaction counts: users 2, 3, 1; items 3, 2, 1, 0.
OwnedTrainData Data() {
  return OwnedTrainData::FromTriplets(
      3, 4, {{0, 0, 1.f}, {0, 1, 1.f}, {1, 0, 1.f}, {1, 1, 1.f}, {1, 2, 1.f}, {2, 0, 1.f}});
}

// collaborative scores per user, and content scores per user
const std::vector<std::vector<float>> kCf = {{5, 4, 3, 2}, {1, 2, 3, 5}, {2, 2, 2, 2}};
const std::vector<std::vector<float>> kContent = {
    {0.9f, 0.1f, 0.5f, 0.5f}, {0.2f, 0.1f, 0.4f, 0.3f}, {0, 0, 0, 1}};

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  Status status = Params::Build(kHybridParams, given, params);
  REQUIRE(status.ok());
  return params;
}

std::vector<float> ScoreAll(const HybridRecommender& model, uint32_t user) {
  std::vector<uint32_t> items{0, 1, 2, 3};
  std::vector<float> out(4, -1.f);
  REQUIRE(model.Score(user, items, out).ok());
  return out;
}

void CheckApprox(const std::vector<float>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (size_t j = 0; j < got.size(); ++j) CHECK(got[j] == Approx(expected[j]).margin(1e-6));
}

struct Fixture {
  OwnedTrainData data = Data();
  TableChild cf{kCf, {4, 3, 2, 1}};
  TableChild content{kContent};
  HybridRecommender model;

  void Fit(const std::map<std::string, ParamValue>& given, uint32_t cf_caps = 0, uint32_t content_caps = 0) {
    const ChildRecommender children[] = {{&cf, cf_caps, "table_cf"},
                                         {&content, content_caps, "table_content"}};
    REQUIRE(model.SetChildren(children).ok());
    REQUIRE(model.Fit(data.view(), MakeParams(given), Context{}).ok());
  }
};

}  // namespace

TEST_CASE("hybrid normalises a user's scores by min-max, z-score or rank", "[hybrid]") {
  using N = HybridRecommender::Normalisation;
  std::vector<float> s{1, 2, 3, 5};
  HybridRecommender::Normalise(N::kMinMax, s);
  CheckApprox(s, {0, 0.25, 0.5, 1});
  // mean 2.75, population sd sqrt(8.75 / 4) = 1.4790199
  s = {1, 2, 3, 5};
  HybridRecommender::Normalise(N::kZScore, s);
  CheckApprox(s, {-1.1832160, -0.5070926, 0.1690309, 1.5212777});
  // ties share the average of their 0-based ranks: 0, (1 + 2) / 2, (1 + 2) / 2, 3, over n - 1 = 3
  s = {1, 2, 2, 5};
  HybridRecommender::Normalise(N::kRank, s);
  CheckApprox(s, {0, 0.5, 0.5, 1});
  SECTION("a child's 'never' scores stay out of the statistics and get the lowest value") {
    s = {-1e30f, 1, 3};
    HybridRecommender::Normalise(N::kMinMax, s);
    CheckApprox(s, {0, 0, 1});
    s = {-1e30f, 1, 3};
    HybridRecommender::Normalise(N::kZScore, s);  // mean 2, sd 1
    CheckApprox(s, {-1, -1, 1});
    s = {-1e30f, 1, 3};
    HybridRecommender::Normalise(N::kRank, s);
    CheckApprox(s, {0, 0, 1});
  }
  SECTION("equal scores normalise to 0") {
    s = {2, 2, 2};
    HybridRecommender::Normalise(N::kMinMax, s);
    CheckApprox(s, {0, 0, 0});
    s = {2, 2, 2};
    HybridRecommender::Normalise(N::kZScore, s);
    CheckApprox(s, {0, 0, 0});
  }
}

TEST_CASE("hybrid weighted mode mixes the normalised children by beta", "[hybrid]") {
  Fixture f;
  SECTION("min-max") {
    // user 1: cf (1, 2, 3, 5) -> (0, 0.25, 0.5, 1); content (0.2, 0.1, 0.4, 0.3) -> (1/3, 0, 1, 2/3)
    // beta 0.25: 0.75 cf + 0.25 content = (0.0833333, 0.1875, 0.625, 0.9166667)
    f.Fit({{"beta", 0.25}});
    CheckApprox(ScoreAll(f.model, 1), {0.0833333, 0.1875, 0.625, 0.9166667});
    // only the candidates of the call are normalised: items 3 and 0 give cf (5, 1) -> (1, 0),
    // content (0.3, 0.2) -> (1, 0)
    std::vector<float> two(2);
    REQUIRE(f.model.Score(1, std::vector<uint32_t>{3, 0}, two).ok());
    CheckApprox(two, {1, 0});
  }
  SECTION("z-score") {
    // cf z = (-1.1832160, -0.5070926, 0.1690309, 1.5212777); content mean 0.25, sd 0.1118034:
    // z = (-0.4472136, -1.3416408, 1.3416408, 0.4472136); beta 0.5 averages them
    f.Fit({{"beta", 0.5}, {"normalisation", std::string("zscore")}});
    CheckApprox(ScoreAll(f.model, 1), {-0.8152148, -0.9243667, 0.7553358, 0.9842456});
  }
  SECTION("beta 0 and 1 give one child alone") {
    f.Fit({{"beta", 0.0}, {"normalisation", std::string("rank")}});
    CheckApprox(ScoreAll(f.model, 1), {0, 1.0 / 3, 2.0 / 3, 1});
    f.Fit({{"beta", 1.0}, {"normalisation", std::string("rank")}});
    CheckApprox(ScoreAll(f.model, 1), {1.0 / 3, 0, 1, 2.0 / 3});
  }
}

TEST_CASE("hybrid switching mode uses content for light users and rarely used items", "[hybrid]") {
  Fixture f;
  f.Fit({{"mode", std::string("switching")}, {"user_threshold", int64_t{3}}, {"item_threshold", int64_t{2}}});
  // user 0 has 2 < 3 interactions: its whole list is content, (0.9, 0.1, 0.5, 0.5) -> (1, 0, 0.5, 0.5)
  CheckApprox(ScoreAll(f.model, 0), {1, 0, 0.5, 0.5});
  // user 1 has 3: items 0 and 1 (3 and 2 interactions) keep cf (0, 0.25); items 2 and 3 (1 and 0)
  // take content (1, 2/3)
  CheckApprox(ScoreAll(f.model, 1), {0, 0.25, 1, 2.0 / 3});
}

TEST_CASE("hybrid ScoreBatch equals Score whether or not the children can batch", "[hybrid]") {
  for (uint32_t caps : {0u, static_cast<uint32_t>(reclift::kCapScoreBatch)}) {
    for (const char* mode : {"weighted", "switching"}) {
      Fixture f;
      f.Fit({{"mode", std::string(mode)}}, caps, caps);
      f.content.batch_calls = 0;  // Fit scored a few users for the fold-in fallback
      const std::vector<uint32_t> users{2, 0, 1};
      std::vector<float> batch(12);
      REQUIRE(f.model.ScoreBatch(users, batch).ok());
      for (size_t r = 0; r < users.size(); ++r) {
        CHECK(std::vector<float>(batch.begin() + r * 4, batch.begin() + r * 4 + 4) ==
              ScoreAll(f.model, users[r]));
      }
      // with the capability, each child was asked once for the block
      CHECK(f.content.batch_calls == (caps ? 1 : 0));
    }
  }
}

TEST_CASE("hybrid folds in a new user through the children, or their typical-user scores", "[hybrid]") {
  Fixture f;
  // the cf child can fold in, the content child cannot: its fallback is the mean of its min-max
  // normalised rows over the training users 0, 1, 2:
  //   (1, 0, 0.5, 0.5), (1/3, 0, 1, 2/3), (0, 0, 0, 1) -> (4/9, 0, 0.5, 0.7222222)
  f.Fit({{"beta", 0.25}}, reclift::kCapScoreHistory, 0);
  const std::vector<uint32_t> history{1}, items{0, 1, 2, 3};
  std::vector<float> out(4);
  REQUIRE(f.model.ScoreHistory(history, {}, items, out).ok());
  // cf fold-in (4, 3, 2, 1) -> (1, 2/3, 1/3, 0); fallback -> min-max (0.6153846, 0, 0.6923077, 1)
  // 0.75 cf + 0.25 content = (0.9038462, 0.5, 0.4230769, 0.25)
  CheckApprox(out, {0.9038462, 0.5, 0.4230769, 0.25});

  SECTION("switching treats the history's length as the user's interaction count") {
    Fixture g;
    g.Fit(
        {{"mode", std::string("switching")}, {"user_threshold", int64_t{2}}, {"item_threshold", int64_t{0}}},
        reclift::kCapScoreHistory, 0);
    REQUIRE(g.model.ScoreHistory(history, {}, items, out).ok());  // 1 < 2: content fallback
    CheckApprox(out, {0.6153846, 0, 0.6923077, 1});
    const std::vector<uint32_t> longer{1, 2};
    REQUIRE(g.model.ScoreHistory(longer, {}, items, out).ok());  // 2: the cf child's fold-in
    CheckApprox(out, {1, 2.0 / 3, 1.0 / 3, 0});
  }
}

TEST_CASE("hybrid reports missing children and children's errors with a message", "[hybrid]") {
  auto data = Data();
  TableChild cf{kCf};
  HybridRecommender model;
  Status s = model.Fit(data.view(), MakeParams({}), Context{});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(
      s.message() ==
      "hybrid: no children: give the arm children = [{recommender = \"als\"}, {recommender = \"content\"}]");

  const ChildRecommender one[] = {{&cf, 0, "als"}};
  s = model.SetChildren(one);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "hybrid needs two children, a collaborative recommender then a content one (children = [{recommender "
        "= \"als\"}, {recommender = \"content\"}]); got 1 (als)");

  // a child that fails: its message, prefixed by the hybrid and the child's name
  TableChild short_table{{{1, 2, 3, 4}}};  // knows user 0 only
  const ChildRecommender two[] = {{&cf, 0, "table_cf"}, {&short_table, 0, "short"}};
  REQUIRE(model.SetChildren(two).ok());
  s = model.Fit(data.view(), MakeParams({}), Context{});  // the fallback of 'short' scores users 0, 1, 2
  CHECK(s.message() == "hybrid: child 'short' Score: no such user");
  CHECK(s.code() == StatusCode::kInvalidArgument);
}
