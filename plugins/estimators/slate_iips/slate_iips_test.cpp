#include "slate_iips.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::IndependentIps;
using reclift::testing::TinySlates;  // hand-computed values in each test
using IndependentIpsFixture =
    reclift::testing::EstimatorFixture<IndependentIps, reclift::plugins::IndependentIpsParamSpecs>;

}  // namespace

TEST_CASE_METHOD(IndependentIpsFixture, "slate_iips weights every position by its own item's ratio",
                 "[slate_iips]") {
  TinySlates log;
  // round 0: 2 * 1 + 1.25 * 1; round 1: 2 * 0 + 0.5 * 1
  CHECK(Estimate(log.View()) == Approx((3.25 + 0.5) / 2));
}

TEST_CASE_METHOD(IndependentIpsFixture, "slate_iips self-normalised divides each position by its weights",
                 "[slate_iips]") {
  TinySlates log;
  CHECK(Estimate(log.View(), {{"self_normalize", true}}) == Approx(2.0 / 4 + 1.75 / 1.75));
}
