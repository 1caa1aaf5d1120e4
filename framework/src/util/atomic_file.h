// Writing outputs so that nothing is ever half-written: the content goes to
// a temporary file in the same directory, is flushed, then renamed over the
// destination (rename is atomic on POSIX file systems).
#pragma once

#include <filesystem>
#include <string_view>

namespace reclift::host {

// Writes `content` to `path` atomically; creates parent directories.
// Throws reclift::host::Error naming the path on failure; the destination
// is then untouched. `sync` flushes the content to the disk before the
// rename (outputs that must survive a machine crash); without it the file
// is still never seen half-written, and survives the writer being killed.
void WriteFileAtomic(const std::filesystem::path& path, std::string_view content, bool sync = true);

}  // namespace reclift::host
