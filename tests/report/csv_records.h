// Reads CSV text as RFC 4180 defines it (quoted fields may hold commas,
// doubled quotes and line breaks), so tests can check what a CSV reader
// would see rather than how the text happens to look.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace reclift::testing {

// The records of `text`, each a list of unquoted fields. Throws
// std::runtime_error on a quote inside an unquoted field, text after a
// closing quote, or an unterminated quoted field.
inline std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  bool record_open = false;
  while (i < text.size()) {
    record_open = true;
    if (text[i] == '"') {
      if (!field.empty()) throw std::runtime_error("quote inside an unquoted field");
      ++i;
      for (;;) {
        if (i >= text.size()) throw std::runtime_error("unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        throw std::runtime_error("text after a closing quote");
      continue;
    }
    if (text[i] == ',') {
      record.push_back(std::move(field));
      field.clear();
      ++i;
      continue;
    }
    if (text[i] == '\r' || text[i] == '\n') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      record_open = false;
      continue;
    }
    field += text[i++];
  }
  if (record_open) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace reclift::testing
