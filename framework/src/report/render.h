// Report renderers: each turns a results.json document (see
// results/results.h) into one output format. They read nothing else, so any
// report can be re-rendered from results.json alone.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace reclift::host
