// Predefined splits read from files ([split] method = "files"): the train,
// test and optional validation files of each fold (MovieLens 100K's
// u1.base / u1.test ...), read with the [dataset] reader settings, become
// one Dataset whose rows are the distinct interactions of all the files, and
// one PredefinedSplit per fold naming its rows. Ids are shared across the
// files (user "7" of u1.base is user "7" of u3.test).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/error.h"

namespace reclift::host {

struct DatasetSpec;
struct Dataset;
struct LoadReport;

// Filled by the experiment parser from [split] when method = "files".
struct SplitFilesSpec {
  // paths (absolute after parsing); may hold "{fold}", replaced by each
  // entry of `folds`; validation may be empty (none)
  std::string train;
  std::string test;
  std::string validation;
  // the values of {fold}; empty: the paths name one split
  std::vector<int> folds;
  // a (user, item) pair in both train and test (or validation) of one fold
  // is an error naming both lines, unless split.leakage = "warn" was
  // written: then it is a leakage finding (split/leakage.h) and the run goes on
  bool overlap_is_finding = false;
  // "train", "test", "validation", "folds", "method" -> where written
  std::map<std::string, SourceLocation> where;

  bool enabled() const { return !train.empty(); }
  // the number of splits: folds.size(), or 1 without {fold}
  size_t count() const { return folds.empty() ? 1 : folds.size(); }
  // `path` with every "{fold}" replaced by the label of split `index`
  std::string PathOf(const std::string& path, size_t index) const;
};

// One fold's rows: ascending indices into the Dataset built by LoadSplitFiles.
struct PredefinedSplit {
  std::string label;  // "fold 3", or "" without {fold}
  std::vector<uint64_t> train;
  std::vector<uint64_t> validation;  // empty without a validation file
  std::vector<uint64_t> test;
  std::vector<std::string> notes;  // files, counts, test users/items unseen in training
};

// Reads every file of every fold of spec.split_files. Throws Error (at the
// [split] key that named the file) for a missing file, an empty test or
// training file, files whose columns differ from the first training file's,
// and (unless overlap_is_finding) a (user, item) pair in both the training
// and the test or validation file of one fold, naming both file:line places.
// Item features: spec.items (csv) or the movie file of the MovieLens
// directory spec.interactions (when set).
Dataset LoadSplitFiles(const DatasetSpec& spec, LoadReport& report);

}  // namespace reclift::host
