// Speed of the A/B statistics on MovieLens-20M-sized comparisons: the paired
// tests and the bootstrap interval of one (treatment, metric) cell over
// 130,000 users, as CompareArms runs them for every cell.
//
//   stats_bench [--users 130000] [--samples 2000]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "stats/stats.h"

using namespace reclift::host;
using reclift::bench::Clock;
using reclift::bench::Seconds;

int main(int argc, char** argv) {
  size_t users = 130000;
  int samples = 2000;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--users")) users = std::stoul(argv[a + 1]);
    if (!std::strcmp(argv[a], "--samples")) samples = std::stoi(argv[a + 1]);
  }
  // per-user ndcg-like values: many zeros, a long tail up to 1
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> c(users), t(users), diffs(users);
  for (size_t i = 0; i < users; ++i) {
    c[i] = u(rng) < 0.6 ? 0 : u(rng);
    t[i] = u(rng) < 0.5 ? 0 : u(rng);
    diffs[i] = t[i] - c[i];
  }
  auto t0 = Clock::now();
  const auto tt = stats::PairedTTest(diffs);
  const double t_test = Seconds(t0);
  t0 = Clock::now();
  const auto w = stats::WilcoxonSignedRank(diffs);
  const double wilcoxon = Seconds(t0);
  t0 = Clock::now();
  const auto li = stats::BootstrapPairedLift(c, t, 0.05, samples, 42);
  const double boot = Seconds(t0);
  std::printf(
      "%zu users: paired t %.3f s (p %.3g), Wilcoxon %.3f s (p %.3g), bootstrap of %d resamples %.3f s "
      "(%.1f ns per draw), lift CI [%.4f, %.4f]\n",
      users, t_test, tt.p_value, wilcoxon, w.p_value, samples, boot,
      boot * 1e9 / (static_cast<double>(samples) * static_cast<double>(users)), li.absolute.low,
      li.absolute.high);
  return 0;
}
