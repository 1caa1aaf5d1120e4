// Train/test splits over a Dataset. A split is a pair of index lists into
// the dataset's interaction arrays; it is made once and shared by every arm.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "util/error.h"

namespace reclift::host {

struct SplitSpec {
  // "random": per-user random holdout of test_fraction of each user's
  //           interactions;
  // "temporal": global cutoff time: the latest test_fraction of all
  //           interactions are test;
  // "leave-last": the last `leave_last` interactions of each user (by
  //           timestamp, then file order) are test
  // Exact rules (rounding, ties, users too small to split): datasets/README.md.
  std::string method = "random";
  double test_fraction = 0.2;
  int leave_last = 1;
  // users with fewer interactions than this keep them all in training
  int min_user_interactions = 2;
  uint64_t seed = 42;
  std::map<std::string, SourceLocation> where;
};

struct Split {
  std::vector<uint64_t> train;     // indices into the dataset, ascending
  std::vector<uint64_t> test;      // indices into the dataset, ascending
  int64_t cutoff_time = 0;         // temporal: test interactions are at or after it
  std::vector<std::string> notes;  // human-readable, logged by the caller
};

// Splits deterministically under spec.seed. Throws Error (with the spec's
// location) when the method cannot apply, e.g. a temporal split of a
// dataset without timestamps.
Split MakeSplit(const Dataset& data, const SplitSpec& spec);

}  // namespace reclift::host
