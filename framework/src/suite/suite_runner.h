// Runs a suite: every member experiment with RunExperiment into its own run
// folder inside the suite folder, then the cross-dataset statistics into
// suite.json and the suite reports (suite.html with the CD diagram,
// suite.md, suite.csv, cd.svg).
//
// Suite folder: <[suite] output or --output>/<timestamp>/, or the folder
// given to --resume. Each member writes <suite folder>/<member name>/.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin_host/catalog.h"
#include "plugin_host/registry.h"
#include "suite/suite_spec.h"

namespace reclift::host::suite {

struct SuiteOptions {
  std::filesystem::path output;  // overrides [suite] output (the root of suite folders)
  // continue in this suite folder: members whose results.json is complete
  // and was made from the same resolved configuration are reused, the rest
  // run again there (with RunOptions::resume = their folder)
  std::filesystem::path resume;
  int threads = 0;        // per member, as RunOptions::threads
  bool progress = false;  // RunOptions::progress
  std::vector<std::string> formats = {"html", "md", "csv", "json"};
};

// One member's outcome, as suite.json records it.
struct MemberOutcome {
  std::string name;
  std::string label;
  std::string status;  // "ok", "failed" (see error), "reused" (resume)
  std::string error;
  std::filesystem::path run_dir;
  std::filesystem::path results_file;
  int failed_arms = 0;
};

struct SuiteOutcome {
  std::filesystem::path suite_dir;
  std::filesystem::path suite_json;
  std::vector<std::filesystem::path> reports;
  std::vector<MemberOutcome> members;
  nlohmann::json suite;  // the suite.json document
  int failed_members = 0;
};

// Keeps the members and arms that `only` selects ("dataset", "dataset/arm",
// "*/arm"; an arm name also selects its grid arms "arm[...]"; the control arm
// is always kept), then runs CheckPlugins and CheckFiles on every member; a
// member failing a check keeps its error and will not run. Throws Error when
// a filter selects nothing.
void PrepareSuite(SuiteSpec& suite, const PluginCatalog& catalog, const std::vector<std::string>& only = {});

// Runs every prepared member that has no error; a member that throws or
// whose every arm failed is recorded as failed and the others go on.
SuiteOutcome RunSuite(const SuiteSpec& suite, const PluginRegistry& registry, const SuiteOptions& options);

// The suite.json document from the members' results.json documents
// (`results[i]` null for a failed member): per dataset x arm the primary
// metric with its interval and verdict against the control, ranks, mean
// ranks, Friedman / Iman-Davenport, Nemenyi CD, Wilcoxon-Holm and
// win/tie/loss counts. Pure: the unit the tests check.
nlohmann::json BuildSuiteJson(const SuiteSpec& suite, const std::vector<MemberOutcome>& members,
                              const std::vector<nlohmann::json>& results);

// Renders suite.md, suite.html, suite.csv, cd.svg (and suite.json for
// "json") into `dir`; returns the files written.
std::vector<std::filesystem::path> WriteSuiteReports(const nlohmann::json& suite_json,
                                                     const std::filesystem::path& dir,
                                                     const std::vector<std::string>& formats);

std::string RenderSuiteMarkdown(const nlohmann::json& suite_json);
std::string RenderSuiteHtml(const nlohmann::json& suite_json);
std::string RenderSuiteCsv(const nlohmann::json& suite_json);

}  // namespace reclift::host::suite
