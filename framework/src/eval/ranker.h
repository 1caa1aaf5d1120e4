// Ranker: turns a recommender's scores into top-k lists, the host's side of
// the recommender contract: candidates are all items, items the user has in
// training are removed, ties are broken by the smaller item id, and users
// are scored in blocks (one ScoreBatch call per block when the recommender
// has the capability, else Score per user), blocks in parallel with oneTBB.
//
// Memory is bounded by block_users x num_items floats per worker (about 1 MiB
// with the automatic block size).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reclift/recommender.h"
#include "reclift/train_data.h"

namespace reclift::host {

struct RankerOptions {
  size_t k = 10;             // list length (the largest cut-off)
  size_t block_users = 0;    // users scored together; 0: as many as keep the block's scores in L2
  bool exclude_seen = true;  // remove the user's training items
  bool use_batch = true;     // use ScoreBatch when the plugin declares it
};

// Selects the k best (score desc, item id asc) of `scores`, skipping the
// items in `exclude` (sorted ascending). Appends to `out` (cleared first).
void TopK(std::span<const float> scores, std::span<const uint32_t> exclude, size_t k,
          std::vector<uint32_t>& out);

// Ranks `users`; lists[i] is the list of users[i]. Returns the first error
// of the recommender (with the user it happened for), or an Internal error
// when a score is NaN or infinite. Deterministic for any thread count.
Status RankUsers(const Recommender& model, uint32_t capabilities, const TrainData& train,
                 std::span<const uint32_t> users, const RankerOptions& options,
                 std::vector<std::vector<uint32_t>>& lists);

// Ranks each user's own candidate items (sorted ascending) instead of the
// whole catalogue: one Score call per user on its candidates, then the k
// best, training items removed when options.exclude_seen. Deterministic.
Status RankCandidates(const Recommender& model, const TrainData& train, std::span<const uint32_t> users,
                      const std::vector<std::vector<uint32_t>>& candidates, const RankerOptions& options,
                      std::vector<std::vector<uint32_t>>& lists);

}  // namespace reclift::host
