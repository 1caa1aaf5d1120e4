// Validation splits for tuning: carved out of training only, by the test
// split's own idea of "held out", and never touching test.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "split/split.h"
#include "split_fixtures.h"

using namespace reclift::host;
using namespace reclift::host::split_test;
using Catch::Matchers::Contains;

TEST_CASE("a random validation split takes round(fraction x training) per user and leaves test alone",
          "[split][validation]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.test_fraction = 0.2;
  const Split without = MakeSplit(d, spec);
  spec.validation_fraction = 0.25;
  const Split with = MakeSplit(d, spec);
  CheckPartition(d, with);
  CHECK(with.test == without.test);  // carved from training only
  const auto tests = CountPerUser(d, with.test);
  const auto validations = CountPerUser(d, with.validation);
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    // n = 12: test round(2.4) = 2, training 10, validation round(2.5) = 3, training left 7;
    // n = 3: test 1, training 2, validation round(0.5) = 1; n = 2: training 1, too few to carve
    const size_t n = u % 12 + 1;
    const size_t train = n - tests[u];
    const size_t expected =
        train < 2 ? 0 : std::clamp<size_t>(static_cast<size_t>(std::llround(0.25 * train)), 1, train - 1);
    INFO("user " << u << " with " << n << " interactions");
    CHECK(validations[u] == expected);
  }
  CHECK(with.validation.size() > 0);
  CHECK_THAT(with.notes.back(),
             Contains("a random 0.25 of each user's training interactions; test untouched"));
}

TEST_CASE("a temporal validation split is the latest part of the training period", "[split][validation]") {
  // rows:        0  1  2  3  4  5  6  7  8  9
  // timestamps:  5  1  3  3  9  7  3  2  8  6
  // test_fraction 0.3: cutoff 7, test rows 4, 5, 8; training times 1 2 3 3 3 5 6 (rows 1 7 2 3 6 0 9)
  const Dataset d = FromTimestamps({0, 0, 0, 1, 1, 1, 2, 2, 2, 2}, {5, 1, 3, 3, 9, 7, 3, 2, 8, 6});
  SplitSpec spec;
  spec.method = "temporal";
  spec.test_fraction = 0.3;
  SECTION("fraction 0.3 of 7: round(2.1) = 2 latest (5, 6): validation cutoff 5") {
    spec.validation_fraction = 0.3;
    const Split s = MakeSplit(d, spec);
    CHECK(s.test == std::vector<uint64_t>{4, 5, 8});
    CHECK(s.validation == std::vector<uint64_t>{0, 9});
    CHECK(s.train == std::vector<uint64_t>{1, 2, 3, 6, 7});
    CHECK(s.cutoff_time == 7);
    CHECK(s.validation_cutoff_time == 5);
    CHECK(
        s.notes.back() ==
        "validation split: 2 interactions (28.6% of training), the training interactions at or after time 5; "
        "test untouched");
  }
  SECTION("fraction 0.5 of 7: round(3.5) = 4 latest reach into the three 3s, which all go to validation") {
    spec.validation_fraction = 0.5;
    const Split s = MakeSplit(d, spec);
    CHECK(s.validation == std::vector<uint64_t>{0, 2, 3, 6, 9});
    CHECK(s.train == std::vector<uint64_t>{1, 7});
    CHECK(s.validation_cutoff_time == 3);
  }
}

TEST_CASE("a leave-last validation split is each user's latest training interactions",
          "[split][validation]") {
  // user 0: rows 0..3 at 40, 10, 30, 20: test row 0 (40); training 1 (10), 3 (20), 2 (30);
  //         validation round(0.34 x 3) = 1: the latest, row 2
  // user 1: rows 4, 5 at 1, 2: test row 5; one training row left, too few to carve
  const Dataset d = FromTimestamps({0, 0, 0, 0, 1, 1}, {40, 10, 30, 20, 1, 2});
  SplitSpec spec;
  spec.method = "leave-last";
  spec.validation_fraction = 0.34;
  const Split s = MakeSplit(d, spec);
  CHECK(s.test == std::vector<uint64_t>{0, 5});
  CHECK(s.validation == std::vector<uint64_t>{2});
  CHECK(s.train == std::vector<uint64_t>{1, 3, 4});
}

TEST_CASE("validation never touches test under any method or fold", "[split][validation]") {
  const Dataset d = MakeData();
  for (const char* method : {"random", "kfold", "temporal", "leave-last", "leave-one-out"}) {
    for (bool timestamps : {true, false}) {
      if (!timestamps && std::string(method) == "temporal") continue;
      const Dataset data = timestamps ? d : MakeData(false);
      SplitSpec spec;
      spec.method = method;
      for (int fold : FoldsToRun(spec)) {
        spec.fold = fold;
        spec.validation_fraction = 0;
        const Split without = MakeSplit(data, spec);
        spec.validation_fraction = 0.2;
        const Split with = MakeSplit(data, spec);
        INFO(method << (timestamps ? " with" : " without") << " timestamps, fold " << fold);
        CheckPartition(data, with);
        CHECK(with.test == without.test);
        CHECK(with.validation.size() > 0);
        CHECK(TrainAndValidation(with) == without.train);
      }
    }
  }
}

TEST_CASE("bad validation settings are errors at their place in the file", "[split][validation][errors]") {
  SplitSpec spec;
  spec.where["validation_fraction"] = SourceLocation{"exp.toml", 12, 23};
  for (double bad : {1.0, -0.1}) {
    spec.validation_fraction = bad;
    CHECK_THROWS_WITH(
        MakeSplit(MakeData(), spec),
        Catch::Matchers::StartsWith("exp.toml:12:23: split.validation_fraction must be in [0, 1) "
                                    "(0 = no validation split), found "));
  }
  spec.validation_fraction = std::nan("");
  CHECK_THROWS_WITH(MakeSplit(MakeData(), spec), Contains("found nan"));
  // test row 3 (time 9); the training rows are all at time 1, so no latest part can be cut
  const Dataset coarse = FromTimestamps({0, 1, 2, 3}, {1, 1, 1, 9});
  spec.method = "temporal";
  spec.test_fraction = 0.25;
  spec.validation_fraction = 0.3;
  CHECK_THROWS_WITH(
      MakeSplit(coarse, spec),
      "exp.toml:12:23: temporal validation split: every interaction is at or after the cutoff "
      "time 1 (the earliest timestamp), so nothing is left for training; the timestamps are too "
      "coarse for this validation_fraction");
}
