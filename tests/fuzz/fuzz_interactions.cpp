// A csv dataset loaded end to end as `reclift run` loads it (reader, id
// interning, duplicate policy, CSR/CSC, fingerprint), with every option: the
// first input byte picks the delimiter, header, bad-row and duplicate
// policies, column mapping and chunk size; the rest is the file (BOM, CRLF,
// quotes with delimiters and newlines, huge ids, no final newline...).
#include <cstdint>
#include <string_view>

#include "data/dataset.h"
#include "fuzz_util.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = data[0];
  std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const kDelimiters[] = {",", "auto", "\t", "::", ";", "|", " ", "\""};
  static const char* const kDuplicates[] = {"last", "first", "sum", "max"};
  reclift::host::DatasetSpec spec;
  spec.format = "csv";
  spec.interactions = reclift::fuzz::WriteScratch("interactions.csv", content);
  spec.delimiter = kDelimiters[options & 7];
  spec.header = (options & 8) == 0;
  spec.on_bad_rows = (options & 16) != 0 ? "skip" : "error";
  spec.duplicates = kDuplicates[(options >> 5) & 3];
  const bool with_values = (options & 128) == 0;
  if (spec.header) {
    spec.value_column = with_values ? "rating" : "";
    spec.timestamp_column = with_values ? "timestamp" : "";
  } else {
    spec.user_column = "0";
    spec.item_column = "1";
    spec.value_column = with_values ? "2" : "";
    spec.timestamp_column = with_values ? "3" : "";
  }
  // tiny chunks now and then, so that chunk boundaries fall inside rows
  spec.parse_chunk_bytes = (options & 3) == 1 ? 5 : 0;
  try {
    const reclift::host::Dataset d = reclift::host::LoadDataset(spec);
    if (d.users.size() != d.items.size() || d.users.size() != d.values.size()) __builtin_trap();
  } catch (const reclift::host::Error&) {
  }
  return 0;
}
