// A suite file: many experiments (datasets x arms) compared in one report.
//
//   [suite]        name, description, primary_metric, alpha, output,
//                  experiments = ["a.toml", ...]   (each file one member)
//   [[datasets]]   name, dataset = { any [dataset] key }, split = { any
//                  [split] key }; each entry is one member, crossed with the
//                  shared tables below
//   shared tables  [experiment] (no name: members are named
//                  <suite>-<dataset>), [split] (defaults for every
//                  [[datasets]] entry), [[arms]], [evaluation], [ab],
//                  [[profilers]], [tuning], [report], [[scenarios]]
//
// Members built from [[datasets]] go through the experiment parser with
// their nodes moved out of the suite file's tree, so their errors point at
// suite.toml:line:column. A member whose experiment file cannot be read or
// parsed is kept with its error (the others still run); a mistake in the
// suite file itself throws.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiment/spec.h"
#include "util/error.h"

namespace reclift::host::suite {

struct SuiteMember {
  std::string name;                       // unique within the suite; its run folder's name
  std::string label;                      // the dataset's name in the cross-dataset tables
  std::filesystem::path experiment_file;  // the experiment file, or the suite file for [[datasets]]
  std::optional<ExperimentSpec> spec;     // empty when the member failed to parse
  std::string error;                      // why it failed (file:line:column: ...)
  SourceLocation where;                   // the [[datasets]] entry or the experiments item
};

struct SuiteSpec {
  std::filesystem::path source_file;
  std::string name;
  std::string description;
  std::string primary_metric;    // "" = the members' [ab] primary metric
  double alpha = 0.05;           // level of the cross-dataset tests and the CD
  std::filesystem::path output;  // suite folders go under it; default reports/<name>
  std::string file_hash;         // 16 hex digits of the suite file's content hash
  std::vector<Override> overrides;
  std::vector<SuiteMember> members;
};

// True when `file` parses as TOML and has a top-level [suite] table.
bool IsSuiteFile(const std::filesystem::path& file);

// Parses a suite file; `overrides` (--set) apply to every member. Throws
// Error with file:line:column for mistakes in the suite file.
SuiteSpec ParseSuiteFile(const std::filesystem::path& file, const std::vector<Override>& overrides = {});
SuiteSpec ParseSuiteString(std::string_view toml, const std::filesystem::path& display_name,
                           const std::vector<Override>& overrides = {});

// "a1b2..." (16 hex digits): the 64-bit content hash of a file's bytes, or
// "" when it cannot be read.
std::string FileContentHash(const std::filesystem::path& file);

}  // namespace reclift::host::suite
