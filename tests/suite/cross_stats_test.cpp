// Golden values: Demsar (2006) section 3.2.4 (the worked example over his
// Table 6) and scipy 1.10 (tests/suite/reference_values.py prints every
// number used here; run it with /usr/bin/python3 to check them).
#include "suite/cross_stats.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "util/error.h"

using namespace reclift::host;
using namespace reclift::host::suite;
using Catch::Matchers::Contains;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Demsar (2006), Table 6: AUC of C4.5, C4.5+m, C4.5+cf, C4.5+m+cf on 14 data sets.
const std::vector<std::vector<double>> kDemsarTable = {
    {0.763, 0.768, 0.771, 0.798}, {0.599, 0.591, 0.590, 0.569}, {0.954, 0.971, 0.968, 0.967},
    {0.628, 0.661, 0.654, 0.657}, {0.882, 0.888, 0.886, 0.898}, {0.936, 0.931, 0.916, 0.931},
    {0.661, 0.668, 0.609, 0.685}, {0.583, 0.583, 0.563, 0.625}, {0.775, 0.838, 0.866, 0.875},
    {1.000, 1.000, 1.000, 1.000}, {0.940, 0.962, 0.965, 0.962}, {0.619, 0.666, 0.614, 0.669},
    {0.972, 0.981, 0.975, 0.975}, {0.957, 0.978, 0.946, 0.970}};

// Hand-made (see reference_values.py): no ties in a row, no tied or zero
// |differences| in any pair, so scipy's exact Wilcoxon applies.
const std::vector<std::vector<double>> kTable1 = {{0.503, 0.504, 0.358},
                                                  {0.243, 0.127, 0.292},
                                                  {0.304, 0.123, 0.124},
                                                  {0.600, 0.426, 0.217},
                                                  {0.317, 0.587, 0.549}};

// One tie inside row 6 (arms 0 and 1), so a zero difference in that pair.
const std::vector<std::vector<double>> kTable2 = {{0.156, 0.057, 0.470, 0.089}, {0.430, 0.216, 0.478, 0.230},
                                                  {0.471, 0.300, 0.158, 0.384}, {0.353, 0.358, 0.259, 0.150},
                                                  {0.338, 0.098, 0.362, 0.336}, {0.219, 0.219, 0.137, 0.226},
                                                  {0.409, 0.221, 0.371, 0.326}, {0.473, 0.496, 0.376, 0.414}};

CrossDatasetInput Input(const std::vector<std::vector<double>>& table, bool higher = true,
                        double alpha = 0.05) {
  CrossDatasetInput in;
  for (size_t d = 0; d < table.size(); ++d) in.datasets.push_back("d" + std::to_string(d));
  for (size_t a = 0; a < table[0].size(); ++a) in.arms.push_back("a" + std::to_string(a));
  in.scores = table;
  in.higher_is_better = higher;
  in.alpha = alpha;
  return in;
}

void CheckValues(const std::vector<double>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]));
}

}  // namespace

TEST_CASE("ranks put the best first and average ties", "[suite][stats]") {
  CHECK(RankRow({0.3, 0.1, 0.2}, true) == std::vector<double>{1, 3, 2});
  CHECK(RankRow({0.3, 0.1, 0.2}, false) == std::vector<double>{3, 1, 2});
  CHECK(RankRow({0.5, 0.7, 0.5, 0.1}, true) == std::vector<double>{2.5, 1, 2.5, 4});
  CHECK(RankRow({1, 1, 1, 1}, true) == std::vector<double>{2.5, 2.5, 2.5, 2.5});
}

TEST_CASE("Friedman and Iman-Davenport reproduce Demsar's worked example", "[suite][stats]") {
  // section 3.2.4: mean ranks 3.143, 2.000, 2.893, 1.964 over N = 14, k = 4;
  // chi2_F = 9.28, F_F = 3.69; CD = 1.25 at alpha 0.05 and 1.12 at 0.10
  CrossDatasetStats out;
  FriedmanFromMeanRanks({44 / 14.0, 28 / 14.0, 40.5 / 14.0, 27.5 / 14.0}, 14, 0, out);
  CHECK(out.friedman_chi2 == Approx(9.28).margin(0.005));
  CHECK(out.iman_davenport_f == Approx(3.69).margin(0.005));
  CHECK(out.iman_davenport_df1 == 3);
  CHECK(out.iman_davenport_df2 == 39);
  // scipy: chi2.sf(9.278571429, 3), f.sf(3.686313032, 3, 39)
  CHECK(out.friedman_chi2 == Approx(9.278571429).epsilon(1e-9));
  CHECK(out.friedman_p == Approx(0.02580749671).epsilon(1e-8));
  CHECK(out.iman_davenport_f == Approx(3.686313032).epsilon(1e-9));
  CHECK(out.iman_davenport_p == Approx(0.01982300619).epsilon(1e-8));
  // the paper: F_F = 3.69 > F(3, 39) critical value 2.85 at 0.05, the null is rejected
  CHECK(out.iman_davenport_p < 0.05);
}

TEST_CASE("the Nemenyi critical difference of Demsar's example", "[suite][stats]") {
  CHECK(NemenyiQAlpha(4, 0.05) == 2.569);
  CHECK(NemenyiQAlpha(4, 0.10) == 2.291);
  CHECK(NemenyiQAlpha(10, 0.05) == 3.164);
  CHECK(NemenyiQAlpha(2, 0.10) == 1.645);
  CHECK(NemenyiQAlpha(30, 0.05) == 3.749);  // scipy studentized_range beyond the paper's table
  CHECK(std::isnan(NemenyiQAlpha(31, 0.05)));
  CHECK(std::isnan(NemenyiQAlpha(4, 0.01)));
  const auto s05 = CompareAcrossDatasets(Input(kDemsarTable, true, 0.05));
  const auto s10 = CompareAcrossDatasets(Input(kDemsarTable, true, 0.10));
  CHECK(s05.critical_difference == Approx(1.25).margin(0.005));
  CHECK(s10.critical_difference == Approx(1.12).margin(0.005));
}

TEST_CASE("Demsar's Table 6 as printed, against scipy", "[suite][stats]") {
  const auto s = CompareAcrossDatasets(Input(kDemsarTable));
  REQUIRE(s.omnibus_meaningful);
  REQUIRE(s.mean_ranks.size() == 4);
  // the printed 0.975 tie of "voting" is averaged here, as rankdata does
  CHECK(s.mean_ranks[0] == Approx(3.142857142857143));
  CHECK(s.mean_ranks[1] == Approx(2.0));
  CHECK(s.mean_ranks[2] == Approx(2.928571428571429));
  CHECK(s.mean_ranks[3] == Approx(1.928571428571429));
  CHECK(s.friedman_chi2 == Approx(9.857142857).epsilon(1e-9));
  CHECK(s.friedman_chi2_tie_corrected == Approx(10.95238095).epsilon(1e-9));  // friedmanchisquare
  CHECK(s.iman_davenport_f == Approx(3.986666667).epsilon(1e-9));
  CHECK(s.iman_davenport_p == Approx(0.01435244622).epsilon(1e-8));
  // pairs (0,1) and (0,3) have zero differences and ties: normal approximation
  // with tie and continuity correction, scipy wilcoxon(method="approx", correction=True)
  REQUIRE(s.pairwise.size() == 6);
  CHECK(s.pairwise[0].a == 0);
  CHECK(s.pairwise[0].b == 1);
  CHECK(s.pairwise[0].statistic == 6.5);
  CHECK(s.pairwise[0].p_value == Approx(0.01203035847).epsilon(1e-8));
  CHECK(s.pairwise[2].b == 3);
  CHECK(s.pairwise[2].statistic == 11);
  CHECK(s.pairwise[2].p_value == Approx(0.01746175813).epsilon(1e-8));
}

TEST_CASE("a tie-free table against scipy's friedmanchisquare and exact wilcoxon", "[suite][stats]") {
  const auto s = CompareAcrossDatasets(Input(kTable1));
  CheckValues(s.mean_ranks, {1.8, 2.0, 2.2});
  CHECK(s.friedman_chi2 == Approx(0.4));
  CHECK(s.friedman_chi2_tie_corrected == Approx(0.4));
  CHECK(s.friedman_p == Approx(0.8187307531).epsilon(1e-8));
  REQUIRE(s.pairwise.size() == 3);
  // exact null distribution (n = 5 non-zero differences, no ties)
  const std::vector<double> w = {9, 10, 10}, p = {0.8125, 0.625, 0.625};
  for (size_t i = 0; i < 3; ++i) {
    INFO("pair " << s.pairwise[i].a << "," << s.pairwise[i].b);
    CHECK(s.pairwise[i].n == 5);
    CHECK(s.pairwise[i].statistic == w[i]);
    CHECK(s.pairwise[i].p_value == Approx(p[i]));
    CHECK(s.pairwise[i].p_adjusted == 1.0);  // Holm: 3 * 0.625, 2 * 0.625, capped at 1
  }
  CHECK(s.pairwise[0].a_better == 3);  // arm 0 beats arm 1 on datasets 2, 3, 4
  CHECK(s.pairwise[0].b_better == 2);
}

TEST_CASE("a table with a tie inside a row against scipy", "[suite][stats]") {
  const auto s = CompareAcrossDatasets(Input(kTable2));
  CheckValues(s.mean_ranks, {1.8125, 2.9375, 2.5, 2.75});
  CHECK(s.friedman_chi2 == Approx(3.4875));
  CHECK(s.friedman_chi2_tie_corrected == Approx(3.53164557).epsilon(1e-8));  // friedmanchisquare
  CHECK(s.friedman_p == Approx(0.3223869513).epsilon(1e-8));
  CHECK(s.iman_davenport_f == Approx(1.190127971).epsilon(1e-8));
  CHECK(s.iman_davenport_p == Approx(0.3375608011).epsilon(1e-8));
  REQUIRE(s.pairwise.size() == 6);
  const std::vector<double> w = {24, 34, 10, 11, 24},
                            p = {0.4609375, 0.0234375, 0.3125, 0.3828125, 0.4609375};
  for (size_t i = 1; i < 6; ++i) {
    INFO("pair " << s.pairwise[i].a << "," << s.pairwise[i].b);
    CHECK(s.pairwise[i].statistic == w[i - 1]);
    CHECK(s.pairwise[i].p_value == Approx(p[i - 1]));
  }
  // pair (0, 1): the zero difference is dropped (Wilcoxon's convention), 7
  // left without ties: W- = 1 + 2, exact p = 2 * 5/128 (by hand; scipy and R
  // switch to the normal approximation when there are zeros)
  CHECK(s.pairwise[0].n == 7);
  CHECK(s.pairwise[0].statistic == 25);
  CHECK(s.pairwise[0].p_value == Approx(0.078125));
  // Holm: 6 * 0.0234375, 5 * 0.078125, then 4 * 0.3125 capped at 1
  CHECK(s.pairwise[2].p_adjusted == Approx(0.140625));
  CHECK(s.pairwise[0].p_adjusted == Approx(0.390625));
  CHECK(s.pairwise[3].p_adjusted == 1.0);
  CHECK_FALSE(s.pairwise[2].significant);
}

TEST_CASE("lower-is-better metrics reverse the ranks", "[suite][stats]") {
  const auto s = CompareAcrossDatasets(Input(kTable1, false));
  CheckValues(s.mean_ranks, {2.2, 2.0, 1.8});
}

TEST_CASE("fewer than 3 complete datasets: the omnibus test is not meaningful", "[suite][stats]") {
  auto in = Input({{0.1, 0.2}, {0.3, 0.4}, {0.5, kNaN}});
  const auto s = CompareAcrossDatasets(in);
  CHECK_FALSE(s.omnibus_meaningful);
  CHECK_THAT(s.omnibus_note, Contains("not meaningful") && Contains("2 complete datasets"));
  CHECK(std::isnan(s.friedman_chi2));
  CHECK(std::isnan(s.critical_difference));
  CHECK(s.incomplete_datasets == std::vector<std::string>{"d2"});
  CheckValues(s.mean_ranks, {2, 1});
  REQUIRE(s.pairwise.size() == 1);
  CHECK(s.pairwise[0].n == 2);
}

TEST_CASE("malformed inputs are errors", "[suite][stats]") {
  CHECK_THROWS_WITH(CompareAcrossDatasets(Input({{0.1}, {0.2}, {0.3}})), Contains("at least 2 arms"));
  auto in = Input(kTable1);
  in.scores[1].pop_back();
  CHECK_THROWS_WITH(CompareAcrossDatasets(in), Contains("d1 has 2 scores, expected 3"));
}
