// Files as people really produce them, end to end through LoadDataset: ids
// beyond 2^32 (and beyond 2^64) written as strings, quoted fields holding
// delimiters across parsing chunks, a line break inside quotes, a 0-byte file.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using reclift::host::testing::CsvSpec;
using reclift::host::testing::WriteTemp;

TEST_CASE("ids beyond 2^32 and 2^64 keep their exact text and stay distinct", "[data]") {
  // 4294967296 = 2^32 and 4294967297 would collide in a 32-bit id;
  // 18446744073709551616 = 2^64 overflows a 64-bit one and is kept as text.
  const auto file = WriteTemp("big_ids.csv",
                              "user,item,rating\n"
                              "4294967296,18446744073709551615,5\n"
                              "4294967297,18446744073709551616,4\n"
                              "4294967296,18446744073709551616,3\n");
  const Dataset d = LoadDataset(CsvSpec(file, false));
  CHECK(d.user_ids == std::vector<std::string>{"4294967296", "4294967297"});
  CHECK(d.item_ids == std::vector<std::string>{"18446744073709551615", "18446744073709551616"});
  CHECK(d.users == std::vector<uint32_t>{0, 1, 0});
  CHECK(d.items == std::vector<uint32_t>{0, 1, 1});
}

TEST_CASE(
    "quoted fields hold delimiters across chunk boundaries; a line break inside quotes is a clear error",
    "[data]") {
  // Chunks of 8 bytes cut every row, most of them inside the quotes.
  const auto file = WriteTemp("quoted.csv",
                              "user,item,rating\n"
                              "\"a,1\",\"x,,y\",5\n"
                              "\"b\"\"q\",\"x;y\",4\n"
                              "\"a,1\",\"x;y\",3");
  DatasetSpec spec = CsvSpec(file, false);
  for (size_t chunk : {size_t{0}, size_t{8}}) {
    INFO("chunk bytes " << chunk);
    spec.parse_chunk_bytes = chunk;
    const Dataset d = LoadDataset(spec);
    CHECK(d.user_ids == std::vector<std::string>{"a,1", "b\"q"});
    CHECK(d.item_ids == std::vector<std::string>{"x,,y", "x;y"});
    CHECK(d.values == std::vector<float>{5, 4, 3});
  }
  // The reader takes one row per line (and so can cut the file anywhere
  // for its threads): a field spanning lines is refused where it starts.
  const auto broken = WriteTemp("newline_in_quotes.csv", "user,item,rating\nu1,\"line\nbreak\",5\n");
  CHECK_THROWS_WITH(LoadDataset(CsvSpec(broken, false)),
                    Catch::Matchers::Contains("newline_in_quotes.csv:2: a quoted field is not closed") &&
                        Catch::Matchers::Contains("a line break inside quotes is not supported"));
}

TEST_CASE("a 0-byte file is a clear error naming the file", "[data][errors]") {
  const auto file = WriteTemp("zero.csv", "");
  CHECK_THROWS_WITH(LoadDataset(CsvSpec(file, false)), Catch::Matchers::Contains("zero.csv"));
}
