// Candidate items per test user for the evaluation modes other than full
// ranking (see EvaluationSpec::candidates).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "data/dataset.h"
#include "runner/cell_data.h"

namespace reclift::host {

// "sampled": each user's test items plus `negatives` items drawn uniformly,
// without replacement, from the items the user has no interaction with
// (train or test). Seeded per user: the same for any thread count. Sorted.
std::vector<std::vector<uint32_t>> SampleCandidates(const CellData& cell, uint32_t num_items, int negatives,
                                                    uint64_t seed);

// "file": a CSV with a header naming `user` and `item` columns (original
// ids); one row per candidate. Users of `cell` absent from the file get no
// candidates (an empty list). Throws Error with file:line for an unknown
// user or item id or a malformed row.
std::vector<std::vector<uint32_t>> LoadCandidates(const std::filesystem::path& file, const Dataset& data,
                                                  const CellData& cell);

}  // namespace reclift::host
