// The item-features file, on datasets/fixtures/ratings.csv + items.csv.
// Interactions give items i1=0 i2=1 i3=2 i5=3; items.csv lists i1, i2, i3 and
// the cold item i9 (no interactions) -> id 4; i5 is missing from items.csv.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using reclift::host::testing::CsvSpec;
using reclift::host::testing::Fixture;
using reclift::host::testing::WriteTemp;

namespace {
std::vector<uint32_t> Row(const reclift::OwnedSparse& m, uint32_t r) {
  return {m.indices.begin() + static_cast<ptrdiff_t>(m.indptr[r]),
          m.indices.begin() + static_cast<ptrdiff_t>(m.indptr[r + 1])};
}
}  // namespace

TEST_CASE("a features file adds categories, tags, numeric and text features", "[data][features]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.items = Fixture("items.csv");
  LoadReport report;
  const Dataset d = LoadDataset(spec, &report);
  REQUIRE(d.item_ids == std::vector<std::string>{"i1", "i2", "i3", "i5", "i9"});
  const auto& f = d.item_features;

  // category names in order of first use: programming, beginner, data, math
  CHECK(f.category_names == std::vector<std::string>{"programming", "beginner", "data", "math"});
  CHECK(Row(f.categories, 0) == std::vector<uint32_t>{0, 1});
  CHECK(Row(f.categories, 1) == std::vector<uint32_t>{2});
  CHECK(Row(f.categories, 2) == std::vector<uint32_t>{2, 3});
  CHECK(Row(f.categories, 3).empty());  // i5 is not in items.csv
  CHECK(Row(f.categories, 4) == std::vector<uint32_t>{3});
  CHECK(f.categories.values == std::vector<float>(6, 1.f));

  CHECK(f.tag_names == std::vector<std::string>{"video", "long", "quiz"});
  CHECK(Row(f.tags, 0) == std::vector<uint32_t>{0, 1});
  CHECK(Row(f.tags, 1).empty());
  CHECK(Row(f.tags, 2) == std::vector<uint32_t>{2});

  // price is numeric (NaN where empty or unknown); note is text
  REQUIRE(f.numeric_names == std::vector<std::string>{"price"});
  REQUIRE(f.numeric.size() == 5);
  CHECK(f.numeric[0] == 19.5f);
  CHECK(std::isnan(f.numeric[1]));
  CHECK(f.numeric[2] == 7.f);
  CHECK(std::isnan(f.numeric[3]));
  CHECK(f.numeric[4] == 3.f);
  // text columns joined in column order: title, then note
  CHECK(f.text ==
        std::vector<std::string>{"Intro to C++ great", "Data, Science", "Stats", "", "Cold item new"});

  bool noted = false;
  for (const auto& n : report.notes) {
    noted = noted ||
            n.find(
                "4 items (id column 'item'), 1 item without interactions added; categories from "
                "'categories'; tags from 'tags'; numeric: price; text: title, note") != std::string::npos;
  }
  CHECK(noted);
}

TEST_CASE("the features id column falls back to item_id, then the first column", "[data][features]") {
  const auto by_name = WriteTemp("items_item_id.csv", "title,item_id\nIntro,i1\n");
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.items = by_name;
  CHECK(LoadDataset(spec).item_features.text[0] == "Intro");
  const auto first = WriteTemp("items_first.csv", "sku,title\ni2,Data\n");
  spec.items = first;
  CHECK(LoadDataset(spec).item_features.text[1] == "Data");
}

TEST_CASE("an item listed twice in the features file is an error with both lines",
          "[data][features][errors]") {
  const auto file = WriteTemp("items_twice.csv", "item,title\ni1,A\ni2,B\ni1,C\n");
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.items = file;
  CHECK_THROWS_WITH(
      LoadDataset(spec),
      EndsWith("items_twice.csv:4: item 'i1' appears twice in the items file (first on line 2)"));
  spec.on_bad_rows = "skip";
  LoadReport report;
  CHECK(LoadDataset(spec, &report).item_features.text[0] == "A");
}

TEST_CASE("a features file with a short row or no rows is an error", "[data][features][errors]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.items = WriteTemp("items_short.csv", "item,title,price\ni1,A,3\ni2,B\n");
  CHECK_THROWS_WITH(LoadDataset(spec),
                    EndsWith("items_short.csv:3: expected 3 fields (as in the header), found 2: \"i2,B\""));
  spec.items = WriteTemp("items_empty.csv", "item,title\n");
  CHECK_THROWS_WITH(LoadDataset(spec),
                    EndsWith("items_empty.csv:1: the items file has a header but no items: "
                             "expected one item per line after it"));
  spec.items = Fixture("no-such-items.csv");
  CHECK_THROWS_WITH(LoadDataset(spec),
                    Contains("cannot read '") && Contains("no-such-items.csv': no such file"));
}

TEST_CASE("quoted feature values may span lines", "[data][features]") {
  DatasetSpec spec = CsvSpec(Fixture("ratings.csv"));
  spec.items =
      WriteTemp("items_multiline.csv", "item,description\ni1,\"first line\nsecond line\"\ni2,plain\n");
  const Dataset d = LoadDataset(spec);
  CHECK(d.item_features.text[0] == "first line\nsecond line");
  CHECK(d.item_features.text[1] == "plain");
}
