// Shared by the off-policy evaluation tests: the built estimator plugins,
// the tiny synthetic platform, and estimators run the way the host runs them.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "data/synth.h"
#include "ope/estimate.h"
#include "ope/ope.h"
#include "ope/simulator.h"
#include "plugin_host/registry.h"

namespace ope_test {

using namespace reclift::host;

inline const PluginRegistry& Plugins() {
  static const PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
    return r;
  }();
  return *registry;
}

inline const Dataset& TinyPlatform() {
  static const Dataset data = [] {
    SynthOptions o;
    o.preset = "tiny";
    o.seed = 7;
    return GenerateSynthetic(o);
  }();
  return data;
}

// An estimator plugin with default (or given) parameters.
struct LoadedEstimator {
  EstimatorHandle handle;
  OpeEstimatorInput input;
};
inline LoadedEstimator LoadEstimator(const std::string& name,
                                     const std::map<std::string, reclift::ParamValue>& params = {}) {
  LoadedEstimator e{Plugins().CreateEstimator(name), {}};
  e.input.name = name;
  e.input.plugin_id = name;
  e.input.estimator = e.handle.get();
  e.input.capabilities = e.handle.info().capabilities;
  if (!reclift::Params::Build(e.handle.info().param_specs(), params, e.input.params).ok()) {
    throw Error("bad test parameters for " + name);
  }
  return e;
}

inline double Estimate(const LoadedEstimator& e, const EstimatorInputs& in) {
  return RatioEstimate(RunEstimator(e.input, in));
}

// Scores of a policy for every log user and action: the logger's own
// standardised log-popularity plus `taste` times the true click logit,
// so taste = 0 is the popularity-softmax logger and a large taste follows
// the users' true preferences.
inline std::vector<double> BlendScores(const LoggedFeedback& logs, const Dataset& data, double taste) {
  const uint32_t A = logs.num_actions(), K = logs.slate_size;
  std::map<std::string, uint32_t> item_of;
  for (uint32_t i = 0; i < data.num_items(); ++i) item_of[data.item_ids[i]] = i;
  std::vector<double> count(data.num_items(), 0.0);
  for (uint32_t i : data.items) count[i] += 1;
  double mean = 0, sq = 0;
  std::vector<double> pop(A);
  for (uint32_t a = 0; a < A; ++a) mean += pop[a] = std::log1p(count[item_of[logs.action_ids[a]]]);
  mean /= A;
  for (double x : pop) sq += (x - mean) * (x - mean);
  const double sd = std::sqrt(sq / (A - 1));
  std::vector<double> scores(logs.user_ids.size() * A);
  for (size_t u = 0; u < logs.user_ids.size(); ++u) {
    for (uint32_t a = 0; a < A; ++a) {
      const double q = logs.truth[(u * A + a) * K];  // position 1: theta_1 = 1
      scores[u * A + a] = (pop[a] - mean) / sd + taste * std::log(q / (1 - q));
    }
  }
  return scores;
}

inline LoggedFeedback Simulate(uint64_t seed, uint32_t rounds,
                               const std::string& logger = "popularity-softmax", uint32_t slate = 3) {
  LoggedSimOptions o;
  o.seed = seed;
  o.rounds = rounds;
  o.slate_size = slate;
  o.actions = 10;
  o.logging_policy = logger;
  return SimulateLoggedFeedback(TinyPlatform(), o);
}

}  // namespace ope_test
