// Host-side errors. Inside the host, errors are exceptions caught at the top
// of the command-line program and printed as one line; at the plugin
// boundary they are Status values (see reclift/status.h).
#pragma once

#include <stdexcept>
#include <string>

namespace reclift::host {

// Where something was written: a file and, when known, line and column
// (1-based). Renders as "file:line:column", "file:line" or "file".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return !file.empty(); }
  std::string ToString() const {
    std::string s = file;
    if (line > 0) s.append(1, ':').append(std::to_string(line));
    if (line > 0 && column > 0) s.append(1, ':').append(std::to_string(column));
    return s;
  }
};

// A user-facing error: the message says what was expected and what was
// found; the location says where. what() is "file:line:column: message".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message), message_(message) {}
  Error(const SourceLocation& where, const std::string& message)
      : std::runtime_error(where.known() ? where.ToString() + ": " + message : message),
        where_(where),
        message_(message) {}

  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

}  // namespace reclift::host
