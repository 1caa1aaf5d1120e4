// Golden values come from printed tables, from R (whose outputs for the
// classic datasets are widely reproduced) or from hand computations written
// next to them.
#include "stats/stats.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "util/error.h"

using namespace reclift::host;
using namespace reclift::host::stats;
using Catch::Matchers::Contains;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Student (1908) "sleep" data, as in R's datasets::sleep: extra hours of
// sleep of 10 patients under drug 1 (group 1) and drug 2 (group 2).
const std::vector<double> kSleepGroup1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const std::vector<double> kSleepGroup2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

std::vector<double> SleepDifferences() {
  std::vector<double> d;
  for (size_t i = 0; i < kSleepGroup1.size(); ++i) d.push_back(kSleepGroup2[i] - kSleepGroup1[i]);
  return d;  // 1.2 2.4 1.3 1.3 0.0 1.0 1.8 0.8 4.6 1.4
}

}  // namespace

TEST_CASE("distribution functions match printed tables", "[stats]") {
  // Standard normal table: z_{0.975} = 1.959964, Phi(-1) = 0.158655.
  CHECK(NormalQuantile(0.975) == Approx(1.959964).epsilon(1e-6));
  CHECK(NormalCdf(1.959964) == Approx(0.975).epsilon(1e-6));
  CHECK(NormalCdf(-1.0) == Approx(0.1586553).epsilon(1e-6));
  CHECK(NormalCdf(0.0) == 0.5);
  // t table: t_{0.975, 10} = 2.228139, t_{0.975, 1} = 12.7062.
  CHECK(StudentTQuantile(0.975, 10) == Approx(2.228139).epsilon(1e-6));
  CHECK(StudentTCdf(2.228139, 10) == Approx(0.975).epsilon(1e-6));
  CHECK(StudentTQuantile(0.975, 1) == Approx(12.7062).epsilon(1e-5));
  // Infinitely many degrees of freedom is the normal distribution.
  CHECK(StudentTQuantile(0.975, std::numeric_limits<double>::infinity()) == Approx(1.959964).epsilon(1e-6));
  // Chi-square table: 95% points 3.841459 (df 1) and 5.991465 (df 2); with
  // df 2 the cdf is 1 - exp(-x/2), so cdf(2) = 1 - 1/e = 0.6321206.
  CHECK(ChiSquareCdf(3.841459, 1) == Approx(0.95).epsilon(1e-6));
  CHECK(ChiSquareCdf(5.991465, 2) == Approx(0.95).epsilon(1e-6));
  CHECK(ChiSquareCdf(2.0, 2) == Approx(1 - std::exp(-1.0)).epsilon(1e-12));
}

TEST_CASE("distribution functions give NaN or infinities at the edges instead of throwing", "[stats]") {
  CHECK(std::isnan(NormalQuantile(1.5)));
  CHECK(std::isnan(NormalCdf(kNaN)));
  CHECK(std::isnan(StudentTCdf(1.0, 0.0)));
  CHECK(std::isinf(NormalQuantile(1.0)));
  CHECK(NormalQuantile(0.0) < 0);
  CHECK(ChiSquareCdf(-1.0, 3) == 0);
}

TEST_CASE("mean and standard deviation skip missing values", "[stats]") {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, var 32/7.
  const std::vector<double> x = {2, 4, kNaN, 4, 4, 5, 5, 7, 9};
  CHECK(Mean(x) == 5.0);
  CHECK(StdDev(x) == Approx(std::sqrt(32.0 / 7)));
  CHECK(std::isnan(Mean(std::vector<double>{})));
  CHECK(std::isnan(StdDev(std::vector<double>{1.0})));
}

TEST_CASE("the t interval of the mean reproduces R on the sleep differences", "[stats]") {
  // R: t.test(extra ~ group, data = sleep, paired = TRUE) (sign flipped, as
  // we take group 2 - group 1): 95 percent CI 0.7001142 2.4598858.
  const Interval ci = MeanCi(SleepDifferences(), 0.05);
  CHECK(ci.low == Approx(0.7001142).epsilon(1e-6));
  CHECK(ci.high == Approx(2.4598858).epsilon(1e-6));

  const Interval constant = MeanCi(std::vector<double>{3, 3, 3}, 0.05);
  CHECK(constant.low == 3.0);
  CHECK(constant.high == 3.0);
  CHECK(std::isnan(MeanCi(std::vector<double>{1.0}, 0.05).low));
  CHECK_THROWS_WITH(MeanCi(SleepDifferences(), 0.0), "MeanCi: alpha must be in (0, 1), got 0");
}

TEST_CASE("the paired t-test reproduces Student's sleep data", "[stats]") {
  // R: t.test(extra ~ group, data = sleep, paired = TRUE): t = -4.0621,
  // df = 9, p-value = 0.002833 (positive here: group 2 - group 1). By hand:
  // mean 1.58, sum of squared deviations 13.616, sd 1.229995, se 0.3889587.
  const TestResult t = PairedTTest(SleepDifferences());
  CHECK(t.statistic == Approx(4.0621).epsilon(1e-4));
  CHECK(t.df == 9);
  CHECK(t.p_value == Approx(0.002833).epsilon(1e-3));
  CHECK(t.n == 10);
  // Cohen's d_z = 1.58 / 1.229995.
  CHECK(CohensDz(SleepDifferences()) == Approx(1.58 / 1.229995).epsilon(1e-6));
}

TEST_CASE("the paired t-test ignores missing differences", "[stats]") {
  std::vector<double> with_missing = SleepDifferences();
  with_missing.insert(with_missing.begin() + 3, kNaN);
  const TestResult t = PairedTTest(with_missing);
  CHECK(t.n == 10);
  CHECK(t.statistic == Approx(4.0621).epsilon(1e-4));
}

TEST_CASE("the paired t-test handles too few and degenerate differences without NaN", "[stats]") {
  SECTION("fewer than two differences: no detectable difference") {
    const TestResult one = PairedTTest(std::vector<double>{0.7});
    CHECK(one.p_value == 1.0);
    CHECK(one.statistic == 0.0);
    CHECK(one.n == 1);
    CHECK(PairedTTest(std::vector<double>{}).p_value == 1.0);
  }
  SECTION("all differences zero: t = 0, p = 1") {
    const TestResult zero = PairedTTest(std::vector<double>(50, 0.0));
    CHECK(zero.statistic == 0.0);
    CHECK(zero.p_value == 1.0);
    CHECK(CohensDz(std::vector<double>(50, 0.0)) == 0.0);
  }
  SECTION("every user moved by the same amount: t infinite, p = 0") {
    const TestResult same = PairedTTest(std::vector<double>(20, -0.1));
    CHECK(std::isinf(same.statistic));
    CHECK(same.statistic < 0);
    CHECK(same.p_value == 0.0);
  }
}

TEST_CASE("Wilcoxon signed-rank uses the normal approximation with ties on the sleep data", "[stats]") {
  // R: wilcox.test(sleep$extra[11:20], sleep$extra[1:10], paired = TRUE):
  // V = 45, p-value = 0.009091 (with continuity correction; R warns about
  // ties and zeroes). By hand: the zero dropped, n = 9, all positive, so
  // V = 45; one tie pair (1.3): var = 9*10*19/24 - 6/48 = 71.125;
  // z = (45 - 22.5 - 0.5) / sqrt(71.125) = 2.6086, p = 2 * (1 - Phi(z)).
  const TestResult w = WilcoxonSignedRank(SleepDifferences(), /*continuity_correction=*/true);
  CHECK(w.statistic == 45.0);
  CHECK(w.n == 9);
  CHECK(w.p_value == Approx(0.009091).epsilon(1e-3));
  CHECK(w.p_value == Approx(2 * NormalCdf(-22.0 / std::sqrt(71.125))).epsilon(1e-12));
  // Without the correction (the default, scipy's): z = 22.5 / sqrt(71.125);
  // scipy.stats.wilcoxon(d) gives p = 0.007632441 (it reports T = min = 0).
  const TestResult plain = WilcoxonSignedRank(SleepDifferences());
  CHECK(plain.p_value == Approx(2 * NormalCdf(-22.5 / std::sqrt(71.125))).epsilon(1e-12));
  CHECK(plain.p_value == Approx(0.007632441).epsilon(1e-6));
}

TEST_CASE("Wilcoxon signed-rank is exact for small samples without ties", "[stats]") {
  SECTION("five positive differences: p = 2/32") {
    // Only the all-positive sign pattern reaches V = 15, so P(V >= 15) = 1/32.
    // The zero is dropped first.
    const TestResult w = WilcoxonSignedRank(std::vector<double>{0.0, 0.1, 0.2, 0.3, 0.4, 0.5});
    CHECK(w.n == 5);
    CHECK(w.statistic == 15.0);
    CHECK(w.p_value == Approx(0.0625).epsilon(1e-12));
  }
  SECTION("six differences with rank 2 negative: p = 6/64") {
    // V = 21 - 2 = 19; V >= 19 iff the negative ranks sum to <= 2: {}, {1},
    // {2}, so P = 3/64 and p = 6/64 = 0.09375.
    const TestResult w = WilcoxonSignedRank(std::vector<double>{0.5, -1.0, 2.0, 3.0, 4.0, 5.0});
    CHECK(w.statistic == 19.0);
    CHECK(w.p_value == Approx(0.09375).epsilon(1e-12));
  }
  SECTION("ten differences at the tabled 5% critical value") {
    // Table of critical values: n = 10, smaller rank sum T = 8 is the
    // two-sided 5% point; P(T <= 8) = 25/1024 (subsets of 1..10 with sum
    // <= 8: 1+1+1+2+2+3+4+5+6), as R's psignrank(8, 10) = 0.02441406.
    const TestResult w = WilcoxonSignedRank(std::vector<double>{-1, 2, -3, -4, 5, 6, 7, 8, 9, 10});
    CHECK(w.statistic == 47.0);
    CHECK(w.p_value == Approx(50.0 / 1024).epsilon(1e-12));
  }
}

TEST_CASE("Wilcoxon's exact distribution agrees with enumerating every sign pattern", "[stats]") {
  // For n = 12 and each V, count sign patterns by brute force and compare
  // the two-sided p-value with the dynamic-programming one.
  const int n = 12;
  std::vector<double> counts(n * (n + 1) / 2 + 1, 0.0);
  for (int mask = 0; mask < (1 << n); ++mask) {
    int sum = 0;
    for (int r = 1; r <= n; ++r) sum += (mask >> (r - 1) & 1) ? r : 0;
    counts[sum] += 1;
  }
  for (int v : {0, 5, 13, 20, 39, 60, 78}) {
    // Build differences with positive ranks summing to v: greedy from the top.
    std::vector<double> diffs;
    int remaining = v;
    for (int r = n; r >= 1; --r) {
      const bool positive = r <= remaining;
      if (positive) remaining -= r;
      diffs.push_back(positive ? r : -r);
    }
    REQUIRE(remaining == 0);
    double at_most = 0, at_least = 0;
    for (size_t s = 0; s < counts.size(); ++s) {
      if (static_cast<int>(s) <= v) at_most += counts[s];
      if (static_cast<int>(s) >= v) at_least += counts[s];
    }
    const double expected = std::min(1.0, 2 * std::min(at_most, at_least) / (1 << n));
    const TestResult w = WilcoxonSignedRank(diffs);
    INFO("V = " << v);
    CHECK(w.statistic == v);
    CHECK(w.p_value == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("Wilcoxon switches to the normal approximation above 50 differences", "[stats]") {
  // Differences 1..51, all positive: V = 1326, mean 663, var
  // 51*52*103/24 = 11381.5, z = 663 / sqrt(11381.5), no continuity
  // correction by default, 0.5 with it.
  std::vector<double> diffs;
  for (int i = 1; i <= 51; ++i) diffs.push_back(i);
  const TestResult w = WilcoxonSignedRank(diffs);
  CHECK(w.statistic == 1326.0);
  CHECK(w.p_value == Approx(2 * NormalCdf(-663.0 / std::sqrt(11381.5))).epsilon(1e-12));
  CHECK(WilcoxonSignedRank(diffs, true).p_value ==
        Approx(2 * NormalCdf(-662.5 / std::sqrt(11381.5))).epsilon(1e-12));
  // 50 differences are still exact: only the all-positive pattern reaches
  // V = 1275, so p = 2 / 2^50.
  diffs.pop_back();
  CHECK(WilcoxonSignedRank(diffs).p_value == Approx(std::ldexp(2.0, -50)).epsilon(1e-12));
}

TEST_CASE("Wilcoxon with only zero differences reports no difference", "[stats]") {
  const TestResult w = WilcoxonSignedRank(std::vector<double>{0.0, 0.0, kNaN, 0.0});
  CHECK(w.n == 0);
  CHECK(w.p_value == 1.0);
  CHECK(w.statistic == 0.0);
}

TEST_CASE("Welch's t-test reproduces R on the sleep groups", "[stats]") {
  // R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776,
  // p-value = 0.07939.
  const TestResult t = WelchTTest(kSleepGroup1, kSleepGroup2);
  CHECK(t.statistic == Approx(-1.8608).epsilon(1e-4));
  CHECK(t.df == Approx(17.776).epsilon(1e-4));
  CHECK(t.p_value == Approx(0.07939).epsilon(1e-3));
  CHECK(t.n == 20);
}

TEST_CASE("Welch's t-test handles small and constant groups", "[stats]") {
  CHECK(WelchTTest(std::vector<double>{1.0}, kSleepGroup2).p_value == 1.0);
  const TestResult equal = WelchTTest(std::vector<double>{2, 2, 2}, std::vector<double>{2, 2});
  CHECK(equal.statistic == 0.0);
  CHECK(equal.p_value == 1.0);
  const TestResult shifted = WelchTTest(std::vector<double>{3, 3, 3}, std::vector<double>{2, 2});
  CHECK(std::isinf(shifted.statistic));
  CHECK(shifted.p_value == 0.0);
}

TEST_CASE("Mann-Whitney U reproduces R on the sleep groups", "[stats]") {
  // R: wilcox.test(extra ~ group, data = sleep): W = 25.5, p-value = 0.06933.
  // By hand: group 1's average ranks in the pooled sample sum to 80.5, so
  // U = 80.5 - 55 = 25.5; three tied pairs, tie term 18; var = 100/12 *
  // (21 - 18/380) = 174.6053; z = (25.5 - 50 + 0.5) / sqrt(var) = -1.8163.
  const TestResult u = MannWhitneyU(kSleepGroup1, kSleepGroup2);
  CHECK(u.statistic == 25.5);
  CHECK(u.p_value == Approx(0.06933).epsilon(1e-3));
  CHECK(u.p_value == Approx(2 * NormalCdf(-24.0 / std::sqrt(100.0 / 12 * (21 - 18.0 / 380)))).epsilon(1e-12));
}

TEST_CASE("Mann-Whitney U with an empty group or all values tied reports no difference", "[stats]") {
  CHECK(MannWhitneyU(std::vector<double>{}, kSleepGroup2).p_value == 1.0);
  const TestResult tied = MannWhitneyU(std::vector<double>{1, 1}, std::vector<double>{1, 1, 1});
  CHECK(tied.p_value == 1.0);
  CHECK(tied.statistic == 3.0);  // rank sum 2 * 3 - 3 = 3 = n_a n_b / 2
}

TEST_CASE("sample-ratio mismatch is a chi-square goodness-of-fit test", "[stats]") {
  SECTION("a 51/49 split of 10000 users at 50/50") {
    // Expected 5000 each: chi2 = 2 * 100^2 / 5000 = 4, df 1;
    // p = P(chi2_1 > 4) = P(|Z| > 2) = 0.04550026.
    const TestResult srm = SampleRatioMismatch(std::vector<size_t>{5100, 4900}, std::vector<double>{1, 1});
    CHECK(srm.statistic == Approx(4.0));
    CHECK(srm.df == 1);
    CHECK(srm.p_value == Approx(0.04550026).epsilon(1e-6));
  }
  SECTION("three unequal arms") {
    // Weights 2:1:1 of 1000 users: expected 500, 250, 250; observed 500,
    // 260, 240: chi2 = 100/250 + 100/250 = 0.8, df 2, p = exp(-0.4).
    const TestResult srm =
        SampleRatioMismatch(std::vector<size_t>{500, 260, 240}, std::vector<double>{2, 1, 1});
    CHECK(srm.statistic == Approx(0.8));
    CHECK(srm.p_value == Approx(std::exp(-0.4)).epsilon(1e-9));
  }
  SECTION("a perfect split and an empty experiment") {
    CHECK(SampleRatioMismatch(std::vector<size_t>{50, 50}, std::vector<double>{1, 1}).p_value == Approx(1.0));
    CHECK(SampleRatioMismatch(std::vector<size_t>{0, 0}, std::vector<double>{1, 1}).p_value == 1.0);
  }
  SECTION("bad weights are errors that say what was wrong") {
    CHECK_THROWS_WITH(SampleRatioMismatch(std::vector<size_t>{5, 5}, std::vector<double>{1}),
                      "SampleRatioMismatch: expected one weight per group, got 2 groups and 1 weights");
    CHECK_THROWS_WITH(SampleRatioMismatch(std::vector<size_t>{5, 5}, std::vector<double>{1, 0}),
                      "SampleRatioMismatch: weight 2 must be positive and finite, got 0");
    CHECK_THROWS_AS(SampleRatioMismatch(std::vector<size_t>{5}, std::vector<double>{1}), Error);
  }
}

TEST_CASE("minimum detectable effect follows the two-sample power formula", "[stats]") {
  // (z_0.975 + z_0.8) * 1 * sqrt(1/100 + 1/100) = (1.959964 + 0.841621) *
  // 0.1414214 = 0.396204.
  CHECK(MinimumDetectableEffect(100, 100, 1.0, 0.05, 0.8) == Approx(0.396204).epsilon(1e-5));
  // Quadrupling both groups halves it.
  CHECK(MinimumDetectableEffect(400, 400, 1.0, 0.05, 0.8) == Approx(0.396204 / 2).epsilon(1e-5));
  CHECK(std::isinf(MinimumDetectableEffect(0, 100, 1.0, 0.05, 0.8)));
  CHECK_THROWS_WITH(MinimumDetectableEffect(10, 10, 1.0, 0.05, 1.0),
                    "MinimumDetectableEffect: power must be in (0, 1), got 1");
}

TEST_CASE("Holm's adjustment is step-down, monotone and capped at 1", "[stats]") {
  // p = (0.01, 0.04, 0.03, 0.005), m = 4. Sorted: 0.005*4 = 0.02,
  // 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> running max 0.02, 0.03,
  // 0.06, 0.06; back in input order (0.03, 0.06, 0.06, 0.02).
  const std::vector<double> adjusted = HolmAdjust(std::vector<double>{0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == Approx(0.03));
  CHECK(adjusted[1] == Approx(0.06));
  CHECK(adjusted[2] == Approx(0.06));
  CHECK(adjusted[3] == Approx(0.02));
  // 0.5*2 = 1, 0.6*1 = 0.6 -> running max 1, 1.
  CHECK(HolmAdjust(std::vector<double>{0.6, 0.5}) == std::vector<double>{1.0, 1.0});
}

TEST_CASE("Benjamini-Hochberg's adjustment is step-up, monotone and capped at 1", "[stats]") {
  // Sorted: 0.005*4/1 = 0.02, 0.01*4/2 = 0.02, 0.03*4/3 = 0.04,
  // 0.04*4/4 = 0.04 -> running min from the top 0.02, 0.02, 0.04, 0.04;
  // in input order (0.02, 0.04, 0.04, 0.02).
  const std::vector<double> adjusted = BenjaminiHochbergAdjust(std::vector<double>{0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == Approx(0.02));
  CHECK(adjusted[1] == Approx(0.04));
  CHECK(adjusted[2] == Approx(0.04));
  CHECK(adjusted[3] == Approx(0.02));
  // 0.5*2/1 = 1, 0.6*2/2 = 0.6 -> running min 0.6, 0.6.
  const std::vector<double> large = BenjaminiHochbergAdjust(std::vector<double>{0.5, 0.6});
  CHECK(large[0] == Approx(0.6));
  CHECK(large[1] == Approx(0.6));
}

TEST_CASE("corrections leave missing p-values missing and do not count them", "[stats]") {
  // Two real tests: 0.01*2 = 0.02, 0.04*1 = 0.04.
  const std::vector<double> holm = HolmAdjust(std::vector<double>{0.04, kNaN, 0.01});
  CHECK(holm[0] == Approx(0.04));
  CHECK(std::isnan(holm[1]));
  CHECK(holm[2] == Approx(0.02));
  CHECK(BenjaminiHochbergAdjust(std::vector<double>{}).empty());
}

TEST_CASE("verdicts combine significance, the lift's sign and the metric's direction", "[stats]") {
  CHECK(Verdict(0.001, 0.03, 0.05, true) == "better");
  CHECK(Verdict(0.001, -0.03, 0.05, true) == "worse");
  CHECK(Verdict(0.001, -0.03, 0.05, false) == "better");  // e.g. a lower error
  CHECK(Verdict(0.001, 0.03, 0.05, false) == "worse");
  // a metric with no better direction (a category's share of exposure)
  CHECK(Verdict(0.001, 0.03, 0.05, true, false) == "higher");
  CHECK(Verdict(0.001, -0.03, 0.05, false, false) == "lower");
  CHECK(Verdict(0.2, -0.03, 0.05, true, false) == "no detectable difference");
  CHECK(Verdict(0.05, 0.03, 0.05, true) == "no detectable difference");  // p must be below alpha
  CHECK(Verdict(kNaN, 0.03, 0.05, true) == "no detectable difference");
  CHECK(Verdict(0.001, 0.0, 0.05, true) == "no detectable difference");
}

TEST_CASE("the paired bootstrap is exact for one user and deterministic for a seed", "[stats]") {
  // One pair (2, 3): every resample is that pair, lift 1, relative 0.5.
  const LiftIntervals one = BootstrapPairedLift(std::vector<double>{2}, std::vector<double>{3}, 0.05, 50, 7);
  CHECK(one.absolute.low == 1.0);
  CHECK(one.absolute.high == 1.0);
  CHECK(one.relative.low == 0.5);
  CHECK(one.relative.high == 0.5);

  const std::vector<double> c = kSleepGroup1, t = kSleepGroup2;
  const LiftIntervals a = BootstrapPairedLift(c, t, 0.05, 500, 42);
  const LiftIntervals b = BootstrapPairedLift(c, t, 0.05, 500, 42);
  const LiftIntervals other = BootstrapPairedLift(c, t, 0.05, 500, 43);
  CHECK(a.absolute.low == b.absolute.low);
  CHECK(a.absolute.high == b.absolute.high);
  // (NaN when some resample's control mean is exactly 0, as documented; the
  // same NaN for the same seed)
  CHECK(((std::isnan(a.relative.low) && std::isnan(b.relative.low)) || a.relative.low == b.relative.low));
  CHECK(a.absolute.low != other.absolute.low);
  // The interval brackets the observed lift 1.58 and stays inside the range
  // of the differences (0 to 4.6).
  CHECK(a.absolute.low < 1.58);
  CHECK(a.absolute.high > 1.58);
  CHECK(a.absolute.low > 0.0);
  CHECK(a.absolute.high < 4.6);
}

TEST_CASE("the paired bootstrap covers the true mean lift about 1 - alpha of the time", "[stats]") {
  // 400 simulated experiments of 40 users: control ~ 1 + 0.5 N(0,1),
  // treatment = control + 0.3 + N(0,1). The true mean lift is 0.3; a 90%
  // interval should cover it in ~90% of experiments (the percentile
  // bootstrap runs slightly narrow at this n), binomial sd 1.5%.
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> normal(0.0, 1.0);
  int covered = 0;
  const int experiments = 400;
  for (int e = 0; e < experiments; ++e) {
    std::vector<double> c(40), t(40);
    for (size_t i = 0; i < c.size(); ++i) {
      c[i] = 1 + 0.5 * normal(rng);
      t[i] = c[i] + 0.3 + normal(rng);
    }
    const LiftIntervals ci = BootstrapPairedLift(c, t, 0.10, 400, 1000 + e);
    covered += ci.absolute.low <= 0.3 && 0.3 <= ci.absolute.high;
  }
  const double coverage = static_cast<double>(covered) / experiments;
  CHECK(coverage > 0.84);
  CHECK(coverage < 0.95);
}

TEST_CASE("the bootstrap's relative interval is NaN when a resample has a zero control mean", "[stats]") {
  // Control (0, 1): a resample draws user 1 twice with probability 1/4, so
  // among 200 resamples one almost surely has control mean 0.
  const LiftIntervals lift =
      BootstrapPairedLift(std::vector<double>{0, 1}, std::vector<double>{1, 1}, 0.05, 200, 3);
  CHECK(std::isnan(lift.relative.low));
  CHECK(std::isnan(lift.relative.high));
  CHECK(lift.absolute.low == 0.0);   // both users drawn as user 2: lift 1 - 1
  CHECK(lift.absolute.high == 1.0);  // both drawn as user 1: lift 1 - 0
}

TEST_CASE("the paired bootstrap drops pairs with a missing side and rejects unpaired input", "[stats]") {
  const LiftIntervals lift =
      BootstrapPairedLift(std::vector<double>{2, kNaN, 5}, std::vector<double>{3, 1, kNaN}, 0.05, 20, 1);
  CHECK(lift.absolute.low == 1.0);  // only the pair (2, 3) is left
  CHECK(lift.absolute.high == 1.0);
  CHECK(std::isnan(
      BootstrapPairedLift(std::vector<double>{}, std::vector<double>{}, 0.05, 20, 1).absolute.low));
  CHECK_THROWS_WITH(
      BootstrapPairedLift(std::vector<double>{1, 2}, std::vector<double>{1}, 0.05, 20, 1),
      "BootstrapPairedLift: control and treatment must hold one value per user each, got 2 and 1 "
      "values");
  CHECK_THROWS_WITH(BootstrapPairedLift(std::vector<double>{1}, std::vector<double>{1}, 0.05, 0, 1),
                    "BootstrapPairedLift: the number of bootstrap samples must be at least 1, got 0");
}

TEST_CASE("the independent bootstrap resamples each group on its own", "[stats]") {
  // Single-valued groups: every resample gives 4 - 2 = 2, relative 1.
  const LiftIntervals fixed =
      BootstrapIndependentLift(std::vector<double>{2}, std::vector<double>{4, 4, 4}, 0.05, 30, 9);
  CHECK(fixed.absolute.low == 2.0);
  CHECK(fixed.absolute.high == 2.0);
  CHECK(fixed.relative.low == 1.0);

  const LiftIntervals a = BootstrapIndependentLift(kSleepGroup1, kSleepGroup2, 0.05, 500, 11);
  const LiftIntervals b = BootstrapIndependentLift(kSleepGroup1, kSleepGroup2, 0.05, 500, 11);
  CHECK(a.absolute.low == b.absolute.low);
  CHECK(a.absolute.high == b.absolute.high);
  // Observed lift 2.33 - 0.75 = 1.58 lies inside; the independent interval
  // is wider than the paired one because the pairing's correlation is lost.
  const LiftIntervals paired = BootstrapPairedLift(kSleepGroup1, kSleepGroup2, 0.05, 500, 11);
  CHECK(a.absolute.low < 1.58);
  CHECK(a.absolute.high > 1.58);
  CHECK(a.absolute.high - a.absolute.low > paired.absolute.high - paired.absolute.low);
  CHECK(std::isnan(BootstrapIndependentLift(std::vector<double>{}, kSleepGroup2, 0.05, 10, 1).absolute.low));
}

TEST_CASE("Holm and Benjamini-Hochberg reproduce hand-computed tables", "[stats]") {
  // m = 6, given out of order. Sorted: 0.001 0.008 0.039 0.041 0.042 0.06.
  // Holm (m - rank + 1) * p: 0.006 0.040 0.156 0.123 0.084 0.060, running
  // max: 0.006 0.040 0.156 0.156 0.156 0.156.
  // BH m / rank * p: 0.006 0.024 0.078 0.0615 0.0504 0.060, running min from
  // the largest: 0.006 0.024 0.0504 0.0504 0.0504 0.060.
  const std::vector<double> p = {0.042, 0.001, 0.06, 0.039, 0.008, 0.041};
  const std::vector<double> holm = {0.156, 0.006, 0.156, 0.156, 0.040, 0.156};
  const std::vector<double> bh = {0.0504, 0.006, 0.060, 0.0504, 0.024, 0.0504};
  const std::vector<double> holm_got = HolmAdjust(p), bh_got = BenjaminiHochbergAdjust(p);
  for (size_t i = 0; i < p.size(); ++i) {
    INFO("p = " << p[i]);
    CHECK(holm_got[i] == Approx(holm[i]).epsilon(1e-12));
    CHECK(bh_got[i] == Approx(bh[i]).epsilon(1e-12));
  }
  // Three equal p-values 0.02: Holm 0.06 0.04 0.02 -> running max 0.06 for
  // all; BH 0.06 0.03 0.02 -> running min 0.02 for all (as R's p.adjust).
  const std::vector<double> tied = {0.02, 0.02, 0.02};
  for (double v : HolmAdjust(tied)) CHECK(v == Approx(0.06).epsilon(1e-12));
  for (double v : BenjaminiHochbergAdjust(tied)) CHECK(v == Approx(0.02).epsilon(1e-12));
}

namespace {

// Zero-inflated per-user metric: 0 with probability `zero`, else U(0, 1);
// mean (1 - zero) / 2.
double ZeroInflated(std::mt19937_64& rng, double zero) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return u(rng) < zero ? 0.0 : u(rng);
}

}  // namespace

TEST_CASE("bootstrap intervals cover the true lift of zero-inflated metrics about 95% of the time",
          "[stats][slow]") {
  // 1,000 simulated experiments each. Control: 60% zeros (mean 0.2);
  // treatment: 55% zeros (mean 0.225). Binomial sd of the coverage at 95%
  // is 0.7%; the percentile bootstrap runs slightly narrow, so the band is
  // [92%, 97%].
  const int experiments = 1000;
  SECTION("independent groups of 300 and 250 users: true lift 0.025") {
    std::mt19937_64 rng(99);
    int covered = 0;
    for (int e = 0; e < experiments; ++e) {
      std::vector<double> c(300), t(250);
      for (double& v : c) v = ZeroInflated(rng, 0.6);
      for (double& v : t) v = ZeroInflated(rng, 0.55);
      const LiftIntervals ci = BootstrapIndependentLift(c, t, 0.05, 1000, 5000 + e);
      covered += ci.absolute.low <= 0.025 && 0.025 <= ci.absolute.high;
    }
    const double coverage = static_cast<double>(covered) / experiments;
    CHECK(coverage > 0.92);
    CHECK(coverage < 0.97);
  }
  SECTION("400 paired users, half unchanged: true lift 0.0125") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    int covered = 0;
    for (int e = 0; e < experiments; ++e) {
      std::vector<double> c(400), t(400);
      for (size_t i = 0; i < c.size(); ++i) {
        c[i] = ZeroInflated(rng, 0.6);
        t[i] = u(rng) < 0.5 ? c[i] : ZeroInflated(rng, 0.55);
      }
      const LiftIntervals ci = BootstrapPairedLift(c, t, 0.05, 1000, 9000 + e);
      covered += ci.absolute.low <= 0.0125 && 0.0125 <= ci.absolute.high;
    }
    const double coverage = static_cast<double>(covered) / experiments;
    CHECK(coverage > 0.92);
    CHECK(coverage < 0.97);
  }
}
