#include "ips.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::InverseProbabilityWeighting;
using reclift::testing::TinyLog;  // hand-computed values in each test
using InverseProbabilityWeightingFixture =
    reclift::testing::EstimatorFixture<InverseProbabilityWeighting,
                                       reclift::plugins::InverseProbabilityWeightingParamSpecs>;

}  // namespace

TEST_CASE_METHOD(InverseProbabilityWeightingFixture, "ips averages weighted rewards", "[ips]") {
  TinyLog log;
  CHECK(Estimate(log.View()) == Approx((2.0 * 1 + 2.0 * 0 + 0.0 * 1) / 3));
}

TEST_CASE_METHOD(InverseProbabilityWeightingFixture, "ips on-policy is the mean logged reward", "[ips]") {
  TinyLog log;
  log.pi = log.mu;
  CHECK(Estimate(log.View()) == Approx(2.0 / 3));
}

TEST_CASE_METHOD(InverseProbabilityWeightingFixture, "ips skips positions the round did not fill", "[ips]") {
  TinyLog log;
  log.shown = {1, 1, 0};
  log.pi = {1.0, 0.5, 1.0};
  CHECK(Estimate(log.View()) == Approx(2.0 / 3));
}
