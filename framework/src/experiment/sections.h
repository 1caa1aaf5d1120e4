// The vocabulary of experiment files: tables, their keys and the allowed
// values of enumerated keys, shared by the parser, the --set overrides and
// the checks. Extending the format (a split method, a report format) starts
// here. Internal to framework/src/experiment/.
#pragma once

#include <toml++/toml.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "experiment/spec.h"

namespace reclift::host::experiment_internal {

inline constexpr std::string_view kTopLevelTables[] = {"experiment", "dataset",   "split", "arms",
                                                       "evaluation", "profilers", "ab",    "report",
                                                       "scenarios",  "tuning",  "logged",    "ope"};

inline constexpr std::string_view kExperimentKeys[] = {
    "name", "description", "seed", "threads", "output", "plugin_paths", "split_repeats", "seed_repeats",
    "isolation", "cell_timeout", "cell_memory_mb", "parallel_cells"};
inline constexpr std::string_view kDatasetKeys[] = {"format",      "interactions", "items",
                                                    "delimiter",   "header",       "user_column",
                                                    "item_column", "value_column", "timestamp_column",
                                                    "on_bad_rows", "duplicates",   "positive_threshold",
                                                    "preset",      "seed"};
inline constexpr std::string_view kSplitKeys[] = {"method",
                                                  "test_fraction",
                                                  "leave_last",
                                                  "folds",
                                                  "fold",
                                                  "validation_fraction",
                                                  "min_user_interactions",
                                                  "seed",
                                                  "leakage",
                                                  "train",
                                                  "test",
                                                  "validation"};
inline constexpr std::string_view kArmKeys[] = {"name", "recommender", "params", "children", "tune"};
inline constexpr std::string_view kChildKeys[] = {"recommender", "params"};
inline constexpr std::string_view kEvaluationKeys[] = {
    "k", "metrics", "evaluators", "candidates", "negatives", "candidates_file", "export_trec"};
inline constexpr std::string_view kCandidateModes[] = {"all", "sampled", "file"};
inline constexpr std::string_view kPluginUseKeys[] = {"plugin", "params"};
inline constexpr std::string_view kAbKeys[] = {"control",    "primary_metric",    "assignment", "alpha",
                                               "correction", "bootstrap_samples", "weights",    "power"};
inline constexpr std::string_view kReportKeys[] = {"formats"};
inline constexpr std::string_view kTuningKeys[] = {
    "method",           "trials", "metric",  "seed", "refit", "validation_fraction",
    "budget_parameter", "eta",    "parallel"};

// [dataset] keys that only mean something for some formats.
inline constexpr std::string_view kCsvOnlyDatasetKeys[] = {
    "items", "delimiter", "header", "user_column", "item_column", "value_column", "timestamp_column"};
inline constexpr std::string_view kSyntheticOnlyDatasetKeys[] = {"preset", "seed"};
inline constexpr std::string_view kFileOnlyDatasetKeys[] = {"interactions", "on_bad_rows", "duplicates"};

inline constexpr std::string_view kDatasetFormats[] = {"csv", "movielens-100k", "movielens-1m",
                                                       "movielens-latest", "synthetic"};
inline constexpr std::string_view kSplitMethods[] = {"random",     "kfold",         "temporal",
                                                     "leave-last", "leave-one-out", "files"};
inline constexpr std::string_view kLeakagePolicies[] = {"warn", "error"};
inline constexpr std::string_view kOnBadRows[] = {"error", "skip"};
inline constexpr std::string_view kDuplicatePolicies[] = {"last", "first", "sum", "max", "error"};
inline constexpr std::string_view kAssignments[] = {"paired", "bucketed"};
inline constexpr std::string_view kCorrections[] = {"holm", "bh", "none"};
inline constexpr std::string_view kReportFormats[] = {"html", "md", "json", "csv", "latex"};

// The evaluator used when [evaluation] names none.
inline constexpr std::string_view kDefaultEvaluator = "ranking";
// An arm whose grid expands to more arms than this is almost surely a typo.
inline constexpr size_t kMaxGridArms = 10000;

// The keys of a table that is a plain set of key = value (every top-level
// table except [[arms]] and [[profilers]]); empty for other names.
std::span<const std::string_view> PlainSectionKeys(std::string_view section);

// Applies `--set` overrides to the parsed file, in order (later wins).
// Throws Error at "--set" naming the override for unknown sections, keys
// and arms, with "did you mean".
void ApplyOverrides(toml::table& root, std::span<const Override> overrides);

// The resolved configuration of a parsed spec. With a catalog, plugin uses
// carry their full parameter sets (defaults filled in) and versions; the
// spec must then have passed CheckPlugins.
nlohmann::json ResolvedJson(const ExperimentSpec& spec, const PluginCatalog* catalog);

}  // namespace reclift::host::experiment_internal
