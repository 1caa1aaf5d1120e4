// The four tests against scipy 1.10 on samples of 5 to 100,000 values with
// heavy ties and many zeros. scipy_goldens.txt was written once by
// make_goldens.py (which documents the samples and the conventions); this
// test rebuilds the same samples from the same seeds, bit for bit, so it
// needs no Python.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "stats/stats.h"

using namespace reclift::host::stats;

namespace {

// The generator and value patterns of make_goldens.py.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

double Value(SplitMix64& rng, const std::string& pattern) {
  const uint64_t r = rng.Next();
  if (pattern == "continuous") return static_cast<double>(r >> 11) * 0x1p-53;
  if (pattern == "ties") return static_cast<double>(r % 5) / 4.0;
  if (pattern == "metric") return r % 10 < 6 ? 0.0 : static_cast<double>((r >> 8) % 10 + 1) / 10.0;
  FAIL("unknown pattern " << pattern);
  return 0;
}

std::vector<double> Paired(size_t n, uint64_t seed, const std::string& pattern, bool zeros, double shift) {
  SplitMix64 rng(seed);
  std::vector<double> d;
  d.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double c = Value(rng, pattern);
    const bool keep = zeros && rng.Next() % 2 == 0;
    const double t = keep ? c : Value(rng, pattern) + shift;
    d.push_back(t - c);
  }
  return d;
}

void TwoSamples(size_t n, uint64_t seed, const std::string& pattern, double shift, std::vector<double>& a,
                std::vector<double>& b) {
  SplitMix64 rng(seed);
  for (size_t i = 0; i < n; ++i) a.push_back(Value(rng, pattern) + shift);
  for (size_t i = 0; i < n + n / 3 + 1; ++i) b.push_back(Value(rng, pattern));
}

struct Golden {
  std::string test, pattern;
  size_t n = 0, n_used = 0;
  uint64_t seed = 0;
  int zeros = 0;
  double shift = 0, statistic = 0, p_value = 0, scipy_default_p = 0;
};

std::vector<Golden> ReadGoldens() {
  const std::string path = std::string(RECLIFT_TEST_DATA_DIR) + "/../../tests/stats/scipy_goldens.txt";
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<Golden> goldens;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Golden g;
    std::string default_p;
    fields >> g.test >> g.n >> g.seed >> g.pattern >> g.zeros >> g.shift >> g.statistic >> g.p_value >>
        g.n_used >> default_p;
    REQUIRE(!fields.fail());
    g.scipy_default_p = std::stod(default_p);  // "nan" parses to NaN
    goldens.push_back(g);
  }
  return goldens;
}

double RelativeDifference(double ours, double reference) {
  if (ours == reference) return 0;
  return std::fabs(ours - reference) / std::max(std::fabs(ours), std::fabs(reference));
}

}  // namespace

TEST_CASE("p-values and statistics agree with scipy 1.10 to 1e-9 relative for n from 5 to 100000",
          "[stats]") {
  const std::vector<Golden> goldens = ReadGoldens();
  REQUIRE(goldens.size() > 500);
  size_t checked[4] = {0, 0, 0, 0};
  double worst_p = 0;
  size_t largest_n = 0;
  for (const Golden& g : goldens) {
    INFO(g.test << " n=" << g.n << " seed=" << g.seed << " " << g.pattern << " zeros=" << g.zeros
                << " shift=" << g.shift);
    TestResult result;
    if (g.test == "paired_t" || g.test == "wilcoxon") {
      const std::vector<double> d = Paired(g.n, g.seed, g.pattern, g.zeros != 0, g.shift);
      if (g.test == "paired_t") {
        result = PairedTTest(d);
        ++checked[0];
      } else {
        result = WilcoxonSignedRank(d);
        ++checked[1];
        // scipy's default call agrees wherever its rules are ours: no zeros,
        // and more than 50 differences or no ties.
        if (g.zeros == 0 && !std::isnan(g.scipy_default_p) && g.n == g.n_used &&
            (g.n > kWilcoxonExactMax || g.pattern == "continuous")) {
          CHECK(RelativeDifference(result.p_value, g.scipy_default_p) < 1e-9);
        }
      }
    } else {
      std::vector<double> a, b;
      TwoSamples(g.n, g.seed, g.pattern, g.shift, a, b);
      if (g.test == "welch") {
        result = WelchTTest(a, b);
        ++checked[2];
      } else {
        REQUIRE(g.test == "mann_whitney");
        result = MannWhitneyU(a, b);
        ++checked[3];
      }
    }
    CHECK(result.n == g.n_used);
    // A t statistic of a mean that is round-off (1e-16) depends on the order
    // of summation (numpy sums pairwise), hence the absolute floor.
    CHECK((RelativeDifference(result.statistic, g.statistic) < 1e-9 ||
           std::fabs(result.statistic - g.statistic) < 1e-12));
    const double p_difference = RelativeDifference(result.p_value, g.p_value);
    CHECK(p_difference < 1e-9);
    worst_p = std::max(worst_p, p_difference);
    largest_n = std::max(largest_n, g.n);
  }
  CHECK(largest_n == 100000);
  CHECK(checked[0] > 150);
  CHECK(checked[1] > 150);
  CHECK(checked[2] > 90);
  CHECK(checked[3] > 90);
  CHECK(worst_p < 1e-9);
  if (std::getenv("RECLIFT_PRINT_AGREEMENT"))
    WARN("largest relative p-value difference from scipy: " << worst_p);
}
