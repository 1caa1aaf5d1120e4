#include "split/leakage.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "data/group_by.h"

namespace reclift::host {
namespace {

// Which sets a row is in; a broken split may put a row in several.
enum SetBit : uint8_t { kInTrain = 1, kInValidation = 2, kInTest = 4 };

constexpr uint64_t kNoRow = std::numeric_limits<uint64_t>::max();

SourceLocation Where(const SplitSpec& spec, const char* key) {
  auto it = spec.where.find(key);
  if (it != spec.where.end()) return it->second;
  it = spec.where.find("method");
  return it != spec.where.end() ? it->second : SourceLocation{};
}

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * share);
  return buf;
}

double Share(size_t part, size_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string UserName(const Dataset& data, uint32_t u) {
  return u < data.user_ids.size() ? "\"" + data.user_ids[u] + "\"" : "#" + std::to_string(u);
}

std::string ItemName(const Dataset& data, uint32_t i) {
  return i < data.item_ids.size() ? "\"" + data.item_ids[i] + "\"" : "#" + std::to_string(i);
}

std::string PairText(const Dataset& data, uint64_t row) {
  return "user " + UserName(data, data.users[row]) + ", item " + ItemName(data, data.items[row]);
}

// Pair overlaps, counted per user: for each of the three set pairs, how many
// rows of the later set share a (user, item) pair with the earlier set, and
// the first such row (lowest index, so the example is stable).
struct Overlaps {
  size_t count[3] = {0, 0, 0};  // train-test, train-validation, validation-test
  uint64_t first[3] = {kNoRow, kNoRow, kNoRow};

  void Add(int kind, uint64_t row) {
    ++count[kind];
    first[kind] = std::min(first[kind], row);
  }
  void Merge(const Overlaps& o) {
    for (int k = 0; k < 3; ++k) {
      count[k] += o.count[k];
      first[k] = std::min(first[k], o.first[k]);
    }
  }
};

Overlaps CountOverlaps(const Dataset& data, const std::vector<uint8_t>& sets) {
  uint32_t num_users = data.num_users();
  for (uint32_t u : data.users) num_users = std::max(num_users, u + 1);
  const Grouped<uint64_t> g = GroupByKey<uint64_t>(data.users, num_users);
  struct Scratch {
    std::vector<uint32_t> train, validation;
    Overlaps overlaps;
  };
  // counts are sums and firsts are minima: the same for any partition of users
  tbb::enumerable_thread_specific<Scratch> scratch;
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, num_users, 512),
                    [&](const tbb::blocked_range<uint32_t>& r) {
                      Scratch& s = scratch.local();
                      for (uint32_t u = r.begin(); u < r.end(); ++u) {
                        s.train.clear();
                        s.validation.clear();
                        for (uint64_t p = g.start[u]; p < g.start[u + 1]; ++p) {
                          const uint64_t row = g.rows[p];
                          if (sets[row] & kInTrain) s.train.push_back(data.items[row]);
                          if (sets[row] & kInValidation) s.validation.push_back(data.items[row]);
                        }
                        std::sort(s.train.begin(), s.train.end());
                        std::sort(s.validation.begin(), s.validation.end());
                        auto in = [](const std::vector<uint32_t>& items, uint32_t item) {
                          return std::binary_search(items.begin(), items.end(), item);
                        };
                        for (uint64_t p = g.start[u]; p < g.start[u + 1]; ++p) {
                          const uint64_t row = g.rows[p];
                          const uint32_t item = data.items[row];
                          if ((sets[row] & kInTest) && in(s.train, item)) s.overlaps.Add(0, row);
                          if ((sets[row] & kInValidation) && in(s.train, item)) s.overlaps.Add(1, row);
                          if ((sets[row] & kInTest) && in(s.validation, item)) s.overlaps.Add(2, row);
                        }
                      }
                    });
  Overlaps total;
  for (const Scratch& s : scratch) total.Merge(s.overlaps);
  return total;
}

void MarkSet(const Dataset& data, const std::vector<uint64_t>& rows, SetBit bit, const char* name,
             std::vector<uint8_t>& sets) {
  for (uint64_t r : rows) {
    if (r >= data.size()) {
      throw Error("the " + std::string(name) + " split names interaction " + std::to_string(r) +
                  ", but the dataset has " + std::to_string(data.size()));
    }
    sets[r] |= bit;
  }
}

void AddOverlapFindings(const Dataset& data, const Split& split, LeakageReport& report) {
  std::vector<uint8_t> sets(data.size(), 0);
  MarkSet(data, split.train, kInTrain, "train", sets);
  MarkSet(data, split.validation, kInValidation, "validation", sets);
  MarkSet(data, split.test, kInTest, "test", sets);
  const Overlaps o = CountOverlaps(data, sets);
  struct Kind {
    const char* kind;
    const char* counted;  // the set whose rows were counted
    const char* other;
    size_t counted_size;
    const char* consequence;
  };
  const Kind kinds[3] = {
      {"train-test-overlap", "test", "training", split.test.size(), "the model has seen the answers"},
      {"train-validation-overlap", "validation", "training", split.validation.size(),
       "tuning rewards memorising training"},
      {"validation-test-overlap", "test", "validation", split.test.size(),
       "tuning has seen the test answers"},
  };
  for (int k = 0; k < 3; ++k) {
    if (o.count[k] == 0) continue;
    LeakageFinding f;
    f.kind = kinds[k].kind;
    f.count = o.count[k];
    f.share = Share(o.count[k], kinds[k].counted_size);
    f.example = PairText(data, o.first[k]);
    const bool one = f.count == 1;
    f.message = std::to_string(f.count) + " " + kinds[k].counted +
                (one ? " interaction (" : " interactions (") + Percent(*f.share) +
                (one ? ") shares its" : ") share their") + " (user, item) pair with " + kinds[k].other +
                " interactions, so " + kinds[k].consequence + " (e.g. " + f.example +
                "); the data repeats pairs or the split is not a partition";
    report.findings.push_back(std::move(f));
  }
}

void AddFutureFinding(const Dataset& data, const Split& split, const SplitSpec& spec, LeakageReport& report) {
  if (!data.has_timestamps() || split.test.empty() || split.train.empty()) return;
  std::vector<int64_t> test_times(split.test.size());
  for (size_t i = 0; i < split.test.size(); ++i) test_times[i] = data.timestamps[split.test[i]];
  // the lower median: with two test times, the earlier
  const auto mid = static_cast<ptrdiff_t>((test_times.size() - 1) / 2);
  std::nth_element(test_times.begin(), test_times.begin() + mid, test_times.end());
  const int64_t median = test_times[mid];
  const int64_t earliest = *std::min_element(test_times.begin(), test_times.begin() + mid + 1);
  size_t after_median = 0, after_earliest = 0;
  uint64_t latest = split.train.front();
  for (uint64_t r : split.train) {
    const int64_t t = data.timestamps[r];
    after_median += t > median;
    after_earliest += t > earliest;
    if (t > data.timestamps[latest]) latest = r;  // ties keep the lowest row
  }
  if (after_median == 0) return;
  LeakageFinding f;
  f.kind = "future-leakage";
  f.count = after_median;
  f.share = Share(after_median, split.train.size());
  f.example = PairText(data, latest) + " at time " + std::to_string(data.timestamps[latest]) +
              " (training), after the median test time " + std::to_string(median);
  const std::string figures = Percent(*f.share) + " of training interactions (" +
                              std::to_string(after_median) + " of " + std::to_string(split.train.size()) +
                              ") are later than the median test interaction (time " + std::to_string(median) +
                              "), " + Percent(Share(after_earliest, split.train.size())) +
                              " later than the earliest (time " + std::to_string(earliest) + ")";
  if (spec.method == "temporal") {
    f.message = "the split does not respect time: " + figures;
  } else {
    f.message = "split method \"" + spec.method +
                "\" holds out interactions per user, so training reaches into the test period: " + figures +
                "; a model can learn from the future of what it is tested on. Use method = \"temporal\" to "
                "evaluate time-sensitive models";
  }
  report.findings.push_back(std::move(f));
}

void AddTuningFinding(const Split& split, size_t largest_grid_arms, LeakageReport& report) {
  if (largest_grid_arms < 2 || !split.validation.empty()) return;
  LeakageFinding f;
  f.kind = "tuning-on-test";
  f.count = largest_grid_arms;
  f.example = "a grid of " + std::to_string(largest_grid_arms) + " arms, no validation split";
  f.message = std::to_string(largest_grid_arms) +
              " arms come from one grid and there is no validation split: the grid point that looks best "
              "on the test split overstates how well it does on new data; set split.validation_fraction "
              "(e.g. 0.1) and choose on the validation split";
  report.findings.push_back(std::move(f));
}

}  // namespace

LeakageReport CheckLeakage(const Dataset& data, const Split& split, const SplitSpec& spec,
                           size_t largest_grid_arms) {
  LeakageReport report;
  AddOverlapFindings(data, split, report);
  AddFutureFinding(data, split, spec, report);
  AddTuningFinding(split, largest_grid_arms, report);
  return report;
}

nlohmann::json LeakageJson(const LeakageReport& report) {
  nlohmann::json out = nlohmann::json::array();
  for (const LeakageFinding& f : report.findings) {
    out.push_back({{"kind", f.kind},
                   {"count", f.count},
                   {"share", f.share ? nlohmann::json(*f.share) : nlohmann::json(nullptr)},
                   {"example", f.example},
                   {"message", f.message}});
  }
  return out;
}

void EnforceLeakagePolicy(const LeakageReport& report, const SplitSpec& spec) {
  if (spec.leakage != "warn" && spec.leakage != "error") {
    throw Error(Where(spec, "leakage"),
                "split.leakage must be \"warn\" or \"error\", found \"" + spec.leakage + "\"");
  }
  if (spec.leakage == "warn" || report.clean()) return;
  // appends, not `"(" + std::to_string(...)`: GCC 12 warns falsely (-Wrestrict) about the latter
  const size_t n = report.findings.size();
  std::string message = "split.leakage = \"error\" and the leakage check found ";
  message.append(std::to_string(n)).append(n == 1 ? " problem: " : " problems: ");
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) message.append("; ");
    message.append("(").append(std::to_string(i + 1)).append(") ");
    message.append(report.findings[i].kind).append(": ").append(report.findings[i].message);
  }
  throw Error(Where(spec, "leakage"), message);
}

}  // namespace reclift::host
