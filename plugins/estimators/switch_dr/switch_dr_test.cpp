#include "switch_dr.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::SwitchDoublyRobust;
using reclift::testing::TinyLog;  // hand-computed values in each test
using SwitchDoublyRobustFixture =
    reclift::testing::EstimatorFixture<SwitchDoublyRobust, reclift::plugins::SwitchDoublyRobustParamSpecs>;

}  // namespace

TEST_CASE_METHOD(SwitchDoublyRobustFixture, "switch_dr drops the residual of weights above tau",
                 "[switch_dr]") {
  TinyLog log;
  // weights 2, 2, 0: with tau 1.5 only the third keeps its (zero) residual
  CHECK(Estimate(log.View(), {{"tau", 1.5}}) == Approx((0.8 + 0.4 + 0.3) / 3));
}

TEST_CASE_METHOD(SwitchDoublyRobustFixture, "switch_dr with a large tau is dr", "[switch_dr]") {
  TinyLog log;
  CHECK(Estimate(log.View(), {{"tau", 2.0}}) == Approx((1.6 + 0.0 + 0.3) / 3));
}
