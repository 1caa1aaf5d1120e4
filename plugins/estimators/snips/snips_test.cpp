#include "snips.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::SelfNormalizedIps;
using reclift::testing::TinyLog;  // hand-computed values in each test
using SelfNormalizedIpsFixture =
    reclift::testing::EstimatorFixture<SelfNormalizedIps, reclift::plugins::SelfNormalizedIpsParamSpecs>;

}  // namespace

TEST_CASE_METHOD(SelfNormalizedIpsFixture, "snips divides by the sum of the weights", "[snips]") {
  TinyLog log;
  CHECK(Estimate(log.View()) == Approx(2.0 / (2 + 2 + 0)));
}

TEST_CASE_METHOD(SelfNormalizedIpsFixture, "snips does not move when every weight is scaled", "[snips]") {
  TinyLog log;
  const double before = Estimate(log.View());
  for (double& p : log.mu) p /= 2;
  CHECK(Estimate(log.View()) == Approx(before));
}
