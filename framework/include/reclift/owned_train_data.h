// OwnedTrainData: storage behind a TrainData view, built from triplets.
//
// The host builds the training split with it; plugin tests use it to build
// small hand-made cases:
//
//   reclift::OwnedTrainData d = reclift::OwnedTrainData::FromTriplets(
//       /*num_users=*/3, /*num_items=*/4,
//       {{0, 1, 5.f}, {0, 2, 3.f}, {1, 1, 4.f}, {2, 3, 1.f}});
//   const reclift::TrainData& view = d.view();
//
// Duplicate (user, item) triplets are merged: the last one wins (by input
// order). The view stays valid as long as the OwnedTrainData lives and is
// not moved-from; moving it keeps the view valid (vectors keep their buffers).
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "reclift/train_data.h"

namespace reclift {

struct Triplet {
  uint32_t user;
  uint32_t item;
  float value = 1.f;
  int64_t timestamp = 0;
};

// One owned compressed sparse matrix.
struct OwnedSparse {
  std::vector<uint64_t> indptr;
  std::vector<uint32_t> indices;
  std::vector<float> values;
  std::vector<int64_t> timestamps;

  SparseView view() const { return SparseView{indptr, indices, values, timestamps}; }

  // Builds rows from (row, col) pairs with a counting sort; within a row,
  // columns end up sorted and unique (the later duplicate wins).
  // `ts` may be empty.
  static OwnedSparse Build(size_t rows, std::span<const uint32_t> row_of, std::span<const uint32_t> col_of,
                           std::span<const float> val, std::span<const int64_t> ts) {
    OwnedSparse m;
    const size_t n = row_of.size();
    m.indptr.assign(rows + 1, 0);
    for (size_t e = 0; e < n; ++e) ++m.indptr[row_of[e] + 1];
    for (size_t r = 0; r < rows; ++r) m.indptr[r + 1] += m.indptr[r];
    std::vector<uint64_t> next(m.indptr.begin(), m.indptr.end() - 1);
    std::vector<uint64_t> order(n);  // stable: input order kept within a row
    for (size_t e = 0; e < n; ++e) order[next[row_of[e]]++] = e;
    m.indices.resize(n);
    m.values.resize(n);
    if (!ts.empty()) m.timestamps.resize(n);
    std::vector<std::pair<uint32_t, uint64_t>> row;
    uint64_t out = 0;
    for (size_t r = 0; r < rows; ++r) {
      const uint64_t begin = m.indptr[r], end = m.indptr[r + 1];
      row.clear();
      for (uint64_t p = begin; p < end; ++p) row.emplace_back(col_of[order[p]], order[p]);
      // stable sort by column keeps input order among duplicates; keep the last
      std::stable_sort(row.begin(), row.end(), [](auto& a, auto& b) { return a.first < b.first; });
      m.indptr[r] = out;
      for (size_t j = 0; j < row.size(); ++j) {
        if (j + 1 < row.size() && row[j + 1].first == row[j].first) continue;
        m.indices[out] = row[j].first;
        m.values[out] = val.empty() ? 1.f : val[row[j].second];
        if (!ts.empty()) m.timestamps[out] = ts[row[j].second];
        ++out;
      }
    }
    m.indptr[rows] = out;
    m.indices.resize(out);
    m.values.resize(out);
    if (!ts.empty()) m.timestamps.resize(out);
    return m;
  }

  // The transpose (rows become columns), sorted and unique by construction.
  OwnedSparse Transpose(size_t cols) const {
    OwnedSparse t;
    const size_t rows = indptr.size() - 1;
    t.indptr.assign(cols + 1, 0);
    for (uint32_t c : indices) ++t.indptr[c + 1];
    for (size_t c = 0; c < cols; ++c) t.indptr[c + 1] += t.indptr[c];
    std::vector<uint64_t> next(t.indptr.begin(), t.indptr.end() - 1);
    t.indices.resize(indices.size());
    t.values.resize(indices.size());
    if (!timestamps.empty()) t.timestamps.resize(indices.size());
    for (size_t r = 0; r < rows; ++r) {
      for (uint64_t p = indptr[r]; p < indptr[r + 1]; ++p) {
        const uint64_t q = next[indices[p]]++;
        t.indices[q] = static_cast<uint32_t>(r);
        t.values[q] = values[p];
        if (!timestamps.empty()) t.timestamps[q] = timestamps[p];
      }
    }
    return t;
  }
};

// Owned item features (see ItemFeaturesView).
struct OwnedItemFeatures {
  OwnedSparse categories;
  std::vector<std::string> category_names;
  OwnedSparse tags;
  std::vector<std::string> tag_names;
  std::vector<float> numeric;
  std::vector<std::string> numeric_names;
  std::vector<std::string> text;

  ItemFeaturesView view() const {
    return ItemFeaturesView{categories.view(), category_names, tags.view(), tag_names,
                            numeric,           numeric_names,  text};
  }
};

class OwnedTrainData {
 public:
  OwnedTrainData() = default;
  OwnedTrainData(OwnedTrainData&&) = default;
  OwnedTrainData& operator=(OwnedTrainData&&) = default;
  OwnedTrainData(const OwnedTrainData&) = delete;
  OwnedTrainData& operator=(const OwnedTrainData&) = delete;

  // Builds from parallel arrays; `timestamps` may be empty.
  static OwnedTrainData Build(uint32_t num_users, uint32_t num_items, std::span<const uint32_t> users,
                              std::span<const uint32_t> items, std::span<const float> values,
                              std::span<const int64_t> timestamps, bool explicit_feedback) {
    if (users.size() != items.size() || (!values.empty() && values.size() != users.size()) ||
        (!timestamps.empty() && timestamps.size() != users.size())) {
      throw std::invalid_argument("OwnedTrainData::Build: arrays differ in length");
    }
    for (size_t e = 0; e < users.size(); ++e) {
      if (users[e] >= num_users || items[e] >= num_items) {
        throw std::out_of_range("OwnedTrainData::Build: id out of range at triplet " + std::to_string(e));
      }
    }
    OwnedTrainData d;
    d.by_user_ = OwnedSparse::Build(num_users, users, items, values, timestamps);
    d.by_item_ = d.by_user_.Transpose(num_items);
    d.data_.num_users = num_users;
    d.data_.num_items = num_items;
    d.data_.explicit_feedback = explicit_feedback;
    if (!d.by_user_.values.empty()) {
      auto [mn, mx] = std::minmax_element(d.by_user_.values.begin(), d.by_user_.values.end());
      d.data_.min_value = *mn;
      d.data_.max_value = *mx;
      double sum = 0;
      for (float v : d.by_user_.values) sum += v;
      d.data_.global_mean = sum / static_cast<double>(d.by_user_.values.size());
    }
    d.Rebind();
    return d;
  }

  static OwnedTrainData FromTriplets(uint32_t num_users, uint32_t num_items, std::initializer_list<Triplet> t,
                                     bool explicit_feedback = true) {
    return FromTriplets(num_users, num_items, std::span<const Triplet>(t.begin(), t.size()),
                        explicit_feedback);
  }
  static OwnedTrainData FromTriplets(uint32_t num_users, uint32_t num_items, std::span<const Triplet> t,
                                     bool explicit_feedback = true) {
    std::vector<uint32_t> u, i;
    std::vector<float> v;
    std::vector<int64_t> ts;
    bool any_ts = false;
    for (const auto& x : t) any_ts = any_ts || x.timestamp != 0;
    for (const auto& x : t) {
      u.push_back(x.user);
      i.push_back(x.item);
      v.push_back(x.value);
      if (any_ts) ts.push_back(x.timestamp);
    }
    return Build(num_users, num_items, u, i, v, ts, explicit_feedback);
  }

  void SetItemFeatures(OwnedItemFeatures features) {
    features_ = std::move(features);
    Rebind();
  }

  const TrainData& view() const { return data_; }
  const OwnedSparse& by_user() const { return by_user_; }
  const OwnedSparse& by_item() const { return by_item_; }
  const OwnedItemFeatures& item_features() const { return features_; }

  // Bytes held, for memory reports.
  size_t MemoryBytes() const {
    auto sz = [](const OwnedSparse& m) {
      return m.indptr.size() * 8 + m.indices.size() * 4 + m.values.size() * 4 + m.timestamps.size() * 8;
    };
    return sz(by_user_) + sz(by_item_) + sz(features_.categories) + sz(features_.tags) +
           features_.numeric.size() * 4;
  }

 private:
  void Rebind() {
    data_.by_user = by_user_.view();
    data_.by_item = by_item_.view();
    data_.item_features = features_.view();
  }

  OwnedSparse by_user_;
  OwnedSparse by_item_;
  OwnedItemFeatures features_;
  TrainData data_;
};

}  // namespace reclift
