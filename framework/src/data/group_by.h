// Row indices grouped by a small integer key (a user), keeping file order
// within a group: a counting sort, done in parallel blocks. The result is
// the same for any number of threads (it is the unique stable grouping).
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace reclift::host {

template <class Row>
struct Grouped {
  std::vector<uint64_t> start;  // num_keys + 1: group k is rows[start[k], start[k+1])
  std::vector<Row> rows;
};

template <class Row>
Grouped<Row> GroupByKey(std::span<const uint32_t> keys, uint32_t num_keys) {
  const size_t n = keys.size();
  const size_t blocks = std::clamp<size_t>(n >> 18, 1, 16);
  const size_t block_rows = (n + blocks - 1) / blocks;
  // count[k * blocks + b]: rows of key k in block b, then where they go
  std::vector<uint64_t> count(static_cast<size_t>(num_keys) * blocks, 0);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks, 1), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t b = r.begin(); b < r.end(); ++b) {
      const size_t end = std::min(n, (b + 1) * block_rows);
      for (size_t i = b * block_rows; i < end; ++i) ++count[keys[i] * blocks + b];
    }
  });
  Grouped<Row> g;
  g.start.assign(static_cast<size_t>(num_keys) + 1, 0);
  uint64_t next = 0;
  for (uint32_t k = 0; k < num_keys; ++k) {
    g.start[k] = next;
    for (size_t b = 0; b < blocks; ++b) {
      const uint64_t c = count[k * blocks + b];
      count[k * blocks + b] = next;
      next += c;
    }
  }
  g.start[num_keys] = next;
  g.rows.resize(n);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks, 1), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t b = r.begin(); b < r.end(); ++b) {
      const size_t end = std::min(n, (b + 1) * block_rows);
      for (size_t i = b * block_rows; i < end; ++i)
        g.rows[count[keys[i] * blocks + b]++] = static_cast<Row>(i);
    }
  });
  return g;
}

}  // namespace reclift::host
