#include "runner/cell_data.h"

#include <algorithm>
#include <numeric>

namespace reclift::host {

CellData BuildCellData(const Dataset& data, const Split& split) {
  CellData cell;
  const size_t n_train = split.train.size();
  std::vector<uint32_t> users(n_train), items(n_train);
  std::vector<float> values(n_train);
  std::vector<int64_t> timestamps(data.has_timestamps() ? n_train : 0);
  for (size_t e = 0; e < n_train; ++e) {
    const uint64_t i = split.train[e];
    users[e] = data.users[i];
    items[e] = data.items[i];
    values[e] = data.values[i];
    if (data.has_timestamps()) timestamps[e] = data.timestamps[i];
  }
  cell.train = OwnedTrainData::Build(data.num_users(), data.num_items(), users, items, values, timestamps,
                                     data.explicit_feedback);
  cell.train.SetItemFeatures(data.item_features);

  cell.item_popularity.resize(data.num_items());
  for (uint32_t i = 0; i < data.num_items(); ++i) {
    cell.item_popularity[i] = static_cast<float>(cell.train.view().by_item.RowSize(i));
  }

  // group test interactions by user, items ascending
  std::vector<uint64_t> order(split.test.begin(), split.test.end());
  std::sort(order.begin(), order.end(), [&](uint64_t a, uint64_t b) {
    return data.users[a] != data.users[b] ? data.users[a] < data.users[b] : data.items[a] < data.items[b];
  });
  cell.test_interactions = order.size();
  const bool thresholded = data.explicit_feedback;
  for (size_t p = 0; p < order.size();) {
    UserTest t;
    t.user = data.users[order[p]];
    for (; p < order.size() && data.users[order[p]] == t.user; ++p) {
      const uint64_t i = order[p];
      if (!t.items.empty() && t.items.back() == data.items[i]) continue;  // one value per pair
      t.items.push_back(data.items[i]);
      t.values.push_back(data.values[i]);
      if (!thresholded || data.values[i] >= data.positive_threshold) {
        t.relevant.push_back(data.items[i]);
        t.gains.push_back(data.explicit_feedback ? data.values[i] : 1.f);
      }
    }
    cell.users_with_relevant += t.relevant.empty() ? 0 : 1;
    cell.users.push_back(std::move(t));
  }
  return cell;
}

}  // namespace reclift::host
