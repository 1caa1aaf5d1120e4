#include "dm.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::DirectMethod;
using reclift::testing::TinyLog;  // hand-computed values in each test
using DirectMethodFixture =
    reclift::testing::EstimatorFixture<DirectMethod, reclift::plugins::DirectMethodParamSpecs>;

}  // namespace

TEST_CASE_METHOD(DirectMethodFixture, "dm averages the target's modelled reward", "[dm]") {
  TinyLog log;
  CHECK(Estimate(log.View()) == Approx((0.8 + 0.4 + 0.3) / 3));
}

TEST_CASE_METHOD(DirectMethodFixture, "dm ignores the logged rewards and the weights", "[dm]") {
  TinyLog log;
  log.reward = {0, 0, 0};
  log.pi = {0, 0, 0};
  CHECK(Estimate(log.View()) == Approx(0.5));
}

TEST_CASE_METHOD(DirectMethodFixture, "dm refuses logs without a reward model", "[dm]") {
  DirectMethod e;
  CHECK(e.Configure(DefaultParams(), {1, false, false}).code() == reclift::StatusCode::kInvalidArgument);
}
