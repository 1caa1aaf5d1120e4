// The data of one cell, derived from a dataset and a split: the training
// view plugins see, and each evaluated user's test items and relevance.
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "reclift/owned_train_data.h"
#include "split/split.h"

namespace reclift::host {

struct UserTest {
  uint32_t user = 0;
  std::vector<uint32_t> items;     // all test items, ascending
  std::vector<float> values;       // their values
  std::vector<uint32_t> relevant;  // relevant test items, ascending
  std::vector<float> gains;        // their gains (the value; 1 for implicit)
};

struct CellData {
  OwnedTrainData train;
  std::vector<UserTest> users;         // users with at least one relevant test item, by id
  std::vector<float> item_popularity;  // training interactions per item
  size_t test_interactions = 0;
  size_t users_with_relevant = 0;
};

// Builds the training view (with the dataset's item features) from the
// split's train indices, and the test sets from its test indices. A test
// interaction is relevant when its value is at least the dataset's
// positive_threshold (every test interaction when the data is implicit).
CellData BuildCellData(const Dataset& data, const Split& split);

}  // namespace reclift::host
