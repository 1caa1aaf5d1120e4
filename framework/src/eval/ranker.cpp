#include "eval/ranker.h"

#include <tbb/enumerable_thread_specific.h>
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

namespace {

constexpr size_t kChunk = 64;  // items tested against the threshold at once

// How many of the kChunk scores at `s` beat `threshold`, and whether any of
// them is NaN or infinite (exponent bits all ones). Two integer reductions
// over one pass; the compiler vectorises them for the widest ISA it finds.
__attribute__((target_clones("avx512f", "avx2", "default"))) unsigned ScanChunk(const float* __restrict s,
                                                                                float threshold,
                                                                                unsigned* __restrict bad) {
  unsigned hits = 0, nonfinite = 0;
  for (size_t j = 0; j < kChunk; ++j) {
    hits += s[j] > threshold;
    nonfinite |= (std::bit_cast<uint32_t>(s[j]) & 0x7f800000u) == 0x7f800000u;
  }
  *bad |= nonfinite;
  return hits;
}

// TopK that also reports (instead of ranking) a NaN or infinite score: true
// when every score is finite. The scan is chunked: once the heap is full a
// chunk of kChunk scores whose scores all fail the threshold is skipped after
// one vectorised test, so the per-item work is a compare and an add.
bool TopKChecked(std::span<const float> scores, std::span<const uint32_t> exclude, size_t k,
                 std::vector<uint32_t>& out) {
  out.clear();
  const uint32_t n = static_cast<uint32_t>(scores.size());
  // "a ranks before b": higher score, then smaller id
  auto better = [&](uint32_t a, uint32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  // a heap whose top is the worst kept item; once full, an item enters only
  // when it beats that item's score (ties with it lose: the kept item has the
  // smaller id)
  std::vector<uint32_t>& heap = out;
  heap.reserve(k);
  size_t ex = 0;
  auto excluded = [&](uint32_t item) {
    while (ex < exclude.size() && exclude[ex] < item) ++ex;
    return ex < exclude.size() && exclude[ex] == item;
  };
  unsigned bad = 0;
  uint32_t item = 0;
  for (; item < n && heap.size() < k; ++item) {
    bad |= !std::isfinite(scores[item]);
    if (excluded(item)) continue;
    heap.push_back(item);
    std::push_heap(heap.begin(), heap.end(), better);
  }
  float threshold =
      heap.size() == k && k > 0 ? scores[heap.front()] : -std::numeric_limits<float>::infinity();
  auto consider = [&](uint32_t i) {
    if (!(scores[i] > threshold) || excluded(i)) return;
    std::pop_heap(heap.begin(), heap.end(), better);
    heap.back() = i;
    std::push_heap(heap.begin(), heap.end(), better);
    threshold = scores[heap.front()];
  };
  if (k > 0) {
    for (; item < n && item % kChunk != 0; ++item) {  // up to a chunk boundary
      bad |= !std::isfinite(scores[item]);
      consider(item);
    }
    for (; item + kChunk <= n; item += kChunk) {
      if (ScanChunk(scores.data() + item, threshold, &bad) == 0) continue;
      for (uint32_t i = item; i < item + kChunk; ++i) consider(i);
    }
  }
  for (; item < n; ++item) {
    bad |= !std::isfinite(scores[item]);
    if (k > 0) consider(item);
  }
  std::sort_heap(heap.begin(), heap.end(), better);
  return bad == 0;
}

// Users per ScoreBatch block: enough for one matrix product to pay off, few
// enough that the block's scores (the ranker reads them right back) stay in
// a core's L2 cache.
size_t AutoBlockUsers(size_t num_items) {
  constexpr size_t kBlockBytes = size_t{1} << 20;
  return std::clamp<size_t>(kBlockBytes / (std::max<size_t>(num_items, 1) * sizeof(float)), 8, 256);
}

}  // namespace

void TopK(std::span<const float> scores, std::span<const uint32_t> exclude, size_t k,
          std::vector<uint32_t>& out) {
  (void)TopKChecked(scores, exclude, k, out);
}

Status RankUsers(const Recommender& model, uint32_t capabilities, const TrainData& train,
                 std::span<const uint32_t> users, const RankerOptions& options,
                 std::vector<std::vector<uint32_t>>& lists) {
  lists.assign(users.size(), {});
  const size_t num_items = train.num_items;
  const size_t block = options.block_users > 0 ? options.block_users : AutoBlockUsers(num_items);
  const size_t num_blocks = (users.size() + block - 1) / block;
  const bool batch = options.use_batch && (capabilities & kCapScoreBatch);
  std::vector<uint32_t> all_items(num_items);
  std::iota(all_items.begin(), all_items.end(), 0u);

  std::mutex error_mutex;
  size_t error_block = SIZE_MAX;
  Status first_error;
  std::atomic<bool> failed{false};
  tbb::enumerable_thread_specific<std::vector<float>> buffers;

  tbb::parallel_for(size_t{0}, num_blocks, [&](size_t b) {
    if (failed.load(std::memory_order_relaxed)) return;
    const size_t begin = b * block, end = std::min(users.size(), begin + block);
    const auto block_users = users.subspan(begin, end - begin);
    // one buffer per worker, reused: a fresh one per block would be zeroed
    // (block x items floats) for nothing
    std::vector<float>& buffer = buffers.local();
    buffer.resize(block * num_items);
    const std::span<float> scores(buffer.data(), block_users.size() * num_items);
    Status s;
    if (batch) {
      s = model.ScoreBatch(block_users, scores);
    } else {
      for (size_t i = 0; i < block_users.size() && s.ok(); ++i) {
        s = model.Score(block_users[i], all_items, scores.subspan(i * num_items, num_items));
      }
    }
    for (size_t i = 0; s.ok() && i < block_users.size(); ++i) {
      const uint32_t u = block_users[i];
      std::span<const uint32_t> seen;
      if (options.exclude_seen && u < train.num_users) seen = train.by_user.RowIndices(u);
      const std::span<const float> row = scores.subspan(i * num_items, num_items);
      if (!TopKChecked(row, seen, options.k, lists[begin + i])) {
        const auto it = std::find_if(row.begin(), row.end(), [](float x) { return !std::isfinite(x); });
        s = Status::Internal("non-finite score " + std::to_string(*it) + " for user " + std::to_string(u) +
                             ", item " + std::to_string(it - row.begin()));
        break;
      }
    }
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (b < error_block) {  // report the first block's error, whatever the schedule
        error_block = b;
        first_error = s;
      }
      failed = true;
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
