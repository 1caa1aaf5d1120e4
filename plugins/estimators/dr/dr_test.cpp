#include "dr.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

namespace {

using reclift::plugins::DoublyRobust;
using reclift::plugins::DoublyRobustParamSpecs;

// Three single-position rounds (hand-computed values in each test):
//   reward 1, 0, 1; logging propensity 0.5, 0.25, 0.2; target 1, 0.5, 0;
//   so weights 2, 2, 0; reward model of the logged item 0.6, 0.2, 0.5;
//   target's expected modelled reward 0.8, 0.4, 0.3.
struct TinyLog {
  std::vector<uint8_t> shown{1, 1, 1};
  std::vector<double> reward{1, 0, 1}, mu{0.5, 0.25, 0.2}, pi{1.0, 0.5, 0.0};
  std::vector<double> q{0.6, 0.2, 0.5}, q_pi{0.8, 0.4, 0.3};
  reclift::LoggedFeedbackView View() const {
    reclift::LoggedFeedbackView v;
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

reclift::Params DefaultParams(const std::map<std::string, reclift::ParamValue>& values = {}) {
  reclift::Params params;
  REQUIRE(reclift::Params::Build(DoublyRobustParamSpecs(), values, params).ok());
  return params;
}

// sum over components of sum(num) / sum(den), as the host forms it
double Estimate(const reclift::LoggedFeedbackView& v,
                const std::map<std::string, reclift::ParamValue>& values = {}) {
  DoublyRobust e;
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

TEST_CASE("dr adds the weighted residual to the direct method", "[dr]") {
  TinyLog log;
  // 0.8 + 2 (1 - 0.6), 0.4 + 2 (0 - 0.2), 0.3 + 0 (1 - 0.5)
  CHECK(Estimate(log.View()) == Approx((1.6 + 0.0 + 0.3) / 3));
}

TEST_CASE("dr with an exact reward model is the direct method", "[dr]") {
  TinyLog log;
  log.q = log.reward;
  CHECK(Estimate(log.View()) == Approx(0.5));
}

TEST_CASE("dr refuses logs without a reward model", "[dr]") {
  DoublyRobust e;
  CHECK(!e.Configure(DefaultParams(), {1, false, false}).ok());
}
