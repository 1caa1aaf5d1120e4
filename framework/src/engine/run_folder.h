// The run folder: reports/<name>/<timestamp>/ with its cell store
// (cells/<key>.cell and the cell's task, log and error files), the split
// files of the run (splits/, removed when the run completes), results.json
// and the reports. A lock file (.lock, held with flock for the life of the
// run, and naming the owner's pid and host) keeps two runs out of one folder.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "engine/cell.h"

namespace reclift::host::engine {

class RunFolder {
 public:
  // A new folder under `root` (timestamped), or exactly `dir` when given;
  // with `resume`, the existing folder `dir`. Takes the lock; throws Error
  // when another process holds it ("in use by pid N on host H").
  static RunFolder Create(const std::filesystem::path& root, const std::filesystem::path& dir = {});
  static RunFolder Resume(const std::filesystem::path& dir);
  RunFolder(RunFolder&& o) noexcept;
  RunFolder& operator=(RunFolder&&) = delete;
  RunFolder(const RunFolder&) = delete;
  ~RunFolder();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path cells() const { return dir_ / "cells"; }
  std::filesystem::path splits() const { return dir_ / "splits"; }

 private:
  explicit RunFolder(std::filesystem::path dir);
  std::filesystem::path dir_;
  int lock_fd_ = -1;
};

// The finished cells of a store, by key (failed cells are not reused).
struct StoredCell {
  std::filesystem::path file;
  nlohmann::json key_parts;
  bool ok = false;
};
std::map<std::string, StoredCell> ScanCellStore(const std::filesystem::path& cells_dir);

// This machine's host name, for results and lock files.
std::string HostName();

// reports/<name>/latest -> <timestamp>, replaced atomically.
void PointLatest(const std::filesystem::path& run_dir);

}  // namespace reclift::host::engine
