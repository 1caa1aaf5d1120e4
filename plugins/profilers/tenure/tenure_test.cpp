#include "tenure.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"

namespace {

using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::plugins::TenureParamSpecs;
using reclift::plugins::TenureProfiler;

constexpr int64_t kDay = 86'400;
constexpr int64_t kLatest = 1'700'000'000;  // the latest training interaction (user 5's)

// Users by their first interaction before the latest one:
//   0: none (cold)
//   1: exactly 30 days before          -> new (the bound is inclusive)
//   2: 30 days and 1 second before     -> recent
//   3: exactly 180 days before         -> recent
//   4: 180 days and 1 second before, then active until yesterday -> established
//      (tenure is the first interaction, not the last)
//   5: first 2 days before, last at the latest time -> new
OwnedTrainData TenureData() {
  return OwnedTrainData::FromTriplets(6, 3,
                                      {{1, 0, 1.f, kLatest - 30 * kDay},
                                       {2, 0, 1.f, kLatest - 30 * kDay - 1},
                                       {3, 1, 1.f, kLatest - 180 * kDay},
                                       {4, 0, 1.f, kLatest - 180 * kDay - 1},
                                       {4, 2, 1.f, kLatest - kDay},
                                       {5, 1, 1.f, kLatest - 2 * kDay},
                                       {5, 2, 1.f, kLatest}},
                                      false);
}

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  REQUIRE(Params::Build(TenureParamSpecs(), given, params).ok());
  return params;
}

std::vector<uint32_t> SegmentsOf(const OwnedTrainData& data, const std::map<std::string, ParamValue>& given) {
  TenureProfiler profiler;
  REQUIRE(profiler.Fit(data.view(), MakeParams(given), reclift::Context{}).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segments(data.view().num_users, 99);
  REQUIRE(profiler.Segments(names, segments).ok());
  CHECK(names == std::vector<std::string>{"cold", "new", "recent", "established"});
  return segments;
}

}  // namespace

TEST_CASE("tenure segments users by their first interaction, 30 and 180 days before the latest", "[tenure]") {
  auto data = TenureData();
  CHECK(SegmentsOf(data, {}) == std::vector<uint32_t>{0, 1, 2, 2, 3, 1});
}

TEST_CASE("tenure day limits are parameters", "[tenure]") {
  auto data = TenureData();
  // new: within 2 days (only user 5); recent: within 31 days (users 1 and 2)
  CHECK(SegmentsOf(data, {{"new_days", int64_t{2}}, {"recent_days", int64_t{31}}}) ==
        std::vector<uint32_t>{0, 2, 2, 3, 3, 1});
}

TEST_CASE("tenure needs timestamps and says so", "[tenure]") {
  auto data = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}, {1, 1, 1.f}});
  TenureProfiler profiler;
  auto status = profiler.Fit(data.view(), MakeParams({}), {});
  CHECK(status.code() == reclift::StatusCode::kInvalidArgument);
  CHECK(status.message() ==
        "tenure: the training data has no timestamps; tenure segments users by the time of their first "
        "interaction, so the dataset needs a timestamp column");
}

TEST_CASE("tenure puts every user of empty training data in the cold segment", "[tenure]") {
  auto data = OwnedTrainData::FromTriplets(3, 2, {});
  CHECK(SegmentsOf(data, {}) == std::vector<uint32_t>{0, 0, 0});
}

TEST_CASE("tenure refuses day limits that do not increase, and misuse", "[tenure]") {
  auto data = TenureData();
  TenureProfiler profiler;
  std::vector<std::string> names;
  std::vector<uint32_t> segments(6);
  CHECK(profiler.Segments(names, segments).message() == "tenure: Segments called before Fit");
  auto status = profiler.Fit(data.view(), MakeParams({{"new_days", int64_t{180}}}), {});
  CHECK(status.message() ==
        "tenure: new_days must be less than recent_days; found new_days = 180, recent_days = 180");
  REQUIRE(profiler.Fit(data.view(), MakeParams({}), {}).ok());
  std::vector<uint32_t> too_few(5);
  CHECK(profiler.Segments(names, too_few).message() == "tenure: 5 segment slots for 6 users");
}
