// The dataset as loaded: interactions with dense ids, maps back to the
// original ids, and item features. Everything downstream (splits, training
// views, evaluation) indexes into it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/split_files.h"
#include "reclift/owned_train_data.h"
#include "util/error.h"

namespace reclift::host {

// How to read one dataset. Filled from the [dataset] table of an experiment
// file (see experiment/spec.h); each field's location is kept for errors.
struct DatasetSpec {
  // "csv" (generic delimited text), "movielens-100k", "movielens-1m",
  // "movielens-latest", or "synthetic" (generated in memory)
  std::string format = "csv";
  std::filesystem::path interactions;  // file (csv) or directory (movielens-*)
  std::filesystem::path items;         // optional item-features file
  // generic csv
  std::string delimiter = ",";  // one character, or "\t"; "auto" sniffs , ; \t |
  bool header = true;           // first line names the columns
  // column mapping: a header name, or a 0-based index as text when header = false
  std::string user_column = "user";
  std::string item_column = "item";
  std::string value_column = "";      // empty: implicit, every value 1
  std::string timestamp_column = "";  // empty: no timestamps
  // "error" (default): stop at the first bad row with file:line and its text;
  // "skip": skip bad rows, count them and report the count
  std::string on_bad_rows = "error";
  // duplicate (user, item) pairs: "last" keeps the latest (by timestamp,
  // then file order), "first", "sum" adds values, "max", "error"
  std::string duplicates = "last";
  // implicit evaluation: test interactions with value >= positive_threshold
  // are relevant; NaN means every test interaction is relevant
  double positive_threshold = 0.0;
  bool has_positive_threshold = false;
  // Bytes per parallel parsing task; 0 = automatic (8 MiB). Results never
  // depend on it; tests set it small to exercise the merge of many chunks.
  size_t parse_chunk_bytes = 0;
  // synthetic
  std::string synthetic_preset = "sample";
  uint64_t synthetic_seed = 42;
  // [split] method = "files": the files to read instead of `interactions`
  // (data/split_files.h); set by the experiment parser
  SplitFilesSpec split_files;
  // where each key was written, for error messages ("interactions" -> loc)
  std::map<std::string, SourceLocation> where;
};

struct LoadReport {
  size_t rows_read = 0;          // data rows of the interactions file, bad ones included
  size_t bad_rows_skipped = 0;   // on_bad_rows = "skip"
  size_t duplicates_merged = 0;  // rows folded into another by the duplicate policy
  double seconds = 0;
  std::vector<std::string> notes;  // human-readable, logged by the caller
};

struct Dataset {
  std::string name;
  std::vector<std::string> user_ids;  // dense user id -> original id
  std::vector<std::string> item_ids;  // dense item id -> original id
  // one entry per interaction, after the duplicate policy, in file order
  std::vector<uint32_t> users;
  std::vector<uint32_t> items;
  std::vector<float> values;        // ratings, or 1 for implicit events
  std::vector<int64_t> timestamps;  // seconds since epoch; empty when none
  bool explicit_feedback = false;   // values are ratings (a value column was given)
  double positive_threshold = 0.0;  // relevance threshold for ranking metrics
  OwnedItemFeatures item_features;  // rows = item_ids.size(); may be empty
  std::string fingerprint;          // content hash, hex
  // [split] method = "files": the rows of each predefined split, in fold order
  std::vector<PredefinedSplit> predefined_splits;

  uint32_t num_users() const { return static_cast<uint32_t>(user_ids.size()); }
  uint32_t num_items() const { return static_cast<uint32_t>(item_ids.size()); }
  size_t size() const { return users.size(); }
  bool has_timestamps() const { return !timestamps.empty(); }
  size_t MemoryBytes() const;
};

// Loads a dataset. Throws Error with file:line and the offending text for
// bad input (empty file, missing column, non-numeric value, NaN), unless
// on_bad_rows = "skip".
Dataset LoadDataset(const DatasetSpec& spec, LoadReport* report = nullptr);

struct InteractionFileFormat;  // data/interaction_reader.h

// The [dataset] reader settings of a csv `spec` for one interactions file
// (named at `where`, for "cannot read" errors).
InteractionFileFormat CsvFileFormat(const DatasetSpec& spec, const std::filesystem::path& file,
                                    const SourceLocation& where);

// Computes a stable content fingerprint (ids, interactions, features).
std::string FingerprintDataset(const Dataset& d);

}  // namespace reclift::host
