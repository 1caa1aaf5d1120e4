// Report renderers: each turns a results.json document (see
// results/results.h) into one output format. They read nothing else, so any
// report can be re-rendered from results.json alone.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace reclift::host {

// A Markdown summary for a pull-request comment: experiment, dataset and
// split in brief, the verdict on the primary metric, then per metric a table
// of arms (mean with CI) and each treatment's lift against control with its
// interval, adjusted p-value and verdict; per-segment verdicts of the
// primary metric; failed arms with their errors; timings and memory.
std::string RenderMarkdown(const nlohmann::json& results);

// Aggregates: one row per (arm, segment profiler, segment, metric) with
// mean, ci_low, ci_high, n. The overall rows have empty profiler/segment.
std::string RenderAggregateCsv(const nlohmann::json& results);

// Per-user values: one row per (user, arm) with a column per metric and one
// per profiler (the user's segment). RFC 4180 quoting.
std::string RenderPerUserCsv(const nlohmann::json& results);

}  // namespace reclift::host
