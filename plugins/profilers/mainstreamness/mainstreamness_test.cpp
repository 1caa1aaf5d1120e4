#include "mainstreamness.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::plugins::MainstreamnessParamSpecs;
using reclift::plugins::MainstreamnessProfiler;

// Users and their training items:
//   0: {0}   1: {0, 1}   2: {0, 2}   3: {0, 3}   4: {1, 2}   5: none (cold)
// Item popularity (training users): 0: 4, 1: 2, 2: 2, 3: 1, 4: 0 (never seen).
// Mid-rank percentiles among the 4 items seen:
//   item 3: (0 less + 0.5 * 1) / 4 = 0.125
//   items 1, 2: (1 less + 0.5 * 2) / 4 = 0.5
//   item 0: (3 less + 0.5 * 1) / 4 = 0.875
// User scores (mean percentile): 0: 0.875; 1, 2: (0.875 + 0.5) / 2 = 0.6875;
//   3: (0.875 + 0.125) / 2 = 0.5; 4: (0.5 + 0.5) / 2 = 0.5
OwnedTrainData MainstreamData() {
  return OwnedTrainData::FromTriplets(
      6, 5, {{0, 0}, {1, 0}, {1, 1}, {2, 0}, {2, 2}, {3, 0}, {3, 3}, {4, 1}, {4, 2}}, false);
}

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  REQUIRE(Params::Build(MainstreamnessParamSpecs(), given, params).ok());
  return params;
}

class RecordingLogger final : public reclift::Logger {
 public:
  void Log(reclift::LogLevel, const std::string& message) const override { messages.push_back(message); }
  mutable std::vector<std::string> messages;
};

std::vector<uint32_t> SegmentsOf(const OwnedTrainData& data, const std::map<std::string, ParamValue>& given) {
  MainstreamnessProfiler profiler;
  REQUIRE(profiler.Fit(data.view(), MakeParams(given), reclift::Context{}).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segments(data.view().num_users, 99);
  REQUIRE(profiler.Segments(names, segments).ok());
  CHECK(names == std::vector<std::string>{"cold", "niche", "mixed", "mainstream"});
  return segments;
}

}  // namespace

TEST_CASE("mainstreamness scores a user by the mean popularity percentile of their items",
          "[mainstreamness][golden]") {
  auto data = MainstreamData();
  MainstreamnessProfiler profiler;
  REQUIRE(profiler.Fit(data.view(), MakeParams({}), {}).ok());
  CHECK(profiler.Score(0) == Approx(0.875));
  CHECK(profiler.Score(1) == Approx(0.6875));
  CHECK(profiler.Score(2) == Approx(0.6875));
  CHECK(profiler.Score(3) == Approx(0.5));
  CHECK(profiler.Score(4) == Approx(0.5));
  CHECK(std::isnan(profiler.Score(5)));
}

TEST_CASE("mainstreamness splits users at the tertiles of their scores by default",
          "[mainstreamness][golden]") {
  auto data = MainstreamData();
  MainstreamnessProfiler profiler;
  RecordingLogger logger;
  reclift::Context ctx;
  ctx.logger = &logger;
  REQUIRE(profiler.Fit(data.view(), MakeParams({}), ctx).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segments(6, 99);
  REQUIRE(profiler.Segments(names, segments).ok());
  // 5 scored users, ascending 0.5 0.5 0.6875 0.6875 0.875: q(1/3) = rank ceil(5/3) = 2 -> 0.5,
  // q(2/3) = rank ceil(10/3) = 4 -> 0.6875. niche <= 0.5: users 3, 4; mainstream > 0.6875: user 0
  CHECK(segments == std::vector<uint32_t>{3, 2, 2, 1, 1, 0});
  REQUIRE(logger.messages.size() == 1u);
  CHECK(logger.messages[0] ==
        "mainstreamness: tertile limits: niche if score <= 0.5, mainstream if score > 0.6875; users cold / "
        "niche "
        "/ mixed / mainstream 1 / 2 / 2 / 1");
}

TEST_CASE("mainstreamness fixed limits are inclusive on both ends", "[mainstreamness][golden]") {
  auto data = MainstreamData();
  // defaults 0.4 / 0.6: nobody is niche; 0.6875 and 0.875 are mainstream
  CHECK(SegmentsOf(data, {{"split", std::string("fixed")}}) == std::vector<uint32_t>{3, 3, 3, 2, 2, 0});
  // 0.5 / 0.8: the scores 0.5 are niche (<= 0.5), 0.875 mainstream (>= 0.8)
  CHECK(SegmentsOf(data, {{"split", std::string("fixed")}, {"niche_max", 0.5}, {"mainstream_min", 0.8}}) ==
        std::vector<uint32_t>{3, 2, 2, 1, 1, 0});
}

TEST_CASE("mainstreamness keeps users with equal scores in one segment", "[mainstreamness]") {
  // three users who all interacted with the only item: every score is 0.5, so
  // q(1/3) = 0.5 and everybody is niche (never split by user id)
  auto data = OwnedTrainData::FromTriplets(3, 1, {{0, 0}, {1, 0}, {2, 0}}, false);
  CHECK(SegmentsOf(data, {}) == std::vector<uint32_t>{1, 1, 1});
}

TEST_CASE("mainstreamness refuses fixed limits that do not increase, and misuse", "[mainstreamness]") {
  auto data = MainstreamData();
  MainstreamnessProfiler profiler;
  std::vector<std::string> names;
  std::vector<uint32_t> segments(6);
  CHECK(profiler.Segments(names, segments).message() == "mainstreamness: Segments called before Fit");
  auto status =
      profiler.Fit(data.view(), MakeParams({{"split", std::string("fixed")}, {"niche_max", 0.6}}), {});
  CHECK(status.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "mainstreamness: niche_max must be less than mainstream_min; found niche_max = 0.6, mainstream_min = "
        "0.6");
  // the limits are not checked when the tertiles are used
  REQUIRE(profiler.Fit(data.view(), MakeParams({{"niche_max", 0.6}}), {}).ok());
  std::vector<uint32_t> too_many(7);
  CHECK(profiler.Segments(names, too_many).message() == "mainstreamness: 7 segment slots for 6 users");
}
