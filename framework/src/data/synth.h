// The synthetic paid-knowledge platform: a generator of course / e-book /
// live-lecture interactions with real personal structure, for examples,
// tests and scaling benchmarks (`reclift synth`, and [dataset] format =
// "synthetic").
//
// What the model carries (so that algorithms have something to find):
//   - items: 20 topic categories (a primary one, sometimes a related second),
//     topic and style tags, type (course / ebook / live), price, difficulty
//     and duration; a release time (items only get interactions after it) and
//     a long-tailed (Zipf) popularity;
//   - users: sparse interests over categories built from a few "personas"
//     (developer, data scientist, creative, ...), a latent taste vector over
//     tags, a skill level that grows, a join time and a heavy-tailed activity
//     (most users have a handful of interactions);
//   - drift over two years: interests move, categories trend up or down, new
//     items get a burst of attention, live lectures fade fast;
//   - explicit 1..5 ratings from user-item affinity + noise, and an implicit
//     event (view / enroll / purchase / complete) written beside them.
// An item's latent vector is built from its category and tags, so features
// predict who likes a new item (content-based models can score cold items).
//
// Deterministic: the same options give the same dataset, byte for byte, for
// any thread count (every user draws from its own seeded stream).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace reclift::host {

struct SynthOptions {
  std::string preset = "sample";  // one of SynthPresets()
  uint64_t seed = 42;             // same seed, same dataset
  // overrides of the preset's sizes; 0 keeps the preset's value
  uint32_t users = 0;
  uint32_t items = 0;
  uint64_t interactions = 0;        // exact count of (user, item) rows generated
  int64_t start_time = 1640995200;  // first interaction time: 2022-01-01 00:00 UTC
  uint32_t days = 730;              // length of the interaction period
};

struct SynthPresetInfo {
  std::string name;
  std::string description;  // one line: what the preset is for (sizes are beside it)
  uint32_t users = 0;
  uint32_t items = 0;
  uint64_t interactions = 0;
};

// Preset names, in size order: tiny, sample, ml-100k, ml-1m, ml-20m.
std::vector<std::string> SynthPresets();
// The same presets with sizes and a one-line description each.
const std::vector<SynthPresetInfo>& SynthPresetInfos();

// Generates the dataset: ids "1".."N" (dense id + 1; users numbered by join
// time, items by release time), one row per distinct (user, item) pair,
// rows grouped by user and sorted by time within a user, ratings 1..5
// (explicit_feedback = true, positive_threshold = 4), item features
// (categories; tags, which include the type "course" / "ebook" / "live" so
// that tag-based models see it; numeric price / difficulty / duration_hours;
// text = title). The name is "synthetic-<preset>"; the fingerprint is
// filled. Runs in the oneTBB task arena it is called in. Throws Error for an unknown preset or impossible
// sizes (fewer interactions than users, or more than users x items / 4).
Dataset GenerateSynthetic(const SynthOptions& options);

// The release time of every item of GenerateSynthetic(options) (seconds
// since the epoch; an item has no interaction before it). Items released
// before options.start_time are the catalogue the platform starts with.
// Cheap: builds the catalogue only. Throws like GenerateSynthetic.
std::vector<int64_t> SyntheticReleaseTimes(const SynthOptions& options);

// Writes dir/interactions.csv (user,item,rating,timestamp,event) and
// dir/items.csv (item,title,type,categories,tags,price,difficulty,
// duration_hours; lists separated by '|'), each atomically (temporary file,
// then rename), streaming so that the 20M-row preset never sits in memory as
// text. `event` is derived deterministically from the rating, the item and a
// hash of the row. Expects a dataset made by GenerateSynthetic. Throws Error
// naming the path when a file cannot be written.
void WriteSyntheticDataset(const Dataset& dataset, const std::filesystem::path& dir);

}  // namespace reclift::host
