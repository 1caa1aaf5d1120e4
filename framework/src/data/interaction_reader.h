// The parallel reader behind every interaction file: delimited text, one
// interaction per line, parsed in chunks by oneTBB with results independent
// of the number of threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/id_interner.h"
#include "data/line_map.h"
#include "util/error.h"

namespace reclift::host {

struct InteractionFileFormat {
  std::filesystem::path path;
  SourceLocation where;         // where the file was named; for "cannot read" errors
  std::string delimiter = ",";  // any one character, "::" (MovieLens 1M), or "auto"
  bool header = true;           // first line names the columns
  bool quoting = true;          // fields may be "quoted"
  std::string user_column;      // a header name, or a 0-based index without header
  std::string item_column;
  std::string value_column;      // empty: implicit feedback, every value 1
  std::string timestamp_column;  // empty: no timestamps
  // where each *_column key was written, for "column not found" errors
  std::map<std::string, SourceLocation> column_where;
  bool skip_bad_rows = false;
  size_t chunk_bytes = 0;  // 0: 8 MiB
};

// Interactions in file order, with dense ids by first appearance.
struct InteractionColumns {
  std::string file;  // the path as given, used in messages
  std::vector<uint32_t> users;
  std::vector<uint32_t> items;
  std::vector<float> values;        // 1 when there is no value column
  std::vector<int64_t> timestamps;  // empty when there is no timestamp column
  IdInterner user_ids{true};
  IdInterner item_ids{true};
  LineMap lines;         // row -> line
  size_t rows_read = 0;  // data rows seen, bad ones included
  size_t bad_rows_skipped = 0;
  std::vector<std::string> bad_row_examples;  // the first few, "file:line: problem"
  std::string delimiter;                      // as used (after sniffing)
};

// Reads the file. Throws Error with "file:line: problem" for the first bad
// row unless format.skip_bad_rows; always for an empty file, a missing
// column, or a file without a single good row.
InteractionColumns ReadInteractions(const InteractionFileFormat& format);

// "," ";" "\t" or "|": the most frequent of these outside quotes in `line`
// (ties in that order), or "" when none occurs.
std::string SniffDelimiter(std::string_view line);

// Accepts "\t", "\\t" and "tab" for a tab; any other single character as is.
// Returns "" for anything else (the caller reports the error).
std::string NormaliseDelimiter(std::string_view d);

}  // namespace reclift::host
