// The binary split file: one per split group, written once by the driver
// into the run folder and mapped read-only by every worker that runs a cell
// of that split, so a worker never re-reads or re-parses the dataset.
//
// It holds the training view (user-major CSR and item-major CSC with values
// and timestamps, item features), the evaluated users with their test items
// and relevance, the items' training popularity, and the split's bucket
// assignment and candidate lists when the experiment has them. The arrays of
// the training view are used in place from the mapping (no copy).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/cell.h"
#include "runner/cell_data.h"

namespace reclift::host::engine {

// Writes `file` atomically. `bucket_of` and `candidates` may be empty.
void WriteSplitFile(const std::filesystem::path& file, const CellData& cell,
                    const std::vector<uint32_t>& bucket_of,
                    const std::vector<std::vector<uint32_t>>& candidates);

// A mapped split file. Throws Error naming the file when it cannot be read.
class MappedSplit {
 public:
  explicit MappedSplit(const std::filesystem::path& file);
  ~MappedSplit();
  MappedSplit(const MappedSplit&) = delete;
  MappedSplit& operator=(const MappedSplit&) = delete;

  CellInputs inputs() const;
  const TrainData& train() const { return train_; }

 private:
  struct Mapping;
  std::unique_ptr<Mapping> map_;
  TrainData train_;
  std::vector<std::string> category_names_, tag_names_, numeric_names_, text_;
  std::vector<UserTest> users_;
  std::vector<float> popularity_;
  std::vector<uint32_t> bucket_of_;
  std::vector<std::vector<uint32_t>> candidates_;
};

}  // namespace reclift::host::engine
