#include "slate_rips.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

namespace {

using reclift::plugins::RewardInteractionIps;
using reclift::plugins::RewardInteractionIpsParamSpecs;

// Two rounds of two positions (hand-computed values in each test):
//   round 0: rewards 1, 1; marginal mu 0.5, 0.4, pi 1, 0.5; prefix mu 0.5,
//            0.1, pi 1, 0.5  -> item weights 2, 1.25; prefix weights 2, 5
//   round 1: rewards 0, 1; marginal mu 0.25, 0.5, pi 0.5, 0.25; prefix mu
//            0.25, 0.05, pi 0.5, 0 -> item weights 2, 0.5; prefix weights 2, 0
struct TinySlates {
  std::vector<uint8_t> shown{1, 1, 1, 1};
  std::vector<double> reward{1, 1, 0, 1};
  std::vector<double> mu{0.5, 0.4, 0.25, 0.5}, pi{1.0, 0.5, 0.5, 0.25};
  std::vector<double> mu_prefix{0.5, 0.1, 0.25, 0.05}, pi_prefix{1.0, 0.5, 0.5, 0.0};
  reclift::LoggedFeedbackView View() const {
    reclift::LoggedFeedbackView v;
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

reclift::Params DefaultParams(const std::map<std::string, reclift::ParamValue>& values = {}) {
  reclift::Params params;
  REQUIRE(reclift::Params::Build(RewardInteractionIpsParamSpecs(), values, params).ok());
  return params;
}

// sum over components of sum(num) / sum(den), as the host forms it
double Estimate(const reclift::LoggedFeedbackView& v,
                const std::map<std::string, reclift::ParamValue>& values = {}) {
  RewardInteractionIps e;
  REQUIRE(e.Configure(DefaultParams(values),
                      {v.slate_size, !v.reward_hat.empty(), !v.logging_prefix_propensity.empty()})
              .ok());
  const uint32_t c = e.NumComponents();
  std::vector<double> num(v.num_rounds * static_cast<size_t>(c)), den(num.size());
  REQUIRE(e.Terms(v, num, den).ok());
  double value = 0;
  for (uint32_t j = 0; j < c; ++j) {
    double n = 0, d = 0;
    for (uint32_t r = 0; r < v.num_rounds; ++r) n += num[r * c + j], d += den[r * c + j];
    value += n / d;
  }
  return value;
}

}  // namespace

TEST_CASE("slate_rips weights every position by its prefix's ratio", "[slate_rips]") {
  TinySlates log;
  // round 0: 2 * 1 + 5 * 1; round 1: 2 * 0 + 0 * 1
  CHECK(Estimate(log.View()) == Approx(7.0 / 2));
}

TEST_CASE("slate_rips self-normalised", "[slate_rips]") {
  TinySlates log;
  CHECK(Estimate(log.View(), {{"self_normalize", true}}) == Approx(2.0 / 4 + 5.0 / 5));
}

TEST_CASE("slate_rips refuses logs without prefix propensities", "[slate_rips]") {
  RewardInteractionIps e;
  CHECK(!e.Configure(DefaultParams(), {2, false, false}).ok());
}
