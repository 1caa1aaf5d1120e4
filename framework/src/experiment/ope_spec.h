// The off-policy evaluation part of an experiment file: the logged
// feedback ([logged]) and what to estimate on it ([ope], [[ope.policies]]).
// Read by experiment/ope_read.cpp; run by ope/ope.h. See docs/ope.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "util/error.h"

namespace reclift::host {

struct PluginUse;  // experiment/spec.h

// [logged]: one row per shown item, or simulated logs.
struct LoggedSpec {
  bool present = false;
  // "csv" (columns mapped below), "open-bandit" (the Open Bandit Dataset's
  // files as distributed), "synthetic" (simulated from [dataset], with truth)
  std::string format = "csv";
  std::filesystem::path file;  // csv / open-bandit: the rows
  std::filesystem::path
      items;  // open-bandit: item_context.csv (optional; adds its items to the action space)
  std::filesystem::path truth;  // csv: optional user,item,position,probability file of known truth
  std::string delimiter = ",";
  bool header = true;
  std::string round_column = "round";
  std::string user_column = "user";
  std::string item_column = "item";
  std::string position_column = "position";  // empty: every row at position 1
  std::string reward_column = "reward";
  std::string propensity_column = "propensity";
  std::string prefix_propensity_column = "";  // probability of the slate up to this row's position
  std::string timestamp_column = "";
  uint32_t slate_size = 0;  // K; 0: the largest position of the file (synthetic: 3)
  // synthetic (ope/simulator.h)
  uint32_t rounds = 10000;
  uint32_t actions = 20;
  std::string logging_policy = "popularity-softmax";
  double temperature = 1.0;
  double epsilon = 0.2;
  double position_decay = 1.0;
  std::string click_model = "pbm";  // pbm | cascade (ope/simulator.h)
  uint64_t seed = 0;                // 0: the experiment's seed
  std::map<std::string, SourceLocation> where;
};

// [[ope.policies]]: a recommender arm turned into a slate policy.
struct OpePolicySpec {
  std::string name;              // unique; default the arm's name (+ policy when not top-k)
  std::string arm;               // an arm of [[arms]]
  std::string policy = "top-k";  // top-k | softmax | epsilon-greedy
  double temperature = 1.0;      // softmax
  double epsilon = 0.1;          // epsilon-greedy
  SourceLocation where;
};

struct OpeSpec {
  bool present = false;
  std::vector<PluginUse> estimators;  // estimator plugins; default dm, ips, snips, dr, switch_dr, clipped_ips
  std::vector<OpePolicySpec> policies;  // default: every arm, top-k
  std::string control = "logging";      // "logging" (its on-policy value) or a policy name
  std::string primary_estimator;        // the estimator of the verdicts; default dr (else the first)
  // item-position | arm (calibrated scores of reward_model_arm) | oracle (simulated logs only)
  std::string reward_model = "item-position";
  std::string reward_model_arm;  // reward_model = "arm": an arm of [[arms]]
  int reward_model_folds = 2;    // cross-fitting folds of the item-position model
  int bootstrap_samples = 500;
  double alpha = 0.05;
  std::string correction = "holm";  // holm | bh | none, over every policy x estimator comparison
  std::map<std::string, SourceLocation> where;
};

}  // namespace reclift::host
