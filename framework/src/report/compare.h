// Comparing two runs of one experiment (say, before and after a plugin
// change): what changed between them, and which metric differences are
// larger than the noise. Reads two results.json documents (schema v1) and
// nothing else; A is the baseline, B the new run, differences are B - A.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace reclift::host {

struct CompareOptions {
  int bootstrap_samples = 1000;  // resamples for paired intervals; 0: t interval, no relative interval
  uint64_t seed = 42;            // of the bootstrap, so a comparison is reproducible
};

// The comparison as data:
//
// {
//   "a": {"experiment", "started_at", "run_dir", "fingerprint", "reclift_version"}, "b": {...},
//   "alpha": float,                 // A's ab.alpha (0.05 when absent)
//   "paired": bool,                 // per-user values were paired by user id
//   "shared_users": int,            // users paired (0 when not paired)
//   "method": str,                  // the test, in words
//   "warnings": [str],              // names, fingerprints or splits that differ, ...
//   "arms_added": [str], "arms_removed": [str],  // in B only / in A only
//   "plugins_changed": [{"plugin": "als", "a": "als@1.0.0", "b": "als@1.1.0", "used_by": ["arm als"]}],
//   "config_changes": [{"path": "arms[als].params.factors", "change": "changed" | "added" | "removed",
//                       "a": json or null, "b": json or null}],
//   "rows": [{"arm", "metric", "primary": bool, "higher_is_better": bool,
//             "a", "b",                     // the arm's mean in each run
//             "difference", "ci_low", "ci_high",
//             "relative_difference", "relative_ci_low", "relative_ci_high",
//             "n",                          // users paired, or null
//             "test": "paired" | "approximate" | "none",
//             "p_value", "p_value_adjusted",
//             "verdict": "better" | "worse" | "no detectable difference" | "not tested"}],
//   "scenarios": {                  // the scenario kinds both runs ran; {} when none
//     "cold_start_users": {"metric": "ndcg@10", "shots": [0, 1, 3],   // the shots in both runs
//                          "reference": "popularity" | null,
//                          "arms": [{"mode": "retrain" | "fold-in", "arm": "als",
//                                    "status": {"a": "ok", "b": "fold-in not supported"},
//                                    "a": [..], "b": [..], "difference": [..],     // as long as "shots"
//                                    "overtakes_reference_at": {"a": N | null, "b": N | null},
//                                    "significantly_overtakes_reference_at": {"a", "b"}}]},
//     "cold_start_items": {"rows": [{"arm", "group": "new_items" | "new_item_share" | "new_item_coverage" |
//                                    "overall", "metric", "a", "b", "difference"}]},
//     "diversity": {"accuracy": "ndcg@10",
//                   "rows": [{"arm", "reranker", "similarity" (or null), "lambda", "metric",
//                             "higher_is_better", "a", "b", "difference"}]}
//   }
// }
//
// Rows: every arm that completed in both runs (A's order) times every
// metric both runs report (A's column order, the primary first). NaN is
// written as null. "better" means B is better than A in the metric's
// direction.
//
// Tests. When both runs carry per-user values for the same dataset
// fingerprint and split, users are paired by id and each (arm, metric) gets
// a paired t-test on the per-user differences B - A; the difference is the
// mean of those differences and its interval a paired percentile bootstrap
// (stats::BootstrapPairedLift, also giving the relative interval). When
// they do not, the test is approximate: each run's standard error is read
// off its confidence interval (half-width / t quantile at the run's alpha,
// or the normal quantile when n is unknown), the two are combined as
// independent, sqrt(se_a^2 + se_b^2), and a two-sided z-test is made. That
// is conservative when the runs share users (their errors are positively
// correlated, so the true standard error of the difference is smaller).
// List-level metrics without an interval are not tested. p-values are
// Holm-adjusted across all tested rows.
//
// Scenarios. results.json keeps only their aggregates, no per-user values,
// so scenario figures are not tested: "a" and "b" are each run's mean (or
// list-level value) and "difference" is b - a. Figures are matched by mode,
// arm and N (cold start, new users), arm, group and metric (new items), and
// arm, re-ranker, similarity, lambda and metric (diversity), in A's order;
// what only one run has is left out with a warning: a scenario kind in one
// run only or that could not run ("scenario cold-start-users only in A, not
// compared"), different metrics, shots, modes, settings, held-out user or
// item counts, and arms failed in the new-items scenario.
//
// Throws Error when either document is not a results.json of schema v1.
nlohmann::json CompareRuns(const nlohmann::json& a, const nlohmann::json& b,
                           const CompareOptions& options = {});

// The comparison as Markdown (a pull-request comment) and as a
// self-contained HTML page with a forest plot of the primary metric.
// `reclift compare A.json B.json [--format md|html]` prints one of them.
std::string RenderComparisonMarkdown(const nlohmann::json& a, const nlohmann::json& b,
                                     const CompareOptions& options = {});
std::string RenderComparisonHtml(const nlohmann::json& a, const nlohmann::json& b,
                                 const CompareOptions& options = {});

}  // namespace reclift::host
