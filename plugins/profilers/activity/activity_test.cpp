#include "activity.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::plugins::ActivityParamSpecs;
using reclift::plugins::ActivityProfiler;

// Eight users with 0, 4, 5, 19, 20, 99, 100 and 150 training interactions
// (user u interacts with items 0 .. count-1), so each default threshold is
// met exactly and missed by one.
const std::vector<uint32_t> kInteractionsPerUser{0, 4, 5, 19, 20, 99, 100, 150};

OwnedTrainData ActivityData() {
  std::vector<reclift::Triplet> triplets;
  for (uint32_t user = 0; user < kInteractionsPerUser.size(); ++user) {
    for (uint32_t item = 0; item < kInteractionsPerUser[user]; ++item) triplets.push_back({user, item, 1.f});
  }
  return OwnedTrainData::FromTriplets(static_cast<uint32_t>(kInteractionsPerUser.size()), 150, triplets);
}

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  REQUIRE(Params::Build(ActivityParamSpecs(), given, params).ok());
  return params;
}

class RecordingLogger final : public reclift::Logger {
 public:
  void Log(reclift::LogLevel, const std::string& message) const override { messages.push_back(message); }
  mutable std::vector<std::string> messages;
};

std::vector<uint32_t> SegmentsOf(const std::map<std::string, ParamValue>& given) {
  auto data = ActivityData();
  ActivityProfiler profiler;
  REQUIRE(profiler.Fit(data.view(), MakeParams(given), reclift::Context{}).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segments(data.view().num_users, 99);
  REQUIRE(profiler.Segments(names, segments).ok());
  return segments;
}

}  // namespace

TEST_CASE("activity segments users at 5, 20 and 100 interactions by default", "[activity]") {
  auto data = ActivityData();
  ActivityProfiler profiler;
  RecordingLogger logger;
  reclift::Context ctx;
  ctx.logger = &logger;
  REQUIRE(profiler.Fit(data.view(), MakeParams({}), ctx).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segments(8, 99);
  REQUIRE(profiler.Segments(names, segments).ok());

  CHECK(names == std::vector<std::string>{"cold", "light", "medium", "heavy"});
  // counts 0, 4 -> cold (< 5); 5, 19 -> light (< 20); 20, 99 -> medium (< 100); 100, 150 -> heavy
  CHECK(segments == std::vector<uint32_t>{0, 0, 1, 1, 2, 2, 3, 3});
  REQUIRE(logger.messages.size() == 1u);
  CHECK(logger.messages[0] ==
        "activity: cold < 5 <= light < 20 <= medium < 100 <= heavy interactions; users per segment 2 / 2 / 2 "
        "/ 2");
}

TEST_CASE("activity thresholds are parameters", "[activity]") {
  // cold = 0 interactions only; light 1..9; medium 10..19; heavy 20+
  // counts 0 | 4, 5 | 19 | 20, 99, 100, 150
  CHECK(SegmentsOf({{"light_min", int64_t{1}}, {"medium_min", int64_t{10}}, {"heavy_min", int64_t{20}}}) ==
        std::vector<uint32_t>{0, 1, 1, 2, 3, 3, 3, 3});
}

TEST_CASE("activity gives a user with no training interaction the cold segment", "[activity]") {
  // 3 users; only user 1 has interactions (one); users 0 and 2 have none
  auto data = OwnedTrainData::FromTriplets(3, 2, {{1, 0, 1.f}});
  ActivityProfiler profiler;
  REQUIRE(profiler.Fit(data.view(), MakeParams({{"light_min", int64_t{1}}}), reclift::Context{}).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segments(3, 99);
  REQUIRE(profiler.Segments(names, segments).ok());
  CHECK(segments == std::vector<uint32_t>{0, 1, 0});
}

TEST_CASE("activity refuses thresholds that do not increase", "[activity]") {
  auto data = ActivityData();
  ActivityProfiler profiler;
  auto status =
      profiler.Fit(data.view(), MakeParams({{"light_min", int64_t{20}}, {"medium_min", int64_t{20}}}), {});
  CHECK(status.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "activity: thresholds must increase, light_min < medium_min < heavy_min; found light_min = 20, "
        "medium_min = 20, heavy_min = 100");
  status = profiler.Fit(data.view(), MakeParams({{"heavy_min", int64_t{10}}}), {});
  CHECK(status.message() ==
        "activity: thresholds must increase, light_min < medium_min < heavy_min; found light_min = 5, "
        "medium_min = 20, heavy_min = 10");
}

TEST_CASE("activity reports Segments before Fit and a wrongly sized output", "[activity]") {
  ActivityProfiler profiler;
  std::vector<std::string> names;
  std::vector<uint32_t> segments(8);
  CHECK(profiler.Segments(names, segments).message() == "activity: Segments called before Fit");
  auto data = ActivityData();
  REQUIRE(profiler.Fit(data.view(), MakeParams({}), {}).ok());
  std::vector<uint32_t> too_few(7);
  CHECK(profiler.Segments(names, too_few).message() == "activity: 7 segment slots for 8 users");
}
