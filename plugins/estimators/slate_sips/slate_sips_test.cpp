#include "slate_sips.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::StandardSlateIps;
using reclift::testing::TinySlates;  // hand-computed values in each test
using StandardSlateIpsFixture =
    reclift::testing::EstimatorFixture<StandardSlateIps, reclift::plugins::StandardSlateIpsParamSpecs>;

}  // namespace

TEST_CASE_METHOD(StandardSlateIpsFixture, "slate_sips weights the slate's total reward by the slate's ratio",
                 "[slate_sips]") {
  TinySlates log;
  // round 0: 5 * 2; round 1: 0 * 1
  CHECK(Estimate(log.View()) == Approx(10.0 / 2));
}

TEST_CASE_METHOD(StandardSlateIpsFixture, "slate_sips self-normalised", "[slate_sips]") {
  TinySlates log;
  CHECK(Estimate(log.View(), {{"self_normalize", true}}) == Approx(10.0 / 5));
}
