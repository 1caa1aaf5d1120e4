#include "data/duplicates.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>

#include "data/group_by.h"
#include "util/error.h"

namespace reclift::host {

std::optional<DuplicatePolicy> ParseDuplicatePolicy(std::string_view name) {
  if (name == "last") return DuplicatePolicy::kLast;
  if (name == "first") return DuplicatePolicy::kFirst;
  if (name == "sum") return DuplicatePolicy::kSum;
  if (name == "max") return DuplicatePolicy::kMax;
  if (name == "error") return DuplicatePolicy::kError;
  return std::nullopt;
}

const std::vector<std::string>& DuplicatePolicyNames() {
  static const std::vector<std::string> kNames = {"last", "first", "sum", "max", "error"};
  return kNames;
}

namespace {
struct ThreadState {
  std::vector<uint32_t> seen_by;          // item -> last user that had it, +1 (0 = none)
  std::vector<uint32_t> kept;             // item -> row currently kept for that user
  std::vector<uint32_t> removed;          // rows dropped by the policy
  uint64_t first_duplicate = UINT64_MAX;  // kError: earliest second occurrence
  uint64_t first_original = 0;
};
}  // namespace

size_t MergeDuplicates(DuplicatePolicy policy, uint32_t num_users, uint32_t num_items, InteractionArrays data,
                       const DuplicateContext& context) {
  const size_t n = data.users.size();
  if (n < 2) return 0;
  if (n >= UINT32_MAX) throw Error("more than 4 billion interactions are not supported");
  const bool has_ts = !data.timestamps.empty();

  // Rows grouped by user, in file order within a user. Files sorted by user
  // (MovieLens' are) get non-decreasing dense ids, since ids follow first
  // appearance: then each user's rows are already a contiguous range.
  const bool grouped_in_file = std::is_sorted(data.users.begin(), data.users.end());
  Grouped<uint32_t> grouped;
  if (grouped_in_file) {
    grouped.start.assign(static_cast<size_t>(num_users) + 1, 0);
    for (uint32_t u : data.users) ++grouped.start[u + 1];
    for (uint32_t u = 0; u < num_users; ++u) grouped.start[u + 1] += grouped.start[u];
  } else {
    grouped = GroupByKey<uint32_t>(data.users, num_users);
  }
  const std::vector<uint64_t>& start = grouped.start;
  const uint32_t* by_user = grouped.rows.data();
  auto row_at = [&](uint64_t p) { return grouped_in_file ? static_cast<uint32_t>(p) : by_user[p]; };

  // Does row b win against row a (a earlier in the file)?
  auto later_wins = [&](uint32_t a, uint32_t b) {
    if (!has_ts) return policy != DuplicatePolicy::kFirst;
    if (policy == DuplicatePolicy::kFirst) return data.timestamps[b] < data.timestamps[a];
    return data.timestamps[b] >= data.timestamps[a];
  };

  // users are independent: each thread owns the rows of its users, so
  // values can be merged in place without locks; within a user rows are
  // visited in file order, so sums add up in the same order every time
  tbb::enumerable_thread_specific<ThreadState> states;
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, num_users, 256),
                    [&](const tbb::blocked_range<uint32_t>& range) {
                      ThreadState& s = states.local();
                      if (s.seen_by.empty()) {
                        s.seen_by.assign(num_items, 0);
                        s.kept.assign(num_items, 0);
                      }
                      for (uint32_t u = range.begin(); u < range.end(); ++u) {
                        for (uint64_t p = start[u]; p < start[u + 1]; ++p) {
                          const uint32_t row = row_at(p);
                          const uint32_t item = data.items[row];
                          if (s.seen_by[item] != u + 1) {
                            s.seen_by[item] = u + 1;
                            s.kept[item] = row;
                            continue;
                          }
                          const uint32_t kept = s.kept[item];
                          if (policy == DuplicatePolicy::kError) {
                            if (row < s.first_duplicate) {
                              s.first_duplicate = row;
                              s.first_original = kept;
                            }
                            continue;
                          }
                          const bool replace = later_wins(kept, row);
                          const uint32_t winner = replace ? row : kept;
                          const uint32_t loser = replace ? kept : row;
                          if (policy == DuplicatePolicy::kSum) {
                            data.values[winner] = data.values[kept] + data.values[row];
                          } else if (policy == DuplicatePolicy::kMax) {
                            data.values[winner] = std::max(data.values[kept], data.values[row]);
                          }
                          s.kept[item] = winner;
                          s.removed.push_back(loser);
                        }
                        // a user's seen marks are told apart by the user id: nothing to reset
                      }
                    });

  if (policy == DuplicatePolicy::kError) {
    uint64_t dup = UINT64_MAX, original = 0;
    for (const ThreadState& s : states) {
      if (s.first_duplicate < dup) {
        dup = s.first_duplicate;
        original = s.first_original;
      }
    }
    if (dup == UINT64_MAX) return 0;
    const uint32_t u = data.users[dup], i = data.items[dup];
    throw Error(SourceLocation{context.file, static_cast<int>(context.lines.LineOf(dup))},
                "duplicate interaction: user '" + context.user_ids.ToString(u) + "' and item '" +
                    context.item_ids.ToString(i) + "' already appear on line " +
                    std::to_string(context.lines.LineOf(original)) +
                    " (dataset.duplicates = \"error\"; \"last\", \"first\", \"sum\" or \"max\" merge them)");
  }

  std::vector<uint32_t> removed;
  for (ThreadState& s : states) removed.insert(removed.end(), s.removed.begin(), s.removed.end());
  if (removed.empty()) return 0;
  std::sort(removed.begin(), removed.end());
  size_t out = 0, next_removed = 0;
  for (size_t r = 0; r < n; ++r) {
    if (next_removed < removed.size() && removed[next_removed] == r) {
      ++next_removed;
      continue;
    }
    data.users[out] = data.users[r];
    data.items[out] = data.items[r];
    data.values[out] = data.values[r];
    if (has_ts) data.timestamps[out] = data.timestamps[r];
    ++out;
  }
  data.users.resize(out);
  data.items.resize(out);
  data.values.resize(out);
  if (has_ts) data.timestamps.resize(out);
  return removed.size();
}

}  // namespace reclift::host
