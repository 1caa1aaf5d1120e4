#include "slate_rips.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::RewardInteractionIps;
using reclift::testing::TinySlates;  // hand-computed values in each test
using RewardInteractionIpsFixture =
    reclift::testing::EstimatorFixture<RewardInteractionIps,
                                       reclift::plugins::RewardInteractionIpsParamSpecs>;

}  // namespace

TEST_CASE_METHOD(RewardInteractionIpsFixture, "slate_rips weights every position by its prefix's ratio",
                 "[slate_rips]") {
  TinySlates log;
  // round 0: 2 * 1 + 5 * 1; round 1: 2 * 0 + 0 * 1
  CHECK(Estimate(log.View()) == Approx(7.0 / 2));
}

TEST_CASE_METHOD(RewardInteractionIpsFixture, "slate_rips self-normalised", "[slate_rips]") {
  TinySlates log;
  CHECK(Estimate(log.View(), {{"self_normalize", true}}) == Approx(2.0 / 4 + 5.0 / 5));
}

TEST_CASE_METHOD(RewardInteractionIpsFixture, "slate_rips refuses logs without prefix propensities",
                 "[slate_rips]") {
  RewardInteractionIps e;
  CHECK(!e.Configure(DefaultParams(), {2, false, false}).ok());
}
