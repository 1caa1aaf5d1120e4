// Train/test splits: the properties every split keeps, and hand-worked
// examples of each method's rules.
#include "split/split.h"

#include <tbb/global_control.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "split_fixtures.h"

using namespace reclift::host;
using Catch::Matchers::Contains;

using namespace reclift::host::split_test;

TEST_CASE("a random split holds out round(fraction x n) per user, at least 1, never all", "[split]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.method = "random";
  spec.test_fraction = 0.2;
  spec.min_user_interactions = 3;
  const Split s = MakeSplit(d, spec);
  CheckPartition(d, s);
  const auto tests = CountPerUser(d, s.test);
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    const size_t n = u % 12 + 1;
    // n < 3: kept whole; else round(0.2 n) clamped to [1, n - 1]:
    // n = 3..7: 0.6, 0.8, 1.0, 1.2, 1.4 -> 1; n = 8..12: 1.6 .. 2.4 -> 2
    const size_t expected = n < 3 ? 0 : (n <= 7 ? 1 : 2);
    INFO("user " << u << " with " << n << " interactions");
    CHECK(tests[u] == expected);
  }
  REQUIRE(s.notes.size() == 1);
  CHECK_THAT(s.notes[0], Contains("20 users with fewer than 3 interactions stay in training"));
}

TEST_CASE("a random split is the same under the same seed and changes with the seed", "[split]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.seed = 7;
  const Split a = MakeSplit(d, spec);
  const Split b = MakeSplit(d, spec);
  CHECK(a.test == b.test);
  CHECK(a.train == b.train);
  spec.seed = 8;
  const Split c = MakeSplit(d, spec);
  CHECK(c.test != a.test);
  CHECK(c.test.size() == a.test.size());  // the counts follow the rule, only the choice changes
}

TEST_CASE("a random split does not depend on the number of threads", "[split]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  Split one, two;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one = MakeSplit(d, spec);
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two = MakeSplit(d, spec);
  }
  CHECK(one.test == two.test);
}

TEST_CASE("a temporal split puts the latest interactions in test, ties at the cutoff included", "[split]") {
  // rows:        0  1  2  3  4  5  6  7  8  9
  // timestamps:  5  1  3  3  9  7  3  2  8  6   sorted: 1 2 3 3 3 5 6 7 8 9
  const Dataset d = FromTimestamps({0, 0, 0, 1, 1, 1, 2, 2, 2, 2}, {5, 1, 3, 3, 9, 7, 3, 2, 8, 6});
  SplitSpec spec;
  spec.method = "temporal";
  SECTION("no tie: fraction 0.3 -> 3 latest (7, 8, 9), cutoff 7") {
    spec.test_fraction = 0.3;
    const Split s = MakeSplit(d, spec);
    CHECK(s.cutoff_time == 7);
    CHECK(s.test == std::vector<uint64_t>{4, 5, 8});
  }
  SECTION("ties: fraction 0.7 -> 7 latest reach into the three 3s, so all three go to test") {
    spec.test_fraction = 0.7;
    const Split s = MakeSplit(d, spec);
    CHECK(s.cutoff_time == 3);
    CHECK(s.test == std::vector<uint64_t>{0, 2, 3, 4, 5, 6, 8, 9});
    CHECK(s.train == std::vector<uint64_t>{1, 7});
    CHECK_THAT(s.notes.at(0), Contains("more than 7 because of ties at the cutoff"));
  }
}

TEST_CASE("no temporal test interaction is earlier than the cutoff, no train one at or after it", "[split]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.method = "temporal";
  spec.test_fraction = 0.25;
  const Split s = MakeSplit(d, spec);
  CheckPartition(d, s);
  for (uint64_t r : s.test) CHECK(d.timestamps[r] >= s.cutoff_time);
  for (uint64_t r : s.train) CHECK(d.timestamps[r] < s.cutoff_time);
  // about a quarter, a little more with ties
  CHECK(s.test.size() >= static_cast<size_t>(std::llround(0.25 * d.size())));
}

TEST_CASE("a temporal split needs timestamps that leave something for training", "[split][errors]") {
  SplitSpec spec;
  spec.method = "temporal";
  spec.where["method"] = SourceLocation{"exp.toml", 9, 10};
  try {
    MakeSplit(MakeData(false), spec);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "exp.toml:9:10: split method \"temporal\" needs timestamps, but the dataset has none (set "
          "dataset.timestamp_column); \"random\", \"kfold\", \"leave-last\" and \"leave-one-out\" work "
          "without");
  }
  const Dataset same_time = FromTimestamps({0, 1, 2}, {4, 4, 4});
  CHECK_THROWS_WITH(MakeSplit(same_time, spec),
                    Contains("every interaction is at or after the cutoff time 4 (the earliest timestamp)"));
}

TEST_CASE("leave-last holds out each user's last interactions by time, then file order", "[split]") {
  // user 0: rows 0..3 at 30, 10, 20, 20 -> by (time, row): 1, 2, 3, 0 -> last two: rows 3 and 0
  // user 1: rows 4, 5 (2 interactions, not more than leave_last = 2) -> kept in training
  const Dataset d = FromTimestamps({0, 0, 0, 0, 1, 1}, {30, 10, 20, 20, 1, 2});
  SplitSpec spec;
  spec.method = "leave-last";
  spec.leave_last = 2;
  const Split s = MakeSplit(d, spec);
  CHECK(s.test == std::vector<uint64_t>{0, 3});
  CHECK(s.train == std::vector<uint64_t>{1, 2, 4, 5});
}

TEST_CASE("leave-last without timestamps uses file order and says so", "[split]") {
  Dataset d = FromTimestamps({0, 0, 0, 1}, {});
  SplitSpec spec;
  spec.method = "leave-last";
  const Split s = MakeSplit(d, spec);
  CHECK(s.test == std::vector<uint64_t>{2});  // user 0's last row; user 1 has only one
  CHECK_THAT(s.notes.at(1), Contains("no timestamps, so \"last\" means last in file order"));
}

TEST_CASE("leave-last keeps every pair on one side on a larger dataset", "[split]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.method = "leave-last";
  const Split s = MakeSplit(d, spec);
  CheckPartition(d, s);
  const auto tests = CountPerUser(d, s.test);
  for (uint32_t u = 0; u < d.num_users(); ++u) CHECK(tests[u] == (u % 12 + 1 >= 2 ? 1u : 0u));
}

TEST_CASE("bad split settings are errors at their place in the file", "[split][errors]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.where["method"] = SourceLocation{"exp.toml", 12, 10};
  spec.where["test_fraction"] = SourceLocation{"exp.toml", 13, 17};
  spec.where["leave_last"] = SourceLocation{"exp.toml", 14, 14};
  spec.method = "temporl";
  CHECK_THROWS_WITH(MakeSplit(d, spec),
                    "exp.toml:12:10: unknown split method 'temporl' (did you mean "
                    "'temporal'?); expected one of: random, kfold, temporal, leave-last, leave-one-out, files");
  spec.method = "random";
  for (double bad : {0.0, 1.0, -0.5, 1.5}) {
    spec.test_fraction = bad;
    CHECK_THROWS_WITH(MakeSplit(d, spec), Catch::Matchers::StartsWith(
                                              "exp.toml:13:17: split.test_fraction must be between 0 and 1 "
                                              "(exclusive), found"));
  }
  spec.test_fraction = std::nan("");
  CHECK_THROWS_WITH(MakeSplit(d, spec), Contains("found nan"));
  spec.test_fraction = 0.2;
  spec.method = "leave-last";
  spec.leave_last = 0;
  CHECK_THROWS_WITH(MakeSplit(d, spec), "exp.toml:14:14: split.leave_last must be at least 1, found 0");
}

TEST_CASE("leave-one-out holds out each user's last interaction by time, then file order", "[split]") {
  // user 0: rows 0, 1, 2 at 30, 10, 30 -> by (time, row): 1, 0, 2 -> row 2 (the later row of the tie)
  // user 1: rows 3, 4 at 5, 7 -> row 4
  // user 2: row 5 alone -> stays in training
  const Dataset d = FromTimestamps({0, 0, 0, 1, 1, 2}, {30, 10, 30, 5, 7, 1});
  SplitSpec spec;
  spec.method = "leave-one-out";
  const Split s = MakeSplit(d, spec);
  CHECK(s.test == std::vector<uint64_t>{2, 4});
  CHECK(s.train == std::vector<uint64_t>{0, 1, 3, 5});
  CHECK_THAT(s.notes.at(0), Contains("1 users with fewer than 2 interactions stay in training"));
}

TEST_CASE("leave-one-out with timestamps is leave-last with one interaction", "[split]") {
  const Dataset d = MakeData();
  SplitSpec loo, last;
  loo.method = "leave-one-out";
  last.method = "leave-last";
  last.leave_last = 1;
  const Split a = MakeSplit(d, loo), b = MakeSplit(d, last);
  CheckPartition(d, a);
  CHECK(a.test == b.test);
  CHECK(a.train == b.train);
}

TEST_CASE("leave-one-out without timestamps draws one interaction per user under the seed", "[split]") {
  const Dataset d = MakeData(false);
  SplitSpec spec;
  spec.method = "leave-one-out";
  spec.min_user_interactions = 3;
  const Split s = MakeSplit(d, spec);
  CheckPartition(d, s);
  const auto tests = CountPerUser(d, s.test);
  size_t not_last_in_file = 0;
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    const size_t n = u % 12 + 1;
    CHECK(tests[u] == (n >= 3 ? 1u : 0u));
  }
  // user u's rows come in file order; the draw is not "last in file order"
  std::vector<uint64_t> last_row(d.num_users(), 0);
  for (uint64_t r = 0; r < d.size(); ++r) last_row[d.users[r]] = r;
  for (uint64_t r : s.test) not_last_in_file += r != last_row[d.users[r]];
  CHECK(not_last_in_file > 10);  // 100 users drawing among 3..12: about 75 expected
  CHECK_THAT(s.notes.at(1),
             Contains("no timestamps, so each user's held-out interaction is drawn at random"));
  CHECK(MakeSplit(d, spec).test == s.test);
  spec.seed = 43;
  CHECK(MakeSplit(d, spec).test != s.test);
}

TEST_CASE("repeated random splits: consecutive seeds give different holdouts of the same sizes", "[split]") {
  // the runner repeats a random split under seeds seed, seed + 1, ...
  const Dataset d = MakeData();
  SplitSpec spec;
  std::vector<Split> splits;
  for (uint64_t seed = 42; seed < 47; ++seed) {
    spec.seed = seed;
    splits.push_back(MakeSplit(d, spec));
  }
  for (size_t a = 0; a < splits.size(); ++a) {
    for (size_t b = a + 1; b < splits.size(); ++b) {
      CHECK(splits[a].test != splits[b].test);
      CHECK(CountPerUser(d, splits[a].test) == CountPerUser(d, splits[b].test));
    }
  }
}
