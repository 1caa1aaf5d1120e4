// The item-features reader: the input is the features file, read against a
// few interned items, with and without skipping bad rows.
#include <cstdint>
#include <string_view>

#include "data/id_interner.h"
#include "data/item_features.h"
#include "fuzz_util.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool skip_bad_rows = (data[0] & 1) != 0;
  std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto path = reclift::fuzz::WriteScratch("items.csv", content);
  reclift::host::IdInterner items(true);
  for (const char* id : {"1", "2", "c1", "42"}) items.Intern(id);
  reclift::host::ItemFeatureBuilder features;
  try {
    reclift::host::ReadItemFeaturesFile(path, reclift::host::SourceLocation{}, "item", skip_bad_rows, items,
                                        features);
  } catch (const reclift::host::Error&) {
  }
  return 0;
}
