// The leakage check on hand-made cases: overlapping pairs, per-user splits
// that train on the future, and grids tuned on test.
#include "split/leakage.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "split/split.h"
#include "split_fixtures.h"

using namespace reclift::host;
using namespace reclift::host::split_test;
using Catch::Matchers::Contains;

namespace {
// rows r = 0.. of (users[r], items[r]); user and item ids are their numbers
Dataset FromPairs(const std::vector<uint32_t>& users, const std::vector<uint32_t>& items,
                  const std::vector<int64_t>& timestamps = {}) {
  Dataset d;
  d.users = users;
  d.items = items;
  d.values.assign(users.size(), 1.f);
  d.timestamps = timestamps;
  for (uint32_t u = 0; u <= *std::max_element(users.begin(), users.end()); ++u) {
    d.user_ids.push_back(std::to_string(u));
  }
  for (uint32_t i = 0; i <= *std::max_element(items.begin(), items.end()); ++i) {
    d.item_ids.push_back(std::to_string(i));
  }
  return d;
}

Split MakeSets(std::vector<uint64_t> train, std::vector<uint64_t> validation, std::vector<uint64_t> test) {
  Split s;
  s.train = std::move(train);
  s.validation = std::move(validation);
  s.test = std::move(test);
  return s;
}
}  // namespace

TEST_CASE("a test interaction whose pair is also in training is reported with an example", "[leakage]") {
  // row 2 repeats row 0's pair (user 0, item 0); it went to test, row 0 to training
  const Dataset d = FromPairs({0, 0, 0, 1, 1}, {0, 1, 0, 2, 3});
  const LeakageReport report = CheckLeakage(d, MakeSets({0, 1, 3}, {}, {2, 4}), SplitSpec{});
  REQUIRE(report.findings.size() == 1);
  const LeakageFinding& f = report.findings[0];
  CHECK(f.kind == "train-test-overlap");
  CHECK(f.count == 1);
  CHECK(f.share == 0.5);  // 1 of 2 test interactions
  CHECK(f.example == "user \"0\", item \"0\"");
  CHECK(
      f.message ==
      "1 test interaction (50.0%) shares its (user, item) pair with training interactions, so the model has "
      "seen the answers (e.g. user \"0\", item \"0\"); the data repeats pairs or the split is not a "
      "partition");
}

TEST_CASE("a row listed in both training and test is an overlap", "[leakage]") {
  const Dataset d = FromPairs({0, 0, 1}, {0, 1, 2});
  const LeakageReport report = CheckLeakage(d, MakeSets({0, 1, 2}, {}, {1}), SplitSpec{});
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].kind == "train-test-overlap");
  CHECK(report.findings[0].example == "user \"0\", item \"1\"");
}

TEST_CASE("overlaps with the validation split are reported apart", "[leakage]") {
  // rows: 0 (0,0) train, 1 (0,1) train, 2 (0,0) validation, 3 (1,2) validation, 4 (1,2) test
  // train-validation: row 2 (1 of 2 validation); validation-test: row 4 (1 of 1 test); train-test: none
  const Dataset d = FromPairs({0, 0, 0, 1, 1}, {0, 1, 0, 2, 2});
  const LeakageReport report = CheckLeakage(d, MakeSets({0, 1}, {2, 3}, {4}), SplitSpec{});
  REQUIRE(report.findings.size() == 2);
  CHECK(report.findings[0].kind == "train-validation-overlap");
  CHECK(report.findings[0].count == 1);
  CHECK(report.findings[0].share == 0.5);
  CHECK(report.findings[0].example == "user \"0\", item \"0\"");
  CHECK_THAT(report.findings[0].message, Contains("tuning rewards memorising training"));
  CHECK(report.findings[1].kind == "validation-test-overlap");
  CHECK(report.findings[1].share == 1.0);
  CHECK(report.findings[1].example == "user \"1\", item \"2\"");
  CHECK_THAT(report.findings[1].message, Contains("tuning has seen the test answers"));
}

TEST_CASE("a per-user split on timestamped data reports training interactions after the test period",
          "[leakage]") {
  // user 0: times 1, 8, 9; user 1: times 2, 3, 4. leave-last: test rows 2 (9) and 5 (4).
  // Test times {4, 9}: lower median 4, earliest 4. Training 1, 8, 2, 3: only 8 is later, 1 of 4 = 25%.
  const Dataset d = FromPairs({0, 0, 0, 1, 1, 1}, {0, 1, 2, 3, 4, 5}, {1, 8, 9, 2, 3, 4});
  SplitSpec spec;
  spec.method = "leave-last";
  const Split split = MakeSplit(d, spec);
  REQUIRE(split.test == std::vector<uint64_t>{2, 5});
  const LeakageReport report = CheckLeakage(d, split, spec);
  REQUIRE(report.findings.size() == 1);
  const LeakageFinding& f = report.findings[0];
  CHECK(f.kind == "future-leakage");
  CHECK(f.count == 1);
  CHECK(f.share == 0.25);
  CHECK(f.example == "user \"0\", item \"1\" at time 8 (training), after the median test time 4");
  CHECK(f.message ==
        "split method \"leave-last\" holds out interactions per user, so training reaches into the test "
        "period: 25.0% of training interactions (1 of 4) are later than the median test interaction (time "
        "4), 25.0% later than the earliest (time 4); a model can learn from the future of what it is tested "
        "on. Use method = \"temporal\" to evaluate time-sensitive models");
}

TEST_CASE("a temporal split and data without timestamps have no future leakage", "[leakage]") {
  SplitSpec spec;
  spec.method = "temporal";
  const Dataset d = MakeData();
  CHECK(CheckLeakage(d, MakeSplit(d, spec), spec).clean());
  spec.method = "random";
  const Dataset untimed = MakeData(false);
  CHECK(CheckLeakage(untimed, MakeSplit(untimed, spec), spec).clean());
  // the same random split with timestamps does train on the future
  const LeakageReport timed = CheckLeakage(d, MakeSplit(d, spec), spec);
  REQUIRE(timed.findings.size() == 1);
  CHECK(timed.findings[0].kind == "future-leakage");
}

TEST_CASE("the splits themselves never put a pair on two sides", "[leakage]") {
  const Dataset d = MakeData(false);
  for (const char* method : {"random", "kfold", "leave-last", "leave-one-out"}) {
    for (double validation : {0.0, 0.3}) {
      SplitSpec spec;
      spec.method = method;
      spec.validation_fraction = validation;
      for (int fold : FoldsToRun(spec)) {
        spec.fold = fold;
        INFO(method << " fold " << fold << " validation " << validation);
        CHECK(CheckLeakage(d, MakeSplit(d, spec), spec).clean());
      }
    }
  }
}

TEST_CASE("a grid of arms without a validation split is tuning on test", "[leakage]") {
  const Dataset d = MakeData(false);
  SplitSpec spec;
  const Split split = MakeSplit(d, spec);
  const LeakageReport report = CheckLeakage(d, split, spec, /*largest_grid_arms=*/4);
  REQUIRE(report.findings.size() == 1);
  const LeakageFinding& f = report.findings[0];
  CHECK(f.kind == "tuning-on-test");
  CHECK(f.count == 4);
  CHECK_FALSE(f.share.has_value());
  CHECK(f.message ==
        "4 arms come from one grid and there is no validation split: the grid point that looks best on the "
        "test split overstates how well it does on new data; set split.validation_fraction (e.g. 0.1) and "
        "choose on the validation split");
  CHECK(CheckLeakage(d, split, spec, 1).clean());  // no grid
  spec.validation_fraction = 0.1;
  CHECK(CheckLeakage(d, MakeSplit(d, spec), spec, 4).clean());
}

TEST_CASE("findings become results.json's leakage list", "[leakage]") {
  const Dataset d = FromPairs({0, 0, 0, 1, 1}, {0, 1, 0, 2, 3});
  const LeakageReport report = CheckLeakage(d, MakeSets({0, 1, 3}, {}, {2, 4}), SplitSpec{}, 3);
  const nlohmann::json j = LeakageJson(report);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["kind"] == "train-test-overlap");
  CHECK(j[0]["count"] == 1);
  CHECK(j[0]["share"] == 0.5);
  CHECK(j[0]["example"] == "user \"0\", item \"0\"");
  CHECK(j[0]["message"] == report.findings[0].message);
  CHECK(j[1]["kind"] == "tuning-on-test");
  CHECK(j[1]["share"].is_null());
  CHECK(LeakageJson(LeakageReport{}) == nlohmann::json::array());
}

TEST_CASE("leakage = \"error\" refuses to run with the findings as the message", "[leakage][errors]") {
  const Dataset d = FromPairs({0, 0, 0, 1, 1}, {0, 1, 0, 2, 3});
  const LeakageReport report = CheckLeakage(d, MakeSets({0, 1, 3}, {}, {2, 4}), SplitSpec{}, 3);
  SplitSpec spec;
  CHECK_NOTHROW(EnforceLeakagePolicy(report, spec));  // "warn"
  spec.leakage = "error";
  CHECK_NOTHROW(EnforceLeakagePolicy(LeakageReport{}, spec));  // clean
  spec.where["leakage"] = SourceLocation{"exp.toml", 14, 11};
  CHECK_THROWS_WITH(EnforceLeakagePolicy(report, spec),
                    "exp.toml:14:11: split.leakage = \"error\" and the leakage check found 2 problems: (1) "
                    "train-test-overlap: " +
                        report.findings[0].message + "; (2) tuning-on-test: " + report.findings[1].message);
  spec.leakage = "warning";
  CHECK_THROWS_WITH(EnforceLeakagePolicy(report, spec),
                    "exp.toml:14:11: split.leakage must be \"warn\" or \"error\", found \"warning\"");
}

TEST_CASE("a split naming an interaction outside the dataset is an error", "[leakage][errors]") {
  const Dataset d = FromPairs({0, 1}, {0, 1});
  CHECK_THROWS_WITH(CheckLeakage(d, MakeSets({0}, {}, {7}), SplitSpec{}),
                    "the test split names interaction 7, but the dataset has 2");
}
