// Helpers for plugin tests: parameters from a plugin's specs, and small
// data sets with a structure a recommender should find. Header-only, no test
// framework: failures throw std::invalid_argument, which every framework
// reports with its message.
//
//   #include "reclift/testing/fixtures.h"
//   const reclift::Params p = reclift::testing::MakeParams(kMyParams, {{"factors", int64_t{4}}});
//   const auto planted = reclift::testing::PlantedGroups(40, /*seed=*/7);
//   model.Fit(planted.data.view(), p, reclift::Context{});
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "reclift/owned_train_data.h"
#include "reclift/params.h"

namespace reclift::testing {

// The plugin's parameters: its declared defaults with `given` on top.
// Throws std::invalid_argument with the refusal when `given` is invalid.
inline Params MakeParams(std::span<const ParamSpec> specs,
                         const std::map<std::string, ParamValue>& given = {}) {
  Params p;
  const Status s = Params::Build(specs, given, p);
  if (!s.ok()) throw std::invalid_argument("MakeParams: " + s.ToString());
  return p;
}

// Two taste groups: users 0..n/2-1 like items 0..group-1, the others items
// group..2 group-1. Each user saw each liked item with probability `seen`
// (interaction value `value`); the liked items it did not see are held out,
// so a recommender that finds the groups ranks them first.
struct Planted {
  OwnedTrainData data;
  std::vector<std::vector<uint32_t>> held_out;  // per user, ascending
};

inline Planted PlantedGroups(uint32_t num_users, uint64_t seed, uint32_t group = 10, double seen = 0.6,
                             float value = 1.f) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution saw(seen);
  std::vector<Triplet> triplets;
  Planted planted;
  planted.held_out.resize(num_users);
  for (uint32_t u = 0; u < num_users; ++u) {
    const uint32_t first = u < num_users / 2 ? 0 : group;
    for (uint32_t i = first; i < first + group; ++i) {
      if (saw(rng)) {
        triplets.push_back({u, i, value});
      } else {
        planted.held_out[u].push_back(i);
      }
    }
  }
  planted.data = OwnedTrainData::FromTriplets(num_users, 2 * group, triplets, false);
  return planted;
}

}  // namespace reclift::testing
