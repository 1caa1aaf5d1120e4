// Shared by the libFuzzer targets of tests/fuzz: a private scratch folder per
// process, files written into it, and the rule for what counts as handled.
//
// A target turns an input into files and calls a reader the way `reclift`
// does. reclift::host::Error is the reader's "clear error" (file:line:column
// and what was expected): accepted. Any other exception escapes to libFuzzer
// and counts as a finding, like a crash, a sanitizer report or a hang.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace reclift::fuzz {

// A folder under $TMPDIR (or /tmp) made once per process, removed at exit.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/reclift-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    std::atexit([] { std::filesystem::remove_all(ScratchDir()); });
    return std::filesystem::path(pattern);
  }();
  return dir;
}

inline std::filesystem::path WriteScratch(const std::string& name, std::string_view bytes) {
  const std::filesystem::path path = ScratchDir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Cuts `input` at the first occurrence of `separator`: the part before goes
// to `head`, the rest stays in `input` (all of it to head when absent).
inline std::string_view TakeUntil(std::string_view& input, std::string_view separator) {
  const size_t at = input.find(separator);
  if (at == std::string_view::npos) {
    std::string_view head = input;
    input = {};
    return head;
  }
  std::string_view head = input.substr(0, at);
  input.remove_prefix(at + separator.size());
  return head;
}

}  // namespace reclift::fuzz
