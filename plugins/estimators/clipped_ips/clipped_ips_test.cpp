#include "clipped_ips.h"

#include <catch2/catch.hpp>

#include "reclift/testing/estimator_fixtures.h"

namespace {

using reclift::plugins::ClippedIps;
using reclift::testing::TinyLog;  // hand-computed values in each test
using ClippedIpsFixture =
    reclift::testing::EstimatorFixture<ClippedIps, reclift::plugins::ClippedIpsParamSpecs>;

}  // namespace

TEST_CASE_METHOD(ClippedIpsFixture, "clipped_ips caps the weights", "[clipped_ips]") {
  TinyLog log;
  CHECK(Estimate(log.View(), {{"max_weight", 1.0}}) == Approx(1.0 / 3));
}

TEST_CASE_METHOD(ClippedIpsFixture, "clipped_ips with a cap above every weight is ips", "[clipped_ips]") {
  TinyLog log;
  CHECK(Estimate(log.View(), {{"max_weight", 100.0}}) == Approx(2.0 / 3));
}
