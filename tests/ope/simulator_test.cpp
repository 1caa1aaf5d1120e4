// The estimators against the simulator's truth.
#include "ope/simulator.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "ope_fixture.h"

namespace {

using namespace ope_test;

struct Moments {
  double mean = 0, sd = 0, mse = 0;
};
Moments Of(const std::vector<double>& errors) {
  Moments m;
  for (double e : errors) m.mean += e / errors.size(), m.mse += e * e / errors.size();
  for (double e : errors) m.sd += (e - m.mean) * (e - m.mean);
  m.sd = std::sqrt(m.sd / (errors.size() - 1));
  return m;
}

}  // namespace

TEST_CASE("simulated logs record the logger's exact probabilities", "[ope][simulator]") {
  const LoggedFeedback uniform = Simulate(1, 500, "uniform");
  REQUIRE(uniform.num_rounds == 500);
  REQUIRE(uniform.has_truth());
  for (size_t slot = 0; slot < uniform.item.size(); ++slot) {
    const size_t k = slot % 3;
    CHECK(uniform.propensity[slot] == Approx(1.0 / 10));
    CHECK(uniform.prefix_propensity[slot] == Approx(k == 0 ? 0.1 : k == 1 ? 0.1 / 9 : 0.1 / 9 / 8));
  }
  // any target's weights average 1 when the propensities are right
  const LoggedFeedback logs = Simulate(2, 20000);
  const std::vector<double> scores = BlendScores(logs, TinyPlatform(), 1.0);
  const TargetOnLogs target = EvaluateTarget(logs, {PolicyKind::kEpsilonGreedy, 1, 0.3}, scores);
  const WeightDiagnostics d = Diagnose(logs, target, BuildEstimatorInputs(logs, target, nullptr));
  CHECK(d.mean_weight == Approx(1.0).margin(0.05));
  // the logged clicks follow the truth
  const double mean_reward = RatioEstimate(OnPolicyTerms(logs));
  CHECK(mean_reward == Approx(TrueLoggingValue(logs)).margin(0.02));
  const LoggedFeedback again = Simulate(2, 20000);
  CHECK(again.item == logs.item);
  CHECK(again.reward == logs.reward);
}

TEST_CASE("IPS and the slate IPS estimators are unbiased over many seeds", "[ope][simulator]") {
  const auto ips = LoadEstimator("ips"), rips = LoadEstimator("slate_rips"),
             sips = LoadEstimator("slate_sips");
  std::vector<double> e_ips, e_rips, e_sips;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    const LoggedFeedback logs = Simulate(seed, 1000);
    const TargetOnLogs t =
        EvaluateTarget(logs, {PolicyKind::kSoftmax, 1.0, 0}, BlendScores(logs, TinyPlatform(), 0.5));
    const EstimatorInputs in = BuildEstimatorInputs(logs, t, nullptr);
    const double truth = TrueValue(logs, t);
    e_ips.push_back(Estimate(ips, in) - truth);
    e_rips.push_back(Estimate(rips, in) - truth);
    e_sips.push_back(Estimate(sips, in) - truth);
  }
  for (const auto* errors : {&e_ips, &e_rips, &e_sips}) {
    const Moments m = Of(*errors);
    INFO("mean error " << m.mean << ", its standard error " << m.sd / std::sqrt(errors->size()));
    CHECK(std::abs(m.mean) < 3 * m.sd / std::sqrt(static_cast<double>(errors->size())));
  }
}

TEST_CASE("SNIPS and DR are within a few per cent at 1e5 rounds for a target close to the logger",
          "[ope][simulator]") {
  const LoggedFeedback logs = Simulate(99, 100000);
  const TargetOnLogs t =
      EvaluateTarget(logs, {PolicyKind::kSoftmax, 1.0, 0}, BlendScores(logs, TinyPlatform(), 0.3));
  const RewardModel model = FitItemPositionModel(logs, 2);
  const EstimatorInputs in = BuildEstimatorInputs(logs, t, &model);
  const double truth = TrueValue(logs, t);
  CHECK(Estimate(LoadEstimator("snips"), in) == Approx(truth).epsilon(0.03));
  CHECK(Estimate(LoadEstimator("dr"), in) == Approx(truth).epsilon(0.03));
  CHECK(Estimate(LoadEstimator("slate_iips"), in) == Approx(truth).epsilon(0.03));
}

TEST_CASE("DR beats IPS in mean squared error when the reward model is good", "[ope][simulator]") {
  const auto ips = LoadEstimator("ips"), dr = LoadEstimator("dr");
  std::vector<double> e_ips, e_dr;
  std::mt19937_64 rng(4);
  std::normal_distribution<double> normal;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const LoggedFeedback logs = Simulate(1000 + seed, 2000);
    const TargetOnLogs t =
        EvaluateTarget(logs, {PolicyKind::kEpsilonGreedy, 1, 0.2}, BlendScores(logs, TinyPlatform(), 2.0));
    RewardModel good = OracleModel(logs);  // the truth with 10% multiplicative error
    for (double& q : good.table) q = std::clamp(q * (1 + 0.1 * normal(rng)), 0.0, 1.0);
    const EstimatorInputs in = BuildEstimatorInputs(logs, t, &good);
    const double truth = TrueValue(logs, t);
    e_ips.push_back(Estimate(ips, in) - truth);
    e_dr.push_back(Estimate(dr, in) - truth);
  }
  const Moments m_ips = Of(e_ips), m_dr = Of(e_dr);
  INFO("MSE ips " << m_ips.mse << ", dr " << m_dr.mse);
  CHECK(m_dr.mse < 0.5 * m_ips.mse);
}

TEST_CASE("bootstrap intervals cover the truth near the nominal rate", "[ope][simulator][slow]") {
  const auto ips = LoadEstimator("ips"), snips = LoadEstimator("snips"), dr = LoadEstimator("dr");
  const int seeds = 300;
  int covered[3] = {0, 0, 0};
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    const LoggedFeedback logs = Simulate(5000 + seed, 2000);
    const TargetOnLogs t =
        EvaluateTarget(logs, {PolicyKind::kSoftmax, 1.0, 0}, BlendScores(logs, TinyPlatform(), 0.5));
    const RewardModel model = FitItemPositionModel(logs, 2);
    const EstimatorInputs in = BuildEstimatorInputs(logs, t, &model);
    const double truth = TrueValue(logs, t);
    const EstimatorTerms terms[] = {RunEstimator(ips.input, in), RunEstimator(snips.input, in),
                                    RunEstimator(dr.input, in)};
    const EstimatorTerms* sets[] = {&terms[0], &terms[1], &terms[2]};
    const std::vector<double> boot = BootstrapEstimates(sets, logs.num_rounds, 400, seed);
    for (size_t s = 0; s < 3; ++s) {
      std::vector<double> column;
      for (size_t b = 0; b < 400; ++b) column.push_back(boot[b * 3 + s]);
      covered[s] += Quantile(column, 0.025) <= truth && truth <= Quantile(column, 0.975);
    }
  }
  for (int c : covered) {
    INFO("coverage " << static_cast<double>(c) / seeds);
    CHECK(static_cast<double>(c) / seeds >= 0.91);
    CHECK(static_cast<double>(c) / seeds <= 0.99);
  }
}

TEST_CASE("a reward model calibrated from informative scores beats the item-position rate",
          "[ope][simulator]") {
  const LoggedFeedback logs = Simulate(31, 20000);
  const uint32_t A = logs.num_actions(), K = logs.slate_size;
  // scores that order items by the true click probability, on no particular scale
  std::vector<double> scores(logs.user_ids.size() * A);
  for (size_t u = 0; u < logs.user_ids.size(); ++u) {
    for (uint32_t a = 0; a < A; ++a) scores[u * A + a] = 7 * logs.truth[(u * A + a) * K] + 2;
  }
  const RewardModel calibrated = FitScoreModel(logs, scores, 2);
  const RewardModel rate = FitItemPositionModel(logs, 2);
  double err_calibrated = 0, err_rate = 0;
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    const size_t u = logs.round_user[r];
    for (uint32_t a = 0; a < A; ++a) {
      for (uint32_t k = 0; k < K; ++k) {
        const double q = logs.truth[(u * A + a) * K + k];
        err_calibrated += std::abs(calibrated.At(logs, r, a, k) - q);
        err_rate += std::abs(rate.At(logs, r, a, k) - q);
      }
    }
  }
  INFO("mean absolute error: calibrated " << err_calibrated / (logs.num_rounds * A * K) << ", item-position "
                                          << err_rate / (logs.num_rounds * A * K));
  CHECK(err_calibrated / (logs.num_rounds * A * K) < 0.05);
  CHECK(err_calibrated < 0.6 * err_rate);
  LoggedFeedback revenue = logs;
  revenue.reward[0] = 3.0;
  CHECK_THROWS_WITH(FitScoreModel(revenue, scores, 2), Catch::Contains("needs rewards in [0, 1]"));
}

TEST_CASE("under cascade clicks slate RIPS stays unbiased while IIPS is biased", "[ope][simulator]") {
  const auto iips = LoadEstimator("slate_iips"), rips = LoadEstimator("slate_rips");
  std::vector<double> e_iips, e_rips;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    LoggedSimOptions o;
    o.seed = 300 + seed;
    o.rounds = 3000;
    o.actions = 10;
    o.click_model = "cascade";
    const LoggedFeedback logs = SimulateLoggedFeedback(TinyPlatform(), o);
    // the logged rounds end at the first click
    for (uint32_t r = 0; r < logs.num_rounds; ++r) {
      REQUIRE(logs.reward[r * 3] + logs.reward[r * 3 + 1] + logs.reward[r * 3 + 2] <= 1.0);
    }
    const TargetOnLogs t =
        EvaluateTarget(logs, {PolicyKind::kSoftmax, 1.0, 0}, BlendScores(logs, TinyPlatform(), 1.0));
    const EstimatorInputs in = BuildEstimatorInputs(logs, t, nullptr);
    const double truth = TrueValue(logs, t);
    e_iips.push_back(Estimate(iips, in) - truth);
    e_rips.push_back(Estimate(rips, in) - truth);
  }
  const Moments m_iips = Of(e_iips), m_rips = Of(e_rips);
  const double n = static_cast<double>(e_rips.size());
  INFO("mean error iips " << m_iips.mean << " (se " << m_iips.sd / std::sqrt(n) << "), rips " << m_rips.mean
                          << " (se " << m_rips.sd / std::sqrt(n) << ")");
  CHECK(std::abs(m_rips.mean) < 3 * m_rips.sd / std::sqrt(n));
  CHECK(std::abs(m_iips.mean) > 5 * m_iips.sd / std::sqrt(n));
}
