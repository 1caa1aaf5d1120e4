#include "data/dataset.h"

#include <spdlog/spdlog.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <ctime>
#include <span>

#include "data/duplicates.h"
#include "data/hash.h"
#include "data/interaction_reader.h"
#include "data/item_features.h"
#include "data/movielens.h"
#include "data/synth.h"
#include "util/text.h"

namespace reclift::host {
namespace {

const std::vector<std::string>& FormatNames() {
  static const std::vector<std::string> kNames = {"csv", "movielens-100k", "movielens-1m", "movielens-latest",
                                                  "synthetic"};
  return kNames;
}

SourceLocation Where(const DatasetSpec& spec, const char* key) {
  auto it = spec.where.find(key);
  return it != spec.where.end() ? it->second : SourceLocation{};
}

void CheckChoice(const DatasetSpec& spec, const char* key, const std::string& value,
                 const std::vector<std::string>& valid) {
  for (const auto& v : valid) {
    if (v == value) return;
  }
  throw Error(Where(spec, key), "dataset." + std::string(key) + ": unknown value '" + value + "'" +
                                    DidYouMean(value, valid) + "; expected one of: " + Join(valid, ", "));
}

std::string DatasetName(const std::filesystem::path& p) {
  std::filesystem::path clean = p;
  if (!clean.has_filename()) clean = clean.parent_path();  // "dir/"
  return clean.filename().string() == clean.stem().string() ? clean.filename().string()
                                                            : clean.stem().string();
}

std::vector<std::string> IdStrings(const IdInterner& ids) {
  std::vector<std::string> out(ids.size());
  for (uint32_t i = 0; i < ids.size(); ++i) out[i] = ids.ToString(i);
  return out;
}

// --- fingerprint -----------------------------------------------------------

// Hashes an array in fixed 1 MiB blocks (in parallel), then the block
// hashes in order: the same value for any thread count.
uint64_t HashArray(const void* data, size_t bytes, uint64_t seed) {
  constexpr size_t kBlock = size_t{1} << 20;
  const size_t blocks = (bytes + kBlock - 1) / kBlock;
  std::vector<uint64_t> block_hashes(blocks);
  const auto* p = static_cast<const unsigned char*>(data);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t b = r.begin(); b < r.end(); ++b) {
      block_hashes[b] = Hash64(p + b * kBlock, std::min(kBlock, bytes - b * kBlock), b);
    }
  });
  return Hash64(block_hashes.data(), blocks * sizeof(uint64_t), seed ^ bytes);
}

template <class T>
uint64_t HashVector(const std::vector<T>& v, uint64_t seed) {
  return HashArray(v.data(), v.size() * sizeof(T), seed);
}

uint64_t HashStrings(const std::vector<std::string>& v, uint64_t seed) {
  std::vector<uint64_t> each(v.size());
  for (size_t i = 0; i < v.size(); ++i) each[i] = Hash64(v[i]);
  return HashVector(each, seed);
}

uint64_t HashSparse(const OwnedSparse& m, uint64_t seed) {
  const uint64_t parts[] = {HashVector(m.indptr, 1), HashVector(m.indices, 2), HashVector(m.values, 3),
                            HashVector(m.timestamps, 4)};
  return Hash64(parts, sizeof parts, seed);
}

// --- memory ----------------------------------------------------------------

template <class T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

size_t StringsBytes(const std::vector<std::string>& v) {
  size_t bytes = VectorBytes(v);
  for (const auto& s : v) {
    const char* self = reinterpret_cast<const char*>(&s);
    const bool inline_buffer = s.data() >= self && s.data() < self + sizeof(std::string);
    if (!inline_buffer) bytes += s.capacity() + 1;
  }
  return bytes;
}

size_t SparseBytes(const OwnedSparse& m) {
  return VectorBytes(m.indptr) + VectorBytes(m.indices) + VectorBytes(m.values) + VectorBytes(m.timestamps);
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

InteractionFileFormat CsvFileFormat(const DatasetSpec& spec, const std::filesystem::path& file,
                                    const SourceLocation& where) {
  InteractionFileFormat f;
  f.path = file;
  f.where = where;
  f.delimiter = spec.delimiter;
  f.header = spec.header;
  f.user_column = spec.user_column;
  f.item_column = spec.item_column;
  f.value_column = spec.value_column;
  f.timestamp_column = spec.timestamp_column;
  for (const char* key : {"user_column", "item_column", "value_column", "timestamp_column", "delimiter"}) {
    if (auto at = Where(spec, key); at.known()) f.column_where[key] = at;
  }
  f.skip_bad_rows = spec.on_bad_rows == "skip";
  f.chunk_bytes = spec.parse_chunk_bytes;
  return f;
}

size_t Dataset::MemoryBytes() const {
  const OwnedItemFeatures& f = item_features;
  return StringsBytes(user_ids) + StringsBytes(item_ids) + VectorBytes(users) + VectorBytes(items) +
         VectorBytes(values) + VectorBytes(timestamps) + SparseBytes(f.categories) +
         StringsBytes(f.category_names) + SparseBytes(f.tags) + StringsBytes(f.tag_names) +
         VectorBytes(f.numeric) + StringsBytes(f.numeric_names) + StringsBytes(f.text) + name.capacity() +
         fingerprint.capacity();
}

std::string FingerprintDataset(const Dataset& d) {
  // a version in the seed: change it whenever what is hashed changes
  // (2: XXH3 instead of the hand-written hash of version 1)
  constexpr uint64_t kFingerprintVersion = 2;
  const OwnedItemFeatures& f = d.item_features;
  const uint64_t parts[] = {
      HashStrings(d.user_ids, 1),       HashStrings(d.item_ids, 2),
      HashVector(d.users, 3),           HashVector(d.items, 4),
      HashVector(d.values, 5),          HashVector(d.timestamps, 6),
      d.explicit_feedback ? 1u : 0u,    HashSparse(f.categories, 7),
      HashStrings(f.category_names, 8), HashSparse(f.tags, 9),
      HashStrings(f.tag_names, 10),     HashVector(f.numeric, 11),
      HashStrings(f.numeric_names, 12), HashStrings(f.text, 13),
  };
  return ToHex64(Hash64(parts, sizeof parts, kFingerprintVersion));
}

Dataset LoadDataset(const DatasetSpec& spec, LoadReport* report) {
  const auto start = std::chrono::steady_clock::now();
  LoadReport local;
  LoadReport& rep = report != nullptr ? *report : local;
  rep = LoadReport{};

  CheckChoice(spec, "format", spec.format, FormatNames());
  CheckChoice(spec, "on_bad_rows", spec.on_bad_rows, {"error", "skip"});
  CheckChoice(spec, "duplicates", spec.duplicates, DuplicatePolicyNames());
  const DuplicatePolicy policy = *ParseDuplicatePolicy(spec.duplicates);

  if (spec.format == "synthetic") {
    SynthOptions options;
    options.preset = spec.synthetic_preset;
    options.seed = spec.synthetic_seed;
    Dataset d = GenerateSynthetic(options);
    if (spec.has_positive_threshold) d.positive_threshold = spec.positive_threshold;
    d.fingerprint = FingerprintDataset(d);
    rep.rows_read = d.size();
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return d;
  }
  if (spec.split_files.enabled()) return LoadSplitFiles(spec, rep);
  if (spec.interactions.empty()) {
    throw Error(Where(spec, "format"),
                "dataset.interactions is not set: name the interactions file (csv) or the "
                "MovieLens directory");
  }

  ItemFeatureBuilder features;
  InteractionColumns columns;
  bool explicit_feedback = true;
  std::optional<ItemFileSummary> item_file;
  if (spec.format == "csv") {
    InteractionFileFormat f = CsvFileFormat(spec, spec.interactions, Where(spec, "interactions"));
    columns = ReadInteractions(f);
    explicit_feedback = !spec.value_column.empty();
  } else {
    if (!spec.items.empty()) {
      throw Error(Where(spec, "items"), "dataset.items is only read with format = \"csv\"; format = \"" +
                                            spec.format + "\" reads the movies of its own directory");
    }
    columns = ReadMovieLens(spec, features, rep.notes);
  }

  rep.rows_read = columns.rows_read;
  rep.bad_rows_skipped = columns.bad_rows_skipped;
  if (rep.bad_rows_skipped > 0) {
    rep.notes.push_back("skipped " + Plural(rep.bad_rows_skipped, "bad row") + " of " + columns.file +
                        "; the first: " + Join(columns.bad_row_examples, "; "));
  }

  auto cpu_now = [] {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  };
  auto lap = [&, last = std::chrono::steady_clock::now(), last_cpu = cpu_now()](const char* phase) mutable {
    const auto now = std::chrono::steady_clock::now();
    const double cpu = cpu_now();
    spdlog::debug("load phase: {} {:.3f} s (cpu {:.3f} s)", phase,
                  std::chrono::duration<double>(now - last).count(), cpu - last_cpu);
    last = now;
    last_cpu = cpu;
  };
  lap("read interactions");
  rep.duplicates_merged = MergeDuplicates(
      policy, static_cast<uint32_t>(columns.user_ids.size()), static_cast<uint32_t>(columns.item_ids.size()),
      InteractionArrays{columns.users, columns.items, columns.values, columns.timestamps},
      DuplicateContext{columns.file, columns.lines, columns.user_ids, columns.item_ids});
  if (rep.duplicates_merged > 0) {
    rep.notes.push_back("merged " + Plural(rep.duplicates_merged, "duplicate (user, item) row") +
                        " (duplicates = \"" + spec.duplicates + "\")");
  }

  lap("duplicates");
  if (spec.format == "csv" && !spec.items.empty()) {
    item_file = ReadItemFeaturesFile(spec.items, Where(spec, "items"), spec.item_column,
                                     spec.on_bad_rows == "skip", columns.item_ids, features);
    const ItemFileSummary& s = *item_file;
    std::string note =
        spec.items.string() + ": " + Plural(s.rows, "item") + " (id column '" + s.id_column + "')";
    if (s.new_items > 0) note += ", " + Plural(s.new_items, "item") + " without interactions added";
    if (!s.category_column.empty()) note += "; categories from '" + s.category_column + "'";
    if (!s.tag_column.empty()) note += "; tags from '" + s.tag_column + "'";
    if (!s.numeric_columns.empty()) note += "; numeric: " + Join(s.numeric_columns, ", ");
    if (!s.text_columns.empty()) note += "; text: " + Join(s.text_columns, ", ");
    if (!s.ignored_columns.empty()) note += "; ignored (no values): " + Join(s.ignored_columns, ", ");
    rep.notes.push_back(note);
    if (s.bad_rows_skipped > 0) {
      rep.notes.push_back("skipped " + Plural(s.bad_rows_skipped, "bad row") + " of " + spec.items.string() +
                          "; the first: " + Join(s.bad_row_examples, "; "));
    }
  }

  Dataset d;
  d.name = DatasetName(spec.interactions);
  d.users = std::move(columns.users);
  d.items = std::move(columns.items);
  d.values = std::move(columns.values);
  d.timestamps = std::move(columns.timestamps);
  d.user_ids = IdStrings(columns.user_ids);
  d.item_ids = IdStrings(columns.item_ids);
  d.explicit_feedback = explicit_feedback;
  if (spec.has_positive_threshold) d.positive_threshold = spec.positive_threshold;
  d.item_features = features.Build(d.num_items());
  lap("ids and item features");
  d.fingerprint = FingerprintDataset(d);
  lap("fingerprint");

  rep.notes.insert(rep.notes.begin(), "read " + Plural(d.size(), "interaction") + " of " +
                                          Plural(d.num_users(), "user") + " and " +
                                          Plural(d.num_items(), "item") + " from " + columns.file);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return d;
}

}  // namespace reclift::host
