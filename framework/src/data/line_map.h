// Maps interaction rows back to the lines they came from, for messages that
// are found after parsing (duplicates). Stores only the places where the
// row/line correspondence jumps (chunk starts, blank and skipped lines).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace reclift::host {

class LineMap {
 public:
  // From `row` on, rows are on consecutive lines starting at `line`.
  // Calls come in non-decreasing row order; for equal rows the last wins.
  void Add(uint64_t row, uint64_t line) {
    if (!anchors_.empty() && anchors_.back().first == row) {
      anchors_.back().second = line;
    } else {
      anchors_.emplace_back(row, line);
    }
  }
  uint64_t LineOf(uint64_t row) const {
    auto it = std::upper_bound(anchors_.begin(), anchors_.end(), std::make_pair(row, UINT64_MAX));
    if (it == anchors_.begin()) return 0;
    --it;
    return it->second + (row - it->first);
  }

 private:
  std::vector<std::pair<uint64_t, uint64_t>> anchors_;
};

}  // namespace reclift::host
