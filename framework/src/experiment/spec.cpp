#include "experiment/spec.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "data/synth.h"
#include "experiment/parse_table.h"
#include "experiment/ope_read.h"
#include "experiment/scenarios_read.h"
#include "experiment/sections.h"
#include "experiment/toml_read.h"
#include "experiment/tuning_read.h"
#include "util/text.h"

namespace reclift::host {

namespace fs = std::filesystem;
using namespace experiment_internal;

namespace {

bool NonNegativeInt(int64_t v) {
  return v >= 0;
}
bool PositiveInt(int64_t v) {
  return v >= 1 && v <= INT_MAX;
}
bool NonNegativeSmallInt(int64_t v) {
  return v >= 0 && v <= INT_MAX;
}
bool ThreadCount(int64_t v) {
  return v >= 0 && v <= 65536;
}
bool InOpenUnitInterval(double x) {
  return x > 0 && x < 1;
}
bool FiniteNumber(double x) {
  return std::isfinite(x);
}

constexpr std::string_view kScalarExpected = "a number, boolean or string";

bool Contains(std::span<const std::string_view> words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// "at line 5", or the location itself when it has no line (an override).
std::string AtLine(const SourceLocation& where) {
  return where.line > 0 ? "at line " + std::to_string(where.line) : "at " + where.ToString();
}

// A path as written, made absolute: values from the file resolve against the
// file's directory, values given with --set against the working directory
// (where the shell user typed them).
fs::path ResolvePath(const ExperimentSpec& spec, const Field& field) {
  fs::path path(field.NonEmptyString());
  if (path.is_relative()) {
    const bool from_command_line = field.where().file == kOverrideSource;
    path = (from_command_line ? fs::current_path() : spec.base_dir) / path;
  }
  return path.lexically_normal();
}

// The table a top-level key names, or null when absent.
const toml::table* SectionTable(const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) Field(*node, std::string(name)).Expected("a table ([" + std::string(name) + "])");
  return node->as_table();
}

void RejectUnknownTables(const toml::table& root) {
  const toml::key* unknown = FirstUnknownKey(root, kTopLevelTables);
  if (unknown == nullptr) return;
  const toml::node* node = root.get(unknown->str());
  const bool is_table = node->is_table() || (node->is_array() && node->as_array()->is_array_of_tables());
  std::vector<std::string> names(std::begin(kTopLevelTables), std::end(kTopLevelTables));
  std::string hint = DidYouMean(unknown->str(), names);
  if (hint.empty()) hint = " (known tables: " + JoinViews(kTopLevelTables, ", ") + ")";
  const std::string what = is_table ? "unknown table '" : "unknown top-level key '";
  Fail(LocationOf(unknown->source()), what + std::string(unknown->str()) + "'" + hint);
}

// Reads params = { ... } of a plugin use. In arm params a list is a grid,
// returned in `grids`; elsewhere every value must be a scalar.
void ReadParams(const Field& field, PluginUse& use,
                std::map<std::string, std::vector<std::pair<ParamValue, SourceLocation>>>* grids) {
  const toml::table* params = field.node().as_table();
  if (params == nullptr) field.Expected("a table of parameters, e.g. params = { factors = 64 }");
  for (const auto& [key, value] : *params) {
    const Field param(value, field.name() + "." + std::string(key.str()));
    use.param_key_where[std::string(key.str())] = LocationOf(key.source());
    if (value.is_array() && grids != nullptr) {
      auto& values = (*grids)[std::string(key.str())];
      for (const Field& element : param.Items()) {
        ParamValue v = element.Scalar(kScalarExpected);
        for (const auto& [seen, seen_where] : values) {
          if (seen == v) {
            Fail(element.where(), param.name() + ": the grid lists " + Describe(element.node()) +
                                      " twice (first " + AtLine(seen_where) + ")");
          }
        }
        values.emplace_back(std::move(v), element.where());
      }
      if (values.empty()) param.Expected("at least one value (a list in arm params is a grid of values)");
    } else {
      const std::string_view expected =
          grids != nullptr ? "a number, boolean or string, or a list of them (a grid)" : kScalarExpected;
      use.params[std::string(key.str())] = param.Scalar(expected);
      use.param_where[std::string(key.str())] = param.where();
    }
  }
}

// A plugin use written as "name" or { plugin = "name", params = { ... } }.
PluginUse ReadPluginUse(const Field& field, std::string_view display) {
  PluginUse use;
  if (field.node().is_string()) {
    use.plugin = field.NonEmptyString();
    use.where = field.where();
    return use;
  }
  const toml::table* table = field.node().as_table();
  if (table == nullptr) field.Expected("a plugin name or { plugin = \"name\", params = { ... } }");
  TableReader reader(*table, std::string(display), field.name(), kPluginUseKeys);
  auto plugin = reader.Get("plugin");
  if (!plugin) Fail(reader.where(), "missing required key 'plugin' in " + std::string(display));
  use.plugin = plugin->NonEmptyString();
  use.where = plugin->where();
  if (auto params = reader.Get("params")) {
    ReadParams(Field(params->node(), field.name() + "." + use.plugin + ".params"), use, nullptr);
  }
  return use;
}

// A list of plugin uses; the same plugin twice would give two result columns
// or segment sets with the same name.
std::vector<PluginUse> ReadPluginUses(const Field& field, std::string_view kind, std::string_view display) {
  std::vector<PluginUse> uses;
  for (const Field& item : field.Items()) {
    PluginUse use = ReadPluginUse(item, display);
    for (const PluginUse& earlier : uses) {
      if (earlier.plugin == use.plugin) {
        Fail(use.where, field.name() + ": " + std::string(kind) + " '" + use.plugin +
                            "' is listed twice (first " + AtLine(earlier.where) + ")");
      }
    }
    uses.push_back(std::move(use));
  }
  return uses;
}

// The children of a composite arm: recommender names or
// { recommender = "name", params = { ... } } tables (no grids).
std::vector<PluginUse> ReadChildren(const Field& field) {
  if (!field.node().is_array()) field.Expected("a list of recommenders");
  std::vector<PluginUse> children;
  for (const Field& item : field.Items()) {
    PluginUse child;
    if (item.node().is_string()) {
      child.plugin = item.NonEmptyString();
      child.where = item.where();
    } else if (const toml::table* table = item.node().as_table()) {
      TableReader reader(*table, field.name(), field.name(), kChildKeys);
      auto recommender = reader.Get("recommender");
      if (!recommender) Fail(reader.where(), "missing required key 'recommender' in " + field.name());
      child.plugin = recommender->NonEmptyString();
      child.where = recommender->where();
      if (auto params = reader.Get("params")) {
        ReadParams(Field(params->node(), field.name() + "." + child.plugin + ".params"), child, nullptr);
      }
    } else {
      item.Expected("a recommender name or { recommender = \"name\", params = { ... } }");
    }
    children.push_back(std::move(child));
  }
  if (children.empty()) field.Expected("at least one recommender");
  return children;
}

// ---------------------------------------------------------------- [experiment]

void ReadExperiment(const toml::table& root, ExperimentSpec& spec) {
  const toml::table* table = SectionTable(root, "experiment");
  const SourceLocation file{spec.source_file.string()};
  if (table == nullptr) Fail(file, "missing required table [experiment] (with at least name = \"...\")");
  TableReader reader(*table, "[experiment]", "experiment", kExperimentKeys);

  auto name = reader.Get("name");
  if (!name) Fail(reader.where(), "missing required key 'name' in [experiment]");
  spec.name = name->NonEmptyString();
  // the name becomes the default output folder reports/<name>
  if (spec.name.find_first_of("/\\") != std::string::npos || spec.name == "." || spec.name == "..") {
    name->Expected("a name usable as a folder name (no '/' or '\\')");
  }
  spec.where["name"] = name->where();
  if (auto f = reader.Get("description")) {
    spec.description = f->String();
    spec.where["description"] = f->where();
  }
  if (auto f = reader.Get("seed")) {
    spec.seed = static_cast<uint64_t>(f->Int("a non-negative integer", NonNegativeInt));
    spec.where["seed"] = f->where();
  }
  if (auto f = reader.Get("threads")) {
    spec.threads = static_cast<int>(f->Int("an integer in [0, 65536] (0 = all cores)", ThreadCount));
    spec.where["threads"] = f->where();
  }
  if (auto f = reader.Get("output")) {
    spec.output = ResolvePath(spec, *f);
    spec.where["output"] = f->where();
  } else {
    // relative on purpose: the run folder goes under the working directory
    spec.output = fs::path("reports") / spec.name;
  }
  if (auto f = reader.Get("split_repeats")) {
    spec.split_repeats = static_cast<int>(f->Int("a positive integer", PositiveInt));
    spec.where["split_repeats"] = f->where();
  }
  if (auto f = reader.Get("seed_repeats")) {
    spec.seed_repeats = static_cast<int>(f->Int("a positive integer", PositiveInt));
    spec.where["seed_repeats"] = f->where();
  }
  if (auto f = reader.Get("isolation")) {
    spec.isolation = f->String();
    if (spec.isolation != "process" && spec.isolation != "none") {
      f->Expected("\"process\" (each cell in a worker process) or \"none\" (in this process)");
    }
    spec.where["isolation"] = f->where();
  }
  if (auto f = reader.Get("cell_timeout")) {
    spec.cell_timeout = f->Number("a number of seconds >= 0 (0 = no limit)", [](double x) { return x >= 0; });
    spec.where["cell_timeout"] = f->where();
  }
  if (auto f = reader.Get("cell_memory_mb")) {
    spec.cell_memory_mb = static_cast<int>(f->Int("a non-negative integer (0 = no limit)", NonNegativeInt));
    spec.where["cell_memory_mb"] = f->where();
  }
  if (auto f = reader.Get("parallel_cells")) {
    spec.parallel_cells = static_cast<int>(f->Int("a non-negative integer (0 = automatic)", NonNegativeInt));
    spec.where["parallel_cells"] = f->where();
  }
  if (auto f = reader.Get("plugin_paths")) {
    for (const Field& item : f->Items()) spec.plugin_paths.push_back(ResolvePath(spec, item));
    spec.where["plugin_paths"] = f->where();
  }
}

// ---------------------------------------------------------------- [dataset]

// A csv column: a header name, or (header = false) a 0-based index, which
// may be written as an integer.
std::string ReadColumn(const Field& field, bool header, bool allow_empty) {
  std::string column;
  if (field.node().is_integer()) {
    if (header) field.Expected("a column name from the header line (header = true)");
    column = std::to_string(field.Int("a 0-based column index", NonNegativeInt));
  } else {
    column = allow_empty ? field.String() : field.NonEmptyString();
  }
  if (!header && !column.empty() && column.find_first_not_of("0123456789") != std::string::npos) {
    field.Expected("a 0-based column index (header = false)");
  }
  return column;
}

// [split] method = "files" reads its own files: [dataset] interactions is optional then.
bool SplitReadsFiles(const toml::table& root) {
  const toml::node* method = root.at_path("split.method").node();
  return method != nullptr && method->value<std::string>() == "files";
}

void ReadDataset(const toml::table& root, ExperimentSpec& spec) {
  const toml::table* table = SectionTable(root, "dataset");
  if (table == nullptr) {
    Fail(SourceLocation{spec.source_file.string()},
         "missing required table [dataset] (format and interactions, or format = \"synthetic\")");
  }
  TableReader reader(*table, "[dataset]", "dataset", kDatasetKeys);
  DatasetSpec& d = spec.dataset;
  auto remember = [&](const Field& f, std::string_view key) { d.where[std::string(key)] = f.where(); };

  if (auto f = reader.Get("format")) {
    d.format = f->Choice(kDatasetFormats);
    remember(*f, "format");
  }
  const bool csv = d.format == "csv";
  const bool synthetic = d.format == "synthetic";
  // a key that the format ignores is a mistake the user would not notice
  for (const auto& [key, value] : *table) {
    const std::string_view k = key.str();
    const Field f(value, "dataset." + std::string(k));
    if (!csv && Contains(kCsvOnlyDatasetKeys, k)) {
      Fail(f.where(), f.name() + ": only used with format = \"csv\", not \"" + d.format + "\"");
    }
    if (!synthetic && Contains(kSyntheticOnlyDatasetKeys, k)) {
      Fail(f.where(), f.name() + ": only used with format = \"synthetic\", not \"" + d.format + "\"");
    }
    if (synthetic && Contains(kFileOnlyDatasetKeys, k)) {
      Fail(f.where(), f.name() + ": not used with format = \"synthetic\" (the data is generated)");
    }
  }

  if (auto f = reader.Get("interactions")) {
    d.interactions = ResolvePath(spec, *f);
    remember(*f, "interactions");
  } else if (!synthetic && !SplitReadsFiles(root)) {
    Fail(reader.where(),
         "missing required key 'interactions' in [dataset] (the interactions file, or the "
         "directory of a MovieLens download)");
  }
  if (auto f = reader.Get("items")) {
    d.items = ResolvePath(spec, *f);
    remember(*f, "items");
  }
  if (auto f = reader.Get("delimiter")) {
    std::string delimiter = f->String();
    if (delimiter == "\\t" || delimiter == "tab") delimiter = "\t";
    if (delimiter != "auto" && delimiter.size() != 1) f->Expected("a single character, \"\\t\" or \"auto\"");
    d.delimiter = delimiter;
    remember(*f, "delimiter");
  }
  if (auto f = reader.Get("header")) {
    d.header = f->Bool();
    remember(*f, "header");
  }
  if (!d.header) {
    // without a header line the defaults are positions: user, item, ...
    d.user_column = "0";
    d.item_column = "1";
  }
  struct ColumnKey {
    std::string_view key;
    std::string* column;
    bool allow_empty;
  };
  const ColumnKey columns[] = {{"user_column", &d.user_column, false},
                               {"item_column", &d.item_column, false},
                               {"value_column", &d.value_column, true},
                               {"timestamp_column", &d.timestamp_column, true}};
  for (size_t i = 0; i < std::size(columns); ++i) {
    auto f = reader.Get(columns[i].key);
    if (!f) continue;
    *columns[i].column = ReadColumn(*f, d.header, columns[i].allow_empty);
    remember(*f, columns[i].key);
  }
  for (size_t i = 0; i < std::size(columns); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (!columns[i].column->empty() && *columns[i].column == *columns[j].column) {
        auto f = reader.Get(columns[i].key);
        auto g = reader.Get(columns[j].key);
        const Field& later = f ? *f : *g;
        Fail(later.where(), "dataset." + std::string(columns[i].key) + " and dataset." +
                                std::string(columns[j].key) + " name the same column '" + *columns[i].column +
                                "'");
      }
    }
  }
  if (auto f = reader.Get("on_bad_rows")) {
    d.on_bad_rows = f->Choice(kOnBadRows);
    remember(*f, "on_bad_rows");
  }
  if (auto f = reader.Get("duplicates")) {
    d.duplicates = f->Choice(kDuplicatePolicies);
    remember(*f, "duplicates");
  }
  if (auto f = reader.Get("positive_threshold")) {
    d.positive_threshold = f->Number("a finite number", FiniteNumber);
    d.has_positive_threshold = true;
    remember(*f, "positive_threshold");
  }
  if (auto f = reader.Get("preset")) {
    const std::vector<std::string> presets = SynthPresets();
    const std::vector<std::string_view> choices(presets.begin(), presets.end());
    d.synthetic_preset = f->Choice(choices);
    remember(*f, "preset");
  }
  d.synthetic_seed = spec.seed;
  if (auto f = reader.Get("seed")) {
    d.synthetic_seed = static_cast<uint64_t>(f->Int("a non-negative integer", NonNegativeInt));
    remember(*f, "seed");
  }
}

// ---------------------------------------------------------------- [split]

// method = "files": train / test / validation paths with an optional {fold}
// placeholder, and folds = [labels]; the paths go to the dataset loader.
void ReadSplitFiles(ExperimentSpec& spec, const TableReader& reader) {
  SplitSpec& s = spec.split;
  SplitFilesSpec& files = spec.dataset.split_files;
  files = SplitFilesSpec{};
  if (auto it = s.where.find("method"); it != s.where.end()) files.where["method"] = it->second;
  for (const char* key : {"train", "test", "validation"}) {
    auto f = reader.Get(key);
    if (!f) {
      if (std::string_view(key) == "validation") continue;
      Fail(reader.where(), std::string("missing required key '") + key +
                               "' in [split]: method = \"files\" reads the " + key +
                               " interactions from a file (the path may hold {fold})");
    }
    const std::string path = ResolvePath(spec, *f).string();
    (std::string_view(key) == "train"  ? files.train
     : std::string_view(key) == "test" ? files.test
                                       : files.validation) = path;
    files.where[key] = f->where();
    s.where[key] = f->where();
  }
  if (auto f = reader.Get("folds")) {
    std::set<int64_t> seen;
    for (const Field& item : f->Items()) {
      const int64_t label = item.Int("a non-negative integer (a value of {fold})", NonNegativeSmallInt);
      if (!seen.insert(label).second)
        Fail(item.where(), "split.folds: " + std::to_string(label) + " is listed twice");
      files.folds.push_back(static_cast<int>(label));
    }
    if (files.folds.empty()) f->Expected("a non-empty list of fold labels such as [1, 2, 3, 4, 5]");
    s.where["folds"] = files.where["folds"] = f->where();
  }
  const bool placeholder =
      files.train.find("{fold}") != std::string::npos || files.test.find("{fold}") != std::string::npos;
  if (placeholder && files.folds.empty()) {
    Fail(files.where["train"],
         "split.train: the paths hold {fold}, but split.folds is not set; list the "
         "fold labels, e.g. folds = [1, 2, 3, 4, 5]");
  }
  if (!placeholder && !files.folds.empty()) {
    Fail(files.where["folds"],
         "split.folds: the train and test paths hold no {fold} to replace; write "
         "e.g. train = \"u{fold}.base\"");
  }
  s.folds = static_cast<int>(files.count());
}

void ReadSplit(const toml::table& root, ExperimentSpec& spec) {
  SplitSpec& s = spec.split;
  s.seed = spec.seed;
  const toml::table* table = SectionTable(root, "split");
  if (table == nullptr) return;
  TableReader reader(*table, "[split]", "split", kSplitKeys);
  if (auto f = reader.Get("method")) {
    s.method = f->Choice(kSplitMethods);
    s.where["method"] = f->where();
  }
  if (auto f = reader.Get("test_fraction")) {
    s.test_fraction = f->Number("a number in (0, 1)", InOpenUnitInterval);
    s.where["test_fraction"] = f->where();
  }
  if (auto f = reader.Get("leave_last")) {
    s.leave_last = static_cast<int>(f->Int("a positive integer", PositiveInt));
    s.where["leave_last"] = f->where();
  }
  const bool files = s.method == "files";
  if (auto f = reader.Get("folds"); f && !files) {
    s.folds = static_cast<int>(f->Int("an integer >= 2", [](int64_t v) { return v >= 2 && v <= INT_MAX; }));
    s.where["folds"] = f->where();
  }
  if (files) ReadSplitFiles(spec, reader);
  if (auto f = reader.Get("fold")) {
    if (files) {
      Fail(f->where(),
           "split.fold: not used with method = \"files\"; to run some folds only, list them "
           "in split.folds, e.g. folds = [3]");
    }
    s.fold = static_cast<int>(f->Int("a non-negative integer", NonNegativeSmallInt));
    s.single_fold = true;
    s.where["fold"] = f->where();
    if (s.fold >= s.folds) {
      Fail(f->where(), "split.fold: expected a fold index in [0, " + std::to_string(s.folds - 1) +
                           "] (0-based, below folds = " + std::to_string(s.folds) + "), found " +
                           std::to_string(s.fold));
    }
  }
  if (auto f = reader.Get("validation_fraction")) {
    s.validation_fraction =
        f->Number("a number in [0, 1) (0 = no validation split)", [](double x) { return x >= 0 && x < 1; });
    s.where["validation_fraction"] = f->where();
  }
  if (auto f = reader.Get("min_user_interactions")) {
    s.min_user_interactions = static_cast<int>(f->Int("a non-negative integer", NonNegativeSmallInt));
    s.where["min_user_interactions"] = f->where();
  }
  if (auto f = reader.Get("seed")) {
    s.seed = static_cast<uint64_t>(f->Int("a non-negative integer", NonNegativeInt));
    s.where["seed"] = f->where();
  }
  if (auto f = reader.Get("leakage")) {
    s.leakage = f->Choice(kLeakagePolicies);
    s.where["leakage"] = f->where();
  }
  if (files) {
    // a pair in a training and a test file is an error unless "warn" is written
    spec.dataset.split_files.overlap_is_finding = s.where.count("leakage") && s.leakage == "warn";
    if (!spec.dataset.split_files.validation.empty() && s.validation_fraction > 0) {
      Fail(s.where["validation_fraction"],
           "split.validation_fraction: not used when split.validation names a file; set one of them");
    }
  } else {
    for (const char* key : {"train", "test", "validation"}) {
      if (auto f = reader.Get(key)) {
        Fail(f->where(),
             "split." + std::string(key) + ": only used with method = \"files\", not \"" + s.method + "\"");
      }
    }
  }
}

// ---------------------------------------------------------------- [[arms]]

// A grid value as it appears in an arm name: strings without quotes.
std::string GridValueText(const ParamValue& value) {
  if (auto* d = std::get_if<double>(&value)) return FormatDouble(*d);
  if (auto* s = std::get_if<std::string>(&value)) return *s;
  return ParamValueToString(value);
}

// One [[arms]] table expanded into its arms: the cartesian product of its
// grid values, keys in sorted order, the last key varying fastest.
std::vector<ArmSpec> ExpandArm(
    const ArmSpec& base,
    const std::map<std::string, std::vector<std::pair<ParamValue, SourceLocation>>>& grids,
    const SourceLocation& name_where) {
  if (grids.empty()) return {base};
  size_t count = 1;
  for (const auto& [key, values] : grids) {
    count *= values.size();
    if (count > kMaxGridArms) {
      Fail(name_where, "arm '" + base.name + "': the grid expands to more than " +
                           std::to_string(kMaxGridArms) + " arms");
    }
  }
  std::vector<ArmSpec> arms;
  arms.reserve(count);
  std::vector<size_t> index(grids.size(), 0);
  for (size_t n = 0; n < count; ++n) {
    ArmSpec arm = base;
    std::string suffix;
    size_t g = 0;
    for (const auto& [key, values] : grids) {
      const auto& [value, where] = values[index[g++]];
      arm.recommender.params[key] = value;
      arm.recommender.param_where[key] = where;
      suffix += (suffix.empty() ? "" : ",") + key + "=" + GridValueText(value);
    }
    arm.name = base.name + "[" + suffix + "]";
    arms.push_back(std::move(arm));
    // odometer step: the last key turns fastest
    for (size_t k = index.size(); k-- > 0;) {
      auto it = std::next(grids.begin(), static_cast<std::ptrdiff_t>(k));
      if (++index[k] < it->second.size()) break;
      index[k] = 0;
    }
  }
  return arms;
}

// Reads and grid-expands the arms; returns, for each [[arms]] name that was
// a grid, the names it expanded to (for messages about the control arm).
std::map<std::string, std::vector<std::string>> ReadArms(const toml::table& root, ExperimentSpec& spec) {
  const toml::node* node = root.get("arms");
  const SourceLocation file{spec.source_file.string()};
  if (node == nullptr)
    Fail(file, "missing [[arms]]: an experiment needs at least one arm (name and recommender)");
  const toml::array* tables = node->as_array();
  if (tables == nullptr || !tables->is_array_of_tables()) {
    Field(*node, "arms").Expected("a list of tables ([[arms]] with name and recommender)");
  }
  if (tables->empty()) Field(*node, "arms").Expected("at least one arm");

  std::map<std::string, std::vector<std::string>> grid_names;
  std::map<std::string, SourceLocation> name_where;
  for (const toml::node& element : *tables) {
    const toml::table& table = *element.as_table();
    TableReader reader(table, "[[arms]]", "arms", kArmKeys);
    auto name = reader.Get("name");
    if (!name) Fail(reader.where(), "missing required key 'name' in [[arms]]");
    ArmSpec base;
    base.name = name->NonEmptyString();
    base.where = reader.where();
    auto recommender = reader.Get("recommender");
    if (!recommender)
      Fail(reader.where(), "missing required key 'recommender' in [[arms]] '" + base.name + "'");
    base.recommender.plugin =
        Field(recommender->node(), "arms." + base.name + ".recommender").NonEmptyString();
    base.recommender.where = recommender->where();
    std::map<std::string, std::vector<std::pair<ParamValue, SourceLocation>>> grids;
    if (auto params = reader.Get("params")) {
      ReadParams(Field(params->node(), "arms." + base.name + ".params"), base.recommender, &grids);
    }
    if (auto children = reader.Get("children")) {
      base.children = ReadChildren(Field(children->node(), "arms." + base.name + ".children"));
    }
    if (auto tune = reader.Get("tune")) {
      std::map<std::string, int> grid_params;
      for (const auto& [key, values] : grids) grid_params[key] = static_cast<int>(values.size());
      base.tune = ReadTune(Field(tune->node(), "arms." + base.name + ".tune"), grid_params);
    }
    for (ArmSpec& arm : ExpandArm(base, grids, name->where())) {
      auto [it, inserted] = name_where.emplace(arm.name, name->where());
      if (!inserted) {
        Fail(name->where(), "duplicate arm name '" + arm.name + "' (first used " + AtLine(it->second) + ")");
      }
      if (!grids.empty()) grid_names[base.name].push_back(arm.name);
      spec.arms.push_back(std::move(arm));
    }
  }
  return grid_names;
}

// ---------------------------------------------------------------- [evaluation]

void ReadEvaluation(const toml::table& root, ExperimentSpec& spec) {
  EvaluationSpec& e = spec.evaluation;
  const toml::table* table = SectionTable(root, "evaluation");
  if (table != nullptr) {
    TableReader reader(*table, "[evaluation]", "evaluation", kEvaluationKeys);
    if (auto f = reader.Get("k")) {
      e.ks.clear();
      for (const Field& item : f->Items()) {
        const int k = static_cast<int>(item.Int("a positive integer", PositiveInt));
        if (std::find(e.ks.begin(), e.ks.end(), k) != e.ks.end()) {
          Fail(item.where(), "evaluation.k: " + std::to_string(k) + " is listed twice");
        }
        e.ks.push_back(k);
      }
      if (e.ks.empty()) f->Expected("a positive integer or a list of them");
      e.where["k"] = f->where();
    }
    if (auto f = reader.Get("metrics")) {
      for (const Field& item : f->Items()) {
        std::string metric = item.NonEmptyString();
        if (std::find(e.metrics.begin(), e.metrics.end(), metric) != e.metrics.end()) {
          Fail(item.where(), "evaluation.metrics: '" + metric + "' is listed twice");
        }
        e.metrics.push_back(std::move(metric));
      }
      e.where["metrics"] = f->where();
    }
    if (auto f = reader.Get("evaluators")) {
      e.evaluators = ReadPluginUses(*f, "evaluator", "evaluation.evaluators");
      e.where["evaluators"] = f->where();
    }
    if (auto f = reader.Get("candidates")) {
      e.candidates = f->Choice(kCandidateModes);
      e.where["candidates"] = f->where();
    }
    if (auto f = reader.Get("negatives")) {
      e.negatives = static_cast<int>(f->Int("a positive integer", PositiveInt));
      e.where["negatives"] = f->where();
    }
    if (auto f = reader.Get("candidates_file")) {
      e.candidates_file = ResolvePath(spec, *f);
      e.where["candidates_file"] = f->where();
    }
    if (auto f = reader.Get("export_trec")) {
      e.export_trec = f->Bool();
      e.where["export_trec"] = f->where();
    }
    if (e.candidates == "file" && e.candidates_file.empty()) {
      Fail(e.where["candidates"],
           "evaluation.candidates = \"file\" needs evaluation.candidates_file (user,item rows)");
    }
  }
  if (e.evaluators.empty()) {
    PluginUse ranking;
    ranking.plugin = std::string(kDefaultEvaluator);
    ranking.where = table != nullptr ? LocationOf(*table) : SourceLocation{spec.source_file.string()};
    e.evaluators.push_back(std::move(ranking));
  }
}

// ---------------------------------------------------------------- [[profilers]]

void ReadProfilers(const toml::table& root, ExperimentSpec& spec) {
  const toml::node* node = root.get("profilers");
  if (node == nullptr) return;
  if (!node->is_array()) Field(*node, "profilers").Expected("a list of tables ([[profilers]] with plugin)");
  spec.profilers = ReadPluginUses(Field(*node, "profilers"), "profiler", "[[profilers]]");
}

// ---------------------------------------------------------------- [ab], [report]

void ReadAb(const toml::table& root, ExperimentSpec& spec,
            const std::map<std::string, std::vector<std::string>>& grid_names) {
  AbSpec& ab = spec.ab;
  const toml::table* table = SectionTable(root, "ab");
  std::optional<Field> control, primary;
  if (table != nullptr) {
    TableReader reader(*table, "[ab]", "ab", kAbKeys);
    if ((control = reader.Get("control"))) {
      ab.control = control->NonEmptyString();
      ab.where["control"] = control->where();
    }
    if ((primary = reader.Get("primary_metric"))) {
      ab.primary_metric = primary->NonEmptyString();
      ab.where["primary_metric"] = primary->where();
    }
    if (auto f = reader.Get("assignment")) {
      ab.assignment = f->Choice(kAssignments);
      ab.where["assignment"] = f->where();
    }
    if (auto f = reader.Get("alpha")) {
      ab.alpha = f->Number("a number in (0, 1)", InOpenUnitInterval);
      ab.where["alpha"] = f->where();
    }
    if (auto f = reader.Get("correction")) {
      ab.correction = f->Choice(kCorrections);
      ab.where["correction"] = f->where();
    }
    if (auto f = reader.Get("bootstrap_samples")) {
      ab.bootstrap_samples = static_cast<int>(f->Int("a positive integer", PositiveInt));
      ab.where["bootstrap_samples"] = f->where();
    }
    if (auto f = reader.Get("weights")) {
      for (const Field& item : f->Items()) {
        ab.weights.push_back(
            item.Number("a positive number", [](double x) { return std::isfinite(x) && x > 0; }));
      }
      ab.where["weights"] = f->where();
      if (ab.weights.size() != spec.arms.size()) {
        Fail(f->where(), "ab.weights: expected one weight per arm (" + std::to_string(spec.arms.size()) +
                             " arms after grid expansion), found " + std::to_string(ab.weights.size()));
      }
    }
    if (auto f = reader.Get("power")) {
      ab.power = f->Number("a number in (0, 1)", InOpenUnitInterval);
      ab.where["power"] = f->where();
    }
  }

  std::vector<std::string> arm_names;
  for (const ArmSpec& arm : spec.arms) arm_names.push_back(arm.name);
  if (!control) {
    ab.control = spec.arms.front().name;
  } else if (std::find(arm_names.begin(), arm_names.end(), ab.control) == arm_names.end()) {
    auto grid = grid_names.find(ab.control);
    if (grid != grid_names.end()) {
      Fail(control->where(), "ab.control: arm '" + ab.control + "' is a grid of " +
                                 std::to_string(grid->second.size()) + " arms; name one of them, e.g. '" +
                                 grid->second.front() + "'");
    }
    std::string hint = DidYouMean(ab.control, arm_names);
    if (hint.empty()) hint = " (arms: " + Join(arm_names, ", ") + ")";
    Fail(control->where(), "ab.control: no arm named '" + ab.control + "'" + hint);
  }

  const EvaluationSpec& e = spec.evaluation;
  if (!primary) {
    // without a metrics list the runner picks the first column the evaluators declare
    if (!e.metrics.empty()) ab.primary_metric = e.metrics.front() + "@" + std::to_string(e.ks.front());
    return;
  }
  const size_t at = ab.primary_metric.rfind('@');
  const std::string metric = ab.primary_metric.substr(0, at);
  if (at != std::string::npos) {
    const std::string k_text = ab.primary_metric.substr(at + 1);
    std::vector<std::string> ks;
    for (int k : e.ks) ks.push_back(std::to_string(k));
    if (std::find(ks.begin(), ks.end(), k_text) == ks.end()) {
      Fail(primary->where(), "ab.primary_metric: '" + ab.primary_metric + "' is at k = " + k_text +
                                 ", which is not among evaluation.k (" + Join(ks, ", ") + ")");
    }
  }
  if (!e.metrics.empty() && std::find(e.metrics.begin(), e.metrics.end(), metric) == e.metrics.end()) {
    std::string hint = DidYouMean(metric, e.metrics);
    if (hint.empty()) hint = " (metrics: " + Join(e.metrics, ", ") + ")";
    Fail(primary->where(), "ab.primary_metric: metric '" + metric + "' is not in evaluation.metrics" + hint);
  }
}

void ReadReport(const toml::table& root, ExperimentSpec& spec) {
  const toml::table* table = SectionTable(root, "report");
  if (table == nullptr) return;
  TableReader reader(*table, "[report]", "report", kReportKeys);
  if (auto f = reader.Get("formats")) {
    spec.report.formats.clear();
    for (const Field& item : f->Items()) {
      std::string format = item.Choice(kReportFormats);
      if (std::find(spec.report.formats.begin(), spec.report.formats.end(), format) !=
          spec.report.formats.end()) {
        Fail(item.where(), "report.formats: '" + format + "' is listed twice");
      }
      spec.report.formats.push_back(std::move(format));
    }
    spec.report.where["formats"] = f->where();
  }
}

ExperimentSpec ParseTable(toml::table& root, const fs::path& display_name, const fs::path& base_dir,
                          const std::vector<Override>& overrides) {
  ApplyOverrides(root, overrides);
  ExperimentSpec spec;
  spec.source_file = display_name;
  spec.base_dir = base_dir;
  spec.overrides = overrides;
  RejectUnknownTables(root);
  ReadExperiment(root, spec);
  ReadDataset(root, spec);
  ReadSplit(root, spec);
  const auto grid_names = ReadArms(root, spec);
  ReadTuning(root, spec);
  ReadEvaluation(root, spec);
  ReadProfilers(root, spec);
  ReadAb(root, spec, grid_names);
  ReadScenarios(root, spec, grid_names);
  ReadOffPolicy(root, spec);  // [logged], [ope]: ope_read.cpp
  ReadReport(root, spec);
  spec.resolved = ResolvedJson(spec, nullptr);
  return spec;
}

toml::table ParseToml(std::string_view text, const fs::path& display_name) {
  try {
    return toml::parse(text, display_name.string());
  } catch (const toml::parse_error& e) {
    Fail(LocationOf(e.source()), std::string(e.description()));
  }
}

}  // namespace

std::span<const std::string_view> experiment_internal::PlainSectionKeys(std::string_view section) {
  if (section == "experiment") return kExperimentKeys;
  if (section == "dataset") return kDatasetKeys;
  if (section == "split") return kSplitKeys;
  if (section == "evaluation") return kEvaluationKeys;
  if (section == "ab") return kAbKeys;
  if (section == "report") return kReportKeys;
  if (section == "tuning") return kTuningKeys;
  if (section == "logged") return kLoggedKeys;
  if (section == "ope") return kOpeKeys;
  return {};
}

Override ParseOverride(std::string_view text) {
  const size_t eq = text.find('=');
  auto trim = [](std::string_view s) {
    const size_t begin = s.find_first_not_of(" \t");
    if (begin == std::string_view::npos) return std::string_view();
    return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
  };
  if (eq == std::string_view::npos || trim(text.substr(0, eq)).empty()) {
    throw Error(
        SourceLocation{std::string(kOverrideSource)},
        "expected section.key=value, e.g. split.test_fraction=0.3, found '" + std::string(text) + "'");
  }
  return Override{std::string(trim(text.substr(0, eq))), std::string(trim(text.substr(eq + 1)))};
}

ExperimentSpec ParseExperimentString(std::string_view toml_text, const fs::path& display_name,
                                     const std::vector<Override>& overrides) {
  toml::table root = ParseToml(toml_text, display_name);
  const fs::path base_dir = fs::absolute(display_name).parent_path().lexically_normal();
  return ParseTable(root, display_name, base_dir, overrides);
}

ExperimentSpec ParseExperimentFile(const fs::path& file, const std::vector<Override>& overrides) {
  std::ifstream in(file, std::ios::binary);
  if (!in || fs::is_directory(file)) {
    throw Error(SourceLocation{file.string()},
                "cannot read the experiment file (" +
                    std::string(fs::exists(file) ? "not a readable file" : "not found") + ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseExperimentString(text.str(), file, overrides);
}

toml::table ParseTomlText(std::string_view text, const fs::path& display_name) {
  return ParseToml(text, display_name);
}

ExperimentSpec ParseExperimentTable(toml::table& root, const fs::path& display_name, const fs::path& base_dir,
                                    const std::vector<Override>& overrides) {
  return ParseTable(root, display_name, base_dir, overrides);
}

// Shared with ope_read.cpp.
std::vector<PluginUse> experiment_internal::ReadPluginUseList(const Field& field, std::string_view kind,
                                                              std::string_view display) {
  return ReadPluginUses(field, kind, display);
}
fs::path experiment_internal::ResolveSpecPath(const ExperimentSpec& spec, const Field& field) {
  return ResolvePath(spec, field);
}

}  // namespace reclift::host
