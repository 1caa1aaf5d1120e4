// Dataset fingerprints: stable across runs and places, sensitive to content.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <string>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using reclift::host::testing::CsvSpec;
using reclift::host::testing::Fixture;
using reclift::host::testing::WriteTemp;

TEST_CASE("the fingerprint of a fixture is pinned, so accidental changes show", "[data][fingerprint]") {
  // Pinned from a run of this version. If the hash or what it covers changes
  // on purpose, bump kFingerprintVersion in dataset.cpp and update this value.
  const Dataset d = LoadDataset(CsvSpec(Fixture("ratings.csv")));
  CHECK(std::regex_match(d.fingerprint, std::regex("[0-9a-f]{16}")));
  // version 2 (XXH3); version 1 (the hand-written hash) gave 476a26453d34f4ba
  CHECK(d.fingerprint == "f1c5be8a3d04be66");
}

TEST_CASE("the fingerprint depends on the content, not on the file's name or place", "[data][fingerprint]") {
  const Dataset original = LoadDataset(CsvSpec(Fixture("ratings.csv")));
  const auto copy =
      WriteTemp("elsewhere.csv",
                "user,item,rating,timestamp\nu1,i1,5,100\nu1,i2,3,200\nu2,i2,4,150\nu2,i3,1,300\n"
                "u3,i1,2,50\nu1,i3,4,400\nu3,i5,3,500\n");
  CHECK(LoadDataset(CsvSpec(copy)).fingerprint == original.fingerprint);

  const auto one_value =
      WriteTemp("one_value.csv",
                "user,item,rating,timestamp\nu1,i1,5,100\nu1,i2,3,200\nu2,i2,4,150\nu2,i3,1,300\n"
                "u3,i1,2,50\nu1,i3,4,400\nu3,i5,2.5,500\n");
  CHECK(LoadDataset(CsvSpec(one_value)).fingerprint != original.fingerprint);

  DatasetSpec no_timestamps = CsvSpec(Fixture("ratings.csv"), false);
  CHECK(LoadDataset(no_timestamps).fingerprint != original.fingerprint);

  DatasetSpec with_features = CsvSpec(Fixture("ratings.csv"));
  with_features.items = Fixture("items.csv");
  CHECK(LoadDataset(with_features).fingerprint != original.fingerprint);
}

TEST_CASE("a synthetic dataset loads through LoadDataset with its fingerprint", "[data][fingerprint]") {
  DatasetSpec spec;
  spec.format = "synthetic";
  spec.synthetic_preset = "tiny";
  spec.synthetic_seed = 3;
  LoadReport report;
  const Dataset a = LoadDataset(spec, &report);
  CHECK(a.size() > 0);
  CHECK(a.fingerprint == FingerprintDataset(a));
  CHECK(report.rows_read == a.size());
  CHECK(LoadDataset(spec).fingerprint == a.fingerprint);
  spec.synthetic_seed = 4;
  CHECK(LoadDataset(spec).fingerprint != a.fingerprint);
}
