// Statistics of several arms over several datasets: the tests a paper's
// "results over N datasets" table needs.
//
// - Ranks per dataset: 1 = best (direction from the metric's
//   higher_is_better), ties get the average of the ranks they span.
// - Friedman (Demsar 2006, eq. in section 3.2.2): chi2_F = 12N/(k(k+1)) *
//   (sum_j R_j^2 - k(k+1)^2/4) with mean ranks R_j, df k-1; no tie
//   correction, as in the paper's worked example. The tie-corrected value
//   (divided by 1 - sum(t^3 - t)/(N k (k^2 - 1)), as scipy's
//   friedmanchisquare) is reported beside it.
// - Iman-Davenport: F_F = (N-1) chi2_F / (N(k-1) - chi2_F) with
//   (k-1, (k-1)(N-1)) degrees of freedom.
// - Nemenyi critical difference CD = q_alpha sqrt(k(k+1)/(6N)); two arms
//   whose mean ranks differ by at least CD differ significantly.
// - Pairwise Wilcoxon signed-rank over datasets (Benavoli, Corani &
//   Mangili 2016 prefer it to the mean-rank post-hoc tests), two-sided,
//   p-values Holm-adjusted over all pairs. See stats::WilcoxonSignedRank for
//   the exact / normal-approximation rule.
//
// With fewer than 3 complete datasets (or fewer than 2 arms) the omnibus
// tests are not meaningful: the numbers are NaN and `omnibus_note` says why.
// A dataset where some arm has no score (a failed arm) is left out of the
// rank statistics and listed in `incomplete_datasets`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace reclift::host::suite {

struct CrossDatasetInput {
  std::vector<std::string> datasets;
  std::vector<std::string> arms;
  std::vector<std::vector<double>> scores;  // [dataset][arm]; NaN = no score
  bool higher_is_better = true;
  double alpha = 0.05;  // 0.05 or 0.10 for the Nemenyi CD; any value for the rest
};

struct PairwiseWilcoxon {
  size_t a = 0, b = 0;    // arm indices, a < b
  double statistic = 0;   // W+ of the differences score(a) - score(b)
  double p_value = 1;     // two-sided
  double p_adjusted = 1;  // Holm over all pairs
  size_t n = 0;           // non-zero differences used
  int a_better = 0;       // datasets where a scores better than b
  int b_better = 0;
  bool significant = false;  // p_adjusted < alpha
};

struct CrossDatasetStats {
  std::vector<std::string> complete_datasets;  // rows that enter the rank statistics
  std::vector<std::string> incomplete_datasets;
  std::vector<std::vector<double>> ranks;  // [complete dataset][arm]
  std::vector<double> mean_ranks;          // [arm]; NaN without complete datasets
  bool omnibus_meaningful = false;
  std::string omnibus_note;  // why not, when not meaningful
  double friedman_chi2 = 0;
  double friedman_chi2_tie_corrected = 0;
  double friedman_df = 0;
  double friedman_p = 0;
  double iman_davenport_f = 0;
  double iman_davenport_df1 = 0, iman_davenport_df2 = 0;
  double iman_davenport_p = 0;
  double q_alpha = 0;              // NaN when alpha or k has no tabulated value
  double critical_difference = 0;  // NaN likewise
  std::vector<PairwiseWilcoxon> pairwise;
};

// Ranks of one row, 1 = best, ties averaged. NaN values are not allowed.
std::vector<double> RankRow(const std::vector<double>& scores, bool higher_is_better);

// The two-tailed Nemenyi q_alpha for k arms: Demsar (2006) Table 5(a) for
// k = 2..10 (studentized range / sqrt(2)); k = 11..30 computed with scipy's
// studentized_range.ppf(1 - alpha, k, inf) / sqrt(2) (tests/suite/
// reference_values.py). NaN for other k or an alpha other than 0.05, 0.10.
double NemenyiQAlpha(size_t k, double alpha);

// The Friedman and Iman-Davenport figures from mean ranks over n datasets
// (n >= 3 not checked here), with `tie_sum` = sum over datasets and tie
// groups of t^3 - t for the tie-corrected chi-square. Fills the friedman_*
// and iman_davenport_* fields of `out`.
void FriedmanFromMeanRanks(const std::vector<double>& mean_ranks, size_t n, double tie_sum,
                           CrossDatasetStats& out);

// Throws Error for a malformed input (row lengths, fewer than 2 arms).
CrossDatasetStats CompareAcrossDatasets(const CrossDatasetInput& input);

}  // namespace reclift::host::suite
