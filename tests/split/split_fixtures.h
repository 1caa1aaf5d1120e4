// Small datasets the split and leakage tests share.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "split/split.h"

namespace reclift::host::split_test {

// 120 users; user u has (u % 12) + 1 interactions on distinct items, with
// timestamps that are not in file order and repeat now and then.
inline Dataset MakeData(bool with_timestamps = true) {
  Dataset d;
  const uint32_t users = 120, items = 40;
  for (uint32_t u = 0; u < users; ++u) d.user_ids.push_back("user" + std::to_string(u));
  for (uint32_t i = 0; i < items; ++i) d.item_ids.push_back("item" + std::to_string(i));
  // interleave users as a log would
  for (uint32_t round = 0; round < 12; ++round) {
    for (uint32_t u = 0; u < users; ++u) {
      if (round > u % 12) continue;
      d.users.push_back(u);
      d.items.push_back((u * 7 + round * 3) % items);
      d.values.push_back(1.f + static_cast<float>((u + round) % 5));
      if (with_timestamps) d.timestamps.push_back(static_cast<int64_t>((u * 37 + round * 101) % 500));
    }
  }
  return d;
}

// One interaction per row, row r on item r; user ids are "0", "1", ...
inline Dataset FromTimestamps(const std::vector<uint32_t>& users, const std::vector<int64_t>& ts) {
  Dataset d;
  uint32_t max_user = 0;
  for (uint32_t u : users) max_user = std::max(max_user, u);
  for (uint32_t u = 0; u <= max_user; ++u) d.user_ids.push_back(std::to_string(u));
  for (size_t r = 0; r < users.size(); ++r) {
    d.users.push_back(users[r]);
    d.items.push_back(static_cast<uint32_t>(r));
    d.item_ids.push_back(std::to_string(r));
    d.values.push_back(1.f);
  }
  d.timestamps = ts;
  return d;
}

// Interactions per user that a split put in `rows`.
inline std::vector<size_t> CountPerUser(const Dataset& d, const std::vector<uint64_t>& rows) {
  std::vector<size_t> counts(d.num_users(), 0);
  for (uint64_t r : rows) ++counts[d.users[r]];
  return counts;
}

// Train, validation and test are sorted, disjoint, cover the dataset, and no
// (user, item) pair is on two sides.
inline void CheckPartition(const Dataset& d, const Split& s) {
  CHECK(s.train.size() + s.validation.size() + s.test.size() == d.size());
  CHECK(std::is_sorted(s.train.begin(), s.train.end()));
  CHECK(std::is_sorted(s.validation.begin(), s.validation.end()));
  CHECK(std::is_sorted(s.test.begin(), s.test.end()));
  std::vector<uint64_t> all = s.train;
  all.insert(all.end(), s.validation.begin(), s.validation.end());
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // disjoint
  std::set<std::pair<uint32_t, uint32_t>> train_pairs, validation_pairs;
  for (uint64_t r : s.train) train_pairs.emplace(d.users[r], d.items[r]);
  for (uint64_t r : s.validation) validation_pairs.emplace(d.users[r], d.items[r]);
  size_t shared = 0;
  for (uint64_t r : s.test) {
    shared += train_pairs.count({d.users[r], d.items[r]}) + validation_pairs.count({d.users[r], d.items[r]});
  }
  for (uint64_t r : s.validation) shared += train_pairs.count({d.users[r], d.items[r]});
  CHECK(shared == 0);  // no (user, item) pair on two sides
}

}  // namespace reclift::host::split_test
