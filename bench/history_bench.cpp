// Speed of the run history: indexing a run (one transaction of its arms and
// metrics) into reports/reclift.db-like databases, and `reclift history`'s
// query, as the database grows.
//
//   history_bench [--runs 1000] [--arms 8] [--metrics 24] [--dir /tmp]
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "bench_util.h"
#include "history/history.h"

using reclift::bench::Clock;
using reclift::bench::Seconds;
namespace fs = std::filesystem;
using Json = nlohmann::json;

int main(int argc, char** argv) {
  int runs = 1000, arms = 8, metrics = 24;
  fs::path dir = fs::temp_directory_path();
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--runs")) runs = std::stoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--arms")) arms = std::stoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--metrics")) metrics = std::stoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--dir")) dir = argv[a + 1];
  }
  const fs::path db = dir / ("history-bench-" + std::to_string(::getpid()) + ".db");
  Json results = {{"schema_version", 1},
                  {"experiment", {{"name", "bench"}, {"file", ""}, {"seconds", 1.0}}},
                  {"dataset", {{"name", "d"}, {"fingerprint", "f"}}},
                  {"split", {{"method", "random"}}},
                  {"ab", {{"primary_metric", "m0"}, {"control", "a0"}}},
                  {"arms", Json::array()}};
  for (int a = 0; a < arms; ++a) {
    Json m = Json::object();
    for (int k = 0; k < metrics; ++k)
      m["m" + std::to_string(k)] = {{"mean", 0.1 * k}, {"ci_low", 0.0}, {"ci_high", 1.0}, {"n", 100}};
    results["arms"].push_back({{"name", "a" + std::to_string(a)},
                               {"plugin", "p@1.0.0"},
                               {"status", "ok"},
                               {"params", {{"x", a}}},
                               {"metrics", m}});
  }
  const auto t0 = Clock::now();
  double slowest = 0;
  for (int r = 0; r < runs; ++r) {
    results["experiment"]["run_dir"] = "/runs/" + std::to_string(r);
    results["experiment"]["started_at"] = "2026-01-01T00:00:" + std::to_string(10000 + r);
    const auto t1 = Clock::now();
    if (!reclift::host::history::IndexRun(db, results, "results.json")) return 1;
    slowest = std::max(slowest, Seconds(t1));
  }
  const double index = Seconds(t0);
  reclift::host::history::HistoryQuery q;
  q.arm = "a3";
  q.limit = runs;
  const auto t2 = Clock::now();
  const Json h = reclift::host::history::QueryHistory(db, q);
  const double query = Seconds(t2);
  std::printf(
      "%d runs x %d arms x %d metrics: index %.2f ms per run (slowest %.2f ms, each opens the database), "
      "query of one arm's series over all runs %.3f s (%zu points), database %.1f MB\n",
      runs, arms, metrics, 1e3 * index / runs, 1e3 * slowest, query, h["series"][0]["points"].size(),
      static_cast<double>(fs::file_size(db)) / 1e6);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  return 0;
}
