#include "dr.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::DoublyRobust;
using reclift::testing::TinyLog;  // hand-computed values in each test
using DoublyRobustFixture =
    reclift::testing::EstimatorFixture<DoublyRobust, reclift::plugins::DoublyRobustParamSpecs>;

}  // namespace

TEST_CASE_METHOD(DoublyRobustFixture, "dr adds the weighted residual to the direct method", "[dr]") {
  TinyLog log;
  // 0.8 + 2 (1 - 0.6), 0.4 + 2 (0 - 0.2), 0.3 + 0 (1 - 0.5)
  CHECK(Estimate(log.View()) == Approx((1.6 + 0.0 + 0.3) / 3));
}

TEST_CASE_METHOD(DoublyRobustFixture, "dr with an exact reward model is the direct method", "[dr]") {
  TinyLog log;
  log.q = log.reward;
  CHECK(Estimate(log.View()) == Approx(0.5));
}

TEST_CASE_METHOD(DoublyRobustFixture, "dr refuses logs without a reward model", "[dr]") {
  DoublyRobust e;
  CHECK(!e.Configure(DefaultParams(), {1, false, false}).ok());
}
