#include "split/split.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include "data/group_by.h"
#include "data/hash.h"
#include "util/text.h"

namespace reclift::host {
namespace {

const std::vector<std::string>& MethodNames() {
  static const std::vector<std::string> kNames = {"random",     "kfold",         "temporal",
                                                  "leave-last", "leave-one-out", "files"};
  return kNames;
}

// Where each row goes; one byte per interaction.
// kUnused: a row of another fold's files (method = "files") that this split leaves out
enum Label : uint8_t { kTrain = 0, kTest = 1, kValidation = 2, kUnused = 3 };

// Salts of the per-user streams, so that the test draw, the fold deal, the
// leave-one-out pick and the validation draw of one user are independent.
// The random split's salt is 0: its holdouts are those of earlier versions.
constexpr uint64_t kRandomSalt = 0;
constexpr uint64_t kKFoldSalt = 0x6B666F6C64000000ULL;
constexpr uint64_t kLeaveOneOutSalt = 0x6C6F6F0000000000ULL;
constexpr uint64_t kValidationSalt = 0x76616C6964000000ULL;

SourceLocation Where(const SplitSpec& spec, const char* key) {
  auto it = spec.where.find(key);
  if (it != spec.where.end()) return it->second;
  it = spec.where.find("method");  // the [split] table at least
  return it != spec.where.end() ? it->second : SourceLocation{};
}

std::string Number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
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

// The stream is keyed by the original user id: a user's draw does not change
// when other users are added or the file is reordered.
Stream UserStream(const Dataset& data, const SplitSpec& spec, uint32_t u, uint64_t salt) {
  const uint64_t key = u < data.user_ids.size() ? LegacyStringHash(data.user_ids[u]) : Mix64(u);
  return Stream(Mix64(spec.seed ^ key) ^ salt);
}

// Row indices grouped by user, in file order within each user.
struct RowsByUser {
  std::vector<uint64_t> start;  // num_users + 1
  std::vector<uint64_t> rows;

  uint32_t num_users() const { return static_cast<uint32_t>(start.size() - 1); }
  size_t size(uint32_t u) const { return start[u + 1] - start[u]; }
};

RowsByUser GroupByUser(const Dataset& data) {
  // a hand-built dataset may leave user_ids empty: size by the largest id
  uint32_t num_users = data.num_users();
  for (uint32_t u : data.users) num_users = std::max(num_users, u + 1);
  Grouped<uint64_t> g = GroupByKey<uint64_t>(data.users, num_users);
  return RowsByUser{std::move(g.start), std::move(g.rows)};
}

// Calls per_user(u, rows) for every user in parallel, rows being a scratch
// copy of the user's row indices in file order that per_user may reorder.
// per_user may only write the labels of its own user's rows.
template <class PerUser>
void ForEachUser(const RowsByUser& g, PerUser per_user) {
  tbb::enumerable_thread_specific<std::vector<uint64_t>> buffers;
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, g.num_users(), 512),
                    [&](const tbb::blocked_range<uint32_t>& r) {
                      std::vector<uint64_t>& rows = buffers.local();
                      for (uint32_t u = r.begin(); u < r.end(); ++u) {
                        rows.assign(g.rows.begin() + g.start[u], g.rows.begin() + g.start[u + 1]);
                        per_user(u, rows);
                      }
                    });
}

// rows by timestamp; rows come in file order, so a stable sort breaks ties by it
void SortByTime(const Dataset& data, std::vector<uint64_t>& rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [&](uint64_t a, uint64_t b) { return data.timestamps[a] < data.timestamps[b]; });
}

// Moves k uniformly drawn rows to the front (partial Fisher-Yates).
void DrawToFront(std::vector<uint64_t>& rows, size_t k, Stream& stream) {
  const size_t n = rows.size();
  for (size_t i = 0; i < k; ++i) std::swap(rows[i], rows[i + stream.Below(n - i)]);
}

// round(fraction * n), but at least one and never all
size_t HoldoutCount(double fraction, size_t n) {
  const auto k = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
  return std::clamp<size_t>(k, 1, n - 1);
}

size_t UsersBelow(const RowsByUser& g, size_t min_rows) {
  size_t users = 0;
  for (uint32_t u = 0; u < g.num_users(); ++u) users += g.size(u) < min_rows;
  return users;
}

Split FromLabels(const std::vector<uint8_t>& labels) {
  Split s;
  size_t count[4] = {0, 0, 0, 0};
  for (uint8_t l : labels) ++count[l];
  s.train.reserve(count[kTrain]);
  s.test.reserve(count[kTest]);
  s.validation.reserve(count[kValidation]);
  for (uint64_t r = 0; r < labels.size(); ++r) {
    if (labels[r] == kUnused) continue;
    (labels[r] == kTrain ? s.train : labels[r] == kTest ? s.test : s.validation).push_back(r);
  }
  return s;
}

std::string Percent(size_t part, size_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / whole : 0.0);
  return buf;
}

size_t MinRows(const SplitSpec& spec) {
  return static_cast<size_t>(std::max(2, spec.min_user_interactions));
}

std::string KeptWholeNote(const RowsByUser& g, size_t min_rows) {
  return std::to_string(UsersBelow(g, min_rows)) + " users with fewer than " + std::to_string(min_rows) +
         " interactions stay in training";
}

// ------------------------------------------------------------ test holdouts

std::string RandomHoldout(const Dataset& data, const SplitSpec& spec, const RowsByUser& g,
                          std::vector<uint8_t>& labels) {
  const size_t min_rows = MinRows(spec);
  ForEachUser(g, [&](uint32_t u, std::vector<uint64_t>& rows) {
    if (rows.size() < min_rows) return;
    Stream stream = UserStream(data, spec, u, kRandomSalt);
    const size_t k = HoldoutCount(spec.test_fraction, rows.size());
    DrawToFront(rows, k, stream);  // the first k are a uniform sample
    for (size_t i = 0; i < k; ++i) labels[rows[i]] = kTest;
  });
  return "; " + KeptWholeNote(g, min_rows);
}

std::string KFoldHoldout(const Dataset& data, const SplitSpec& spec, const RowsByUser& g,
                         std::vector<uint8_t>& labels) {
  const size_t min_rows = MinRows(spec);
  const auto folds = static_cast<size_t>(spec.folds);
  const auto fold = static_cast<size_t>(spec.fold);
  ForEachUser(g, [&](uint32_t u, std::vector<uint64_t>& rows) {
    if (rows.size() < min_rows) return;
    // the deal does not depend on `fold`, so the folds of one seed partition
    // each user's interactions
    Stream stream = UserStream(data, spec, u, kKFoldSalt);
    DrawToFront(rows, rows.size() - 1, stream);  // a uniform shuffle
    // a random first fold spreads the remainder (and users with fewer
    // interactions than folds) evenly over the folds
    const size_t first = stream.Below(folds);
    for (size_t i = 0; i < rows.size(); ++i) {
      if ((i + first) % folds == fold) labels[rows[i]] = kTest;
    }
  });
  size_t partial = 0;  // users split, but test in only some folds
  for (uint32_t u = 0; u < g.num_users(); ++u) partial += g.size(u) >= min_rows && g.size(u) < folds;
  std::string note = "; " + KeptWholeNote(g, min_rows);
  if (partial > 0) {
    note += "; " + std::to_string(partial) + " users with fewer interactions than folds (" +
            std::to_string(folds) + ") are test in only some folds";
  }
  return note;
}

std::string LeaveLastHoldout(const Dataset& data, const SplitSpec& spec, const RowsByUser& g,
                             std::vector<uint8_t>& labels) {
  const auto leave = static_cast<size_t>(spec.leave_last);
  const auto min_rows = static_cast<size_t>(std::max(spec.min_user_interactions, spec.leave_last + 1));
  ForEachUser(g, [&](uint32_t, std::vector<uint64_t>& rows) {
    if (rows.size() < min_rows) return;
    if (data.has_timestamps()) SortByTime(data, rows);
    for (size_t i = rows.size() - leave; i < rows.size(); ++i) labels[rows[i]] = kTest;
  });
  return "; " + KeptWholeNote(g, min_rows);
}

std::string LeaveOneOutHoldout(const Dataset& data, const SplitSpec& spec, const RowsByUser& g,
                               std::vector<uint8_t>& labels) {
  const size_t min_rows = MinRows(spec);
  ForEachUser(g, [&](uint32_t u, std::vector<uint64_t>& rows) {
    if (rows.size() < min_rows) return;
    if (data.has_timestamps()) {
      SortByTime(data, rows);
      labels[rows.back()] = kTest;
    } else {
      Stream stream = UserStream(data, spec, u, kLeaveOneOutSalt);
      labels[rows[stream.Below(rows.size())]] = kTest;
    }
  });
  return "; " + KeptWholeNote(g, min_rows);
}

// Returns the cutoff: the timestamp of the k-th latest of `rows`, k =
// round(fraction * n). Throws when every row would be at or after it.
int64_t TemporalCutoff(const Dataset& data, const SplitSpec& spec, std::span<const uint64_t> rows,
                       double fraction, const char* key, const std::string& what) {
  const size_t n = rows.size();
  if (n < 2)
    throw Error(Where(spec, key), what + " needs at least 2 interactions to cut, found " + std::to_string(n));
  const size_t k = HoldoutCount(fraction, n);
  std::vector<int64_t> times(n);
  for (size_t i = 0; i < n; ++i) times[i] = data.timestamps[rows[i]];
  std::nth_element(times.begin(), times.begin() + static_cast<ptrdiff_t>(n - k), times.end());
  const int64_t cutoff = times[n - k];
  bool any_before = false;
  for (uint64_t r : rows) any_before = any_before || data.timestamps[r] < cutoff;
  if (!any_before) {
    throw Error(Where(spec, key),
                what + ": every interaction is at or after the cutoff time " + std::to_string(cutoff) +
                    " (the earliest timestamp), so nothing is left for training; the timestamps are too "
                    "coarse for this " +
                    key);
  }
  return cutoff;
}

void RequireTimestamps(const Dataset& data, const SplitSpec& spec) {
  if (!data.has_timestamps()) {
    throw Error(Where(spec, "method"),
                "split method \"temporal\" needs timestamps, but the dataset has none (set "
                "dataset.timestamp_column); \"random\", \"kfold\", \"leave-last\" and \"leave-one-out\" "
                "work without");
  }
}

// ------------------------------------------------------------ validation

// Moves validation_fraction of each user's training rows to validation: a
// random draw, or the latest ones (by time, then file order).
void CarvePerUserValidation(const Dataset& data, const SplitSpec& spec, const RowsByUser& g, bool latest,
                            std::vector<uint8_t>& labels) {
  const size_t min_rows = MinRows(spec);
  ForEachUser(g, [&](uint32_t u, std::vector<uint64_t>& rows) {
    // only this user's training rows (test labels were set by this user's own holdout)
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](uint64_t r) { return labels[r] != kTrain; }),
               rows.end());
    if (rows.size() < min_rows) return;
    const size_t k = HoldoutCount(spec.validation_fraction, rows.size());
    if (latest) {
      if (data.has_timestamps()) SortByTime(data, rows);
      for (size_t i = rows.size() - k; i < rows.size(); ++i) labels[rows[i]] = kValidation;
    } else {
      Stream stream = UserStream(data, spec, u, kValidationSalt);
      DrawToFront(rows, k, stream);
      for (size_t i = 0; i < k; ++i) labels[rows[i]] = kValidation;
    }
  });
}

}  // namespace

Split MakeSplit(const Dataset& data, const SplitSpec& spec) {
  const auto& methods = MethodNames();
  if (std::find(methods.begin(), methods.end(), spec.method) == methods.end()) {
    throw Error(Where(spec, "method"), "unknown split method '" + spec.method + "'" +
                                           DidYouMean(spec.method, methods) +
                                           "; expected one of: " + Join(methods, ", "));
  }
  const bool uses_fraction = spec.method == "random" || spec.method == "temporal";
  if (uses_fraction && !(spec.test_fraction > 0 && spec.test_fraction < 1)) {
    throw Error(
        Where(spec, "test_fraction"),
        "split.test_fraction must be between 0 and 1 (exclusive), found " + Number(spec.test_fraction));
  }
  if (spec.method == "leave-last" && spec.leave_last < 1) {
    throw Error(Where(spec, "leave_last"),
                "split.leave_last must be at least 1, found " + std::to_string(spec.leave_last));
  }
  if (spec.method == "kfold") {
    if (spec.folds < 2) {
      throw Error(Where(spec, "folds"),
                  "split.folds must be at least 2, found " + std::to_string(spec.folds));
    }
    if (spec.fold < 0 || spec.fold >= spec.folds) {
      throw Error(Where(spec, "fold"), "split.fold must be in [0, " + std::to_string(spec.folds - 1) +
                                           "] (0-based, below folds = " + std::to_string(spec.folds) +
                                           "), found " + std::to_string(spec.fold));
    }
  }
  if (!(spec.validation_fraction >= 0 && spec.validation_fraction < 1)) {
    throw Error(Where(spec, "validation_fraction"),
                "split.validation_fraction must be in [0, 1) (0 = no validation split), found " +
                    Number(spec.validation_fraction));
  }
  if (spec.min_user_interactions < 0) {
    throw Error(Where(spec, "min_user_interactions"),
                "split.min_user_interactions must not be negative, found " +
                    std::to_string(spec.min_user_interactions));
  }
  if (data.size() == 0) throw Error(Where(spec, "method"), "cannot split a dataset without interactions");

  const size_t n = data.size();
  std::vector<uint8_t> labels(n, kTrain);
  std::string detail;          // the method's own note, after the test count
  std::string validation_how;  // how validation was carved, for its note
  int64_t cutoff = 0, validation_cutoff = 0;
  if (spec.method == "temporal") {
    RequireTimestamps(data, spec);
    std::vector<uint64_t> all(n);
    for (uint64_t r = 0; r < n; ++r) all[r] = r;
    cutoff = TemporalCutoff(data, spec, all, spec.test_fraction, "test_fraction", "temporal split");
    for (uint64_t r = 0; r < n; ++r) labels[r] = data.timestamps[r] >= cutoff ? kTest : kTrain;
    const size_t expected = HoldoutCount(spec.test_fraction, n);
    size_t tests = 0;
    for (uint8_t l : labels) tests += l == kTest;
    detail = "; cutoff time " + std::to_string(cutoff);
    if (tests > expected)
      detail += "; more than " + std::to_string(expected) + " because of ties at the cutoff";
    if (spec.validation_fraction > 0) {
      std::vector<uint64_t> train;
      for (uint64_t r = 0; r < n; ++r) {
        if (labels[r] == kTrain) train.push_back(r);
      }
      validation_cutoff = TemporalCutoff(data, spec, train, spec.validation_fraction, "validation_fraction",
                                         "temporal validation split");
      for (uint64_t r : train) {
        if (data.timestamps[r] >= validation_cutoff) labels[r] = kValidation;
      }
      validation_how = "the training interactions at or after time " + std::to_string(validation_cutoff);
    }
  } else if (spec.method == "files") {
    if (data.predefined_splits.empty()) {
      throw Error(Where(spec, "method"),
                  "split method \"files\" needs a dataset read from split files (split.train, split.test)");
    }
    if (spec.fold < 0 || static_cast<size_t>(spec.fold) >= data.predefined_splits.size()) {
      throw Error(Where(spec, "folds"), "split files: no split " + std::to_string(spec.fold) +
                                            " (there are " + std::to_string(data.predefined_splits.size()) +
                                            ")");
    }
    const PredefinedSplit& p = data.predefined_splits[static_cast<size_t>(spec.fold)];
    std::fill(labels.begin(), labels.end(), kUnused);
    for (uint64_t r : p.train) labels[r] = kTrain;
    for (uint64_t r : p.validation) labels[r] = kValidation;
    for (uint64_t r : p.test) labels[r] = kTest;  // a leaked pair (leakage = "warn") is test
    for (const std::string& note : p.notes) detail += "; " + note;
    if (!p.validation.empty()) {
      validation_how = "the split's validation file";
    } else if (spec.validation_fraction > 0) {
      // no validation file: a per-user random share of the training file
      CarvePerUserValidation(data, spec, GroupByUser(data), false, labels);
      validation_how =
          "a random " + Number(spec.validation_fraction) + " of each user's training interactions";
    }
  } else {
    const RowsByUser g = GroupByUser(data);
    if (spec.method == "random") detail = RandomHoldout(data, spec, g, labels);
    if (spec.method == "kfold") detail = KFoldHoldout(data, spec, g, labels);
    if (spec.method == "leave-last") detail = LeaveLastHoldout(data, spec, g, labels);
    if (spec.method == "leave-one-out") detail = LeaveOneOutHoldout(data, spec, g, labels);
    if (spec.validation_fraction > 0) {
      // the validation split follows the test split's idea of "held out"
      const bool latest =
          spec.method == "leave-last" || (spec.method == "leave-one-out" && data.has_timestamps());
      CarvePerUserValidation(data, spec, g, latest, labels);
      validation_how = (latest ? "the latest " : "a random ") + Number(spec.validation_fraction) +
                       " of each user's training interactions";
    }
  }

  Split s = FromLabels(labels);
  s.cutoff_time = cutoff;
  s.validation_cutoff_time = validation_cutoff;
  std::string what = spec.method + " split";
  if (spec.method == "kfold") {
    what += " (fold " + std::to_string(spec.fold) + " of 0.." + std::to_string(spec.folds - 1) + ")";
  }
  if (spec.method == "leave-last") what += " (last " + std::to_string(spec.leave_last) + " per user)";
  if (spec.method == "files") {
    s.notes.push_back(what + ": " + std::to_string(s.test.size()) + " test interactions" + detail);
  } else {
    s.notes.push_back(what + ": " + std::to_string(s.test.size()) + " test interactions (" +
                      Percent(s.test.size(), n) + ")" + detail);
  }
  if (!data.has_timestamps() && spec.method == "leave-last") {
    s.notes.push_back(
        "leave-last split: the dataset has no timestamps, so \"last\" means last in file order");
  }
  if (!data.has_timestamps() && spec.method == "leave-one-out") {
    s.notes.push_back(
        "leave-one-out split: the dataset has no timestamps, so each user's held-out interaction is "
        "drawn at random");
  }
  if (!validation_how.empty()) {
    s.notes.push_back("validation split: " + std::to_string(s.validation.size()) + " interactions (" +
                      Percent(s.validation.size(), s.train.size() + s.validation.size()) + " of training), " +
                      validation_how + "; test untouched");
  }
  if (spec.validation_into_train && !s.validation.empty()) {
    s.notes.push_back("validation split merged back into training: " + std::to_string(s.validation.size()) +
                      " interactions (tuned arms are refitted on the whole training split)");
    s.train = TrainAndValidation(s);
    s.validation.clear();
  }
  return s;
}

std::vector<int> FoldsToRun(const SplitSpec& spec) {
  if (spec.method == "files") {
    // one cell per predefined split (split.folds), each its own fold index
    std::vector<int> folds;
    for (int f = 0; f < std::max(1, spec.folds); ++f) folds.push_back(f);
    return folds;
  }
  if (spec.method != "kfold") return {0};
  if (spec.single_fold) return {spec.fold};
  std::vector<int> folds;
  for (int f = 0; f < spec.folds; ++f) folds.push_back(f);
  return folds;
}

std::vector<uint64_t> TrainAndValidation(const Split& split) {
  std::vector<uint64_t> merged;
  merged.reserve(split.train.size() + split.validation.size());
  std::merge(split.train.begin(), split.train.end(), split.validation.begin(), split.validation.end(),
             std::back_inserter(merged));
  return merged;
}

}  // namespace reclift::host
