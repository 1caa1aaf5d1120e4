// Off-policy evaluation: the stage the runner calls after the scenarios.
// It reads (or simulates) the logged feedback of [logged], turns recommender
// arms into target policies ([[ope.policies]]), runs every estimator plugin
// of [ope] on them, and returns the "ope" section of results.json:
// estimates with bootstrap intervals over rounds, the truth and each
// estimator's error on simulated logs, weight diagnostics, and the offline
// A/B of every policy against the control (the logging policy's on-policy
// value, or another policy) with corrected p-values and verdicts.
// See docs/ope.md for the section's schema.
//
// The runner calls, after RunScenarios:
//
//   const nlohmann::json ope_sections = RunOffPolicy({spec, registry, data, arena, threads, {}}, warnings);
//   for (auto& [key, section] : ope_sections.items()) results[key] = section;
#pragma once

#include <tbb/task_arena.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "experiment/spec.h"
#include "ope/estimate.h"
#include "ope/logged.h"
#include "plugin_host/registry.h"
#include "scenarios/common.h"

namespace reclift::host {

struct OpeEnv {
  const ExperimentSpec& spec;
  const PluginRegistry& registry;  // recommenders and estimators
  const Dataset& data;             // the training interactions of the target policies
  tbb::task_arena& arena;
  int threads = 1;
  ArmFitter fit;  // empty: RegistryFitter(registry, arena)
};

// {"ope": {...}}, or an empty object when the experiment has no [logged].
// Throws Error for logs that cannot be read; an estimator or arm that fails
// is recorded in its entry and a warning, and the rest goes on.
nlohmann::json RunOffPolicy(const OpeEnv& env, std::vector<std::string>& warnings);

// The logs of spec.logged: read from its file or simulated from `data`.
LoggedFeedback LoadLoggedFeedback(const LoggedSpec& spec, const Dataset& data);

// The evaluation logs must not be training data of the target policies.
// With timestamps on both sides, counts the rewarded logged rows whose
// (user, item, time) is an interaction of `data` and the interactions of
// `data` at or after the first logged round, adding a warning for each
// kind found. Returns {"checked", "logged_rows_in_training",
// "training_after_first_round"} or {"checked": false, "reason"}.
nlohmann::json CheckLoggedLeakage(const LoggedFeedback& logs, const Dataset& data,
                                  std::vector<std::string>& warnings);

// One target policy: its scores of every action for every log user
// (user * A + a, see EvaluateTarget).
struct OpePolicyInput {
  std::string name;
  std::string arm;  // for the report; may be empty
  SlatePolicy policy;
  std::vector<double> scores;
};

// One configured estimator plugin.
struct OpeEstimatorInput {
  std::string name;                // the plugin name
  std::string plugin_id;           // name@version
  Estimator* estimator = nullptr;  // configured anew for every policy: not shared across threads
  uint32_t capabilities = 0;       // EstimatorCapability bits of the plugin
  Params params;
  nlohmann::json params_json = nlohmann::json::object();
};

// Users put into segments by a profiler: round_segment[r] indexes names.
struct OpeSegmentation {
  std::string profiler;
  std::vector<std::string> names;
  std::vector<uint32_t> round_segment;
};

struct OpeAnalysisOptions {
  std::string control = "logging";
  std::string primary_estimator;
  double alpha = 0.05;
  std::string correction = "holm";
  int bootstrap_samples = 500;
  uint64_t seed = 42;
  // the offline A/B of the primary estimator is also broken down by these
  std::vector<OpeSegmentation> segmentations;
};

// Everything after the scores: the body of the "ope" section (without the
// configuration echo). `model` may be null (estimators that need one then
// record why they did not run).
nlohmann::json AnalyseOffPolicy(const LoggedFeedback& logs, std::span<const OpePolicyInput> policies,
                                std::span<const OpeEstimatorInput> estimators, const RewardModel* model,
                                const OpeAnalysisOptions& options, std::vector<std::string>& warnings);

// Runs one estimator on one policy's inputs. Throws Error with the plugin's
// message when it refuses the context or fails.
EstimatorTerms RunEstimator(const OpeEstimatorInput& estimator, const EstimatorInputs& inputs);

}  // namespace reclift::host
