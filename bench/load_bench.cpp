// How fast a big ratings file loads, and how much memory it takes.
//
//   load_bench [file] [--rows N] [--threads T] [--repeat R] [--verbose] [--train]
//
// Writes `file` (default /tmp/reclift-bench/ratings-20m.csv) when it does not
// exist: N rows (default 20 million) of user,item,rating,timestamp with
// integer ids, shaped like MovieLens 20M (~138k users with heavy-tailed
// activity, ~27k items with Zipf popularity, half-star ratings, rows grouped
// by user). Then loads it R times (default 3) with T threads (default 2) and
// prints the best time as MB/s and rows/s, the CPU time, the final
// Dataset::MemoryBytes, the peak resident set during the loads, and
// peak / final. --verbose logs the time of each phase of every load.
// --train also builds, inside the timed load, the training matrices a run's
// cell builds (OwnedTrainData: user-major CSR and item-major CSC of item /
// user, value, timestamp) from every interaction, and counts them in the
// final memory: the whole path from the file to what a plugin's Fit reads.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "reclift/owned_train_data.h"

namespace fs = std::filesystem;
using reclift::host::Dataset;
using reclift::host::DatasetSpec;
using reclift::host::LoadDataset;
using reclift::host::LoadReport;

namespace {

class Random {  // splitmix64: fast and good enough for test data
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

void WriteRatings(const fs::path& path, uint64_t rows) {
  constexpr uint32_t kUsers = 138493, kItems = 27278;
  constexpr int64_t kFirstTime = 789652009, kLastTime = 1427784002;  // MovieLens 20M's span
  Random random(20240301);

  // item popularity ~ 1 / rank^0.9, sampled through its cumulative table
  std::vector<double> cumulative(kItems);
  double total = 0;
  for (uint32_t i = 0; i < kItems; ++i) cumulative[i] = total += 1.0 / std::pow(i + 1.0, 0.9);
  // item ids are a fixed shuffle of 1..kItems, so popular items are not all small numbers
  std::vector<uint32_t> item_id(kItems);
  for (uint32_t i = 0; i < kItems; ++i) item_id[i] = i + 1;
  for (uint32_t i = kItems - 1; i > 0; --i) std::swap(item_id[i], item_id[random.Next() % (i + 1)]);

  // user activity: at least 20 ratings, heavy tail, scaled to `rows` in all
  std::vector<double> weight(kUsers);
  double weight_sum = 0;
  for (uint32_t u = 0; u < kUsers; ++u)
    weight_sum += weight[u] = 1.0 / std::pow(1.0 - random.Uniform() * 0.999, 0.8);
  std::vector<uint64_t> count(kUsers);
  uint64_t assigned = 0;
  for (uint32_t u = 0; u < kUsers; ++u) {
    count[u] = std::min<uint64_t>(kItems / 3, static_cast<uint64_t>(weight[u] / weight_sum * rows));
    assigned += count[u];
  }
  for (uint32_t u = 0; assigned < rows; u = (u + 1) % kUsers) {  // spread the rounding remainder
    if (count[u] < kItems / 3) {
      ++count[u];
      ++assigned;
    }
  }

  fs::create_directories(path.parent_path());
  const fs::path temporary = path.string() + ".tmp";
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  if (out == nullptr) {
    std::perror(temporary.c_str());
    std::exit(1);
  }
  std::vector<char> buffer(size_t{16} << 20);
  size_t used = 0;
  auto flush = [&] {
    std::fwrite(buffer.data(), 1, used, out);
    used = 0;
  };
  auto put_number = [&](uint64_t v) {
    used = static_cast<size_t>(std::to_chars(buffer.data() + used, buffer.data() + buffer.size(), v).ptr -
                               buffer.data());
  };
  const char header[] = "user,item,rating,timestamp\n";
  std::memcpy(buffer.data(), header, sizeof header - 1);
  used = sizeof header - 1;
  std::vector<uint32_t> seen_by(kItems, UINT32_MAX);
  for (uint32_t u = 0; u < kUsers; ++u) {
    for (uint64_t k = 0; k < count[u]; ++k) {
      uint32_t rank;
      do {  // distinct items per user: no duplicate pairs
        const double x = random.Uniform() * total;
        rank = static_cast<uint32_t>(std::lower_bound(cumulative.begin(), cumulative.end(), x) -
                                     cumulative.begin());
        rank = std::min(rank, kItems - 1);
      } while (seen_by[rank] == u);
      seen_by[rank] = u;
      const uint64_t half_stars = 1 + random.Next() % 10;  // 0.5 .. 5.0
      if (buffer.size() - used < 64) flush();
      put_number(u + 1);
      buffer[used++] = ',';
      put_number(item_id[rank]);
      buffer[used++] = ',';
      buffer[used++] = static_cast<char>('0' + half_stars / 2);
      buffer[used++] = '.';
      buffer[used++] = half_stars % 2 ? '5' : '0';
      buffer[used++] = ',';
      put_number(
          static_cast<uint64_t>(kFirstTime + static_cast<int64_t>(random.Next() % (kLastTime - kFirstTime))));
      buffer[used++] = '\n';
    }
  }
  flush();
  if (std::fclose(out) != 0) {
    std::perror(temporary.c_str());
    std::exit(1);
  }
  fs::rename(temporary, path);
}

// Peak resident set size (VmHWM) in bytes.
size_t PeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

// CPU seconds used by the process so far (user + system, all threads).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Starts a new peak from the current resident set (Linux: clear_refs 5).
void ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

}  // namespace

int main(int argc, char** argv) {
  fs::path path = "/tmp/reclift-bench/ratings-20m.csv";
  uint64_t rows = 20'000'000;
  int threads = 2, repeat = 3;
  bool train = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rows" && i + 1 < argc) {
      rows = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--verbose") {
      spdlog::set_level(spdlog::level::debug);
    } else if (arg == "--train") {
      train = true;
    } else if (arg == "-h" || arg == "--help") {
      std::printf("usage: %s [file] [--rows N] [--threads T] [--repeat R] [--verbose] [--train]\n", argv[0]);
      return 0;
    } else {
      path = arg;
    }
  }
  if (!fs::exists(path)) {
    std::printf("writing %llu rows to %s ...\n", static_cast<unsigned long long>(rows), path.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    WriteRatings(path, rows);
    std::printf("  done in %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double file_mb = static_cast<double>(fs::file_size(path)) / 1e6;

  DatasetSpec spec;
  spec.format = "csv";
  spec.interactions = path;
  spec.user_column = "user";
  spec.item_column = "item";
  spec.value_column = "rating";
  spec.timestamp_column = "timestamp";

  tbb::task_arena arena(threads);
  ResetPeakRss();
  double best = 1e300, best_cpu = 1e300;
  size_t interactions = 0, final_bytes = 0;
  std::string fingerprint;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    LoadReport report;
    const Dataset d = arena.execute([&] { return LoadDataset(spec, &report); });
    size_t train_bytes = 0;
    if (train) {
      const reclift::OwnedTrainData t = arena.execute([&] {
        return reclift::OwnedTrainData::Build(d.num_users(), d.num_items(), d.users, d.items, d.values,
                                              d.timestamps, d.explicit_feedback);
      });
      for (const reclift::SparseView& m : {t.view().by_user, t.view().by_item}) {
        train_bytes += m.indptr.size_bytes() + m.indices.size_bytes() + m.values.size_bytes() +
                       m.timestamps.size_bytes();
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = CpuSeconds() - cpu0;
    best = std::min(best, seconds);
    best_cpu = std::min(best_cpu, cpu);
    interactions = d.size();
    final_bytes = d.MemoryBytes() + train_bytes;
    if (!fingerprint.empty() && fingerprint != d.fingerprint) {
      std::printf("fingerprint changed between runs: %s vs %s\n", fingerprint.c_str(), d.fingerprint.c_str());
      return 1;
    }
    fingerprint = d.fingerprint;
    std::printf("run %d: %.3f s wall, %.3f s cpu (%zu users, %zu items, %zu interactions)\n", r + 1, seconds,
                cpu, static_cast<size_t>(d.num_users()), static_cast<size_t>(d.num_items()), d.size());
  }
  const size_t peak = PeakRss();
  std::printf("file:          %s (%.1f MB)\n", path.c_str(), file_mb);
  std::printf("threads:       %d\n", threads);
  std::printf("best of %d:     %.3f s\n", repeat, best);
  std::printf("throughput:    %.0f MB/s, %.2f M rows/s\n", file_mb / best,
              static_cast<double>(interactions) / best / 1e6);
  // on a shared machine wall time includes waiting for a core; CPU time does
  // not: with T threads fully busy the load cannot take less than cpu / T
  std::printf("cpu time:      %.3f s (best run; %.0f MB/s per core-second)\n", best_cpu, file_mb / best_cpu);
  std::printf("final memory:  %.1f MB (Dataset::MemoryBytes%s)\n", static_cast<double>(final_bytes) / 1e6,
              train ? " + the CSR/CSC training matrices" : "");
  std::printf("peak RSS:      %.1f MB (VmHWM during the loads)\n", static_cast<double>(peak) / 1e6);
  std::printf("peak / final:  %.2f\n", static_cast<double>(peak) / static_cast<double>(final_bytes));
  std::printf("fingerprint:   %s\n", fingerprint.c_str());
  return 0;
}
