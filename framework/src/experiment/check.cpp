// The checks that need more than the file: plugins and their declared
// parameters (from the catalog), and the input files on disk. Both run
// before any data is read, so a typo costs seconds, not a training run.
#include "tuning/check.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "experiment/ope_read.h"
#include "experiment/sections.h"
#include "experiment/spec.h"
#include "experiment/tuning_read.h"
#include "util/text.h"

namespace reclift::host {

namespace fs = std::filesystem;

namespace {

constexpr PluginKind kAllKinds[] = {PluginKind::kRecommender, PluginKind::kProfiler, PluginKind::kEvaluator,
                                    PluginKind::kEstimator};

// "a recommender", "an evaluator"
std::string WithArticle(PluginKind kind) {
  return (kind == PluginKind::kEvaluator || kind == PluginKind::kEstimator ? "an " : "a ") +
         std::string(PluginKindName(kind));
}

const PluginInfo& FindPlugin(const PluginCatalog& catalog, PluginKind kind, const PluginUse& use) {
  if (const PluginInfo* info = catalog.Find(kind, use.plugin)) return *info;
  const std::string kind_name = PluginKindName(kind);
  for (PluginKind other : kAllKinds) {
    if (other != kind && catalog.Find(other, use.plugin) != nullptr) {
      throw Error(use.where,
                  "'" + use.plugin + "' is " + WithArticle(other) + " plugin, not " + WithArticle(kind));
    }
  }
  const std::vector<std::string> names = catalog.Names(kind);
  std::string hint = DidYouMean(use.plugin, names);
  if (hint.empty()) {
    hint = names.empty() ? " (no " + kind_name + " plugins are available)"
                         : " (available: " + Join(names, ", ") + ")";
  }
  throw Error(use.where, "unknown " + kind_name + " '" + use.plugin + "'" + hint);
}

const SourceLocation& LocationIn(const std::map<std::string, SourceLocation>& where, const std::string& key,
                                 const SourceLocation& fallback) {
  auto it = where.find(key);
  return it != where.end() ? it->second : fallback;
}

// Checks the explicit parameters of one use against the plugin's specs and
// converts them to the declared types (an integer given for a float).
void CheckParams(PluginUse& use, const PluginInfo& info) {
  const std::string owner = std::string(PluginKindName(info.kind)) + " '" + use.plugin + "'";
  const auto specs = info.param_specs();
  for (auto& entry : use.params) {
    // not a structured binding: clang before 16 cannot capture one in a lambda
    const std::string& name = entry.first;
    auto& value = entry.second;
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return name == s.name; });
    if (spec == specs.end()) {
      std::vector<std::string> names;
      for (const ParamSpec& s : specs) names.emplace_back(s.name);
      std::string hint = DidYouMean(name, names);
      if (hint.empty()) {
        hint = names.empty() ? " (it takes no parameters)" : " (valid parameters: " + Join(names, ", ") + ")";
      }
      throw Error(LocationIn(use.param_key_where, name, use.where),
                  owner + ": unknown parameter '" + name + "'" + hint);
    }
    const Status status = CheckParam(*spec, value);
    if (!status.ok())
      throw Error(LocationIn(use.param_where, name, use.where), owner + ", " + status.message());
  }
  // defaults are the plugin's own; a bad one is the plugin's bug, said so
  Params full;
  const Status status = Params::Build(specs, use.params, full);
  if (!status.ok()) throw Error(use.where, owner + " (plugin " + info.version + "): " + status.message());
}

nlohmann::json ToJson(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

nlohmann::json PluginUseJson(const PluginUse& use, PluginKind kind, const PluginCatalog* catalog,
                             std::string_view name_key) {
  nlohmann::json out;
  out[std::string(name_key)] = use.plugin;
  nlohmann::json params = nlohmann::json::object();
  const PluginInfo* info = catalog != nullptr ? catalog->Find(kind, use.plugin) : nullptr;
  if (info != nullptr) {
    out["version"] = info->version;
    Params full;
    if (Params::Build(info->param_specs(), use.params, full).ok()) {
      for (const auto& [name, value] : full.values()) params[name] = ToJson(value);
    }
  } else {
    for (const auto& [name, value] : use.params) params[name] = ToJson(value);
  }
  out["params"] = std::move(params);
  return out;
}

nlohmann::json PathJson(const fs::path& path) {
  return path.empty() ? nlohmann::json(nullptr) : nlohmann::json(path.string());
}

void RequireFile(const fs::path& path, const std::string& key, const SourceLocation& where) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) throw Error(where, key + ": file not found: " + path.string());
  if (fs::is_directory(status))
    throw Error(where, key + ": expected a file, found a directory: " + path.string());
}

struct MovieLensLayout {
  std::string_view format;
  std::string_view title;
  std::string_view files[2];  // ratings, then items
};
constexpr MovieLensLayout kMovieLensLayouts[] = {
    {"movielens-100k", "MovieLens 100K", {"u.data", "u.item"}},
    {"movielens-1m", "MovieLens 1M", {"ratings.dat", "movies.dat"}},
    {"movielens-latest", "MovieLens latest", {"ratings.csv", "movies.csv"}},
};

}  // namespace

nlohmann::json experiment_internal::ResolvedJson(const ExperimentSpec& spec, const PluginCatalog* catalog) {
  nlohmann::json out;
  std::vector<std::string> plugin_paths, overrides;
  for (const auto& path : spec.plugin_paths) plugin_paths.push_back(path.string());
  for (const Override& o : spec.overrides) overrides.push_back(o.key + "=" + o.value);
  out["experiment"] = {{"name", spec.name},
                       {"description", spec.description},
                       {"file", spec.source_file.string()},
                       {"seed", spec.seed},
                       {"threads", spec.threads},
                       {"output", spec.output.string()},
                       {"plugin_paths", plugin_paths},
                       {"split_repeats", spec.split_repeats},
                       {"seed_repeats", spec.seed_repeats},
                       {"isolation", spec.isolation},
                       {"cell_timeout", spec.cell_timeout},
                       {"cell_memory_mb", spec.cell_memory_mb},
                       {"parallel_cells", spec.parallel_cells},
                       {"overrides", overrides}};

  // only what the format reads: csv settings mean nothing for MovieLens
  const DatasetSpec& d = spec.dataset;
  nlohmann::json dataset = {{"format", d.format}};
  if (d.format != "synthetic") {
    dataset["interactions"] = PathJson(d.interactions);
    dataset["on_bad_rows"] = d.on_bad_rows;
    dataset["duplicates"] = d.duplicates;
  }
  if (d.format == "csv") {
    dataset["items"] = PathJson(d.items);
    dataset["delimiter"] = d.delimiter;
    dataset["header"] = d.header;
    dataset["user_column"] = d.user_column;
    dataset["item_column"] = d.item_column;
    dataset["value_column"] = d.value_column;
    dataset["timestamp_column"] = d.timestamp_column;
  }
  if (d.format == "synthetic") {
    dataset["preset"] = d.synthetic_preset;
    dataset["seed"] = d.synthetic_seed;
  }
  dataset["positive_threshold"] = d.has_positive_threshold ? nlohmann::json(d.positive_threshold) : nullptr;
  out["dataset"] = std::move(dataset);

  const SplitSpec& s = spec.split;
  out["split"] = {{"method", s.method},
                  {"test_fraction", s.test_fraction},
                  {"leave_last", s.leave_last},
                  {"folds", s.folds},
                  // null: cross-validation runs every fold
                  {"fold", s.single_fold ? nlohmann::json(s.fold) : nlohmann::json(nullptr)},
                  {"validation_fraction", s.validation_fraction},
                  {"min_user_interactions", s.min_user_interactions},
                  {"seed", s.seed},
                  {"leakage", s.leakage}};
  if (s.method == "files") {
    const SplitFilesSpec& files = spec.dataset.split_files;
    out["split"]["train"] = files.train;
    out["split"]["test"] = files.test;
    out["split"]["validation"] =
        files.validation.empty() ? nlohmann::json(nullptr) : nlohmann::json(files.validation);
    out["split"]["folds"] = files.folds;
  }

  nlohmann::json arms = nlohmann::json::array();
  for (const ArmSpec& arm : spec.arms) {
    nlohmann::json a = PluginUseJson(arm.recommender, PluginKind::kRecommender, catalog, "recommender");
    a["name"] = arm.name;
    if (!arm.children.empty()) {
      nlohmann::json children = nlohmann::json::array();
      for (const PluginUse& child : arm.children) {
        children.push_back(PluginUseJson(child, PluginKind::kRecommender, catalog, "recommender"));
      }
      a["children"] = std::move(children);
    }
    if (!arm.tune.empty()) a["tune"] = TuneSpaceJson(arm.tune);
    arms.push_back(std::move(a));
  }
  out["arms"] = std::move(arms);
  if (spec.tuning.present ||
      std::any_of(spec.arms.begin(), spec.arms.end(), [](const ArmSpec& a) { return !a.tune.empty(); })) {
    out["tuning"] = experiment_internal::TuningJson(spec.tuning);
  }

  nlohmann::json evaluators = nlohmann::json::array();
  for (const PluginUse& use : spec.evaluation.evaluators) {
    evaluators.push_back(PluginUseJson(use, PluginKind::kEvaluator, catalog, "plugin"));
  }
  const EvaluationSpec& ev = spec.evaluation;
  out["evaluation"] = {{"k", ev.ks},
                       {"metrics", ev.metrics},
                       {"evaluators", std::move(evaluators)},
                       {"candidates", ev.candidates},
                       {"negatives", ev.candidates == "sampled" ? nlohmann::json(ev.negatives) : nullptr},
                       {"candidates_file", ev.candidates == "file" ? PathJson(ev.candidates_file) : nullptr},
                       {"export_trec", ev.export_trec}};

  nlohmann::json profilers = nlohmann::json::array();
  for (const PluginUse& use : spec.profilers) {
    profilers.push_back(PluginUseJson(use, PluginKind::kProfiler, catalog, "plugin"));
  }
  out["profilers"] = std::move(profilers);

  const AbSpec& ab = spec.ab;
  out["ab"] = {{"control", ab.control},       {"primary_metric", ab.primary_metric},
               {"assignment", ab.assignment}, {"alpha", ab.alpha},
               {"correction", ab.correction}, {"bootstrap_samples", ab.bootstrap_samples},
               {"weights", ab.weights},       {"power", ab.power}};
  out["report"] = {{"formats", spec.report.formats}};
  out["scenarios"] = ScenariosJson(spec.scenarios);
  const nlohmann::json off_policy = OffPolicyJson(spec, catalog);  // ope_read.cpp
  for (const auto& [key, section] : off_policy.items()) out[key] = section;
  return out;
}

void CheckPlugins(ExperimentSpec& spec, const PluginCatalog& catalog) {
  for (ArmSpec& arm : spec.arms) {
    const PluginInfo& info = FindPlugin(catalog, PluginKind::kRecommender, arm.recommender);
    CheckParams(arm.recommender, info);
    const bool composite = (info.capabilities & kCapComposite) != 0;
    if (!composite && !arm.children.empty()) {
      throw Error(arm.children.front().where, "recommender '" + arm.recommender.plugin +
                                                  "' takes no children: it is not a composite recommender");
    }
    if (composite && arm.children.empty()) {
      throw Error(arm.recommender.where, "recommender '" + arm.recommender.plugin +
                                             "' is a composite: list the recommenders it combines in "
                                             "children = [...]");
    }
    for (PluginUse& child : arm.children) {
      const PluginInfo& child_info = FindPlugin(catalog, PluginKind::kRecommender, child);
      // the host fits children itself; one level keeps that simple
      if (child_info.capabilities & kCapComposite) {
        throw Error(child.where, "child recommender '" + child.plugin +
                                     "' is itself a composite; composites cannot be nested");
      }
      CheckParams(child, child_info);
    }
  }
  for (ArmSpec& arm : spec.arms) {
    if (!arm.tune.empty()) {
      CheckTuneSpace(arm, *catalog.Find(PluginKind::kRecommender, arm.recommender.plugin), spec.tuning);
    }
  }
  for (PluginUse& use : spec.profilers) CheckParams(use, FindPlugin(catalog, PluginKind::kProfiler, use));
  for (PluginUse& use : spec.evaluation.evaluators) {
    CheckParams(use, FindPlugin(catalog, PluginKind::kEvaluator, use));
  }
  experiment_internal::CheckOffPolicyPlugins(spec, catalog);  // ope_read.cpp
  spec.resolved = experiment_internal::ResolvedJson(spec, &catalog);
}

void CheckFiles(const ExperimentSpec& spec) {
  const DatasetSpec& d = spec.dataset;
  auto where = [&](const std::string& key) {
    auto it = d.where.find(key);
    return it != d.where.end() ? it->second : SourceLocation{spec.source_file.string()};
  };
  const SplitFilesSpec& split_files = d.split_files;
  if (split_files.enabled()) {
    // method = "files": the split's files replace dataset.interactions
    for (size_t f = 0; f < split_files.count(); ++f) {
      for (const char* key : {"train", "test", "validation"}) {
        const std::string& pattern = std::string_view(key) == "train"  ? split_files.train
                                     : std::string_view(key) == "test" ? split_files.test
                                                                       : split_files.validation;
        if (pattern.empty()) continue;
        auto it = split_files.where.find(key);
        RequireFile(split_files.PathOf(pattern, f), std::string("split.") + key,
                    it != split_files.where.end() ? it->second : SourceLocation{spec.source_file.string()});
      }
    }
    if (d.format == "csv" && !d.items.empty()) RequireFile(d.items, "dataset.items", where("items"));
  } else if (d.format == "csv") {
    RequireFile(d.interactions, "dataset.interactions", where("interactions"));
    if (!d.items.empty()) RequireFile(d.items, "dataset.items", where("items"));
  }
  for (const MovieLensLayout& layout : kMovieLensLayouts) {
    if (d.format != layout.format || (split_files.enabled() && d.interactions.empty())) continue;
    if (split_files.enabled()) {
      std::error_code error;
      if (!fs::is_directory(d.interactions, error)) {
        throw Error(where("interactions"),
                    "dataset.interactions: directory not found: " + d.interactions.string() +
                        " (with split.method = \"files\" it names the " + std::string(layout.title) +
                        " folder whose movies are read)");
      }
      continue;
    }
    std::error_code error;
    if (!fs::is_directory(d.interactions, error)) {
      const std::string found = fs::exists(d.interactions, error) ? "not a directory" : "directory not found";
      throw Error(where("interactions"), "dataset.interactions: " + found + ": " + d.interactions.string() +
                                             " (format \"" + d.format + "\" reads the unpacked " +
                                             std::string(layout.title) + " folder)");
    }
    for (std::string_view file : layout.files) {
      if (!fs::is_regular_file(d.interactions / file, error)) {
        throw Error(where("interactions"),
                    "dataset.interactions: " + d.interactions.string() + " has no " + std::string(file) +
                        " (expected the " + std::string(layout.title) + " files " +
                        std::string(layout.files[0]) + " and " + std::string(layout.files[1]) + ")");
      }
    }
  }
  if (spec.evaluation.candidates == "file") {
    auto it = spec.evaluation.where.find("candidates_file");
    RequireFile(spec.evaluation.candidates_file, "evaluation.candidates_file",
                it != spec.evaluation.where.end() ? it->second : SourceLocation{spec.source_file.string()});
  }
  experiment_internal::CheckOffPolicyFiles(spec);  // ope_read.cpp
  for (const fs::path& path : spec.plugin_paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      auto it = spec.where.find("plugin_paths");
      const std::string found = fs::exists(path, error) ? "not a directory: " : "directory not found: ";
      throw Error(it != spec.where.end() ? it->second : SourceLocation{spec.source_file.string()},
                  "experiment.plugin_paths: " + found + path.string());
    }
  }
}

// Shared with ope_read.cpp.
void experiment_internal::CheckPluginUse(PluginUse& use, PluginKind kind, const PluginCatalog& catalog) {
  CheckParams(use, FindPlugin(catalog, kind, use));
}
nlohmann::json experiment_internal::PluginUseToJson(const PluginUse& use, PluginKind kind,
                                                    const PluginCatalog* catalog) {
  return PluginUseJson(use, kind, catalog, "plugin");
}
void experiment_internal::RequireInputFile(const fs::path& path, const std::string& key,
                                           const SourceLocation& where) {
  RequireFile(path, key, where);
}

}  // namespace reclift::host
