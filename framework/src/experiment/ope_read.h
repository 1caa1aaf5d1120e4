// Reading, checking and resolving [logged] and [ope] (experiment/ope_spec.h).
// Internal to framework/src/experiment/.
#pragma once

#include <toml++/toml.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "experiment/spec.h"
#include "experiment/toml_read.h"

namespace reclift::host::experiment_internal {

inline constexpr std::string_view kLoggedKeys[] = {"format",
                                                   "file",
                                                   "items",
                                                   "truth",
                                                   "delimiter",
                                                   "header",
                                                   "round_column",
                                                   "user_column",
                                                   "item_column",
                                                   "position_column",
                                                   "reward_column",
                                                   "propensity_column",
                                                   "prefix_propensity_column",
                                                   "timestamp_column",
                                                   "slate_size",
                                                   "rounds",
                                                   "actions",
                                                   "logging_policy",
                                                   "temperature",
                                                   "epsilon",
                                                   "position_decay",
                                                   "click_model",
                                                   "seed"};
inline constexpr std::string_view kOpeKeys[] = {
    "estimators",   "policies",           "control",          "primary_estimator",
    "reward_model", "reward_model_folds", "reward_model_arm", "bootstrap_samples",
    "alpha",        "correction"};
inline constexpr std::string_view kOpePolicyKeys[] = {"name", "arm", "policy", "temperature", "epsilon"};
inline constexpr std::string_view kLoggedFormats[] = {"csv", "open-bandit", "synthetic"};
inline constexpr std::string_view kLoggingPolicyNames[] = {"uniform", "popularity-softmax", "epsilon-greedy"};
inline constexpr std::string_view kTargetPolicyNames[] = {"top-k", "softmax", "epsilon-greedy"};
inline constexpr std::string_view kClickModels[] = {"pbm", "cascade"};
inline constexpr std::string_view kRewardModels[] = {"item-position", "arm", "oracle"};
inline constexpr std::string_view kDefaultEstimators[] = {"dm", "ips",       "snips",
                                                          "dr", "switch_dr", "clipped_ips"};

// Reads [logged] and [ope] into spec.logged / spec.ope (needs the arms read
// first). Throws Error at the offending value.
void ReadOffPolicy(const toml::table& root, ExperimentSpec& spec);

// The estimator plugins against the catalog (names, kinds, parameters).
void CheckOffPolicyPlugins(ExperimentSpec& spec, const PluginCatalog& catalog);
// The logged files exist.
void CheckOffPolicyFiles(const ExperimentSpec& spec);
// {"logged": ..., "ope": ...} of the resolved configuration (null when absent).
nlohmann::json OffPolicyJson(const ExperimentSpec& spec, const PluginCatalog* catalog);

// Shared with spec.cpp / check.cpp (defined there).
std::vector<PluginUse> ReadPluginUseList(const Field& field, std::string_view kind, std::string_view display);
std::filesystem::path ResolveSpecPath(const ExperimentSpec& spec, const Field& field);
void CheckPluginUse(PluginUse& use, PluginKind kind, const PluginCatalog& catalog);
nlohmann::json PluginUseToJson(const PluginUse& use, PluginKind kind, const PluginCatalog* catalog);
void RequireInputFile(const std::filesystem::path& path, const std::string& key, const SourceLocation& where);

}  // namespace reclift::host::experiment_internal
