// Per-user k-fold cross-validation: the folds of one seed partition every
// user's interactions.
#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "split/split.h"
#include "split_fixtures.h"

using namespace reclift::host;
using namespace reclift::host::split_test;
using Catch::Matchers::Contains;

namespace {
std::vector<Split> AllFolds(const Dataset& d, SplitSpec spec) {
  spec.method = "kfold";
  std::vector<Split> splits;
  for (int fold : FoldsToRun(spec)) {
    spec.fold = fold;
    splits.push_back(MakeSplit(d, spec));
  }
  return splits;
}
}  // namespace

TEST_CASE("kfold: every interaction of a splittable user is test in exactly one fold", "[split][kfold]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.folds = 5;
  const std::vector<Split> splits = AllFolds(d, spec);
  REQUIRE(splits.size() == 5);
  std::vector<int> times_test(d.size(), 0);
  for (const Split& s : splits) {
    CheckPartition(d, s);
    for (uint64_t r : s.test) ++times_test[r];
  }
  for (uint64_t r = 0; r < d.size(); ++r) {
    const size_t n = d.users[r] % 12 + 1;  // the user's interactions
    INFO("row " << r << " of a user with " << n << " interactions");
    CHECK(times_test[r] == (n >= 2 ? 1 : 0));  // users with one interaction stay in training
  }
}

TEST_CASE("kfold deals each user's interactions evenly: floor or ceil of n / folds per fold",
          "[split][kfold]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.folds = 4;
  const std::vector<Split> splits = AllFolds(d, spec);
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    const size_t n = u % 12 + 1;
    if (n < 2) continue;
    // e.g. n = 10, 4 folds: 10 = 3 + 3 + 2 + 2, so every fold holds 2 or 3
    size_t with_more = 0;
    for (const Split& s : splits) {
      const size_t k = CountPerUser(d, s.test)[u];
      CHECK((k == n / 4 || k == n / 4 + 1));
      with_more += k == n / 4 + 1;
      CHECK(CountPerUser(d, s.train)[u] == n - k);  // never all: n / 4 rounded up < n for n >= 2
    }
    CHECK(with_more == n % 4);
  }
}

TEST_CASE("kfold: a user with fewer interactions than folds is test in some folds only", "[split][kfold]") {
  // user 0 has 3 interactions, 5 folds: three folds hold one each, two hold none
  const Dataset d = FromTimestamps({0, 0, 0, 1, 1, 1, 1, 1}, {});
  SplitSpec spec;
  spec.folds = 5;
  const std::vector<Split> splits = AllFolds(d, spec);
  std::vector<size_t> user0;
  for (const Split& s : splits) user0.push_back(CountPerUser(d, s.test)[0]);
  std::sort(user0.begin(), user0.end());
  CHECK(user0 == std::vector<size_t>{0, 0, 1, 1, 1});
  CHECK_THAT(splits[0].notes.at(0),
             Contains("1 users with fewer interactions than folds (5) are test in only "
                      "some folds"));
}

TEST_CASE("kfold is deterministic, independent of threads, and changes with the seed", "[split][kfold]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.method = "kfold";
  spec.fold = 2;
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
  CHECK(MakeSplit(d, spec).test == one.test);
  spec.seed = 43;
  CHECK(MakeSplit(d, spec).test != one.test);
}

TEST_CASE("FoldsToRun: every fold for kfold, the named one when fixed, one split otherwise",
          "[split][kfold]") {
  SplitSpec spec;
  CHECK(FoldsToRun(spec) == std::vector<int>{0});  // random
  spec.method = "kfold";
  spec.folds = 3;
  CHECK(FoldsToRun(spec) == std::vector<int>{0, 1, 2});
  spec.fold = 1;
  spec.single_fold = true;
  CHECK(FoldsToRun(spec) == std::vector<int>{1});
}

TEST_CASE("kfold settings out of range are errors at their place in the file", "[split][kfold][errors]") {
  const Dataset d = MakeData();
  SplitSpec spec;
  spec.method = "kfold";
  spec.where["folds"] = SourceLocation{"exp.toml", 10, 9};
  spec.where["fold"] = SourceLocation{"exp.toml", 11, 8};
  spec.folds = 1;
  CHECK_THROWS_WITH(MakeSplit(d, spec), "exp.toml:10:9: split.folds must be at least 2, found 1");
  spec.folds = 5;
  spec.fold = 5;
  CHECK_THROWS_WITH(MakeSplit(d, spec),
                    "exp.toml:11:8: split.fold must be in [0, 4] (0-based, below folds = 5), found 5");
  spec.fold = -1;
  CHECK_THROWS_WITH(MakeSplit(d, spec),
                    "exp.toml:11:8: split.fold must be in [0, 4] (0-based, below folds = 5), found -1");
}
