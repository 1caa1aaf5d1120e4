// The parallel reader gives the same dataset whatever the chunking and the
// number of threads: ids in first-appearance order, rows in file order, the
// earliest bad row reported.
#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using reclift::host::testing::CsvSpec;
using reclift::host::testing::WriteTemp;

namespace {
// ~20k rows with integer ids, text ids, quoted ids, blank lines, duplicates
// and (when asked) bad rows, in a fixed pseudo-random order.
std::string MixedCsv(bool with_bad_rows) {
  std::string s = "user,item,rating,timestamp\n";
  uint64_t x = 12345;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int line = 2; line < 20000; ++line) {
    const uint64_t r = next();
    if (r % 97 == 0) {
      s += "\n";
      continue;
    }
    if (with_bad_rows && r % 89 == 0) {
      s += "u1,i1,not-a-number,5\n";
      continue;
    }
    const uint64_t user = next() % 700, item = next() % 300;
    const std::string u = user % 5 == 0 ? "user-" + std::to_string(user) : std::to_string(user);
    const std::string i = item % 7 == 0 ? "\"it,em " + std::to_string(item) + "\"" : std::to_string(item);
    s += u + "," + i + "," + std::to_string(1 + next() % 5) + "," + std::to_string(next() % 100000) + "\n";
  }
  return s;
}

void CheckSame(const Dataset& a, const Dataset& b) {
  CHECK(a.user_ids == b.user_ids);
  CHECK(a.item_ids == b.item_ids);
  CHECK(a.users == b.users);
  CHECK(a.items == b.items);
  CHECK(a.values == b.values);
  CHECK(a.timestamps == b.timestamps);
  CHECK(a.fingerprint == b.fingerprint);
}
}  // namespace

TEST_CASE("results are identical for any chunk size and for 1 and 2 threads", "[data][parallel]") {
  const auto file = WriteTemp("mixed.csv", MixedCsv(false));
  DatasetSpec spec = CsvSpec(file);
  LoadReport reference_report;
  const Dataset reference = LoadDataset(spec, &reference_report);  // one 8 MiB chunk
  REQUIRE(reference.size() > 10000);
  REQUIRE(reference_report.duplicates_merged > 0);
  CHECK(reference.user_ids.size() == 700);
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    for (size_t chunk : {size_t{64}, size_t{997}, size_t{4096}}) {
      spec.parse_chunk_bytes = chunk;
      LoadReport report;
      const Dataset d = LoadDataset(spec, &report);
      CheckSame(reference, d);
      CHECK(report.rows_read == reference_report.rows_read);
      CHECK(report.duplicates_merged == reference_report.duplicates_merged);
    }
  }
}

TEST_CASE("the earliest bad row is reported whatever the chunking", "[data][parallel][errors]") {
  std::string text = MixedCsv(false);
  // make line 15000 bad first, then an earlier line 200: the error must name line 200
  auto line_start = [&](int line) {
    size_t pos = 0;
    for (int l = 1; l < line; ++l) pos = text.find('\n', pos) + 1;
    return pos;
  };
  text.insert(line_start(15000), "u,i,bad-late,1\n");
  text.insert(line_start(200), "u,i,bad-early,1\n");
  const auto file = WriteTemp("mixed_bad.csv", text);
  DatasetSpec spec = CsvSpec(file);
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    for (size_t chunk : {size_t{0}, size_t{512}}) {
      spec.parse_chunk_bytes = chunk;
      try {
        LoadDataset(spec);
        FAIL("no error");
      } catch (const Error& e) {
        CHECK(e.where().line == 200);
        CHECK(e.message() == "expected a number in column 'rating', found \"bad-early\"");
      }
    }
  }
}

TEST_CASE("skip mode counts and names the same bad rows whatever the chunking", "[data][parallel][skip]") {
  const auto file = WriteTemp("mixed_skip.csv", MixedCsv(true));
  DatasetSpec spec = CsvSpec(file);
  spec.on_bad_rows = "skip";
  LoadReport reference_report;
  const Dataset reference = LoadDataset(spec, &reference_report);
  REQUIRE(reference_report.bad_rows_skipped > 10);
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    spec.parse_chunk_bytes = 300;
    LoadReport report;
    CheckSame(reference, LoadDataset(spec, &report));
    CHECK(report.bad_rows_skipped == reference_report.bad_rows_skipped);
    CHECK(report.notes == reference_report.notes);
  }
}
