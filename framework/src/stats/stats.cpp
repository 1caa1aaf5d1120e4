#include "stats/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string_view>

#include "util/error.h"

namespace reclift::host::stats {
namespace {

namespace bm = boost::math;
// Out-of-domain arguments give NaN (and quantiles of 0/1 give infinities)
// instead of exceptions: callers test for finiteness, and a statistics
// helper must not abort a whole run over one degenerate comparison.
using QuietPolicy = bm::policies::policy<bm::policies::domain_error<bm::policies::ignore_error>,
                                         bm::policies::overflow_error<bm::policies::ignore_error>,
                                         bm::policies::underflow_error<bm::policies::ignore_error>,
                                         bm::policies::pole_error<bm::policies::ignore_error>,
                                         bm::policies::evaluation_error<bm::policies::ignore_error>>;
using Normal = bm::normal_distribution<double, QuietPolicy>;
using StudentT = bm::students_t_distribution<double, QuietPolicy>;
using ChiSquare = bm::chi_squared_distribution<double, QuietPolicy>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();

void CheckAlpha(std::string_view function, double alpha) {
  if (!(alpha > 0 && alpha < 1)) {
    throw Error(fmt::format("{}: alpha must be in (0, 1), got {}", function, alpha));
  }
}

std::vector<double> WithoutNaN(std::span<const double> x) {
  std::vector<double> kept;
  kept.reserve(x.size());
  for (double v : x) {
    if (!std::isnan(v)) kept.push_back(v);
  }
  return kept;
}

// Upper-tail probabilities through Boost's complements, accurate where
// 1 - cdf would cancel to 0.
double NormalUpper(double z) {
  return std::isnan(z) ? kNaN : bm::cdf(bm::complement(Normal(), z));
}

double StudentTUpper(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(df)) return NormalUpper(t);
  return bm::cdf(bm::complement(StudentT(df), t));
}

double TwoSidedNormalP(double z) {
  return std::isnan(z) ? kNaN : std::min(1.0, 2 * NormalUpper(std::fabs(z)));
}

double TwoSidedTP(double t, double df) {
  return std::min(1.0, 2 * StudentTUpper(std::fabs(t), df));
}

// Statistic for a mean difference over its standard error, treating a
// standard error that is round-off relative to the difference (or exactly
// 0) as "no spread" (the same guard as R's t.test, which refuses such data):
// every observation moved by the same amount.
double TStatistic(double mean_difference, double standard_error, double scale) {
  if (standard_error <= 10 * kEps * scale) {
    if (mean_difference == 0) return 0;
    return mean_difference > 0 ? kInf : -kInf;
  }
  return mean_difference / standard_error;
}

double SumOfSquaredDeviations(std::span<const double> x, double mean) {
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return ss;
}

double Variance(std::span<const double> x) {
  if (x.size() < 2) return kNaN;
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  return SumOfSquaredDeviations(x, mean) / static_cast<double>(x.size() - 1);
}

// 1-based average ranks of `values` and sum(t^3 - t) over groups of t tied
// values (the tie term of rank tests' variances).
struct Ranks {
  std::vector<double> rank;
  double tie_term = 0;
  bool has_ties = false;
};

Ranks AverageRanks(std::span<const double> values) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  Ranks out;
  out.rank.resize(n);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]]) ++j;
    // positions i..j-1 hold ranks i+1..j; all get their average
    const double average = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) out.rank[order[k]] = average;
    const double t = static_cast<double>(j - i);
    if (j - i > 1) {
      out.has_ties = true;
      out.tie_term += t * t * t - t;
    }
    i = j;
  }
  return out;
}

// Number of subsets of {1..n} with each rank sum s = 0..n(n+1)/2: the exact
// null distribution of W+ times 2^n.
std::vector<double> SignedRankCounts(size_t n) {
  const size_t max_sum = n * (n + 1) / 2;
  std::vector<double> counts(max_sum + 1, 0.0);
  counts[0] = 1;
  for (size_t r = 1; r <= n; ++r) {
    const size_t reachable = r * (r + 1) / 2;
    for (size_t s = reachable; s >= r; --s) counts[s] += counts[s - r];
  }
  return counts;
}

// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014; the seeding generator of
// xoshiro): a 64-bit counter through a bijective mixer. It passes BigCrush,
// its output is fixed by this definition on every platform, and one draw
// costs a few multiplies, against mt19937_64's 312-word refills: the
// bootstrap's resampling loop spends most of its time drawing.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Uniform index in [0, n) from one or more 64-bit draws: Lemire's
// multiply-and-shift with rejection of the biased low fringe. Unlike
// std::uniform_int_distribution its output is fixed by the generator's
// stream alone, so bootstrap intervals match across platforms.
inline uint64_t UniformIndex(SplitMix64& rng, uint64_t n) {
  unsigned __int128 product = static_cast<unsigned __int128>(rng()) * n;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(rng()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

// Quantile q of sorted values, linear between order statistics (type 7).
double SortedQuantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const size_t below = static_cast<size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  return sorted[below] + (h - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

Interval PercentileInterval(std::vector<double>& values, double alpha) {
  std::sort(values.begin(), values.end());
  return {SortedQuantile(values, alpha / 2), SortedQuantile(values, 1 - alpha / 2)};
}

constexpr Interval kNaNInterval{kNaN, kNaN};

void CheckBootstrapArguments(std::string_view function, double alpha, int samples) {
  CheckAlpha(function, alpha);
  if (samples < 1) {
    throw Error(
        fmt::format("{}: the number of bootstrap samples must be at least 1, got {}", function, samples));
  }
}

// Absolute and relative intervals from per-resample control and treatment
// means.
LiftIntervals LiftIntervalsFromResamples(const std::vector<double>& control_means,
                                         const std::vector<double>& treatment_means, double alpha) {
  const size_t samples = control_means.size();
  std::vector<double> absolute(samples), relative(samples);
  bool relative_defined = true;
  for (size_t b = 0; b < samples; ++b) {
    absolute[b] = treatment_means[b] - control_means[b];
    if (control_means[b] == 0) relative_defined = false;
    relative[b] = absolute[b] / control_means[b];
  }
  LiftIntervals out;
  out.absolute = PercentileInterval(absolute, alpha);
  out.relative = relative_defined ? PercentileInterval(relative, alpha) : kNaNInterval;
  return out;
}

}  // namespace

double NormalCdf(double z) {
  return std::isnan(z) ? kNaN : bm::cdf(Normal(), z);
}

double NormalQuantile(double p) {
  if (!(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  return bm::quantile(Normal(), p);
}

double StudentTCdf(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(df)) return NormalCdf(t);
  return bm::cdf(StudentT(df), t);
}

double StudentTQuantile(double p, double df) {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (std::isinf(df)) return NormalQuantile(p);
  return bm::quantile(StudentT(df), p);
}

double ChiSquareCdf(double x, double df) {
  if (std::isnan(x) || !(df > 0)) return kNaN;
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  return bm::cdf(ChiSquare(df), x);
}

double Mean(std::span<const double> x) {
  double sum = 0;
  size_t n = 0;
  for (double v : x) {
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

double StdDev(std::span<const double> x) {
  return std::sqrt(Variance(WithoutNaN(x)));
}

Interval MeanCi(std::span<const double> x, double alpha) {
  CheckAlpha("MeanCi", alpha);
  const std::vector<double> kept = WithoutNaN(x);
  if (kept.size() < 2) return kNaNInterval;
  const double mean = Mean(kept);
  const double n = static_cast<double>(kept.size());
  const double half_width = StudentTQuantile(1 - alpha / 2, n - 1) * std::sqrt(Variance(kept) / n);
  return {mean - half_width, mean + half_width};
}

TestResult PairedTTest(std::span<const double> diffs) {
  const std::vector<double> kept = WithoutNaN(diffs);
  TestResult result;
  result.n = kept.size();
  if (kept.size() < 2) return result;
  const double n = static_cast<double>(kept.size());
  const double mean = Mean(kept);
  result.df = n - 1;
  result.statistic = TStatistic(mean, std::sqrt(Variance(kept) / n), std::fabs(mean));
  result.p_value = TwoSidedTP(result.statistic, result.df);
  return result;
}

TestResult WilcoxonSignedRank(std::span<const double> diffs, bool continuity_correction) {
  std::vector<double> magnitudes;
  std::vector<bool> positive;
  for (double d : diffs) {
    if (std::isnan(d) || d == 0) continue;
    magnitudes.push_back(std::fabs(d));
    positive.push_back(d > 0);
  }
  TestResult result;
  result.n = magnitudes.size();
  if (magnitudes.empty()) return result;

  const Ranks ranks = AverageRanks(magnitudes);
  double w_plus = 0;
  for (size_t i = 0; i < magnitudes.size(); ++i) {
    if (positive[i]) w_plus += ranks.rank[i];
  }
  result.statistic = w_plus;
  const double n = static_cast<double>(magnitudes.size());

  if (magnitudes.size() <= kWilcoxonExactMax && !ranks.has_ties) {
    // W+ is an integer here (no ties), so the tails are sums of exact counts.
    const std::vector<double> counts = SignedRankCounts(magnitudes.size());
    const size_t v = static_cast<size_t>(std::llround(w_plus));
    double at_most = 0, at_least = 0;
    for (size_t s = 0; s < counts.size(); ++s) {
      if (s <= v) at_most += counts[s];
      if (s >= v) at_least += counts[s];
    }
    const double total = std::ldexp(1.0, static_cast<int>(magnitudes.size()));
    result.p_value = std::min(1.0, 2 * std::min(at_most, at_least) / total);
    return result;
  }

  const double centred = w_plus - n * (n + 1) / 4;
  const double variance = n * (n + 1) * (2 * n + 1) / 24 - ranks.tie_term / 48;
  if (!(variance > 0)) return result;
  const double correction = !continuity_correction ? 0.0 : (centred > 0 ? 0.5 : (centred < 0 ? -0.5 : 0.0));
  result.p_value = TwoSidedNormalP((centred - correction) / std::sqrt(variance));
  return result;
}

double CohensDz(std::span<const double> diffs) {
  const std::vector<double> kept = WithoutNaN(diffs);
  if (kept.size() < 2) return kNaN;
  const double mean = Mean(kept);
  // Same zero-spread guard as the t-test, scaled to one observation.
  return TStatistic(mean, std::sqrt(Variance(kept)), std::fabs(mean));
}

LiftIntervals BootstrapPairedLift(std::span<const double> control, std::span<const double> treatment,
                                  double alpha, int samples, uint64_t seed) {
  CheckBootstrapArguments("BootstrapPairedLift", alpha, samples);
  if (control.size() != treatment.size()) {
    throw Error(fmt::format(
        "BootstrapPairedLift: control and treatment must hold one value per user each, got {} and {} values",
        control.size(), treatment.size()));
  }
  // each user's pair side by side: one cache line per draw
  std::vector<std::array<double, 2>> pairs;
  for (size_t i = 0; i < control.size(); ++i) {
    if (std::isnan(control[i]) || std::isnan(treatment[i])) continue;
    pairs.push_back({control[i], treatment[i]});
  }
  if (pairs.empty()) return {kNaNInterval, kNaNInterval};

  SplitMix64 rng(seed);
  const uint64_t n = pairs.size();
  std::vector<double> control_means(samples), treatment_means(samples);
  for (int b = 0; b < samples; ++b) {
    // two running sums each, so consecutive additions do not wait on each other
    double sum_c[2] = {0, 0}, sum_t[2] = {0, 0};
    for (uint64_t i = 0; i < n; ++i) {
      const std::array<double, 2>& pair = pairs[UniformIndex(rng, n)];
      sum_c[i & 1] += pair[0];
      sum_t[i & 1] += pair[1];
    }
    control_means[b] = (sum_c[0] + sum_c[1]) / static_cast<double>(n);
    treatment_means[b] = (sum_t[0] + sum_t[1]) / static_cast<double>(n);
  }
  return LiftIntervalsFromResamples(control_means, treatment_means, alpha);
}

LiftIntervals BootstrapIndependentLift(std::span<const double> control, std::span<const double> treatment,
                                       double alpha, int samples, uint64_t seed) {
  CheckBootstrapArguments("BootstrapIndependentLift", alpha, samples);
  const std::vector<double> c = WithoutNaN(control), t = WithoutNaN(treatment);
  if (c.empty() || t.empty()) return {kNaNInterval, kNaNInterval};

  SplitMix64 rng(seed);
  auto resampled_mean = [&rng](const std::vector<double>& values) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[UniformIndex(rng, values.size())];
    return sum / static_cast<double>(values.size());
  };
  std::vector<double> control_means(samples), treatment_means(samples);
  for (int b = 0; b < samples; ++b) {
    control_means[b] = resampled_mean(c);
    treatment_means[b] = resampled_mean(t);
  }
  return LiftIntervalsFromResamples(control_means, treatment_means, alpha);
}

TestResult WelchTTest(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> x = WithoutNaN(a), y = WithoutNaN(b);
  TestResult result;
  result.n = x.size() + y.size();
  if (x.size() < 2 || y.size() < 2) return result;
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  const double mean_x = Mean(x), mean_y = Mean(y);
  const double vx = Variance(x) / nx, vy = Variance(y) / ny;
  const double se = std::sqrt(vx + vy);
  result.statistic = TStatistic(mean_x - mean_y, se, std::max(std::fabs(mean_x), std::fabs(mean_y)));
  // Welch-Satterthwaite; with no spread in either group it is 0/0, and the
  // pooled df keeps the result finite (the p-value is then 0 or 1 anyway).
  const double denominator = vx * vx / (nx - 1) + vy * vy / (ny - 1);
  result.df = denominator > 0 ? (vx + vy) * (vx + vy) / denominator : nx + ny - 2;
  result.p_value = TwoSidedTP(result.statistic, result.df);
  return result;
}

TestResult MannWhitneyU(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> x = WithoutNaN(a), y = WithoutNaN(b);
  TestResult result;
  result.n = x.size() + y.size();
  if (x.empty() || y.empty()) return result;
  std::vector<double> combined = x;
  combined.insert(combined.end(), y.begin(), y.end());
  const Ranks ranks = AverageRanks(combined);
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size()), n = nx + ny;
  double rank_sum_x = 0;
  for (size_t i = 0; i < x.size(); ++i) rank_sum_x += ranks.rank[i];
  result.statistic = rank_sum_x - nx * (nx + 1) / 2;

  const double centred = result.statistic - nx * ny / 2;
  const double variance = nx * ny / 12 * ((n + 1) - ranks.tie_term / (n * (n - 1)));
  if (!(variance > 0)) return result;  // every value tied: nothing to rank
  const double correction = centred > 0 ? 0.5 : (centred < 0 ? -0.5 : 0.0);
  result.p_value = TwoSidedNormalP((centred - correction) / std::sqrt(variance));
  return result;
}

TestResult SampleRatioMismatch(std::span<const size_t> observed, std::span<const double> weights) {
  if (observed.size() != weights.size()) {
    throw Error(
        fmt::format("SampleRatioMismatch: expected one weight per group, got {} groups and {} weights",
                    observed.size(), weights.size()));
  }
  if (observed.size() < 2) {
    throw Error(fmt::format("SampleRatioMismatch: expected at least 2 groups, got {}", observed.size()));
  }
  double weight_sum = 0, total = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] > 0) || std::isinf(weights[i])) {
      throw Error(fmt::format("SampleRatioMismatch: weight {} must be positive and finite, got {}", i + 1,
                              weights[i]));
    }
    weight_sum += weights[i];
    total += static_cast<double>(observed[i]);
  }
  TestResult result;
  result.n = static_cast<size_t>(total);
  result.df = static_cast<double>(observed.size() - 1);
  if (total == 0) return result;
  double chi_square = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double expected = total * weights[i] / weight_sum;
    const double deviation = static_cast<double>(observed[i]) - expected;
    chi_square += deviation * deviation / expected;
  }
  result.statistic = chi_square;
  result.p_value = bm::cdf(bm::complement(ChiSquare(result.df), chi_square));
  return result;
}

double MinimumDetectableEffect(size_t n_a, size_t n_b, double sd, double alpha, double power) {
  CheckAlpha("MinimumDetectableEffect", alpha);
  if (!(power > 0 && power < 1)) {
    throw Error(fmt::format("MinimumDetectableEffect: power must be in (0, 1), got {}", power));
  }
  if (n_a == 0 || n_b == 0) return kInf;
  const double z_sum = NormalQuantile(1 - alpha / 2) + NormalQuantile(power);
  return z_sum * sd * std::sqrt(1.0 / static_cast<double>(n_a) + 1.0 / static_cast<double>(n_b));
}

namespace {

// Indices of the non-NaN p-values in increasing order of p (ties keep input
// order).
std::vector<size_t> OrderOfDefined(std::span<const double> p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  return order;
}

}  // namespace

std::vector<double> HolmAdjust(std::span<const double> p) {
  std::vector<double> adjusted(p.begin(), p.end());
  const std::vector<size_t> order = OrderOfDefined(p);
  const double m = static_cast<double>(order.size());
  double running_max = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const double scaled = std::min(1.0, (m - static_cast<double>(rank)) * p[order[rank]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[rank]] = running_max;
  }
  return adjusted;
}

std::vector<double> BenjaminiHochbergAdjust(std::span<const double> p) {
  std::vector<double> adjusted(p.begin(), p.end());
  const std::vector<size_t> order = OrderOfDefined(p);
  const double m = static_cast<double>(order.size());
  double running_min = 1;
  for (size_t rank = order.size(); rank-- > 0;) {
    const double scaled = std::min(1.0, m / static_cast<double>(rank + 1) * p[order[rank]]);
    running_min = std::min(running_min, scaled);
    adjusted[order[rank]] = running_min;
  }
  return adjusted;
}

std::string Verdict(double adjusted_p, double lift, double alpha, bool higher_is_better, bool directional) {
  if (!(adjusted_p < alpha) || std::isnan(lift) || lift == 0) return kVerdictNoDifference;
  if (!directional) return lift > 0 ? kVerdictHigher : kVerdictLower;
  return (lift > 0) == higher_is_better ? kVerdictBetter : kVerdictWorse;
}

}  // namespace reclift::host::stats
