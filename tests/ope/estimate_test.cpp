#include "ope/estimate.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "ope/ope.h"

namespace {

using namespace reclift::host;

// Four single-position rounds of one user over three actions (action 2 is
// never shown): items 0, 1, 0, 1; rewards 1, 0, 1, 1; propensity 0.5 each.
LoggedFeedback FourRounds() {
  LoggedFeedback logs;
  logs.num_rounds = 4;
  logs.slate_size = 1;
  logs.user_ids = {"u"};
  logs.action_ids = {"a", "b", "c"};
  logs.round_user = {0, 0, 0, 0};
  logs.item = {0, 1, 0, 1};
  logs.reward = {1, 0, 1, 1};
  logs.propensity = {0.5, 0.5, 0.5, 0.5};
  return logs;
}

}  // namespace

TEST_CASE("a top-k target on hand-made logs: weights, diagnostics and truth", "[ope][estimate]") {
  LoggedFeedback logs = FourRounds();
  const std::vector<double> scores = {1.0, 0.0, -1.0};  // always action 0
  const TargetOnLogs target = EvaluateTarget(logs, {PolicyKind::kTopK}, scores);
  CHECK(target.propensity == std::vector<double>{1, 0, 1, 0});
  const EstimatorInputs in = BuildEstimatorInputs(logs, target, nullptr);
  const WeightDiagnostics d = Diagnose(logs, target, in);
  // weights 2, 0, 2, 0
  CHECK(d.ess == Approx(16.0 / 8.0));
  CHECK(d.ess_share == Approx(0.5));
  CHECK(d.max_weight == 2.0);
  CHECK(d.mean_weight == Approx(1.0));
  CHECK(d.unsupported_share == 0.0);
  CHECK_FALSE(d.trustworthy);  // an effective sample of 2
  CHECK(std::isnan(TrueValue(logs, target)));
  logs.truth = {0.9, 0.4, 0.2};  // per (user, action, position)
  CHECK(TrueValue(logs, target) == Approx(0.9));
  CHECK(TrueLoggingValue(logs) == Approx((0.9 + 0.4 + 0.9 + 0.4) / 4));
}

TEST_CASE("mass on actions the logs never show is reported as unsupported", "[ope][estimate]") {
  const LoggedFeedback logs = FourRounds();
  const std::vector<double> scores = {0.0, 0.0, 1.0};  // always action 2, never logged
  const TargetOnLogs target = EvaluateTarget(logs, {PolicyKind::kEpsilonGreedy, 1, 0.3}, scores);
  const WeightDiagnostics d = Diagnose(logs, target, BuildEstimatorInputs(logs, target, nullptr));
  CHECK(d.unsupported_share == Approx(0.7 + 0.1));
  CHECK_FALSE(d.trustworthy);
  REQUIRE(d.warnings.size() >= 2);
  CHECK_THAT(d.warnings[1], Catch::Contains("80.0% of the target's mass") && Catch::Contains("never show"));
}

TEST_CASE("the item-position reward model is the smoothed click rate, cross-fitted", "[ope][estimate]") {
  const LoggedFeedback logs = FourRounds();
  const RewardModel all = FitItemPositionModel(logs, 1, 2.0);
  // position prior 3/4; action a: (2 + 2 * 0.75) / (2 + 2); b: (1 + 1.5) / 4; c: the prior
  CHECK(all.At(logs, 0, 0, 0) == Approx(0.875));
  CHECK(all.At(logs, 0, 1, 0) == Approx(0.625));
  CHECK(all.At(logs, 0, 2, 0) == Approx(0.75));
  // two folds: rounds 0 and 2 (both a, both clicked) are scored by rounds 1 and 3 (b: 0 and 1)
  const RewardModel cross = FitItemPositionModel(logs, 2, 2.0);
  CHECK(cross.At(logs, 0, 0, 0) == Approx(0.5));  // a unseen in fold 1: its prior 1/2
  CHECK(cross.At(logs, 2, 1, 0) == Approx(0.5));  // b: (1 + 2 * 0.5) / (2 + 2)
  CHECK(cross.At(logs, 1, 0, 0) == Approx(1.0));  // a in fold 0: (2 + 2 * 1) / (2 + 2)
}

TEST_CASE("ratio estimates and the on-policy value by hand", "[ope][estimate]") {
  EstimatorTerms t;
  t.components = 2;
  t.num = {1, 2, 3, 4};  // rounds x components
  t.den = {1, 1, 1, 3};
  CHECK(RatioEstimate(t) == Approx(4.0 / 2 + 6.0 / 4));
  t.den = {0, 1, 0, 1};
  CHECK(std::isnan(RatioEstimate(t)));
  const LoggedFeedback logs = FourRounds();
  CHECK(RatioEstimate(OnPolicyTerms(logs)) == Approx(0.75));
}

TEST_CASE("the bootstrap over rounds is deterministic, paired and matches the standard error",
          "[ope][estimate]") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(1.0, 2.0);
  const uint32_t n = 4000;
  EstimatorTerms a, b;
  for (uint32_t r = 0; r < n; ++r) {
    a.num.push_back(normal(rng));
    a.den.push_back(1);
    b.num.push_back(a.num.back() + 0.5);  // b = a + 0.5 on every round
    b.den.push_back(1);
  }
  const EstimatorTerms* sets[] = {&a, &b};
  const std::vector<double> boot = BootstrapEstimates(sets, n, 400, 5);
  CHECK(boot == BootstrapEstimates(sets, n, 400, 5));
  std::vector<double> first;
  for (size_t s = 0; s < 400; ++s) {
    CHECK(boot[s * 2 + 1] - boot[s * 2] == Approx(0.5));  // the same rounds in both
    first.push_back(boot[s * 2]);
  }
  double mean = 0, sq = 0;
  for (double x : first) mean += x / first.size();
  for (double x : first) sq += (x - mean) * (x - mean);
  const double se = std::sqrt(sq / (first.size() - 1));
  CHECK(se == Approx(2.0 / std::sqrt(static_cast<double>(n))).epsilon(0.12));
  CHECK(Quantile({4, 1, 3, 2}, 0.25) == Approx(1.75));
}

TEST_CASE("logged feedback that is also training data is flagged", "[ope][leakage]") {
  LoggedFeedback logs = FourRounds();
  logs.round_time = {100, 200, 300, 400};
  Dataset data;
  data.user_ids = {"u"};
  data.item_ids = {"a", "b"};
  data.users = {0, 0, 0};
  data.items = {0, 1, 1};
  data.values = {1, 1, 1};
  data.timestamps = {100, 50, 400};  // round 0's click on a, and round 3's click on b at 400
  std::vector<std::string> warnings;
  const nlohmann::json j = CheckLoggedLeakage(logs, data, warnings);
  CHECK(j["checked"] == true);
  CHECK(j["logged_rows_in_training"] == 2);
  CHECK(j["training_after_first_round"] == 2);
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0], Catch::Contains("2 rewarded logged rows are interactions of [dataset]"));
  logs.round_time.clear();
  CHECK(CheckLoggedLeakage(logs, data, warnings)["checked"] == false);
}
