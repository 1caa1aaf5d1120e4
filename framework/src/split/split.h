// Train/validation/test splits over a Dataset. A split is three disjoint index
// lists into the dataset's interaction arrays; it is made once per cell
// (fold, repetition) and shared by every arm.
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
  //           interactions (repeated random splits: the same method under
  //           seeds seed, seed + 1, ...; each seed gives another holdout);
  // "kfold": per-user k-fold: each user's interactions are shuffled under
  //           the seed and dealt into `folds` folds; fold `fold` is test;
  // "temporal": global cutoff time: the latest test_fraction of all
  //           interactions are test;
  // "leave-last": the last `leave_last` interactions of each user (by
  //           timestamp, then file order) are test;
  // "leave-one-out": one interaction per user is test: the last by
  //           timestamp (then file order), or a seeded random one when the
  //           dataset has no timestamps;
  // "files": predefined splits read from files ([split] train, test,
  //           validation; data/split_files.h): `fold` indexes the dataset's
  //           predefined_splits, `folds` is their number.
  // Exact rules (rounding, ties, users too small to split): datasets/README.md.
  std::string method = "random";
  double test_fraction = 0.2;  // random, temporal
  int leave_last = 1;          // leave-last
  int folds = 5;               // kfold: number of folds, at least 2
  int fold = 0;                // kfold: 0-based index of this split's test fold
  // kfold: the experiment file named `fold`, so cross-validation runs that
  // fold only; otherwise the runner runs every fold (see FoldsToRun)
  bool single_fold = false;
  // Share of the training interactions moved to a validation split for
  // tuning (0 = none). Carved from training only, never from test, by the
  // method's family: per user at random (random, kfold; leave-one-out
  // without timestamps), each user's latest training interactions
  // (leave-last, leave-one-out), or the latest part of the training period
  // (temporal).
  double validation_fraction = 0.0;
  // Set by the tuning stage (tuning/stage.h) with refit = true: the
  // validation interactions go back into training after the split is made,
  // so arms are fitted on the whole training split.
  bool validation_into_train = false;
  // users with fewer interactions than this keep them all in training
  int min_user_interactions = 2;
  uint64_t seed = 42;
  // what the leakage check (split/leakage.h) does with its findings:
  // "warn" (log them and record them in results.json) or "error" (refuse
  // to run, with the findings as the message)
  std::string leakage = "warn";
  std::map<std::string, SourceLocation> where;
};

struct Split {
  std::vector<uint64_t> train;       // indices into the dataset, ascending
  std::vector<uint64_t> validation;  // ascending; empty unless validation_fraction > 0
  std::vector<uint64_t> test;        // ascending
  int64_t cutoff_time = 0;           // temporal: test interactions are at or after it
  // temporal with validation: validation interactions are at or after it
  // (and before cutoff_time), training ones before it
  int64_t validation_cutoff_time = 0;
  std::vector<std::string> notes;  // human-readable, logged by the caller
};

// Splits deterministically under spec.seed, on any number of threads. Throws
// Error (with the spec's location) when the method cannot apply, e.g. a
// temporal split of a dataset without timestamps, or a setting is out of
// range.
Split MakeSplit(const Dataset& data, const SplitSpec& spec);

// The test folds a run goes through: 0 .. folds - 1 for kfold (only `fold`
// when single_fold), {0} for every other method. The runner makes one split
// per entry, with SplitSpec::fold set to it.
std::vector<int> FoldsToRun(const SplitSpec& spec);

// train and validation merged (ascending): what a configuration chosen on
// the validation split is refitted on before it is evaluated on test.
std::vector<uint64_t> TrainAndValidation(const Split& split);

}  // namespace reclift::host
