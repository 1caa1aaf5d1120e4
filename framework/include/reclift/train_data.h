// TrainData: the read-only view of the training split that a plugin sees.
//
// Users and items are dense 32-bit ids in [0, num_users) and [0, num_items).
// Every user and item of the dataset has an id, including users and items
// with no training interaction (their rows are empty), so a plugin can size
// its tables once. Plugins never see test data.
//
// Interactions are stored twice: user-major (CSR: for each user, the items)
// and item-major (CSC: for each item, the users). Within a row, indices are
// sorted ascending and unique. `values` are the interaction values as loaded
// (ratings, or 1 for implicit events); `timestamps` are seconds since the
// epoch (0 when the dataset has none).
//
// Ownership: the host owns all storage and keeps it alive for the whole life
// of the plugin instance (fit and every scoring call). A plugin may keep the
// TrainData reference (or copy the view) across calls.
//
//   for (uint32_t u = 0; u < data.num_users; ++u)
//     for (auto [item, value] : data.by_user.Row(u)) ...
//
// Thread-safety: read-only; safe to read from any number of threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace reclift {

// A compressed sparse matrix (rows of (index, value, timestamp)).
struct SparseView {
  std::span<const uint64_t> indptr;     // size rows + 1
  std::span<const uint32_t> indices;    // size nnz, sorted within a row
  std::span<const float> values;        // size nnz
  std::span<const int64_t> timestamps;  // size nnz, or empty when the dataset has none

  struct Entry {
    uint32_t index;
    float value;
  };
  class RowRange {
   public:
    struct Iterator {
      const uint32_t* idx;
      const float* val;
      Entry operator*() const { return {*idx, *val}; }
      Iterator& operator++() {
        ++idx;
        ++val;
        return *this;
      }
      bool operator!=(const Iterator& o) const { return idx != o.idx; }
    };
    RowRange(const uint32_t* idx, const float* val, size_t n) : idx_(idx), val_(val), n_(n) {}
    Iterator begin() const { return {idx_, val_}; }
    Iterator end() const { return {idx_ + n_, val_ + n_}; }
    size_t size() const { return n_; }

   private:
    const uint32_t* idx_;
    const float* val_;
    size_t n_;
  };

  size_t rows() const { return indptr.empty() ? 0 : indptr.size() - 1; }
  size_t nnz() const { return indices.size(); }
  size_t RowSize(size_t r) const { return indptr[r + 1] - indptr[r]; }
  std::span<const uint32_t> RowIndices(size_t r) const {
    return indices.subspan(indptr[r], indptr[r + 1] - indptr[r]);
  }
  std::span<const float> RowValues(size_t r) const {
    return values.subspan(indptr[r], indptr[r + 1] - indptr[r]);
  }
  std::span<const int64_t> RowTimestamps(size_t r) const {
    if (timestamps.empty()) return {};
    return timestamps.subspan(indptr[r], indptr[r + 1] - indptr[r]);
  }
  RowRange Row(size_t r) const {
    return RowRange(indices.data() + indptr[r], values.data() + indptr[r], RowSize(r));
  }
};

// Side information about items. Every field may be empty.
struct ItemFeaturesView {
  // item -> category ids (value = weight, usually 1); rows = num_items
  SparseView categories;
  std::span<const std::string> category_names;
  // item -> tag ids (value = weight); rows = num_items
  SparseView tags;
  std::span<const std::string> tag_names;
  // dense row-major num_items x numeric_names.size(); NaN where unknown
  std::span<const float> numeric;
  std::span<const std::string> numeric_names;
  // free text per item (titles, descriptions), or empty
  std::span<const std::string> text;

  bool empty() const { return categories.nnz() == 0 && tags.nnz() == 0 && numeric.empty() && text.empty(); }
};

struct TrainData {
  uint32_t num_users = 0;
  uint32_t num_items = 0;
  SparseView by_user;  // rows = num_users, indices = items
  SparseView by_item;  // rows = num_items, indices = users
  ItemFeaturesView item_features;
  // true when values are explicit ratings, false for implicit events (all 1
  // unless the dataset carries counts or weights)
  bool explicit_feedback = false;
  double min_value = 0;  // smallest and largest value in the training data
  double max_value = 0;
  double global_mean = 0;

  size_t nnz() const { return by_user.nnz(); }
};

}  // namespace reclift
