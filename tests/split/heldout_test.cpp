// What a model is trained on: the training view the runner builds from a
// split holds exactly the training rows, so held-out interactions, users
// and items never reach a model, under every method, fold and validation.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "runner/cell_data.h"
#include "split/split.h"
#include "split_fixtures.h"

using namespace reclift::host;
using namespace reclift::host::split_test;

namespace {
// The training view's (user, item) pairs and its pairs per the split's train rows agree exactly.
void CheckTrainingViewIsTrainOnly(const Dataset& d, const Split& split) {
  const CellData cell = BuildCellData(d, split);
  const reclift::TrainData& train = cell.train.view();
  std::set<std::pair<uint32_t, uint32_t>> seen;  // what a model can see
  for (uint32_t u = 0; u < train.by_user.rows(); ++u) {
    for (uint32_t item : train.by_user.RowIndices(u)) seen.emplace(u, item);
  }
  std::set<std::pair<uint32_t, uint32_t>> expected;
  for (uint64_t r : split.train) expected.emplace(d.users[r], d.items[r]);
  CHECK(seen == expected);
  size_t held_out_seen = 0;
  for (uint64_t r : split.test) held_out_seen += seen.count({d.users[r], d.items[r]});
  for (uint64_t r : split.validation) held_out_seen += seen.count({d.users[r], d.items[r]});
  CHECK(held_out_seen == 0);
}
}  // namespace

TEST_CASE("no held-out interaction reaches a model's training data, for any method, fold or validation",
          "[split][heldout]") {
  const Dataset d = MakeData();
  for (const char* method : {"random", "kfold", "temporal", "leave-last", "leave-one-out"}) {
    for (double validation : {0.0, 0.25}) {
      SplitSpec spec;
      spec.method = method;
      spec.validation_fraction = validation;
      for (int fold : FoldsToRun(spec)) {
        spec.fold = fold;
        const Split split = MakeSplit(d, spec);
        INFO(method << " fold " << fold << " validation " << validation);
        REQUIRE(!split.test.empty());
        CheckTrainingViewIsTrainOnly(d, split);
      }
    }
  }
}

TEST_CASE("users and items that only occur after a temporal cutoff are absent from training",
          "[split][heldout]") {
  // user 2 and items 4 and 5 only occur at times 8 and 9, item 3 at 7: all at or after the cutoff (7)
  //   row:  0  1  2  3  4  5  6
  //   user: 0  0  1  1  2  2  0
  //   item: 0  1  0  2  5  4  3
  //   time: 1  2  3  4  8  9  7
  Dataset d;
  d.user_ids = {"u0", "u1", "u2"};
  d.item_ids = {"i0", "i1", "i2", "i3", "i4", "i5"};
  d.users = {0, 0, 1, 1, 2, 2, 0};
  d.items = {0, 1, 0, 2, 5, 4, 3};
  d.values.assign(7, 1.f);
  d.timestamps = {1, 2, 3, 4, 8, 9, 7};
  SplitSpec spec;
  spec.method = "temporal";
  spec.test_fraction = 0.4;  // round(2.8) = 3 latest: 9, 8, 7
  const Split split = MakeSplit(d, spec);
  REQUIRE(split.test == std::vector<uint64_t>{4, 5, 6});
  const CellData cell = BuildCellData(d, split);
  const reclift::TrainData& train = cell.train.view();
  CHECK(train.by_user.RowSize(2) == 0);  // the cold user
  CHECK(train.by_item.RowSize(3) == 0);  // an item seen by a warm user only in test
  CHECK(train.by_item.RowSize(4) == 0);
  CHECK(train.by_item.RowSize(5) == 0);
  CHECK(train.nnz() == 4);
  CheckTrainingViewIsTrainOnly(d, split);
}
