#include "suite/suite_spec.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "data/hash.h"
#include "experiment/parse_table.h"
#include "experiment/toml_read.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace reclift::host::suite {
namespace {

using experiment_internal::Fail;
using experiment_internal::Field;
using experiment_internal::LocationOf;
using experiment_internal::TableReader;

constexpr std::string_view kSuiteTopLevel[] = {"suite",  "datasets",   "experiment", "split",
                                               "arms",   "evaluation", "ab",         "profilers",
                                               "tuning", "report",     "scenarios"};
// the tables every [[datasets]] member shares, moved into it as they are
constexpr std::string_view kShared[] = {"arms",   "evaluation", "ab",       "profilers",
                                        "tuning", "report",     "scenarios"};
constexpr std::string_view kSuiteKeys[] = {"name",  "description", "primary_metric",
                                           "alpha", "output",      "experiments"};
constexpr std::string_view kDatasetEntryKeys[] = {"name", "dataset", "split"};

bool FolderName(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find_first_of("/\\") == std::string::npos;
}

std::string Hex(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string ReadAll(const fs::path& file, bool& ok) {
  std::ifstream in(file, std::ios::binary);
  ok = in && !fs::is_directory(file);
  std::ostringstream text;
  if (ok) text << in.rdbuf();
  return text.str();
}

const toml::table& RequireTable(const toml::node& node, const std::string& name) {
  if (!node.is_table()) Field(node, name).Expected("a table");
  return *node.as_table();
}

// Moves the node at `key` of `from` into `to` (keeping its source position).
void MoveInto(toml::table& from, std::string_view key, toml::table& to) {
  toml::node* node = from.get(key);
  if (node == nullptr) return;
  const toml::key& k = from.find(key)->first;
  if (auto* t = node->as_table()) {
    to.insert_or_assign(k, std::move(*t));
  } else if (auto* a = node->as_array()) {
    to.insert_or_assign(k, std::move(*a));
  } else {
    // a scalar where a table belongs: keep it so the parser says so, at its place
    node->visit([&](auto&& v) { to.insert_or_assign(k, std::move(v)); });
  }
}

// The member of [[datasets]] entry `index`, from a fresh tree of the suite file.
ExperimentSpec BuildMatrixMember(std::string_view text, const fs::path& display_name,
                                 const fs::path& base_dir, size_t index, const std::string& member_name,
                                 const std::vector<Override>& overrides) {
  toml::table tree = ParseTomlText(text, display_name);
  toml::table root;
  toml::table& entry = *tree["datasets"].as_array()->get(index)->as_table();

  toml::table experiment;
  if (auto* shared = tree["experiment"].as_table()) experiment = std::move(*shared);
  experiment.insert_or_assign("name", member_name);
  root.insert("experiment", std::move(experiment));
  MoveInto(entry, "dataset", root);
  // [split]: the shared keys, then the entry's on top of them
  toml::table split;
  if (auto* shared = tree["split"].as_table()) split = std::move(*shared);
  if (auto* own = entry["split"].as_table()) {
    for (auto&& [k, v] : *own) {
      v.visit([&](auto&& value) { split.insert_or_assign(k, std::move(value)); });
    }
  }
  if (!split.empty()) root.insert("split", std::move(split));
  for (auto key : kShared) MoveInto(tree, key, root);
  return ParseExperimentTable(root, display_name, base_dir, overrides);
}

// The suite's primary metric must be a column of every parsed member, as
// the experiment parser checks [ab] primary_metric: its k among
// evaluation.k, its metric among evaluation.metrics (when listed).
void CheckPrimaryMetric(const SuiteSpec& suite, const SourceLocation& where) {
  const std::string& primary = suite.primary_metric;
  const size_t at = primary.rfind('@');
  const std::string metric = primary.substr(0, at);
  for (const auto& m : suite.members) {
    if (!m.spec) continue;
    const EvaluationSpec& e = m.spec->evaluation;
    if (at != std::string::npos) {
      std::vector<std::string> ks;
      for (int k : e.ks) ks.push_back(std::to_string(k));
      if (std::find(ks.begin(), ks.end(), primary.substr(at + 1)) == ks.end()) {
        Fail(where, "suite.primary_metric: '" + primary + "' is at k = " + primary.substr(at + 1) +
                        ", which is not among evaluation.k (" + Join(ks, ", ") + ") of member " + m.name);
      }
    }
    if (!e.metrics.empty() && std::find(e.metrics.begin(), e.metrics.end(), metric) == e.metrics.end()) {
      std::string hint = DidYouMean(metric, e.metrics);
      if (hint.empty()) hint = " (metrics: " + Join(e.metrics, ", ") + ")";
      Fail(where, "suite.primary_metric: metric '" + metric + "' is not in evaluation.metrics of member " +
                      m.name + hint);
    }
  }
}

}  // namespace

std::string FileContentHash(const fs::path& file) {
  bool ok = false;
  const std::string text = ReadAll(file, ok);
  return ok ? Hex(Hash64(text.data(), text.size())) : "";
}

bool IsSuiteFile(const fs::path& file) {
  bool ok = false;
  const std::string text = ReadAll(file, ok);
  if (!ok) return false;
  try {
    const toml::table root = toml::parse(text, file.string());
    return root.contains("suite");
  } catch (const toml::parse_error&) {
    return false;
  }
}

SuiteSpec ParseSuiteString(std::string_view text, const fs::path& display_name,
                           const std::vector<Override>& overrides) {
  const toml::table root = ParseTomlText(text, display_name);
  const fs::path base_dir = fs::absolute(display_name).parent_path().lexically_normal();
  SuiteSpec suite;
  suite.source_file = display_name;
  suite.overrides = overrides;
  suite.file_hash = Hex(Hash64(text.data(), text.size()));
  if (const toml::key* unknown = experiment_internal::FirstUnknownKey(root, kSuiteTopLevel)) {
    std::vector<std::string> names(std::begin(kSuiteTopLevel), std::end(kSuiteTopLevel));
    std::string hint = DidYouMean(unknown->str(), names);
    if (hint.empty())
      hint = " (a suite file has " + experiment_internal::JoinViews(kSuiteTopLevel, ", ") + ")";
    Fail(LocationOf(unknown->source()),
         "unknown table '" + std::string(unknown->str()) + "' in a suite file" + hint);
  }

  const toml::node* suite_node = root.get("suite");
  if (suite_node == nullptr) {
    Fail(SourceLocation{display_name.string()},
         "missing required table [suite] (with at least name = \"...\")");
  }
  TableReader reader(RequireTable(*suite_node, "suite"), "[suite]", "suite", kSuiteKeys);
  auto name = reader.Get("name");
  if (!name) Fail(reader.where(), "missing required key 'name' in [suite]");
  suite.name = name->NonEmptyString();
  if (!FolderName(suite.name)) name->Expected("a name usable as a folder name (no '/' or '\\')");
  if (auto f = reader.Get("description")) suite.description = f->String();
  SourceLocation primary_where;
  if (auto f = reader.Get("primary_metric")) {
    suite.primary_metric = f->NonEmptyString();
    primary_where = f->where();
  }
  if (auto f = reader.Get("alpha")) {
    suite.alpha = f->Number("a number in (0, 1)", [](double x) { return x > 0 && x < 1; });
  }
  if (auto f = reader.Get("output")) {
    fs::path p = f->NonEmptyString();
    suite.output = (p.is_absolute() ? p : base_dir / p).lexically_normal();
  } else {
    suite.output = fs::path("reports") / suite.name;
  }
  if (const toml::node* e = root["experiment"].node(); e != nullptr && e->is_table()) {
    if (const toml::node* n = e->as_table()->get("name")) {
      Fail(LocationOf(*n),
           "experiment.name: not allowed in a suite file (members are named <suite>-<dataset>)");
    }
  }

  std::set<std::string> names;
  auto add = [&](SuiteMember m) {
    if (!names.insert(m.name).second) {
      Fail(m.where, "two members of the suite are named '" + m.name + "'; give each a distinct name");
    }
    suite.members.push_back(std::move(m));
  };

  // experiment files
  if (auto f = reader.Get("experiments")) {
    if (!f->node().is_array()) f->Expected("a list of experiment files");
    for (const Field& item : f->Items()) {
      SuiteMember m;
      m.where = item.where();
      fs::path p = item.NonEmptyString();
      m.experiment_file = (p.is_absolute() ? p : base_dir / p).lexically_normal();
      m.name = m.experiment_file.stem().string();
      try {
        m.spec = ParseExperimentFile(m.experiment_file, overrides);
        m.name = m.spec->name;
        m.label = m.spec->name;
      } catch (const Error& e) {
        m.error = e.what();
        m.label = m.name;
      }
      add(std::move(m));
    }
  }

  // [[datasets]] crossed with the shared tables
  if (const toml::node* node = root.get("datasets")) {
    const toml::array* list = node->as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
      Field(*node, "datasets").Expected("an array of tables ([[datasets]])");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::table& entry = *list->get(i)->as_table();
      TableReader er(entry, "[[datasets]]", "datasets", kDatasetEntryKeys);
      SuiteMember m;
      m.where = er.where();
      auto n = er.Get("name");
      if (!n) Fail(er.where(), "missing required key 'name' in [[datasets]]");
      m.label = n->NonEmptyString();
      if (!FolderName(m.label)) n->Expected("a name usable as a folder name (no '/' or '\\')");
      m.where = n->where();
      if (!er.Has("dataset"))
        Fail(er.where(), "missing required key 'dataset' in [[datasets]] '" + m.label + "'");
      RequireTable(*entry.get("dataset"), "datasets." + m.label + ".dataset");
      if (er.Has("split")) RequireTable(*entry.get("split"), "datasets." + m.label + ".split");
      m.name = m.label;
      m.experiment_file = display_name;
      // a mistake here is a mistake in the suite file: it stops the suite
      m.spec = BuildMatrixMember(text, display_name, base_dir, i, suite.name + "-" + m.label, overrides);
      add(std::move(m));
    }
  }
  if (!root.contains("datasets")) {
    for (auto key : kShared) {
      if (const toml::node* n = root.get(key)) {
        Fail(LocationOf(*n), "[" + std::string(key) +
                                 "] is shared by [[datasets]] members, but the suite has "
                                 "no [[datasets]] (experiment files bring their own)");
      }
    }
  }
  if (suite.members.empty()) {
    Fail(reader.where(),
         "the suite has no members: list experiment files in [suite] experiments = [...] "
         "or add [[datasets]] tables");
  }
  if (!suite.primary_metric.empty()) CheckPrimaryMetric(suite, primary_where);
  return suite;
}

SuiteSpec ParseSuiteFile(const fs::path& file, const std::vector<Override>& overrides) {
  bool ok = false;
  const std::string text = ReadAll(file, ok);
  if (!ok) {
    throw Error(SourceLocation{file.string()},
                "cannot read the suite file (" +
                    std::string(fs::exists(file) ? "not a readable file" : "not found") + ")");
  }
  return ParseSuiteString(text, file, overrides);
}

}  // namespace reclift::host::suite
