// Helpers shared by the report renderers: tolerant reads of a results.json
// document, number formatting and escaping for Markdown and CSV. Internal to
// framework/src/report.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace reclift::host::report {

using Json = nlohmann::json;

// Throws Error unless `results` is an object with schema_version 1, so an old
// or foreign document fails with a clear message instead of an odd report.
void CheckSchema(const Json& results, std::string_view renderer);

// Reads that treat a missing key, a null and a value of the wrong type
// alike: the report shows what is there and leaves the rest empty.
const Json* Find(const Json& object, std::string_view key);
double NumberAt(const Json& object, std::string_view key);  // NaN when absent
std::string StringAt(const Json& object, std::string_view key, std::string_view fallback = "");
const Json& ArrayAt(const Json& object, std::string_view key);   // [] when absent
const Json& ObjectAt(const Json& object, std::string_view key);  // {} when absent

// The keys of `object` in the order of `preferred` (those present), then
// the rest in the document's order: columns, profilers and segments keep the
// order the run declared them in.
std::vector<std::string> OrderedKeys(const Json& object, const std::vector<std::string>& preferred);
// The names of results["arms"], in the experiment's order (failed arms too).
std::vector<std::string> ArmNames(const Json& results);
// The string elements of object[key] (an array; others skipped).
std::vector<std::string> StringsAt(const Json& object, std::string_view key);

// Orders metric names by the text before their last '@', then by the cutoff
// after it as a number (share@5 before share@20), stably. results.json
// objects keep their keys sorted as text, which would put share@20 first.
void SortByCutoff(std::vector<std::string>& names);

// Looks up ab.comparisons rows by (treatment, metric, profiler, segment); an
// empty profiler and segment mean the overall row (null in the document).
class ComparisonIndex {
 public:
  explicit ComparisonIndex(const Json& results);
  const Json* Get(std::string_view treatment, std::string_view metric, std::string_view profiler = "",
                  std::string_view segment = "") const;

 private:
  std::map<std::string, const Json*, std::less<>> rows_;
};

// A metric column as the renderers need it.
struct ResultsColumn {
  std::string name;
  bool higher_is_better = true;
  bool per_user = true;     // "mean" aggregation: has intervals and comparisons
  bool directional = true;  // false: neither direction is better (higher_is_better is meaningless)

  // "higher is better", "lower is better" or "no better direction"
  const char* DirectionText() const {
    return !directional ? "no better direction" : higher_is_better ? "higher is better" : "lower is better";
  }
};

// What every renderer reads first from results.json: the columns, the arms
// split into ok / failed / control / treatments, the primary metric and the
// confidence level. `results` must outlive the view.
struct ResultsView {
  const Json& results;
  const Json& ab;
  std::vector<ResultsColumn> columns;
  std::vector<const Json*> ok_arms;
  std::vector<const Json*> failed_arms;
  std::string control;
  const Json* control_arm = nullptr;
  std::vector<const Json*> treatments;  // ok arms other than the control
  std::string primary;                  // ab.primary_metric, else the first column
  double alpha = 0.05;
  bool corrected = true;   // a multiple-comparison correction was applied
  std::string confidence;  // "95%"
  ComparisonIndex comparisons;

  explicit ResultsView(const Json& results);
  const ResultsColumn* FindColumn(std::string_view name) const;
};

// Markdown. Every number that can be missing prints as an em dash.
inline constexpr std::string_view kMissing = "\u2014";
// Metric values: 4 decimals (0.1294), or 4 significant digits in scientific
// notation when that would hide the value (1.234e-05, 2.500e+06).
std::string FormatMetric(double x);
// The same with an explicit sign (+0.0312, -0.0100; exactly 0 as 0.0000).
std::string FormatSignedMetric(double x);
// A ratio as a signed percentage with one decimal: 0.241 -> +24.1%.
std::string FormatSignedPercent(double ratio);
// p-values: 4 decimals, or <1e-4 below that.
std::string FormatPValue(double p);
// 1234567 -> 1,234,567.
std::string FormatCount(double count);
// Escapes characters Markdown (GitHub flavour) would interpret, including
// | for tables and $ for math, and folds line breaks into spaces, for names
// and messages that come from data or configuration.
std::string EscapeMarkdown(std::string_view text);

// CSV (RFC 4180): quotes a field holding a comma, quote or line break,
// doubling the quotes inside.
std::string CsvField(std::string_view text);
// A JSON value as a CSV field: null or absent -> empty; numbers in their
// shortest exact form; strings quoted as needed; true/false.
std::string CsvValue(const Json* value);

}  // namespace reclift::host::report
