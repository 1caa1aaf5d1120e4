// Statistical tests and intervals for A/B comparisons of per-user metric
// values. All p-values are two-sided. Every function is deterministic:
// resampling draws from a generator seeded by the caller.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace reclift::host::stats {

struct TestResult {
  double statistic = 0;  // t, W (or its z), U (or its z), chi-square
  double p_value = 1;
  double df = 0;         // degrees of freedom where the test has them
  size_t n = 0;          // observations used
};

struct Interval {
  double low = 0;
  double high = 0;
};

// Distribution functions.
double NormalCdf(double z);
double NormalQuantile(double p);
double StudentTCdf(double t, double df);
double StudentTQuantile(double p, double df);
double ChiSquareCdf(double x, double df);

// Mean and sample standard deviation (n - 1).
double Mean(std::span<const double> x);
double StdDev(std::span<const double> x);

// t interval for the mean at level 1 - alpha.
Interval MeanCi(std::span<const double> x, double alpha);

// Paired: x are per-user differences treatment - control.
TestResult PairedTTest(std::span<const double> diffs);
// Wilcoxon signed-rank on the differences: zero differences dropped (Wilcoxon's
// convention), average ranks for ties, exact distribution for n <= 25 without
// ties, normal approximation with tie correction and continuity correction otherwise.
TestResult WilcoxonSignedRank(std::span<const double> diffs);
// Cohen's d_z: mean difference over the standard deviation of differences.
double CohensDz(std::span<const double> diffs);

// Percentile bootstrap interval of the absolute lift mean(t) - mean(c) for
// paired samples (users resampled with replacement, pairs kept) and of the
// relative lift (mean(t) - mean(c)) / mean(c).
struct LiftIntervals {
  Interval absolute;
  Interval relative;  // NaN bounds when mean(c) is 0 in a resample too often
};
LiftIntervals BootstrapPairedLift(std::span<const double> control, std::span<const double> treatment, double alpha,
                                  int samples, uint64_t seed);
// The same for independent samples (bucketed assignment).
LiftIntervals BootstrapIndependentLift(std::span<const double> control, std::span<const double> treatment,
                                       double alpha, int samples, uint64_t seed);

// Independent samples (bucketed assignment).
TestResult WelchTTest(std::span<const double> a, std::span<const double> b);
// Mann-Whitney U with average ranks for ties; normal approximation with tie
// and continuity correction.
TestResult MannWhitneyU(std::span<const double> a, std::span<const double> b);
// Sample-ratio mismatch: chi-square goodness of fit of observed counts
// against expected weights.
TestResult SampleRatioMismatch(std::span<const size_t> observed, std::span<const double> weights);
// Minimum detectable absolute effect of a two-sample comparison with n_a and
// n_b users, common standard deviation sd, at alpha (two-sided) and power.
double MinimumDetectableEffect(size_t n_a, size_t n_b, double sd, double alpha, double power);

// Multiple-comparison corrections: adjusted p-values, same order as given.
std::vector<double> HolmAdjust(std::span<const double> p);
std::vector<double> BenjaminiHochbergAdjust(std::span<const double> p);

// "better" / "worse" / "no detectable difference" from an adjusted p-value,
// the sign of the lift and the metric's direction.
std::string Verdict(double adjusted_p, double lift, double alpha, bool higher_is_better);

}  // namespace reclift::host::stats
