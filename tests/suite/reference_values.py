#!/usr/bin/python3
"""Reference values for tests/suite/cross_stats_test.cpp, from scipy.

Run with Debian's python3-scipy: /usr/bin/python3 tests/suite/reference_values.py
The printed numbers are pasted into the test (the test itself needs no Python).
"""
import numpy as np
import scipy
from scipy import stats

print("scipy", scipy.__version__)

# Demsar (2006), Table 6: AUC of C4.5 variants on 14 data sets.
DEMSAR = np.array([
    [0.763, 0.768, 0.771, 0.798], [0.599, 0.591, 0.590, 0.569],
    [0.954, 0.971, 0.968, 0.967], [0.628, 0.661, 0.654, 0.657],
    [0.882, 0.888, 0.886, 0.898], [0.936, 0.931, 0.916, 0.931],
    [0.661, 0.668, 0.609, 0.685], [0.583, 0.583, 0.563, 0.625],
    [0.775, 0.838, 0.866, 0.875], [1.000, 1.000, 1.000, 1.000],
    [0.940, 0.962, 0.965, 0.962], [0.619, 0.666, 0.614, 0.669],
    [0.972, 0.981, 0.975, 0.975], [0.957, 0.978, 0.946, 0.970]])

# Hand-made (random 3-decimal values, kept when no row has a tie and no pair
# of arms has tied or zero |differences|, so scipy's exact Wilcoxon applies):
# 5 datasets x 3 arms.
T1 = np.array([[0.503, 0.504, 0.358], [0.243, 0.127, 0.292], [0.304, 0.123, 0.124],
               [0.600, 0.426, 0.217], [0.317, 0.587, 0.549]])
# 8 datasets x 4 arms, one tie inside row 6 (arms 0 and 1: a zero difference
# there, so that pair is left to the normal approximation).
T2 = np.array([[0.156, 0.057, 0.470, 0.089], [0.430, 0.216, 0.478, 0.230],
               [0.471, 0.300, 0.158, 0.384], [0.353, 0.358, 0.259, 0.150],
               [0.338, 0.098, 0.362, 0.336], [0.219, 0.219, 0.137, 0.226],
               [0.409, 0.221, 0.371, 0.326], [0.473, 0.496, 0.376, 0.414]])


def friedman(name, t):
    r = stats.friedmanchisquare(*t.T)
    ranks = np.array([stats.rankdata(-row) for row in t])
    print(f"{name}: mean ranks {ranks.mean(axis=0).round(6).tolist()}")
    print(f"{name}: friedmanchisquare (tie-corrected) chi2 {r.statistic:.10g} p {r.pvalue:.10g}")


def wilcoxon(name, t, a, b, **kw):
    d = t[:, a] - t[:, b]
    r = stats.wilcoxon(d, zero_method="wilcox", **kw)
    # scipy reports min(W+, W-) for two-sided; give W+ too
    wplus = stats.rankdata(np.abs(d[d != 0]))[d[d != 0] > 0].sum()
    print(f"{name}: wilcoxon arms {a},{b} {kw} W+ {wplus:g} p {r.pvalue:.10g}")


friedman("demsar", DEMSAR)
friedman("t1", T1)
friedman("t2", T2)
print("demsar: F(3,39) upper 0.05 point", stats.f.ppf(0.95, 3, 39))
for a in range(3):
    for b in range(a + 1, 3):
        wilcoxon("t1", T1, a, b, method="exact")
for a in range(4):
    for b in range(a + 1, 4):
        if (a, b) != (0, 1):
            wilcoxon("t2", T2, a, b, method="exact")
# ties and zero differences: normal approximation with continuity correction
wilcoxon("demsar", DEMSAR, 0, 1, method="approx", correction=True)
wilcoxon("demsar", DEMSAR, 0, 3, method="approx", correction=True)
for alpha in (0.05, 0.10):
    q = [stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2) for k in range(2, 31)]
    print(f"q_alpha {alpha}: " + ", ".join(f"{x:.3f}" for x in q))

# The figures of Demsar's section 3.2.4, from the paper's mean ranks
# (3.143, 2.000, 2.893, 1.964 = 44, 28, 40.5, 27.5 over 14; the 0.975 tie of
# "voting" in Table 6 is broken in the paper's ranks, so the table's printed
# values give 2.929 / 1.929 instead).
def uncorrected(mean_ranks, n):
    k = len(mean_ranks)
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(np.square(mean_ranks)) - k * (k + 1) ** 2 / 4)
    f = (n - 1) * chi2 / (n * (k - 1) - chi2)
    print(f"  chi2 {chi2:.10g} p {stats.chi2.sf(chi2, k - 1):.10g} "
          f"F {f:.10g} p {stats.f.sf(f, k - 1, (k - 1) * (n - 1)):.10g}")

print("demsar paper ranks:")
uncorrected(np.array([44, 28, 40.5, 27.5]) / 14, 14)
print("demsar table ranks:")
uncorrected(np.array([3.142857142857143, 2.0, 2.928571428571429, 1.928571428571429]), 14)
print("t2 ranks:")
uncorrected(np.array([stats.rankdata(-row) for row in T2]).mean(axis=0), 8)
