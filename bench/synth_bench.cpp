// How fast the synthetic platform generates and writes a preset.
//
//   synth_bench [--preset ml-20m] [--seed 42] [--threads T] [--out DIR]
//
// Generates the preset (default ml-20m) with T threads (default: all),
// prints the time, rows/s and the dataset's memory; with --out also writes
// DIR/interactions.csv and DIR/items.csv and prints the write time and the
// file sizes. Also the way to regenerate the bundled sample:
//   synth_bench --preset sample --seed 42 --out datasets/sample
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "data/synth.h"
#include "util/error.h"
#include "util/memory.h"

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double Megabytes(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  reclift::host::SynthOptions options;
  options.preset = "ml-20m";
  int threads = tbb::info::default_concurrency();
  fs::path out;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    const bool has_value = a + 1 < argc;
    if (arg == "--preset" && has_value) {
      options.preset = argv[++a];
    } else if (arg == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++a], nullptr, 10);
    } else if (arg == "--threads" && has_value) {
      threads = std::atoi(argv[++a]);
    } else if (arg == "--out" && has_value) {
      out = argv[++a];
    } else {
      std::fprintf(stderr, "usage: synth_bench [--preset NAME] [--seed N] [--threads T] [--out DIR]\n");
      return 2;
    }
  }
  try {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      auto start = std::chrono::steady_clock::now();
      const reclift::host::Dataset d = reclift::host::GenerateSynthetic(options);
      const double generate = SecondsSince(start);
      std::printf("preset %s seed %llu threads %d: %u users, %u items, %zu interactions\n",
                  options.preset.c_str(), static_cast<unsigned long long>(options.seed), threads,
                  d.num_users(), d.num_items(), d.size());
      std::printf("generate: %.2f s (%.2f M rows/s), dataset %.0f MB, fingerprint %s\n", generate,
                  d.size() / generate / 1e6, Megabytes(static_cast<double>(d.MemoryBytes())),
                  d.fingerprint.c_str());
      if (!out.empty()) {
        start = std::chrono::steady_clock::now();
        reclift::host::WriteSyntheticDataset(d, out);
        const double write = SecondsSince(start);
        const auto interactions = fs::file_size(out / "interactions.csv"),
                   items = fs::file_size(out / "items.csv");
        std::printf("write: %.2f s (%.0f MB/s): interactions.csv %.2f MB, items.csv %.2f MB\n", write,
                    Megabytes(static_cast<double>(interactions + items)) / write,
                    Megabytes(static_cast<double>(interactions)), Megabytes(static_cast<double>(items)));
      }
      std::printf("peak resident set: %.0f MB\n",
                  Megabytes(static_cast<double>(reclift::host::PeakRssBytes())));
    });
  } catch (const reclift::host::Error& e) {
    std::fprintf(stderr, "synth_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
