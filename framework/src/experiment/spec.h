// ExperimentSpec: one experiment file, parsed, layered (plugin defaults <
// file < --set overrides), grid-expanded and checked.
//
// The TOML shape (see DESIGN.md):
//   [experiment] name, seed, output, threads, plugin_paths, description
//   [dataset]    see DatasetSpec
//   [split]      see SplitSpec
//   [[arms]]     name, recommender, params = { ... } (a list value = a grid)
//   [evaluation] k = [10, 20], metrics = [...], evaluators = [...]
//   [[profilers]] plugin, params
//   [ab]         control, primary_metric, alpha, correction, assignment
//   [report]     formats
//   [[scenarios]] kind = "cold-start-users" | "cold-start-items" | "diversity"
//                and its keys (see scenario_spec.h)
//   [logged], [ope], [[ope.policies]]  off-policy evaluation (see ope_spec.h)
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "experiment/ope_spec.h"
#include "experiment/scenario_spec.h"
#include "plugin_host/catalog.h"
#include "reclift/params.h"
#include "split/split.h"
#include "tuning/tuning_spec.h"
#include "util/error.h"

namespace reclift::host {

// A plugin use: which plugin and with which explicit parameter values
// (defaults are filled in by Params::Build against the plugin's specs).
struct PluginUse {
  std::string plugin;
  std::map<std::string, ParamValue> params;
  SourceLocation where;                                   // of the plugin name
  std::map<std::string, SourceLocation> param_where;      // of each param value
  std::map<std::string, SourceLocation> param_key_where;  // of each param name
};

struct ArmSpec {
  std::string name;  // unique; grid arms get "als[factors=32,regularization=0.05]"
  PluginUse recommender;
  // Composite recommenders (kCapComposite) only: the child recommenders the
  // host builds, fits and hands over with SetChildren, in the order written
  // (`children = ["popularity", { recommender = "als", params = { ... } }]`).
  std::vector<PluginUse> children;
  // tune = { ... }: the searched parameters (tuning/tuning_spec.h); the
  // chosen values replace recommender.params before the test evaluation
  std::map<std::string, TuneDimension> tune;
  SourceLocation where;  // of the [[arms]] table
};

struct EvaluationSpec {
  std::vector<int> ks = {10};
  // metric names as evaluator plugins declare them ("ndcg", "recall", ...);
  // empty means every metric of every evaluator used
  std::vector<std::string> metrics;
  // evaluator plugins to load; default {"ranking"}
  std::vector<PluginUse> evaluators;
  // candidate items per user: "all" (full ranking, the default), "sampled"
  // (the user's test items plus `negatives` random items the user never
  // interacted with; not comparable to full ranking, flagged in results), or
  // "file" (per-user candidate lists from candidates_file: user,item rows)
  std::string candidates = "all";
  int negatives = 100;
  std::filesystem::path candidates_file;
  // also write every arm's top-k lists and the test relevance in TREC
  // run/qrels format, to cross-check the ranking metrics with trec_eval
  bool export_trec = false;
  std::map<std::string, SourceLocation> where;
};

struct AbSpec {
  std::string control;                // arm name; default the first arm
  std::string primary_metric;         // column, e.g. "ndcg@10"; default first metric at first k
  std::string assignment = "paired";  // paired | bucketed
  double alpha = 0.05;
  std::string correction = "holm";  // holm | bh | none
  int bootstrap_samples = 2000;
  // bucketed assignment: each arm's share of users (one per arm, in arm
  // order after grid expansion); empty = equal shares
  std::vector<double> weights;
  double power = 0.8;  // for the minimum detectable effect
  std::map<std::string, SourceLocation> where;
};

struct ReportSpec {
  std::vector<std::string> formats = {"md", "json", "csv"};
  std::map<std::string, SourceLocation> where;
};

// One `--set section.key=value` override. The value is parsed as a TOML
// value (so `arms.als.factors=[16,32]` or `split.method="temporal"` work);
// a bare word that is not valid TOML is taken as a string.
struct Override {
  std::string key;    // dotted path: "split.test_fraction", "experiment.seed"
  std::string value;  // TOML text
};

struct ExperimentSpec {
  std::filesystem::path source_file;  // the experiment file, as given
  std::filesystem::path base_dir;     // relative paths in the file resolve against it
  std::string name;
  std::string description;
  uint64_t seed = 42;
  int threads = 0;  // 0 = all cores
  // repetitions: `split_repeats` splits (split seeds seed, seed+1, ...) times
  // `seed_repeats` model seeds; > 1 reports the spread of every arm's metrics
  // across repetitions, split variance apart from seed variance
  int split_repeats = 1;
  int seed_repeats = 1;
  // the execution engine (docs/architecture.md): "process" runs every cell
  // in a worker process (a crash, timeout or memory overrun fails that cell
  // alone), "none" in this process (for debugging under gdb)
  std::string isolation = "process";
  double cell_timeout = 0;  // seconds a cell may take; 0 = no limit
  int cell_memory_mb = 0;   // memory a cell may allocate; 0 = no limit
  // cells run at once, threads shared among them; 0 = automatic: one cell
  // per thread when the training data is small (below 1M interactions, where
  // a cell gains little from more threads), else one cell at a time
  int parallel_cells = 0;
  std::filesystem::path output;  // run folder root; default reports/<name>
  std::vector<std::filesystem::path> plugin_paths;
  // where each [experiment] key was written ("seed" -> loc of its value)
  std::map<std::string, SourceLocation> where;
  // the --set overrides applied on top of the file, in order
  std::vector<Override> overrides;

  DatasetSpec dataset;
  SplitSpec split;
  std::vector<ArmSpec> arms;  // grid-expanded
  EvaluationSpec evaluation;
  std::vector<PluginUse> profilers;
  AbSpec ab;
  ReportSpec report;
  // [[scenarios]]: cold-start users and items, diversity re-ranking
  std::vector<ScenarioSpec> scenarios;
  // [tuning]: how the arms' `tune` spaces are searched
  TuningSpec tuning;
  // [logged] and [ope]: off-policy evaluation (experiment/ope_spec.h)
  LoggedSpec logged;
  OpeSpec ope;

  // The fully resolved configuration (after overrides, grid expansion and
  // defaults) as stored in results.json.
  nlohmann::json resolved;
};

// Splits a command-line `key=value` at its first '='. Throws Error when
// there is no '=' or the key is empty.
Override ParseOverride(std::string_view text);

// Parses and checks an experiment file. Throws Error with file:line:column
// and what was expected for: TOML syntax errors, unknown tables and keys
// (with "did you mean"), wrong types, out-of-range values, missing required
// keys, duplicate arm names. Paths are resolved against the file's directory.
ExperimentSpec ParseExperimentFile(const std::filesystem::path& file,
                                   const std::vector<Override>& overrides = {});
ExperimentSpec ParseExperimentString(std::string_view toml, const std::filesystem::path& display_name,
                                     const std::vector<Override>& overrides = {});

// Checks every plugin use against the catalog: unknown plugin names (with
// "did you mean"), wrong kinds, unknown parameters, wrong types and ranges,
// each reported with the location in the file, the plugin and the parameter.
// Fills ExperimentSpec::resolved with every plugin's full parameter set.
void CheckPlugins(ExperimentSpec& spec, const PluginCatalog& catalog);

// Checks that input files exist (dataset files) without reading them.
void CheckFiles(const ExperimentSpec& spec);

}  // namespace reclift::host
