// The generic csv loader: column mapping, delimiters, quoting, timestamps,
// and every error a user can make, checked by its message.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using reclift::host::testing::CsvSpec;
using reclift::host::testing::Fixture;
using reclift::host::testing::WriteTemp;

namespace {
std::string ErrorText(const DatasetSpec& spec) {
  try {
    LoadDataset(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a csv file loads with dense ids in order of first appearance", "[data]") {
  LoadReport report;
  const Dataset d = LoadDataset(CsvSpec(Fixture("ratings.csv")), &report);
  // ratings.csv rows: u1,i1 u1,i2 u2,i2 u2,i3 u3,i1 u1,i3 u3,i5
  CHECK(d.user_ids == std::vector<std::string>{"u1", "u2", "u3"});
  CHECK(d.item_ids == std::vector<std::string>{"i1", "i2", "i3", "i5"});
  CHECK(d.users == std::vector<uint32_t>{0, 0, 1, 1, 2, 0, 2});
  CHECK(d.items == std::vector<uint32_t>{0, 1, 1, 2, 0, 2, 3});
  CHECK(d.values == std::vector<float>{5, 3, 4, 1, 2, 4, 3});
  CHECK(d.timestamps == std::vector<int64_t>{100, 200, 150, 300, 50, 400, 500});
  CHECK(d.explicit_feedback);
  CHECK(d.name == "ratings");
  CHECK(d.fingerprint.size() == 16);
  CHECK(d.fingerprint == FingerprintDataset(d));
  CHECK(report.rows_read == 7);
  CHECK(report.bad_rows_skipped == 0);
  CHECK(report.duplicates_merged == 0);
  REQUIRE_FALSE(report.notes.empty());
  CHECK_THAT(report.notes.front(), StartsWith("read 7 interactions of 3 users and 4 items"));
  // no features file: empty features, but category/tag rows exist for every item
  CHECK(d.item_features.view().empty());
  CHECK(d.item_features.categories.indptr.size() == 5);
}

TEST_CASE("columns are found by header name, exactly or ignoring case", "[data]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.user_column = "item";  // roles swapped: items become users
  spec.item_column = "USER";
  const Dataset d = LoadDataset(spec);
  CHECK(d.user_ids == std::vector<std::string>{"i1", "i2", "i3", "i5"});
  CHECK(d.item_ids == std::vector<std::string>{"u1", "u2", "u3"});
  CHECK(d.users == std::vector<uint32_t>{0, 1, 1, 2, 0, 2, 3});
}

TEST_CASE("without a header, columns are 0-based indices and integer ids keep their text", "[data]") {
  DatasetSpec spec;
  spec.interactions = Fixture("no_header.csv");
  spec.header = false;
  spec.user_column = "0";
  spec.item_column = "1";
  spec.value_column = "2";
  spec.timestamp_column = "3";
  const Dataset d = LoadDataset(spec);
  // rows: 10,20,4.5,1000  11,20,3,1001  10,21,2,1002
  CHECK(d.user_ids == std::vector<std::string>{"10", "11"});
  CHECK(d.item_ids == std::vector<std::string>{"20", "21"});
  CHECK(d.users == std::vector<uint32_t>{0, 1, 0});
  CHECK(d.items == std::vector<uint32_t>{0, 0, 1});
  CHECK(d.values == std::vector<float>{4.5f, 3.f, 2.f});
  CHECK(d.timestamps == std::vector<int64_t>{1000, 1001, 1002});
}

TEST_CASE("ids that look like numbers but are not canonical stay distinct", "[data]") {
  // "7", "07" and " 7" (trimmed to "7") : two distinct users, not one
  const auto file = WriteTemp("ids.csv", "user,item\n7,a\n07,a\n 7 ,b\n");
  DatasetSpec spec = CsvSpec(file, false);
  spec.value_column = "";
  const Dataset d = LoadDataset(spec);
  CHECK(d.user_ids == std::vector<std::string>{"7", "07"});
  CHECK(d.users == std::vector<uint32_t>{0, 1, 0});
}

TEST_CASE("no value column means implicit feedback with every value 1", "[data]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"), false);
  spec.value_column = "";
  const Dataset d = LoadDataset(spec);
  CHECK_FALSE(d.explicit_feedback);
  CHECK(d.values == std::vector<float>(7, 1.f));
  CHECK_FALSE(d.has_timestamps());
}

TEST_CASE("delimiter auto detects comma, semicolon, tab and pipe from the first line", "[data]") {
  const std::string file = GENERATE("ratings_semicolon.csv", "ratings_tab.tsv", "ratings_pipe.txt");
  DatasetSpec spec = CsvSpec(Fixture(file), false);
  spec.delimiter = "auto";
  const Dataset d = LoadDataset(spec);
  CHECK(d.user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(d.item_ids == std::vector<std::string>{"i1"});
  CHECK(d.values == std::vector<float>{5, 3});
}

TEST_CASE("a tab delimiter can be written as a tab, \\t or tab", "[data]") {
  const std::string delimiter = GENERATE("\t", "\\t", "tab");
  DatasetSpec spec = CsvSpec(Fixture("ratings_tab.tsv"), false);
  spec.delimiter = delimiter;
  CHECK(LoadDataset(spec).size() == 2);
}

TEST_CASE("quoted fields may hold the delimiter and doubled quotes", "[data]") {
  DatasetSpec spec = CsvSpec(Fixture("quoted.csv"), false);
  const Dataset d = LoadDataset(spec);
  CHECK(d.user_ids == std::vector<std::string>{"Smith, J.", "plain"});
  CHECK(d.item_ids == std::vector<std::string>{"The \"Best\" Course", "Other"});
  CHECK(d.values == std::vector<float>{5, 4});
}

TEST_CASE("CRLF line ends, a byte order mark, blank lines and a missing last newline are fine", "[data]") {
  const auto file =
      WriteTemp("crlf.csv", "\xEF\xBB\xBFuser,item,rating\r\nu1,i1,5\r\n\r\n  \r\nu2,i1,3\r\nu2,i2,1");
  const Dataset d = LoadDataset(CsvSpec(file, false));
  CHECK(d.user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(d.values == std::vector<float>{5, 3, 1});
}

TEST_CASE("blank fields around delimiters are trimmed", "[data]") {
  const auto file = WriteTemp("spaces.csv", "user, item, rating\nu1, i1, 4.5\n u2 ,i1 , 3\n");
  const Dataset d = LoadDataset(CsvSpec(file, false));
  CHECK(d.user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(d.values == std::vector<float>{4.5f, 3.f});
}

TEST_CASE("timestamps may be ISO 8601 dates, read as UTC seconds", "[data]") {
  DatasetSpec spec = CsvSpec(Fixture("timestamps_iso.csv"));
  spec.value_column = "";
  spec.timestamp_column = "when";
  const Dataset d = LoadDataset(spec);
  // 2024-01-01T00:00Z = 1704067200 (19723 days); + 31 (Jan) + 29 (Feb, leap) days
  // = 19783 days -> 2024-03-01 = 1709251200; 12:30 adds 45000 s; +02:00 is 2 h earlier in UTC
  CHECK(d.timestamps == std::vector<int64_t>{1709251200, 1709296200, 1709289000, 1709296200});
}

TEST_CASE("the positive threshold is copied from the spec when given", "[data]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  CHECK(LoadDataset(spec).positive_threshold == 0.0);
  spec.positive_threshold = 4.0;
  spec.has_positive_threshold = true;
  CHECK(LoadDataset(spec).positive_threshold == 4.0);
}

TEST_CASE("memory use counts the interaction arrays and the id strings", "[data]") {
  const Dataset d = LoadDataset(CsvSpec(Fixture("ratings.csv")));
  // 7 rows x (user 4 + item 4 + value 4 + timestamp 8) = 140 bytes of arrays,
  // plus 7 std::string objects for the ids (short ids live inside them)
  const size_t arrays = 7 * 20;
  const size_t ids = 7 * sizeof(std::string);
  CHECK(d.MemoryBytes() >= arrays + ids);
  CHECK(d.MemoryBytes() <= arrays + ids + 256);  // + empty feature rows, name, fingerprint
}

// ---------------------------------------------------------------- errors

TEST_CASE("an unknown format is an error listing the valid ones, with a suggestion", "[data][errors]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.format = "movielens-10m";
  spec.where["format"] = SourceLocation{"exp.toml", 3, 10};
  CHECK(
      ErrorText(spec) ==
      "exp.toml:3:10: dataset.format: unknown value 'movielens-10m' (did you mean 'movielens-1m'?); expected "
      "one of: csv, movielens-100k, movielens-1m, movielens-latest, synthetic");
}

TEST_CASE("unknown bad-row and duplicate policies are errors", "[data][errors]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.on_bad_rows = "ignore";
  CHECK_THAT(ErrorText(spec),
             Contains("dataset.on_bad_rows: unknown value 'ignore'; expected one of: error, skip"));
  spec.on_bad_rows = "skip";
  spec.duplicates = "lst";
  CHECK_THAT(ErrorText(spec), Contains("dataset.duplicates: unknown value 'lst' (did you mean 'last'?)"));
}

TEST_CASE("an empty file and a header without rows are clear errors", "[data][errors]") {
  CHECK_THAT(ErrorText(CsvSpec(Fixture("empty.csv"))),
             EndsWith("empty.csv: the file is empty: expected a header line and one interaction per line"));
  CHECK_THAT(
      ErrorText(CsvSpec(Fixture("header_only.csv"), false)),
      EndsWith("header_only.csv: the file has a header but no interactions: expected one interaction per "
               "line after \"user,item,rating\""));
}

TEST_CASE("a missing file names the path and the reason", "[data][errors]") {
  DatasetSpec spec = CsvSpec(Fixture("no-such-file.csv"));
  spec.where["interactions"] = SourceLocation{"exp.toml", 4, 16};
  CHECK_THAT(ErrorText(spec), StartsWith("exp.toml:4:16: cannot read '") &&
                                  EndsWith("no-such-file.csv': No such file or directory"));
}

TEST_CASE("a missing column lists the columns and suggests the closest", "[data][errors]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.user_column = "usr";
  // without a location for the key, the header line is blamed
  CHECK_THAT(
      ErrorText(spec),
      EndsWith("ratings.csv:1: column 'usr' not found in the header of " + Fixture("ratings.csv").string() +
               " (did you mean 'user'?); the columns are: user, item, rating, timestamp"));
  spec.where["user_column"] = SourceLocation{"exp.toml", 7, 15};
  CHECK_THAT(ErrorText(spec), StartsWith("exp.toml:7:15: column 'usr' not found"));
}

TEST_CASE("without a header, a column must be an index within the first line", "[data][errors]") {
  DatasetSpec spec;
  spec.interactions = Fixture("no_header.csv");
  spec.header = false;
  spec.user_column = "user";
  spec.item_column = "1";
  CHECK_THAT(ErrorText(spec), Contains("user_column = \"user\" is not a column index: with header = false, "
                                       "columns are given as 0-based indices such as \"0\""));
  spec.user_column = "0";
  spec.value_column = "4";
  CHECK_THAT(ErrorText(spec),
             EndsWith("no_header.csv:1: value_column = 4 is out of range: line 1 has 4 fields "
                      "(indices 0 to 3)"));
}

TEST_CASE("a non-numeric value stops loading at its line, quoting it", "[data][errors]") {
  CHECK_THAT(ErrorText(CsvSpec(Fixture("bad_number.csv"), false)),
             EndsWith("bad_number.csv:4: expected a number in column 'rating', found \"abc\""));
}

TEST_CASE("NaN and infinite values are rejected", "[data][errors]") {
  CHECK_THAT(ErrorText(CsvSpec(Fixture("bad_nan.csv"), false)),
             EndsWith("bad_nan.csv:3: expected a finite number in column 'rating', found \"nan\""));
}

TEST_CASE("a row with the wrong number of fields is rejected with its text", "[data][errors]") {
  CHECK_THAT(ErrorText(CsvSpec(Fixture("bad_fields.csv"))),
             EndsWith("bad_fields.csv:3: expected 4 fields (as in the header), found 3: \"u2,i2,4\""));
}

TEST_CASE("an unreadable timestamp is rejected", "[data][errors]") {
  CHECK_THAT(
      ErrorText(CsvSpec(Fixture("bad_timestamp.csv"))),
      EndsWith("bad_timestamp.csv:3: expected a timestamp (seconds since the epoch, or an ISO 8601 date) in "
               "column 'timestamp', found \"yesterday\""));
}

TEST_CASE("empty ids and unclosed quotes are bad rows", "[data][errors]") {
  const auto empty_id = WriteTemp("empty_id.csv", "user,item\nu1,i1\n,i2\n");
  DatasetSpec spec = CsvSpec(empty_id, false);
  spec.value_column = "";
  CHECK_THAT(ErrorText(spec), EndsWith("empty_id.csv:3: empty user id in column 'user'"));
  const auto unclosed = WriteTemp("unclosed.csv", "user,item\nu1,i1\nu2,\"i2\n");
  spec.interactions = unclosed;
  CHECK_THAT(
      ErrorText(spec),
      EndsWith(
          "unclosed.csv:3: a quoted field is not closed (missing '\"') (interaction files hold one row per "
          "line: a line break inside quotes is not supported) in \"u2,\\\"i2\""));
}

TEST_CASE("long bad text is cut to about 80 characters in messages", "[data][errors]") {
  const std::string long_value(200, 'x');
  const auto file = WriteTemp("long.csv", "user,item,rating\nu1,i1," + long_value + "\n");
  CHECK_THAT(ErrorText(CsvSpec(file, false)),
             EndsWith("long.csv:2: expected a number in column 'rating', found \"" + std::string(80, 'x') +
                      "...\""));
}

TEST_CASE("a first line without a known delimiter cannot be sniffed", "[data][errors]") {
  const auto file = WriteTemp("one_column.csv", "user\nu1\n");
  DatasetSpec spec = CsvSpec(file, false);
  spec.delimiter = "auto";
  CHECK_THAT(ErrorText(spec),
             EndsWith("one_column.csv:1: cannot detect the delimiter: the first line has none of "
                      "',' ';' '|' or a tab: \"user\"; set dataset.delimiter"));
}

TEST_CASE("skip mode drops bad rows, counts them and notes the first", "[data][skip]") {
  DatasetSpec spec = CsvSpec(Fixture("bad_number.csv"), false);
  spec.on_bad_rows = "skip";
  LoadReport report;
  const Dataset d = LoadDataset(spec, &report);
  CHECK(d.user_ids == std::vector<std::string>{"u1", "u2", "u4"});  // u3 was only on the bad row
  CHECK(d.values == std::vector<float>{5, 4, 2});
  CHECK(report.rows_read == 4);
  CHECK(report.bad_rows_skipped == 1);
  bool noted = false;
  for (const auto& n : report.notes) {
    noted = noted || (n.find("skipped 1 bad row of") != std::string::npos &&
                      n.find("bad_number.csv:4: expected a number in column 'rating'") != std::string::npos);
  }
  CHECK(noted);

  spec.interactions = Fixture("bad_nan.csv");
  CHECK(LoadDataset(spec, &report).size() == 1);
  CHECK(report.bad_rows_skipped == 2);
}

TEST_CASE("skip mode still fails when no row is good", "[data][skip][errors]") {
  const auto file = WriteTemp("all_bad.csv", "user,item,rating\nu1,i1,x\nu2,i2,y\n");
  DatasetSpec spec = CsvSpec(file, false);
  spec.on_bad_rows = "skip";
  CHECK_THAT(ErrorText(spec),
             EndsWith("all_bad.csv: no interactions left: all 2 rows are bad; the first: " + file.string() +
                      ":2: expected a number in column 'rating', found \"x\""));
}
