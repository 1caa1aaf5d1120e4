// A read-only memory map of a whole file, for the loaders' parallel parsers.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/error.h"

namespace reclift::host {

class MappedFile {
 public:
  // Maps `path`; throws Error at `where` (or at the file) when it cannot be
  // opened. An empty file maps to an empty view.
  MappedFile(const std::filesystem::path& path, const SourceLocation& where);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view text() const { return {data_, size_}; }

  // Gives the pages of [begin, end) back to the kernel once they have been
  // parsed, so a big file never sits in our resident set all at once. The
  // mapping stays valid: a later read simply faults the page in again.
  void ReleasePages(const char* begin, const char* end) const;

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace reclift::host
