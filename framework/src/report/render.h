// Report renderers: each turns a results.json document (see
// results/results.h) into one output format. They read nothing else, so any
// report can be re-rendered from results.json alone.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace reclift::host {

// A Markdown summary for a pull-request comment: experiment, dataset and
// split in brief, the verdict on the primary metric, then per metric a table
// of arms (mean with CI) and each treatment's lift against control with its
// interval, adjusted p-value and verdict; per-segment verdicts of the
// primary metric; failed arms with their errors; timings and memory;
// warnings. Tables of metrics other than the primary fold into a <details>
// block. Names and messages from data or configuration are escaped. Numbers:
// metrics with 4 decimals (scientific with 4 significant digits when tiny or
// huge), relative lifts as +24.1%, p-values with 4 decimals or "<1e-4",
// missing values as an em dash.
std::string RenderMarkdown(const nlohmann::json& results);

// Aggregates: one row per (arm, segment profiler, segment, metric) with
// mean, ci_low, ci_high, n. The overall rows have empty profiler/segment.
// Each row also carries the arm's comparison against control for that
// population and metric (lift, lift_ci_low, lift_ci_high, relative_lift,
// relative_lift_ci_low, relative_lift_ci_high, p_value_t, p_value_wilcoxon,
// p_value_adjusted, verdict), empty for the control and for metrics without a
// comparison. Failed arms have no rows. Rows follow the declared order of
// arms, then overall before profilers and segments, then columns.
//
// Both CSVs: a header row; RFC 4180 quoting (fields with a comma, quote or
// line break are quoted, quotes doubled); "\n" line ends; null -> empty
// field; numbers in their shortest round-trip form.
std::string RenderAggregateCsv(const nlohmann::json& results);

// Per-user values: one row per (user, arm) with a column per metric and one
// per profiler (the user's segment). RFC 4180 quoting. Columns: user, arm,
// the metrics that have per-user values in declared order, then one column
// per profiler named after it holding the segment's label. Rows: users in
// per_user order, each with every arm of per_user in declared order.
//
// Every renderer throws Error when the document is not a results.json of
// schema version kResultsSchemaVersion; missing or null optional fields are
// rendered as empty, never an exception.
std::string RenderPerUserCsv(const nlohmann::json& results);

// The scenario sections of results.json as tidy CSV: one row per observed
// value, with what identifies it and what describes its arm in columns of
// their own, so a data frame filters and pivots them without reshaping.
// Same conventions as the CSVs above (header row, RFC 4180 quoting, null ->
// empty, shortest round-trip numbers). A section that is absent or could
// not run (it holds an "error") renders as the header alone. Arms follow the
// declared order of results.json's "arms", then any others.
//
// cold_start_users.csv: one row per (mode, arm, shots).
//   arm, mode ("retrain" | "fold-in"), shots (N), metric, mean, ci_low,
//   ci_high, n, status ("ok" | "failed" | "fold-in not supported"; values are
//   empty unless ok), error (failed only), reference (true for the
//   popularity reference arm), overtakes_reference_at,
//   significantly_overtakes_reference_at (the N from which the arm stays
//   above the reference by its mean / by the paired interval; empty for the
//   reference, for an arm not ok, and for one that never does).
std::string RenderColdStartUsersCsv(const nlohmann::json& results);

// cold_start_items.csv: one row per (arm, group, metric).
//   arm, group ("new_items": accuracy with only new items relevant;
//   "new_item_share": share of list slots given to new items;
//   "new_item_coverage": share of new items in any list, a single value in
//   mean; "overall": the arm's metrics on the whole test set), metric, mean,
//   ci_low, ci_high, n, status, error, plugin, uses_item_features. A failed
//   arm has one row with empty group, metric and values.
std::string RenderColdStartItemsCsv(const nlohmann::json& results);

// diversity.csv: one row per (arm, re-ranker setting, lambda, metric).
//   arm, reranker, similarity (mmr only), candidates, lambda, users, metric,
//   value, ci_low, ci_high (per-user metrics only), higher_is_better,
//   is_accuracy (the metric the trade-off is measured against),
//   pareto_best (true when no other setting beats this one on both this
//   metric and accuracy; empty for the accuracy metric), status, error. A
//   failed arm, and a re-ranker that could not run, have one row each with
//   status "failed", the error, and empty values.
std::string RenderDiversityCsv(const nlohmann::json& results);

// A report file to write: its name in the run folder and its content.
struct ReportFile {
  std::string name;
  std::string content;
};

// The scenario CSVs for the sections `results` holds (cold_start_users.csv,
// cold_start_items.csv, diversity.csv), in that order; none when it holds
// no scenario section.
std::vector<ReportFile> RenderScenarioCsvs(const nlohmann::json& results);

}  // namespace reclift::host
