#include "data/split_files.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "data/dataset.h"
#include "data/duplicates.h"
#include "data/hash.h"
#include "data/interaction_reader.h"
#include "data/item_features.h"
#include "data/movielens.h"
#include "data/text_parse.h"
#include "util/text.h"

namespace reclift::host {
namespace {

enum Role { kTrainFile = 0, kValidationFile = 1, kTestFile = 2 };
constexpr const char* kRoleKey[] = {"train", "validation", "test"};

SourceLocation WhereKey(const SplitFilesSpec& s, const char* key) {
  auto it = s.where.find(key);
  if (it != s.where.end()) return it->second;
  it = s.where.find("method");
  return it != s.where.end() ? it->second : SourceLocation{};
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// The reader settings for one file of the split, from the [dataset] table.
InteractionFileFormat FormatFor(const DatasetSpec& spec, const std::string& path,
                                const SourceLocation& where) {
  if (spec.format == "csv") return CsvFileFormat(spec, path, where);
  return MovieLensRatingsFormat(spec, path, where);
}

// The first non-blank line of a file, split into fields: what the column
// check compares. Empty when the file holds nothing but blank lines.
struct FirstRecord {
  std::vector<std::string> fields;
  int line = 0;
  bool has_data = false;  // a line after the header (or the first line without one)
};

FirstRecord ReadFirstRecord(const InteractionFileFormat& f) {
  std::ifstream in(f.path, std::ios::binary);
  FirstRecord out;
  std::string line;
  int number = 0;
  bool seen_first = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!seen_first) {
      seen_first = true;
      out.line = number;
      std::string delimiter = f.delimiter == "auto" ? SniffDelimiter(line) : NormaliseDelimiter(f.delimiter);
      if (delimiter.empty()) delimiter = f.delimiter;  // "::" stays as is
      std::vector<std::string_view> fields;
      std::string scratch, problem;
      SplitFields(line, delimiter, f.quoting, fields, scratch, &problem);
      out.fields.assign(fields.begin(), fields.end());
      if (!f.header) {
        out.has_data = true;
        break;
      }
      continue;
    }
    out.has_data = true;
    break;
  }
  return out;
}

std::string DescribeColumns(const FirstRecord& r, bool header) {
  if (header) return "columns (" + Join(r.fields, ", ") + ")";
  return Plural(r.fields.size(), "field") + " per line";
}

// One file as read, with its rows in the dataset's ids.
struct ReadFile {
  std::string path;
  InteractionColumns columns;
  std::vector<uint32_t> users;  // global ids, per row of `columns`
  std::vector<uint32_t> items;
};

struct RowKey {
  uint32_t user, item;
  int64_t timestamp;
  float value;
  bool operator==(const RowKey& o) const {
    return user == o.user && item == o.item && timestamp == o.timestamp &&
           std::memcmp(&value, &o.value, sizeof value) == 0;
  }
};
struct RowKeyHash {
  size_t operator()(const RowKey& k) const {
    uint32_t bits;
    std::memcpy(&bits, &k.value, sizeof bits);
    return static_cast<size_t>(Mix64((static_cast<uint64_t>(k.user) << 32 | k.item) ^
                                     Mix64(static_cast<uint64_t>(k.timestamp) ^ bits)));
  }
};

uint64_t PairKey(uint32_t u, uint32_t i) {
  return static_cast<uint64_t>(u) << 32 | i;
}

}  // namespace

std::string SplitFilesSpec::PathOf(const std::string& path, size_t index) const {
  if (folds.empty()) return path;
  const std::string label = std::to_string(folds[index]);
  std::string out = path;
  for (size_t at = out.find("{fold}"); at != std::string::npos; at = out.find("{fold}", at + label.size())) {
    out.replace(at, 6, label);
  }
  return out;
}

Dataset LoadSplitFiles(const DatasetSpec& spec, LoadReport& rep) {
  const auto start = std::chrono::steady_clock::now();
  const SplitFilesSpec& s = spec.split_files;
  const DuplicatePolicy policy = *ParseDuplicatePolicy(spec.duplicates);
  const size_t n_splits = s.count();

  // 1. every file of every fold exists, is not empty, and has the columns of the first
  std::vector<std::array<std::string, 3>> paths(n_splits);
  std::optional<std::pair<FirstRecord, std::string>> reference;
  for (size_t f = 0; f < n_splits; ++f) {
    const std::string fold_text = s.folds.empty() ? "" : " (fold " + std::to_string(s.folds[f]) + ")";
    for (int role : {kTrainFile, kValidationFile, kTestFile}) {
      const std::string& pattern = role == kTrainFile ? s.train : role == kTestFile ? s.test : s.validation;
      if (pattern.empty()) continue;
      const std::string path = s.PathOf(pattern, f);
      paths[f][role] = path;
      const SourceLocation where = WhereKey(s, kRoleKey[role]);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        throw Error(where, std::string("split.") + kRoleKey[role] + ": no file '" + path + "'" + fold_text +
                               (std::filesystem::exists(path, ec) ? " (it is not a regular file)" : "") +
                               "; expected the " + kRoleKey[role] + " interactions of the split");
      }
      const InteractionFileFormat format = FormatFor(spec, path, where);
      const FirstRecord first = ReadFirstRecord(format);
      if (!first.has_data) {
        throw Error(where, std::string("split.") + kRoleKey[role] + ": '" + path + "'" + fold_text +
                               " is empty: expected " + (format.header ? "a header line and " : "") +
                               "at least one interaction");
      }
      if (!reference) {
        reference.emplace(first, path);
      } else {
        const FirstRecord& r = reference->first;
        const bool same = format.header ? r.fields == first.fields : r.fields.size() == first.fields.size();
        if (!same) {
          throw Error(where, "split files have inconsistent columns: '" + path + "' line " +
                                 std::to_string(first.line) + " has " +
                                 DescribeColumns(first, format.header) + ", but '" + reference->second +
                                 "' has " + DescribeColumns(r, format.header) +
                                 "; every train, validation and test file must have the same columns");
        }
      }
    }
  }

  // 2. read each distinct file once; ids are interned into one table
  IdInterner users(true), items(true);
  ItemFeatureBuilder features;
  std::map<std::string, size_t> file_index;
  std::vector<ReadFile> files;
  for (size_t f = 0; f < n_splits; ++f) {
    for (int role : {kTrainFile, kValidationFile, kTestFile}) {
      const std::string& path = paths[f][role];
      if (path.empty() || file_index.count(path)) continue;
      ReadFile file;
      file.path = path;
      InteractionFileFormat format = FormatFor(spec, path, WhereKey(s, kRoleKey[role]));
      file.columns = ReadInteractions(format);
      rep.rows_read += file.columns.rows_read;
      rep.bad_rows_skipped += file.columns.bad_rows_skipped;
      if (file.columns.bad_rows_skipped > 0) {
        rep.notes.push_back("skipped " + Plural(file.columns.bad_rows_skipped, "bad row") + " of " + path +
                            "; the first: " + Join(file.columns.bad_row_examples, "; "));
      }
      file_index[path] = files.size();
      files.push_back(std::move(file));
    }
  }

  // 3. per fold, a pair on both sides is leakage: an error naming both lines
  size_t overlaps_total = 0;
  std::vector<std::string> overlap_examples;
  auto global = [&](ReadFile& file) {
    if (!file.users.empty() || file.columns.users.empty()) return;
    const InteractionColumns& c = file.columns;
    std::vector<uint32_t> user_map(c.user_ids.size()), item_map(c.item_ids.size());
    for (uint32_t u = 0; u < c.user_ids.size(); ++u) user_map[u] = users.InternFrom(c.user_ids, u);
    for (uint32_t i = 0; i < c.item_ids.size(); ++i) item_map[i] = items.InternFrom(c.item_ids, i);
    file.users.resize(c.users.size());
    file.items.resize(c.items.size());
    for (size_t r = 0; r < c.users.size(); ++r) {
      file.users[r] = user_map[c.users[r]];
      file.items[r] = item_map[c.items[r]];
    }
  };
  for (ReadFile& file : files) global(file);
  for (size_t f = 0; f < n_splits; ++f) {
    const ReadFile& train = files[file_index.at(paths[f][kTrainFile])];
    std::unordered_map<uint64_t, uint64_t> train_line;  // pair -> line in the train file
    train_line.reserve(train.users.size());
    for (size_t r = 0; r < train.users.size(); ++r) {
      train_line.emplace(PairKey(train.users[r], train.items[r]), train.columns.lines.LineOf(r));
    }
    for (int role : {kValidationFile, kTestFile}) {
      if (paths[f][role].empty()) continue;
      const ReadFile& held = files[file_index.at(paths[f][role])];
      for (size_t r = 0; r < held.users.size(); ++r) {
        auto it = train_line.find(PairKey(held.users[r], held.items[r]));
        if (it == train_line.end()) continue;
        if (overlaps_total++ < 3) {
          overlap_examples.push_back("(user " + users.ToString(held.users[r]) + ", item " +
                                     items.ToString(held.items[r]) + ") at " + train.path + ":" +
                                     std::to_string(it->second) + " and " + held.path + ":" +
                                     std::to_string(held.columns.lines.LineOf(r)));
        }
      }
    }
  }
  if (overlaps_total > 0) {
    const std::string what =
        Plural(overlaps_total, "(user, item) pair") +
        " of a fold's training file also in its test or validation file: " + Join(overlap_examples, "; ") +
        (overlaps_total > 3 ? "; ..." : "");
    if (!s.overlap_is_finding) {
      throw Error(WhereKey(s, "test"), "split.test: " + what +
                                           "; a held-out pair must not be in training (set split.leakage = "
                                           "\"warn\" to run anyway and record it as a leakage finding)");
    }
    rep.notes.push_back("split files: " + what +
                        " (split.leakage = \"warn\": recorded as a leakage finding)");
  }

  // 4. duplicates within one file follow [dataset] duplicates
  for (ReadFile& file : files) {
    InteractionColumns& c = file.columns;
    // merge on local ids (the messages use them), then map to the global ids again
    std::vector<uint32_t> local_users = c.users, local_items = c.items;
    const size_t merged = MergeDuplicates(policy, static_cast<uint32_t>(c.user_ids.size()),
                                          static_cast<uint32_t>(c.item_ids.size()),
                                          InteractionArrays{c.users, c.items, c.values, c.timestamps},
                                          DuplicateContext{c.file, c.lines, c.user_ids, c.item_ids});
    if (merged > 0) {
      rep.duplicates_merged += merged;
      rep.notes.push_back(file.path + ": merged " + Plural(merged, "duplicate (user, item) row") +
                          " (duplicates = \"" + spec.duplicates + "\")");
      file.users.clear();
      global(file);
    }
  }

  // 5. the dataset: every distinct row of every file, in order of first appearance
  const bool timestamps = !files.front().columns.timestamps.empty();
  Dataset d;
  std::unordered_map<RowKey, uint64_t, RowKeyHash> row_of;
  std::vector<std::vector<uint64_t>> file_rows(files.size());
  for (size_t fi = 0; fi < files.size(); ++fi) {
    const ReadFile& file = files[fi];
    const InteractionColumns& c = file.columns;
    file_rows[fi].resize(c.users.size());
    for (size_t r = 0; r < c.users.size(); ++r) {
      const int64_t t = timestamps && !c.timestamps.empty() ? c.timestamps[r] : 0;
      const RowKey key{file.users[r], file.items[r], t, c.values[r]};
      auto [it, added] = row_of.emplace(key, d.users.size());
      if (added) {
        d.users.push_back(key.user);
        d.items.push_back(key.item);
        d.values.push_back(key.value);
        if (timestamps) d.timestamps.push_back(t);
      }
      file_rows[fi][r] = it->second;
    }
  }

  // 6. one split per fold
  std::vector<uint8_t> trained_user, trained_item;
  for (size_t f = 0; f < n_splits; ++f) {
    PredefinedSplit split;
    if (!s.folds.empty()) split.label = "fold " + std::to_string(s.folds[f]);
    auto rows_of = [&](int role) {
      std::vector<uint64_t> rows;
      if (paths[f][role].empty()) return rows;
      rows = file_rows[file_index.at(paths[f][role])];
      std::sort(rows.begin(), rows.end());
      rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
      return rows;
    };
    split.train = rows_of(kTrainFile);
    split.validation = rows_of(kValidationFile);
    split.test = rows_of(kTestFile);
    trained_user.assign(users.size(), 0);
    trained_item.assign(items.size(), 0);
    for (uint64_t r : split.train) trained_user[d.users[r]] = trained_item[d.items[r]] = 1;
    std::vector<uint8_t> seen_user(users.size(), 0), seen_item(items.size(), 0);
    size_t new_users = 0, new_items = 0;
    for (uint64_t r : split.test) {
      if (!trained_user[d.users[r]] && !seen_user[d.users[r]]++) ++new_users;
      if (!trained_item[d.items[r]] && !seen_item[d.items[r]]++) ++new_items;
    }
    std::string note = (split.label.empty() ? std::string("files") : split.label) + ": " +
                       Plural(split.train.size(), "training interaction") + " from " + paths[f][kTrainFile];
    if (!split.validation.empty()) {
      note += ", " + Plural(split.validation.size(), "validation interaction") + " from " +
              paths[f][kValidationFile];
    }
    note += ", " + Plural(split.test.size(), "test interaction") + " from " + paths[f][kTestFile] + "; " +
            Plural(new_users, "test user") + " and " + Plural(new_items, "test item") + " unseen in training";
    split.notes.push_back(std::move(note));
    d.predefined_splits.push_back(std::move(split));
  }

  // 7. ids, item features, fingerprint
  if (spec.format == "csv" && !spec.items.empty()) {
    const ItemFileSummary summary = ReadItemFeaturesFile(
        spec.items, spec.where.count("items") ? spec.where.at("items") : SourceLocation{}, spec.item_column,
        spec.on_bad_rows == "skip", items, features);
    rep.notes.push_back(spec.items.string() + ": " + Plural(summary.rows, "item") +
                        (summary.new_items > 0
                             ? ", " + Plural(summary.new_items, "item") + " without interactions added"
                             : std::string()));
  } else if (spec.format != "csv" && !spec.interactions.empty()) {
    ReadMovieLensMovies(spec, items, features, rep.notes);
  }
  d.name = std::filesystem::path(s.train).parent_path().filename().string();
  if (d.name.empty()) d.name = "split-files";
  d.user_ids.resize(users.size());
  for (uint32_t u = 0; u < users.size(); ++u) d.user_ids[u] = users.ToString(u);
  d.item_ids.resize(items.size());
  for (uint32_t i = 0; i < items.size(); ++i) d.item_ids[i] = items.ToString(i);
  d.explicit_feedback = spec.format != "csv" || !spec.value_column.empty();
  if (spec.has_positive_threshold) d.positive_threshold = spec.positive_threshold;
  d.item_features = features.Build(d.num_items());
  d.fingerprint = FingerprintDataset(d);
  rep.notes.insert(rep.notes.begin(),
                   "read " + Plural(files.size(), "split file") + " (" + Plural(n_splits, "split") +
                       "): " + Plural(d.size(), "distinct interaction") + " of " +
                       Plural(d.num_users(), "user") + " and " + Plural(d.num_items(), "item"));
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return d;
}

}  // namespace reclift::host
