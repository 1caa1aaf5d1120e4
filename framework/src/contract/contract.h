// The plugin contract: the checks every plugin must pass, whatever it does.
// Run by `reclift-contract <plugin.so>` (registered as a ctest for every
// plugin by reclift_add_plugin), so a plugin author gets them for free.
//
// Every kind: the library loads, its info is complete (name, version,
// description, documented parameters whose defaults satisfy their ranges),
// out-of-range and wrongly-typed parameters are refused with a message.
// Recommenders: fit on a small generated dataset; scores are finite; the
// same seed gives the same scores; ScoreBatch/Predict/ScoreHistory agree with
// their declared capabilities; the host's ranking never returns a training
// item; parameters at their declared bounds and an empty training set give
// a Status, never a crash.
// Profilers: every user gets a valid segment, deterministically.
// Evaluators: columns are declared and unique; values are finite or NaN and
// deterministic.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace reclift::host {

struct ContractCheck {
  std::string name;
  bool passed = false;
  std::string detail;  // why it failed
};

// Runs the contract on one plugin file and returns every check's outcome.
// Never throws: a load failure is a failed first check.
std::vector<ContractCheck> RunContract(const std::filesystem::path& plugin_file);

}  // namespace reclift::host
