// ope_bench: the off-policy estimators against the simulator's truth, and the
// cost of an OPE stage.
//
//   ope_bench [--seeds 100] [--rounds 10000] [--bootstrap 200] [--preset sample]
//             [--logger popularity-softmax] [--click-model pbm|cascade] [--speed-rounds 100000]
//
// Accuracy: for each of three target policies on simulated logs of the
// synthetic platform (a 20-item shelf, 3 positions, position-based clicks),
// every estimator plugin is run on `--seeds` independent logs; the table
// gives its bias (mean error against the truth on the logged rounds, with
// the standard error of that mean), RMSE, RMSE relative to the mean truth,
// and the share of seeds whose percentile bootstrap interval (95%) covers the
// truth. Reward model: the cross-fitted item-position click rate.
// Speed: simulating `--speed-rounds` rounds, one target policy's
// probabilities, every estimator's terms, and the bootstrap of all of them.
#include <tbb/global_control.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "data/synth.h"
#include "ope/estimate.h"
#include "ope/ope.h"
#include "ope/simulator.h"
#include "plugin_host/registry.h"

using namespace reclift::host;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// log-popularity (the popularity-softmax logger's own scores) plus `taste`
// times the true click logit
std::vector<double> Blend(const LoggedFeedback& logs, const Dataset& data, double taste) {
  const uint32_t A = logs.num_actions(), K = logs.slate_size;
  std::map<std::string, uint32_t> item_of;
  for (uint32_t i = 0; i < data.num_items(); ++i) item_of[data.item_ids[i]] = i;
  std::vector<double> count(data.num_items(), 0.0);
  for (uint32_t i : data.items) count[i] += 1;
  std::vector<double> pop(A);
  double mean = 0, sq = 0;
  for (uint32_t a = 0; a < A; ++a) mean += pop[a] = std::log1p(count[item_of[logs.action_ids[a]]]);
  mean /= A;
  for (double x : pop) sq += (x - mean) * (x - mean);
  const double sd = std::sqrt(sq / (A - 1));
  std::vector<double> s(logs.user_ids.size() * A);
  for (size_t u = 0; u < logs.user_ids.size(); ++u) {
    for (uint32_t a = 0; a < A; ++a) {
      const double q = logs.truth[(u * A + a) * K];
      s[u * A + a] = (pop[a] - mean) / sd + taste * std::log(q / (1 - q));
    }
  }
  return s;
}

struct TargetSpec {
  const char* name;
  SlatePolicy policy;
  double taste;
};

}  // namespace

int main(int argc, char** argv) {
  int seeds = 100, bootstrap = 200;
  uint32_t rounds = 10000, speed_rounds = 100000;
  std::string preset = "sample", logger = "popularity-softmax", click_model = "pbm";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seeds")) seeds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = static_cast<uint32_t>(std::atol(argv[i + 1]));
    if (!std::strcmp(argv[i], "--bootstrap")) bootstrap = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--preset")) preset = argv[i + 1];
    if (!std::strcmp(argv[i], "--logger")) logger = argv[i + 1];
    if (!std::strcmp(argv[i], "--click-model")) click_model = argv[i + 1];
    if (!std::strcmp(argv[i], "--speed-rounds")) speed_rounds = static_cast<uint32_t>(std::atol(argv[i + 1]));
  }
  SynthOptions so;
  so.preset = preset;
  const Dataset data = GenerateSynthetic(so);
  PluginRegistry registry;
  registry.LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
  const std::vector<std::string> names = {"dm",          "ips",        "snips",      "dr",        "switch_dr",
                                          "clipped_ips", "slate_iips", "slate_rips", "slate_sips"};
  std::vector<EstimatorHandle> handles;
  std::vector<OpeEstimatorInput> estimators;
  for (const std::string& n : names) {
    handles.push_back(registry.CreateEstimator(n));
    OpeEstimatorInput e;
    e.name = n;
    e.estimator = handles.back().get();
    e.capabilities = handles.back().info().capabilities;
    reclift::Params::Build(handles.back().info().param_specs(), {}, e.params);
    estimators.push_back(std::move(e));
  }
  const TargetSpec targets[] = {
      {"close: softmax(popularity + 0.3 taste)", {PolicyKind::kSoftmax, 1.0, 0}, 0.3},
      {"far: epsilon-greedy 0.2 (popularity + 2 taste)", {PolicyKind::kEpsilonGreedy, 1.0, 0.2}, 2.0},
      {"deterministic: top-k (popularity + 2 taste)", {PolicyKind::kTopK, 1.0, 0}, 2.0}};

  std::printf(
      "# ope_bench: preset %s, logger %s, %s clicks, %u rounds x %d seeds, %d bootstrap resamples\n\n",
      preset.c_str(), logger.c_str(), click_model.c_str(), rounds, seeds, bootstrap);
  for (const TargetSpec& t : targets) {
    std::vector<std::vector<double>> errors(names.size());
    std::vector<int> covered(names.size(), 0);
    double truth_sum = 0;
    for (int s = 1; s <= seeds; ++s) {
      LoggedSimOptions o;
      o.seed = static_cast<uint64_t>(s);
      o.rounds = rounds;
      o.logging_policy = logger;
      o.click_model = click_model;
      const LoggedFeedback logs = SimulateLoggedFeedback(data, o);
      const TargetOnLogs target = EvaluateTarget(logs, t.policy, Blend(logs, data, t.taste));
      const RewardModel model = FitItemPositionModel(logs, 2);
      const EstimatorInputs in = BuildEstimatorInputs(logs, target, &model);
      const double truth = TrueValue(logs, target);
      truth_sum += truth;
      std::vector<EstimatorTerms> terms;
      for (const auto& e : estimators) terms.push_back(RunEstimator(e, in));
      std::vector<const EstimatorTerms*> sets;
      for (const auto& x : terms) sets.push_back(&x);
      const std::vector<double> boot = BootstrapEstimates(sets, logs.num_rounds, bootstrap, o.seed);
      for (size_t e = 0; e < names.size(); ++e) {
        errors[e].push_back(RatioEstimate(terms[e]) - truth);
        std::vector<double> col;
        for (int b = 0; b < bootstrap; ++b) col.push_back(boot[b * sets.size() + e]);
        covered[e] += Quantile(col, 0.025) <= truth && truth <= Quantile(col, 0.975);
      }
    }
    const double mean_truth = truth_sum / seeds;
    std::printf(
        "## %s (mean truth %.4f)\n\n| estimator | bias | SE of bias | RMSE | RMSE / truth | coverage |\n"
        "|---|---|---|---|---|---|\n",
        t.name, mean_truth);
    for (size_t e = 0; e < names.size(); ++e) {
      double mean = 0, sq = 0;
      for (double x : errors[e]) mean += x / seeds, sq += x * x / seeds;
      double var = 0;
      for (double x : errors[e]) var += (x - mean) * (x - mean) / (seeds - 1);
      std::printf("| %s | %+.4f | %.4f | %.4f | %.1f%% | %.2f |\n", names[e].c_str(), mean,
                  std::sqrt(var / seeds), std::sqrt(sq), 100 * std::sqrt(sq) / mean_truth,
                  static_cast<double>(covered[e]) / seeds);
    }
    std::printf("\n");
  }

  // speed
  LoggedSimOptions o;
  o.rounds = speed_rounds;
  o.logging_policy = logger;
  auto t0 = Clock::now();
  const LoggedFeedback logs = SimulateLoggedFeedback(data, o);
  const double sim = Seconds(t0);
  t0 = Clock::now();
  const TargetOnLogs target = EvaluateTarget(logs, {PolicyKind::kSoftmax, 1.0, 0}, Blend(logs, data, 0.3));
  const double policy = Seconds(t0);
  t0 = Clock::now();
  const RewardModel model = FitItemPositionModel(logs, 2);
  const EstimatorInputs in = BuildEstimatorInputs(logs, target, &model);
  const double inputs = Seconds(t0);
  t0 = Clock::now();
  std::vector<EstimatorTerms> terms;
  for (const auto& e : estimators) terms.push_back(RunEstimator(e, in));
  const double est = Seconds(t0);
  std::vector<const EstimatorTerms*> sets;
  for (const auto& x : terms) sets.push_back(&x);
  t0 = Clock::now();
  BootstrapEstimates(sets, logs.num_rounds, 500, 1);
  const double boot = Seconds(t0);
  std::printf(
      "## speed: %u rounds x 3 positions, 20 actions, %zu users\n\n| step | seconds |\n|---|---|\n"
      "| simulate logs | %.3f |\n| softmax target probabilities (exact Plackett-Luce marginals) | %.3f |\n"
      "| reward model + estimator inputs | %.3f |\n| 9 estimators' terms | %.3f |\n"
      "| bootstrap, 500 resamples x 9 estimators | %.3f |\n",
      speed_rounds, logs.user_ids.size(), sim, policy, inputs, est, boot);
  return 0;
}
