#include "eval/ranker.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>

#include "reclift/plugin.h"

namespace reclift::host {

void TopK(std::span<const float> scores, std::span<const uint32_t> exclude, size_t k,
          std::vector<uint32_t>& out) {
  out.clear();
  if (k == 0) return;
  // "a ranks before b": higher score, then smaller id
  auto better = [&](uint32_t a, uint32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  // a heap whose top is the worst kept item; once full, an item enters only
  // when it beats that item's score, so the hot loop is one comparison
  std::vector<uint32_t>& heap = out;
  heap.reserve(k);
  const uint32_t n = static_cast<uint32_t>(scores.size());
  size_t ex = 0;
  auto excluded = [&](uint32_t item) {
    while (ex < exclude.size() && exclude[ex] < item) ++ex;
    return ex < exclude.size() && exclude[ex] == item;
  };
  uint32_t item = 0;
  for (; item < n && heap.size() < k; ++item) {
    if (excluded(item)) continue;
    heap.push_back(item);
    std::push_heap(heap.begin(), heap.end(), better);
  }
  float threshold = heap.size() == k ? scores[heap.front()] : -std::numeric_limits<float>::infinity();
  for (; item < n; ++item) {
    // ties with the threshold lose: the kept item has the smaller id
    if (!(scores[item] > threshold) || excluded(item)) continue;
    std::pop_heap(heap.begin(), heap.end(), better);
    heap.back() = item;
    std::push_heap(heap.begin(), heap.end(), better);
    threshold = scores[heap.front()];
  }
  std::sort_heap(heap.begin(), heap.end(), better);
}

Status RankUsers(const Recommender& model, uint32_t capabilities, const TrainData& train,
                 std::span<const uint32_t> users, const RankerOptions& options,
                 std::vector<std::vector<uint32_t>>& lists) {
  lists.assign(users.size(), {});
  const size_t num_items = train.num_items;
  const size_t block = std::max<size_t>(1, options.block_users);
  const size_t num_blocks = (users.size() + block - 1) / block;
  const bool batch = options.use_batch && (capabilities & kCapScoreBatch);
  std::vector<uint32_t> all_items(num_items);
  std::iota(all_items.begin(), all_items.end(), 0u);

  std::mutex error_mutex;
  size_t error_block = SIZE_MAX;
  Status first_error;
  std::atomic<bool> failed{false};

  tbb::parallel_for(size_t{0}, num_blocks, [&](size_t b) {
    if (failed.load(std::memory_order_relaxed)) return;
    const size_t begin = b * block, end = std::min(users.size(), begin + block);
    const auto block_users = users.subspan(begin, end - begin);
    std::vector<float> scores(block_users.size() * num_items);
    Status s;
    if (batch) {
      s = model.ScoreBatch(block_users, scores);
    } else {
      for (size_t i = 0; i < block_users.size() && s.ok(); ++i) {
        s = model.Score(block_users[i], all_items,
                        std::span<float>(scores).subspan(i * num_items, num_items));
      }
    }
    if (s.ok()) {
      // a float is NaN or infinite when its exponent bits are all ones: an
      // integer test the compiler vectorises; search only when one is found
      uint32_t bad = 0;
      for (float x : scores) bad |= (std::bit_cast<uint32_t>(x) & 0x7f800000u) == 0x7f800000u;
      if (bad != 0) {
        for (size_t p = 0; p < scores.size(); ++p) {
          if (!std::isfinite(scores[p])) {
            s = Status::Internal("non-finite score " + std::to_string(scores[p]) + " for user " +
                                 std::to_string(block_users[p / num_items]) + ", item " +
                                 std::to_string(p % num_items));
            break;
          }
        }
      }
    }
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (b < error_block) {  // report the first block's error, whatever the schedule
        error_block = b;
        first_error = s;
      }
      failed = true;
      return;
    }
    for (size_t i = 0; i < block_users.size(); ++i) {
      const uint32_t u = block_users[i];
      std::span<const uint32_t> seen;
      if (options.exclude_seen && u < train.num_users) seen = train.by_user.RowIndices(u);
      TopK(std::span<const float>(scores).subspan(i * num_items, num_items), seen, options.k,
           lists[begin + i]);
    }
  });
  return first_error;
}

Status RankCandidates(const Recommender& model, const TrainData& train, std::span<const uint32_t> users,
                      const std::vector<std::vector<uint32_t>>& candidates, const RankerOptions& options,
                      std::vector<std::vector<uint32_t>>& lists) {
  lists.assign(users.size(), {});
  std::vector<Status> errors(users.size());
  tbb::parallel_for(size_t{0}, users.size(), [&](size_t i) {
    const uint32_t u = users[i];
    std::vector<uint32_t> items;
    std::span<const uint32_t> seen;
    if (options.exclude_seen && u < train.num_users) seen = train.by_user.RowIndices(u);
    for (uint32_t item : candidates[i]) {
      if (!std::binary_search(seen.begin(), seen.end(), item)) items.push_back(item);
    }
    std::vector<float> scores(items.size());
    Status s = model.Score(u, items, scores);
    for (size_t j = 0; s.ok() && j < scores.size(); ++j) {
      if (!std::isfinite(scores[j])) {
        s = Status::Internal("non-finite score " + std::to_string(scores[j]) + " for user " +
                             std::to_string(u) + ", item " + std::to_string(items[j]));
      }
    }
    if (!s.ok()) {
      errors[i] = s;
      return;
    }
    // the k best candidates: score desc, item id asc
    std::vector<size_t> order(items.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const size_t k = std::min(options.k, order.size());
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](size_t a, size_t b) {
      return scores[a] > scores[b] || (scores[a] == scores[b] && items[a] < items[b]);
    });
    for (size_t r = 0; r < k; ++r) lists[i].push_back(items[order[r]]);
  });
  for (auto& e : errors) {
    if (!e.ok()) return e;
  }
  return Status::Ok();
}

}  // namespace reclift::host
