// Helpers for the data and split tests: fixture paths and throwaway files.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "data/dataset.h"

namespace reclift::host::testing {

inline std::filesystem::path Fixture(std::string_view name) {
  return std::filesystem::path(RECLIFT_TEST_DATA_DIR) / std::string(name);
}

// A file under a per-process temporary folder, written in binary (what you
// give is what the loader sees: CRLF, BOM and all).
inline std::filesystem::path WriteTemp(std::string_view name, std::string_view content) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("reclift-data-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / std::string(name);
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return path;
}

// The spec of a csv file with the usual column names of the fixtures.
inline DatasetSpec CsvSpec(const std::filesystem::path& file, bool with_timestamp = true) {
  DatasetSpec spec;
  spec.format = "csv";
  spec.interactions = file;
  spec.user_column = "user";
  spec.item_column = "item";
  spec.value_column = "rating";
  spec.timestamp_column = with_timestamp ? "timestamp" : "";
  return spec;
}

}  // namespace reclift::host::testing
