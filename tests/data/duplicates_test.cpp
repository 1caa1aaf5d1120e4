// Duplicate (user, item) policies on datasets/fixtures/duplicates.csv:
//   line 2: a,x,1,10   line 3: a,y,2,20   line 4: a,x,3,5
//   line 5: b,x,4,30   line 6: a,x,5,10   line 7: b,x,2,30
// users a=0 b=1, items x=0 y=1. Pair (a,x) occurs on lines 2, 4, 6; (b,x) on 5, 7.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using Catch::Matchers::EndsWith;
using reclift::host::testing::CsvSpec;
using reclift::host::testing::Fixture;
using reclift::host::testing::WriteTemp;

namespace {
Dataset LoadWith(const std::string& policy, LoadReport* report = nullptr) {
  DatasetSpec spec = CsvSpec(Fixture("duplicates.csv"));
  spec.duplicates = policy;
  return LoadDataset(spec, report);
}
}  // namespace

TEST_CASE("duplicates = last keeps the latest timestamp, later line on ties", "[data][duplicates]") {
  LoadReport report;
  const Dataset d = LoadWith("last", &report);
  // (a,x): timestamps 10, 5, 10 -> latest is 10, tie between lines 2 and 6 -> line 6 (value 5)
  // (b,x): 30 and 30 -> tie -> line 7 (value 2). Remaining in file order: lines 3, 6, 7.
  CHECK(d.users == std::vector<uint32_t>{0, 0, 1});
  CHECK(d.items == std::vector<uint32_t>{1, 0, 0});
  CHECK(d.values == std::vector<float>{2, 5, 2});
  CHECK(d.timestamps == std::vector<int64_t>{20, 10, 30});
  CHECK(report.duplicates_merged == 3);
  CHECK(report.rows_read == 6);
}

TEST_CASE("duplicates = first keeps the earliest timestamp, earlier line on ties", "[data][duplicates]") {
  const Dataset d = LoadWith("first");
  // (a,x): earliest is 5 on line 4 (value 3); (b,x): tie at 30 -> line 5 (value 4).
  // Remaining in file order: lines 3, 4, 5.
  CHECK(d.users == std::vector<uint32_t>{0, 0, 1});
  CHECK(d.items == std::vector<uint32_t>{1, 0, 0});
  CHECK(d.values == std::vector<float>{2, 3, 4});
  CHECK(d.timestamps == std::vector<int64_t>{20, 5, 30});
}

TEST_CASE("duplicates = sum adds the values where last would keep the row", "[data][duplicates]") {
  const Dataset d = LoadWith("sum");
  // (a,x): 1 + 3 + 5 = 9 at line 6 (timestamp 10); (b,x): 4 + 2 = 6 at line 7
  CHECK(d.values == std::vector<float>{2, 9, 6});
  CHECK(d.timestamps == std::vector<int64_t>{20, 10, 30});
}

TEST_CASE("duplicates = max keeps the largest value where last would keep the row", "[data][duplicates]") {
  const Dataset d = LoadWith("max");
  // (a,x): max(1, 3, 5) = 5; (b,x): max(4, 2) = 4
  CHECK(d.values == std::vector<float>{2, 5, 4});
  CHECK(d.timestamps == std::vector<int64_t>{20, 10, 30});
}

TEST_CASE("duplicates = error names the first repeated pair and both lines", "[data][duplicates][errors]") {
  try {
    LoadWith("error");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(
        std::string(e.what()),
        EndsWith("duplicates.csv:4: duplicate interaction: user 'a' and item 'x' already appear on line 2 "
                 "(dataset.duplicates = \"error\"; \"last\", \"first\", \"sum\" or \"max\" merge them)"));
  }
}

TEST_CASE("without timestamps, last and first follow file order", "[data][duplicates]") {
  DatasetSpec spec = CsvSpec(Fixture("duplicates.csv"), false);
  spec.duplicates = "last";
  // (a,x) on lines 2, 4, 6 -> line 6 (value 5); (b,x) on 5, 7 -> line 7 (value 2)
  CHECK(LoadDataset(spec).values == std::vector<float>{2, 5, 2});
  spec.duplicates = "first";
  // -> line 2 (value 1) and line 5 (value 4); order: lines 2, 3, 5
  const Dataset d = LoadDataset(spec);
  CHECK(d.values == std::vector<float>{1, 2, 4});
  CHECK(d.items == std::vector<uint32_t>{0, 1, 0});
}

TEST_CASE("the duplicate error line is right after blank lines and skipped rows",
          "[data][duplicates][errors]") {
  // line 1 header, 2 row, 3 blank, 4 bad (skipped), 5 row, 6 duplicate of line 2
  const auto file = WriteTemp("dup_lines.csv", "user,item,rating\nu,i,1\n\nu,j,x\nv,i,2\nu,i,3\n");
  DatasetSpec spec = CsvSpec(file, false);
  spec.on_bad_rows = "skip";
  spec.duplicates = "error";
  try {
    LoadDataset(spec);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.where().line == 6);
    CHECK_THAT(e.message(),
               Catch::Matchers::StartsWith("duplicate interaction: user 'u' and item 'i' already "
                                           "appear on line 2"));
  }
}

TEST_CASE("a file grouped by user merges duplicates the same way", "[data][duplicates]") {
  // users come in blocks (dense ids never decrease): the merge takes a shortcut
  // line 2: u,a,1,10  line 3: u,b,2,20  line 4: u,a,4,30  line 5: v,a,8,1  line 6: v,a,16,1
  const auto file = WriteTemp("dup_grouped.csv",
                              "user,item,rating,timestamp\nu,a,1,10\nu,b,2,20\nu,a,4,30\n"
                              "v,a,8,1\nv,a,16,1\n");
  DatasetSpec spec = CsvSpec(file);
  spec.duplicates = "last";
  // (u,a): latest is line 4; (v,a): tie at 1 -> line 6. Left: lines 3, 4, 6
  Dataset d = LoadDataset(spec);
  CHECK(d.values == std::vector<float>{2, 4, 16});
  CHECK(d.users == std::vector<uint32_t>{0, 0, 1});
  spec.duplicates = "sum";
  // (u,a): 1 + 4 = 5 at line 4; (v,a): 8 + 16 = 24 at line 6
  CHECK(LoadDataset(spec).values == std::vector<float>{2, 5, 24});
  spec.duplicates = "error";
  CHECK_THROWS_WITH(LoadDataset(spec),
                    EndsWith("dup_grouped.csv:4: duplicate interaction: user 'u' and item 'a' "
                             "already appear on line 2 (dataset.duplicates = \"error\"; \"last\", "
                             "\"first\", \"sum\" or \"max\" merge them)"));
}
