// Helpers for estimator plugin tests: two tiny logs with hand-computable
// values, and the estimate as the host forms it from an estimator's terms.
// Header-only, no test framework: failures throw std::invalid_argument, which
// every framework reports with its message. EstimatorFixture works as a Catch2
// TEST_CASE_METHOD fixture, so a test body calls Estimate and DefaultParams
// unqualified.
//
//   #include "reclift/testing/estimator_fixtures.h"
//   using MyFixture = reclift::testing::EstimatorFixture<MyEstimator, MyEstimatorParamSpecs>;
//   TEST_CASE_METHOD(MyFixture, "my estimator on-policy is the mean reward", "[my]") {
//     reclift::testing::TinyLog log;
//     log.pi = log.mu;
//     CHECK(Estimate(log.View(), {{"max_weight", 10.0}}) == Approx(2.0 / 3));
//   }
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "reclift/estimator.h"
#include "reclift/params.h"
#include "reclift/testing/fixtures.h"

namespace reclift::testing {

// Three single-position rounds:
//   reward 1, 0, 1; logging propensity 0.5, 0.25, 0.2; target 1, 0.5, 0;
//   so weights 2, 2, 0; reward model of the logged item 0.6, 0.2, 0.5;
//   target's expected modelled reward 0.8, 0.4, 0.3.
// Change a field before calling View(); the view points into this object.
struct TinyLog {
  std::vector<uint8_t> shown{1, 1, 1};
  std::vector<double> reward{1, 0, 1}, mu{0.5, 0.25, 0.2}, pi{1.0, 0.5, 0.0};
  std::vector<double> q{0.6, 0.2, 0.5}, q_pi{0.8, 0.4, 0.3};
  LoggedFeedbackView View() const {
    LoggedFeedbackView v;
    v.num_rounds = 3;
    v.slate_size = 1;
    v.shown = shown;
    v.reward = reward;
    v.logging_propensity = mu;
    v.target_propensity = pi;
    v.reward_hat = q;
    v.target_reward_hat = q_pi;
    return v;
  }
};

// Two rounds of two positions, with prefix propensities and no reward model:
//   round 0: rewards 1, 1; marginal mu 0.5, 0.4, pi 1, 0.5; prefix mu 0.5,
//            0.1, pi 1, 0.5  -> item weights 2, 1.25; prefix weights 2, 5
//   round 1: rewards 0, 1; marginal mu 0.25, 0.5, pi 0.5, 0.25; prefix mu
//            0.25, 0.05, pi 0.5, 0 -> item weights 2, 0.5; prefix weights 2, 0
struct TinySlates {
  std::vector<uint8_t> shown{1, 1, 1, 1};
  std::vector<double> reward{1, 1, 0, 1};
  std::vector<double> mu{0.5, 0.4, 0.25, 0.5}, pi{1.0, 0.5, 0.5, 0.25};
  std::vector<double> mu_prefix{0.5, 0.1, 0.25, 0.05}, pi_prefix{1.0, 0.5, 0.5, 0.0};
  LoggedFeedbackView View() const {
    LoggedFeedbackView v;
    v.num_rounds = 2;
    v.slate_size = 2;
    v.shown = shown;
    v.reward = reward;
    v.logging_propensity = mu;
    v.target_propensity = pi;
    v.logging_prefix_propensity = mu_prefix;
    v.target_prefix_propensity = pi_prefix;
    return v;
  }
};

// The context a view implies: its slate size, and a reward model or prefix
// propensities when the view carries them.
inline EstimatorContext ContextOf(const LoggedFeedbackView& v) {
  return {v.slate_size, !v.reward_hat.empty(), !v.logging_prefix_propensity.empty()};
}

// The estimate as the host forms it: the sum over components of
// sum(num) / sum(den). Throws std::invalid_argument when Configure or Terms
// refuses.
inline double Estimate(Estimator& e, const Params& params, const LoggedFeedbackView& v) {
  if (const Status s = e.Configure(params, ContextOf(v)); !s.ok()) {
    throw std::invalid_argument("Estimate: Configure refused: " + s.ToString());
  }
  const uint32_t c = e.NumComponents();
  std::vector<double> num(v.num_rounds * static_cast<size_t>(c)), den(num.size());
  if (const Status s = e.Terms(v, num, den); !s.ok()) {
    throw std::invalid_argument("Estimate: Terms refused: " + s.ToString());
  }
  double value = 0;
  for (uint32_t j = 0; j < c; ++j) {
    double n = 0, d = 0;
    for (uint32_t r = 0; r < v.num_rounds; ++r) n += num[r * c + j], d += den[r * c + j];
    value += n / d;
  }
  return value;
}

// One estimator class and its parameter specs, for tests of that estimator.
template <class EstimatorT, std::span<const ParamSpec> (*kParamSpecs)()>
struct EstimatorFixture {
  // The estimator's declared defaults with `given` on top.
  static Params DefaultParams(const std::map<std::string, ParamValue>& given = {}) {
    return MakeParams(kParamSpecs(), given);
  }

  // A fresh EstimatorT configured with DefaultParams(given), run on `v`.
  static double Estimate(const LoggedFeedbackView& v, const std::map<std::string, ParamValue>& given = {}) {
    EstimatorT e;
    return ::reclift::testing::Estimate(e, DefaultParams(given), v);
  }
};

}  // namespace reclift::testing
