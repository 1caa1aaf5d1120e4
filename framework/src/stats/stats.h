// Statistical tests and intervals for A/B comparisons of per-user metric
// values. All p-values are two-sided. Every function is deterministic:
// resampling draws from a generator seeded by the caller.
//
// Conventions shared by every function here:
// - Missing values: a NaN is a missing per-user value (results.json writes
//   them as null) and is skipped; in paired functions a pair is skipped when
//   either side is NaN. TestResult::n counts the observations actually used.
//   Infinities are not filtered: they give non-finite statistics.
// - Too little data to test (fewer than 2 observations for a t-test, no
//   non-zero difference for Wilcoxon, an empty group for Mann-Whitney):
//   statistic 0, p-value 1, i.e. "no detectable difference", never a NaN
//   p-value.
// - Degenerate spread: when every difference (or every value of both groups)
//   is the same constant c, a t statistic is 0 with p = 1 if c is 0, and
//   +/-infinity with p = 0 otherwise (every user moved the same way).
// - Arguments a caller controls (alpha, power, bootstrap samples, span
//   lengths, weights) are checked; a bad one throws reclift::host::Error
//   naming the function, what was expected and what was found.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace reclift::host::stats {

struct TestResult {
  // t for t-tests; W+ (R's V, the sum of the ranks of positive differences)
  // for Wilcoxon; U of the first sample (R's W) for Mann-Whitney; the
  // chi-square for sample-ratio mismatch. Rank statistics are reported on
  // their own scale, not as z, so they can be checked against tables and R.
  double statistic = 0;
  double p_value = 1;
  double df = 0;  // degrees of freedom where the test has them
  size_t n = 0;   // observations used (both groups for two-sample tests)
};

struct Interval {
  double low = 0;
  double high = 0;
};

// Distribution functions (Boost.Math). Out-of-domain arguments (a NaN, a
// probability outside [0, 1], df <= 0) give NaN; quantiles of 0 and 1 are
// -/+infinity; df = +infinity is the normal distribution.
double NormalCdf(double z);
double NormalQuantile(double p);
double StudentTCdf(double t, double df);
double StudentTQuantile(double p, double df);
double ChiSquareCdf(double x, double df);

// Mean and sample standard deviation (n - 1). NaN when there are no values
// (Mean) or fewer than 2 (StdDev).
double Mean(std::span<const double> x);
double StdDev(std::span<const double> x);

// t interval for the mean at level 1 - alpha: mean +/- t_{1-alpha/2, n-1} *
// sd / sqrt(n). NaN bounds for fewer than 2 values; [c, c] for a constant c.
Interval MeanCi(std::span<const double> x, double alpha);

// Paired: x are per-user differences treatment - control. One-sample t-test
// of mean 0 with df = n - 1.
TestResult PairedTTest(std::span<const double> diffs);
// Wilcoxon signed-rank on the differences, with scipy 1.10's conventions
// (scipy.stats.wilcoxon defaults; tests/stats/scipy_goldens.txt checks them
// to 1e-9 relative for n = 5 .. 100,000):
// - zero differences are dropped before ranking (Wilcoxon's rule, scipy's
//   zero_method="wilcox", R's wilcox.test); n counts the non-zero ones;
// - average ranks for tied |differences|;
// - at most kWilcoxonExactMax (50, scipy's threshold) non-zero differences
//   and no ties: exact null distribution (dynamic programming over rank
//   sums), p = min(1, 2 * min(P(W+ <= V), P(W+ >= V)));
// - otherwise the normal approximation with variance n(n+1)(2n+1)/24 -
//   sum(t^3 - t)/48 over tie groups, and no continuity correction (scipy's
//   correction=False) unless `continuity_correction` (R's default, 0.5
//   towards the mean).
// Where this differs from scipy's default call on purpose: scipy switches to
// the approximation as soon as a zero is present even for n <= 50 (we drop
// the zeros first and use the exact distribution when it applies), and stays
// "exact" with ties, truncating a half-integer W+ (we use the approximation).
// scipy agrees with both choices when called with method="exact"/"approx"
// on the zero-free differences. Statistic: W+ (R's V; scipy reports min(W+,
// W-) for two-sided tests).
inline constexpr size_t kWilcoxonExactMax = 50;
TestResult WilcoxonSignedRank(std::span<const double> diffs, bool continuity_correction = false);
// Cohen's d_z: mean difference over the standard deviation of differences.
// NaN for fewer than 2 values; 0 when all differences are 0; +/-infinity when
// all differences are the same non-zero value.
double CohensDz(std::span<const double> diffs);

// Percentile bootstrap interval of the absolute lift mean(t) - mean(c) and of
// the relative lift (mean(t) - mean(c)) / mean(c), both computed in every
// resample.
//
// Method: `samples` resamples; each draws n indices uniformly with
// replacement from a SplitMix64 generator seeded with `seed` (Steele, Lea &
// Flood 2014; bounded draws by Lemire's multiply-shift with rejection, so the
// stream, and the result, is the same on every platform and standard
// library). The bounds are the alpha/2 and 1 - alpha/2
// quantiles of the resampled statistics, interpolated linearly between order
// statistics (R's quantile type 7).
//
// Paired: users are resampled with replacement and each user's pair kept
// (control and treatment must have the same length; pairs with a NaN side
// are dropped). Independent: each resample draws control then treatment,
// each from its own group.
//
// The relative interval is NaN when mean(c) is 0 in any resample (the ratio
// is then undefined and the percentile would be meaningless). Both intervals
// are NaN when a group is empty.
struct LiftIntervals {
  Interval absolute;
  Interval relative;  // NaN bounds when mean(c) is 0 in some resample
};
LiftIntervals BootstrapPairedLift(std::span<const double> control, std::span<const double> treatment,
                                  double alpha, int samples, uint64_t seed);
// The same for independent samples (bucketed assignment).
LiftIntervals BootstrapIndependentLift(std::span<const double> control, std::span<const double> treatment,
                                       double alpha, int samples, uint64_t seed);

// Independent samples (bucketed assignment). Welch's t-test of mean(a) -
// mean(b) (pass treatment as a, control as b for a lift's sign) with
// Welch-Satterthwaite degrees of freedom. Fewer than 2 values in a group:
// statistic 0, p 1.
TestResult WelchTTest(std::span<const double> a, std::span<const double> b);
// Mann-Whitney U with average ranks for ties; normal approximation with tie
// and continuity correction at every size (as R's wilcox.test(a, b, exact =
// FALSE) and scipy's mannwhitneyu(method="asymptotic"), which its default
// uses unless a group has at most 8 values and there are no ties).
// Statistic: U of a = rank sum of a - n_a(n_a + 1)/2. All values tied: p 1.
TestResult MannWhitneyU(std::span<const double> a, std::span<const double> b);
// Sample-ratio mismatch: chi-square goodness of fit of observed counts
// against expected weights (normalised to sum 1), df = groups - 1. Needs at
// least 2 groups, as many weights as counts, and positive finite weights.
// No observations at all: statistic 0, p 1.
TestResult SampleRatioMismatch(std::span<const size_t> observed, std::span<const double> weights);
// Minimum detectable absolute effect of a two-sample comparison with n_a and
// n_b users, common standard deviation sd, at alpha (two-sided) and power:
// (z_{1-alpha/2} + z_{power}) * sd * sqrt(1/n_a + 1/n_b). Infinity when a
// group is empty.
double MinimumDetectableEffect(size_t n_a, size_t n_b, double sd, double alpha, double power);

// Multiple-comparison corrections: adjusted p-values, same order as given.
// NaN p-values stay NaN and do not count towards the number of tests (as R's
// p.adjust). Holm: step-down, m, m-1, ... multipliers, made monotone by a
// running maximum. Benjamini-Hochberg: step-up, m/rank multipliers, made
// monotone by a running minimum from the largest p. Both capped at 1.
std::vector<double> HolmAdjust(std::span<const double> p);
std::vector<double> BenjaminiHochbergAdjust(std::span<const double> p);

inline constexpr const char* kVerdictBetter = "better";
inline constexpr const char* kVerdictWorse = "worse";
inline constexpr const char* kVerdictNoDifference = "no detectable difference";
inline constexpr const char* kVerdictHigher = "higher";  // significant, metric without a better direction
inline constexpr const char* kVerdictLower = "lower";

// "better" / "worse" / "no detectable difference" from an adjusted p-value,
// the sign of the lift and the metric's direction. Significant means
// adjusted_p < alpha; a NaN p-value or lift, or a lift of exactly 0, is no
// detectable difference. For a metric that is not `directional` a
// significant difference is "higher" or "lower".
std::string Verdict(double adjusted_p, double lift, double alpha, bool higher_is_better,
                    bool directional = true);

}  // namespace reclift::host::stats
