// Small data sets and helpers shared by the item_knn and user_knn tests.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <span>
#include <string>

#include "knn_common.h"
#include "reclift/owned_train_data.h"
#include "reclift/testing/fixtures.h"

namespace reclift::recommenders::knn_test {

// Ratings, users x items ('-' = not rated):
//        i0  i1  i2
//   u0    1   2   -
//   u1    2   3   4
//   u2    3   1   2
// Item vectors over (u0, u1, u2): i0 = (1, 2, 3), i1 = (2, 3, 1), i2 = (-, 4, 2).
// Global mean 18 / 8 = 9/4, user means 3/2, 3, 2; ratings range [1, 4].
inline OwnedTrainData Ratings3x3() {
  return OwnedTrainData::FromTriplets(
      3, 3, {{0, 0, 1}, {0, 1, 2}, {1, 0, 2}, {1, 1, 3}, {1, 2, 4}, {2, 0, 3}, {2, 1, 1}, {2, 2, 2}}, true);
}

// Binary interactions: u0 = {0, 1}, u1 = {1, 2}, u2 = {0, 1}, u3 = {2}.
// Item sets: i0 = {u0, u2}, i1 = {u0, u1, u2}, i2 = {u1, u3}.
inline OwnedTrainData Binary4x3() {
  return OwnedTrainData::FromTriplets(4, 3, {{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {3, 2}}, false);
}

// A Model fitted on d with its specs' defaults and `given`; the test fails
// with the plugin's message when Fit refuses.
template <typename Model>
Model Fitted(const OwnedTrainData& d, std::span<const ParamSpec> specs,
             const std::map<std::string, ParamValue>& given) {
  Model m;
  const Status s = m.Fit(d.view(), testing::MakeParams(specs, given), Context{});
  INFO(s.ToString());
  REQUIRE(s.ok());
  return m;
}

// The full similarity row of x (every item or user sharing something with it), as a map.
template <typename Model>
std::map<uint32_t, double> Row(const Model& m, uint32_t x) {
  std::map<uint32_t, double> out;
  for (const knn::Neighbour& n : m.core().SimilarityRow(x)) out[n.id] = n.similarity;
  return out;
}

}  // namespace reclift::recommenders::knn_test
