#include "split/split.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "data/group_by.h"
#include "data/hash.h"
#include "util/text.h"

namespace reclift::host {
namespace {

const std::vector<std::string>& MethodNames() {
  static const std::vector<std::string> kNames = {"random", "temporal", "leave-last"};
  return kNames;
}

SourceLocation Where(const SplitSpec& spec, const char* key) {
  auto it = spec.where.find(key);
  if (it != spec.where.end()) return it->second;
  it = spec.where.find("method");  // the [split] table at least
  return it != spec.where.end() ? it->second : SourceLocation{};
}

// splitmix64: one small, seedable stream per user, so a user's draw never
// depends on which thread runs it or on other users
class Stream {
 public:
  explicit Stream(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // uniform in [0, n): multiply-shift, rejecting the few draws that would
  // make low values more likely
  uint64_t Below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    if (static_cast<uint64_t>(m) < n) {
      const uint64_t threshold = (0 - n) % n;
      while (static_cast<uint64_t>(m) < threshold) m = static_cast<unsigned __int128>(Next()) * n;
    }
    return static_cast<uint64_t>(m >> 64);
  }

 private:
  uint64_t state_;
};

// Row indices grouped by user, in file order within each user.
struct RowsByUser {
  std::vector<uint64_t> start;  // num_users + 1
  std::vector<uint64_t> rows;
};

RowsByUser GroupByUser(const Dataset& data) {
  // a hand-built dataset may leave user_ids empty: size by the largest id
  uint32_t num_users = data.num_users();
  for (uint32_t u : data.users) num_users = std::max(num_users, u + 1);
  Grouped<uint64_t> g = GroupByKey<uint64_t>(data.users, num_users);
  return RowsByUser{std::move(g.start), std::move(g.rows)};
}

// round(fraction * n), but at least one and never all
size_t TestCount(double fraction, size_t n) {
  const auto k = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
  return std::clamp<size_t>(k, 1, n - 1);
}

Split FromMask(const std::vector<uint8_t>& is_test) {
  Split s;
  size_t tests = 0;
  for (uint8_t t : is_test) tests += t;
  s.test.reserve(tests);
  s.train.reserve(is_test.size() - tests);
  for (uint64_t r = 0; r < is_test.size(); ++r) (is_test[r] ? s.test : s.train).push_back(r);
  return s;
}

std::string Percent(size_t part, size_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / whole : 0.0);
  return buf;
}

Split RandomSplit(const Dataset& data, const SplitSpec& spec) {
  const RowsByUser g = GroupByUser(data);
  const uint32_t num_users = static_cast<uint32_t>(g.start.size() - 1);
  const size_t min_rows = static_cast<size_t>(std::max(2, spec.min_user_interactions));
  std::vector<uint8_t> is_test(data.size(), 0);
  tbb::enumerable_thread_specific<std::vector<uint64_t>> buffers;
  tbb::parallel_for(
      tbb::blocked_range<uint32_t>(0, num_users, 512), [&](const tbb::blocked_range<uint32_t>& r) {
        std::vector<uint64_t>& rows = buffers.local();
        for (uint32_t u = r.begin(); u < r.end(); ++u) {
          const size_t n = g.start[u + 1] - g.start[u];
          if (n < min_rows) continue;
          rows.assign(g.rows.begin() + g.start[u], g.rows.begin() + g.start[u + 1]);
          // the stream is keyed by the original user id: a user's holdout does
          // not change when other users are added or the file is reordered
          const uint64_t key = u < data.user_ids.size() ? HashString(data.user_ids[u]) : Mix64(u);
          Stream stream(Mix64(spec.seed ^ key));
          const size_t k = TestCount(spec.test_fraction, n);
          for (size_t i = 0; i < k; ++i) {  // partial Fisher-Yates: the first k are a uniform sample
            std::swap(rows[i], rows[i + stream.Below(n - i)]);
            is_test[rows[i]] = 1;
          }
        }
      });
  Split s = FromMask(is_test);
  size_t kept_whole = 0;
  for (uint32_t u = 0; u < num_users; ++u) kept_whole += g.start[u + 1] - g.start[u] < min_rows;
  s.notes.push_back("random split: " + std::to_string(s.test.size()) + " test interactions (" +
                    Percent(s.test.size(), data.size()) + "); " + std::to_string(kept_whole) +
                    " users with fewer than " + std::to_string(min_rows) + " interactions stay in training");
  return s;
}

Split TemporalSplit(const Dataset& data, const SplitSpec& spec) {
  if (!data.has_timestamps()) {
    throw Error(Where(spec, "method"),
                "split method \"temporal\" needs timestamps, but the dataset has none (set "
                "dataset.timestamp_column); \"random\" and \"leave-last\" work without");
  }
  const size_t n = data.size();
  if (n < 2) throw Error(Where(spec, "method"), "a temporal split needs at least 2 interactions");
  const size_t k = TestCount(spec.test_fraction, n);
  std::vector<int64_t> sorted = data.timestamps;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<ptrdiff_t>(n - k), sorted.end());
  const int64_t cutoff = sorted[n - k];
  sorted = {};
  std::vector<uint8_t> is_test(n);
  for (size_t r = 0; r < n; ++r) is_test[r] = data.timestamps[r] >= cutoff;
  Split s = FromMask(is_test);
  if (s.train.empty()) {
    throw Error(
        Where(spec, "test_fraction"),
        "temporal split: every interaction is at or after the cutoff time " + std::to_string(cutoff) +
            " (the earliest timestamp), so nothing is left for training; the timestamps are too coarse "
            "for this test_fraction");
  }
  s.cutoff_time = cutoff;
  s.notes.push_back(
      "temporal split: cutoff time " + std::to_string(cutoff) + "; " + std::to_string(s.test.size()) +
      " test interactions (" + Percent(s.test.size(), n) +
      (s.test.size() > k ? ", more than " + std::to_string(k) + " because of ties at the cutoff" : "") + ")");
  return s;
}

Split LeaveLastSplit(const Dataset& data, const SplitSpec& spec) {
  const RowsByUser g = GroupByUser(data);
  const uint32_t num_users = static_cast<uint32_t>(g.start.size() - 1);
  const auto leave = static_cast<size_t>(spec.leave_last);
  const auto min_rows = static_cast<size_t>(std::max(spec.min_user_interactions, spec.leave_last + 1));
  const bool by_time = data.has_timestamps();
  std::vector<uint8_t> is_test(data.size(), 0);
  tbb::enumerable_thread_specific<std::vector<uint64_t>> buffers;
  tbb::parallel_for(
      tbb::blocked_range<uint32_t>(0, num_users, 512), [&](const tbb::blocked_range<uint32_t>& r) {
        std::vector<uint64_t>& rows = buffers.local();
        for (uint32_t u = r.begin(); u < r.end(); ++u) {
          const size_t n = g.start[u + 1] - g.start[u];
          if (n < min_rows) continue;
          rows.assign(g.rows.begin() + g.start[u], g.rows.begin() + g.start[u + 1]);
          if (by_time) {  // rows are in file order: a stable sort breaks time ties by it
            std::stable_sort(rows.begin(), rows.end(),
                             [&](uint64_t a, uint64_t b) { return data.timestamps[a] < data.timestamps[b]; });
          }
          for (size_t i = n - leave; i < n; ++i) is_test[rows[i]] = 1;
        }
      });
  Split s = FromMask(is_test);
  if (!by_time) {
    s.notes.push_back(
        "leave-last split: the dataset has no timestamps, so \"last\" means last in file order");
  }
  size_t kept_whole = 0;
  for (uint32_t u = 0; u < num_users; ++u) kept_whole += g.start[u + 1] - g.start[u] < min_rows;
  s.notes.push_back("leave-last split: the last " + std::to_string(leave) +
                    " of each user's interactions are test (" + std::to_string(s.test.size()) + " in all); " +
                    std::to_string(kept_whole) + " users with fewer than " + std::to_string(min_rows) +
                    " interactions stay in training");
  return s;
}

}  // namespace

Split MakeSplit(const Dataset& data, const SplitSpec& spec) {
  const auto& methods = MethodNames();
  if (std::find(methods.begin(), methods.end(), spec.method) == methods.end()) {
    throw Error(Where(spec, "method"), "unknown split method '" + spec.method + "'" +
                                           DidYouMean(spec.method, methods) +
                                           "; expected one of: " + Join(methods, ", "));
  }
  const bool uses_fraction = spec.method != "leave-last";
  if (uses_fraction && !(spec.test_fraction > 0 && spec.test_fraction < 1)) {
    char found[32];
    std::snprintf(found, sizeof found, "%g", spec.test_fraction);
    throw Error(Where(spec, "test_fraction"),
                std::string("split.test_fraction must be between 0 and 1 (exclusive), found ") + found);
  }
  if (spec.method == "leave-last" && spec.leave_last < 1) {
    throw Error(Where(spec, "leave_last"),
                "split.leave_last must be at least 1, found " + std::to_string(spec.leave_last));
  }
  if (spec.min_user_interactions < 0) {
    throw Error(Where(spec, "min_user_interactions"),
                "split.min_user_interactions must not be negative, found " +
                    std::to_string(spec.min_user_interactions));
  }
  if (data.size() == 0) throw Error(Where(spec, "method"), "cannot split a dataset without interactions");
  if (spec.method == "random") return RandomSplit(data, spec);
  if (spec.method == "temporal") return TemporalSplit(data, spec);
  return LeaveLastSplit(data, spec);
}

}  // namespace reclift::host
