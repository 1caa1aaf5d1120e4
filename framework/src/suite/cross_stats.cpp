#include "suite/cross_stats.h"

#include <algorithm>
#include <array>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <numeric>

#include "stats/stats.h"
#include "util/error.h"

namespace reclift::host::suite {
namespace {

// Two-tailed Nemenyi critical values q_alpha, index k - 2 (k = 2..30).
// k <= 10: Demsar (2006), Table 5(a). k >= 11: scipy 1.10
// studentized_range.ppf(1 - alpha, k, inf) / sqrt(2), rounded to 3 digits
// like the paper (tests/suite/reference_values.py prints them).
constexpr std::array<double, 29> kQ05 = {
    1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164,  // Demsar
    3.219, 3.268, 3.313, 3.354, 3.391, 3.426, 3.458, 3.489, 3.517, 3.544,
    3.569, 3.593, 3.616, 3.637, 3.658, 3.678, 3.696, 3.714, 3.732, 3.749};
constexpr std::array<double, 29> kQ10 = {
    1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920,  // Demsar
    2.978, 3.030, 3.077, 3.120, 3.159, 3.196, 3.230, 3.261, 3.291, 3.319,
    3.346, 3.371, 3.394, 3.417, 3.439, 3.459, 3.479, 3.498, 3.516, 3.533};

double FisherFUpperTail(double f, double df1, double df2) {
  if (!std::isfinite(f)) return f > 0 ? 0.0 : 1.0;
  if (f <= 0) return 1.0;
  boost::math::fisher_f dist(df1, df2);
  return boost::math::cdf(boost::math::complement(dist, f));
}

}  // namespace

std::vector<double> RankRow(const std::vector<double>& scores, bool higher_is_better) {
  const size_t k = scores.size();
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return higher_is_better ? scores[a] > scores[b] : scores[a] < scores[b];
  });
  std::vector<double> ranks(k);
  for (size_t i = 0; i < k;) {
    size_t j = i;
    while (j + 1 < k && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double average = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2.0;
    for (size_t t = i; t <= j; ++t) ranks[order[t]] = average;
    i = j + 1;
  }
  return ranks;
}

double NemenyiQAlpha(size_t k, double alpha) {
  if (k < 2 || k > 30) return NAN;
  if (std::abs(alpha - 0.05) < 1e-12) return kQ05[k - 2];
  if (std::abs(alpha - 0.10) < 1e-12) return kQ10[k - 2];
  return NAN;
}

void FriedmanFromMeanRanks(const std::vector<double>& mean_ranks, size_t n, double tie_sum,
                           CrossDatasetStats& out) {
  const double N = static_cast<double>(n), K = static_cast<double>(mean_ranks.size());
  double sum_sq = 0;
  for (double r : mean_ranks) sum_sq += r * r;
  out.friedman_df = K - 1;
  out.friedman_chi2 = 12.0 * N / (K * (K + 1)) * (sum_sq - K * (K + 1) * (K + 1) / 4.0);
  const double tie_factor = 1.0 - tie_sum / (N * K * (K * K - 1));
  // every row one big tie: no information at all, nothing differs
  out.friedman_chi2_tie_corrected = tie_factor > 0 ? out.friedman_chi2 / tie_factor : 0.0;
  out.friedman_p = 1.0 - stats::ChiSquareCdf(out.friedman_chi2, out.friedman_df);
  out.iman_davenport_df1 = K - 1;
  out.iman_davenport_df2 = (K - 1) * (N - 1);
  const double denominator = N * (K - 1) - out.friedman_chi2;
  out.iman_davenport_f = denominator > 0 ? (N - 1) * out.friedman_chi2 / denominator : INFINITY;
  out.iman_davenport_p =
      FisherFUpperTail(out.iman_davenport_f, out.iman_davenport_df1, out.iman_davenport_df2);
}

CrossDatasetStats CompareAcrossDatasets(const CrossDatasetInput& in) {
  const size_t k = in.arms.size();
  if (k < 2) throw Error("cross-dataset statistics: expected at least 2 arms, found " + std::to_string(k));
  if (in.scores.size() != in.datasets.size()) {
    throw Error("cross-dataset statistics: " + std::to_string(in.datasets.size()) + " datasets but " +
                std::to_string(in.scores.size()) + " rows of scores");
  }
  if (!(in.alpha > 0 && in.alpha < 1)) throw Error("cross-dataset statistics: alpha must be in (0, 1)");
  CrossDatasetStats out;
  std::vector<std::vector<double>> rows;
  for (size_t d = 0; d < in.scores.size(); ++d) {
    if (in.scores[d].size() != k) {
      throw Error("cross-dataset statistics: dataset " + in.datasets[d] + " has " +
                  std::to_string(in.scores[d].size()) + " scores, expected " + std::to_string(k));
    }
    const bool complete =
        std::none_of(in.scores[d].begin(), in.scores[d].end(), [](double x) { return std::isnan(x); });
    (complete ? out.complete_datasets : out.incomplete_datasets).push_back(in.datasets[d]);
    if (complete) rows.push_back(in.scores[d]);
  }
  const size_t n = rows.size();
  out.mean_ranks.assign(k, n == 0 ? NAN : 0.0);
  double tie_sum = 0;  // sum over rows and tie groups of t^3 - t
  for (const auto& row : rows) {
    out.ranks.push_back(RankRow(row, in.higher_is_better));
    for (size_t j = 0; j < k; ++j) out.mean_ranks[j] += out.ranks.back()[j] / static_cast<double>(n);
    std::vector<double> sorted = row;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < k;) {
      size_t j = i;
      while (j + 1 < k && sorted[j + 1] == sorted[i]) ++j;
      const double t = static_cast<double>(j - i + 1);
      tie_sum += t * t * t - t;
      i = j + 1;
    }
  }

  const double N = static_cast<double>(n), K = static_cast<double>(k);
  out.friedman_df = K - 1;
  out.iman_davenport_df1 = K - 1;
  out.iman_davenport_df2 = (K - 1) * (N - 1);
  out.q_alpha = NemenyiQAlpha(k, in.alpha);
  if (n < 3) {
    out.omnibus_meaningful = false;
    out.omnibus_note = "omnibus test not meaningful with " + std::to_string(n) + " complete dataset" +
                       (n == 1 ? "" : "s") + " (needs at least 3)";
    out.friedman_chi2 = out.friedman_chi2_tie_corrected = out.friedman_p = NAN;
    out.iman_davenport_f = out.iman_davenport_p = NAN;
    out.critical_difference = NAN;
  } else {
    out.omnibus_meaningful = true;
    FriedmanFromMeanRanks(out.mean_ranks, n, tie_sum, out);
    out.critical_difference = out.q_alpha * std::sqrt(K * (K + 1) / (6.0 * N));
  }

  // pairwise Wilcoxon over every dataset where both arms have a score
  std::vector<double> raw;
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b) {
      PairwiseWilcoxon pw;
      pw.a = a;
      pw.b = b;
      std::vector<double> diffs;
      for (const auto& row : in.scores) {
        if (std::isnan(row[a]) || std::isnan(row[b])) continue;
        diffs.push_back(row[a] - row[b]);
        const bool a_wins = in.higher_is_better ? row[a] > row[b] : row[a] < row[b];
        const bool b_wins = in.higher_is_better ? row[b] > row[a] : row[b] < row[a];
        pw.a_better += a_wins ? 1 : 0;
        pw.b_better += b_wins ? 1 : 0;
      }
      const stats::TestResult w = stats::WilcoxonSignedRank(diffs, /*continuity_correction=*/true);
      pw.statistic = w.statistic;
      pw.p_value = w.p_value;
      pw.n = w.n;
      raw.push_back(w.p_value);
      out.pairwise.push_back(pw);
    }
  }
  const std::vector<double> adjusted = stats::HolmAdjust(raw);
  for (size_t i = 0; i < out.pairwise.size(); ++i) {
    out.pairwise[i].p_adjusted = adjusted[i];
    out.pairwise[i].significant = adjusted[i] < in.alpha;
  }
  return out;
}

}  // namespace reclift::host::suite
