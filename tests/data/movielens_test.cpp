// The three MovieLens layouts, on tiny look-alikes in datasets/fixtures/ml-*.
#include "data/movielens.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data_test_util.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using reclift::host::testing::Fixture;

namespace {
DatasetSpec MovieLensSpec(const std::string& format, const std::string& dir) {
  DatasetSpec spec;
  spec.format = format;
  spec.interactions = Fixture(dir);
  return spec;
}

std::vector<std::string> CategoryNamesOf(const Dataset& d, uint32_t item) {
  const auto& c = d.item_features.categories;
  std::vector<std::string> out;
  for (uint64_t p = c.indptr[item]; p < c.indptr[item + 1]; ++p) {
    out.push_back(d.item_features.category_names[c.indices[p]]);
  }
  return out;
}
}  // namespace

TEST_CASE("movielens-100k reads u.data and turns u.item genres and titles into features",
          "[data][movielens]") {
  const Dataset d = LoadDataset(MovieLensSpec("movielens-100k", "ml-100k"));
  // u.data: 1 10 4 | 1 20 3 | 2 10 5 | 3 30 1 | 2 20 2 ; u.item adds movie 40 (no ratings)
  CHECK(d.user_ids == std::vector<std::string>{"1", "2", "3"});
  CHECK(d.item_ids == std::vector<std::string>{"10", "20", "30", "40"});
  CHECK(d.users == std::vector<uint32_t>{0, 0, 1, 2, 1});
  CHECK(d.items == std::vector<uint32_t>{0, 1, 0, 2, 1});
  CHECK(d.values == std::vector<float>{4, 3, 5, 1, 2});
  CHECK(d.timestamps == std::vector<int64_t>{881250949, 881250950, 881250951, 881250952, 881250953});
  CHECK(d.explicit_feedback);
  CHECK(d.name == "ml-100k");
  // flags 3, 4, 5 of Toy Story: Animation, Children's, Comedy (names from u.genre)
  CHECK(CategoryNamesOf(d, 0) == std::vector<std::string>{"Animation", "Children's", "Comedy"});
  CHECK(CategoryNamesOf(d, 1) == std::vector<std::string>{"Drama"});
  CHECK(CategoryNamesOf(d, 2) == std::vector<std::string>{"unknown"});
  CHECK(CategoryNamesOf(d, 3) == std::vector<std::string>{"Action"});
  // u.item is Latin-1: 0xE9 becomes UTF-8 "é" (0xC3 0xA9)
  CHECK(d.item_features.text == std::vector<std::string>{"Toy Story (1995)", "Les Mis\xC3\xA9rables (1995)",
                                                         "Unknown Movie", "Cold Movie (1998)"});
  REQUIRE(d.item_features.numeric_names == std::vector<std::string>{"year"});
  CHECK(d.item_features.numeric[0] == 1995.f);
  CHECK(d.item_features.numeric[1] == 1995.f);
  CHECK(std::isnan(d.item_features.numeric[2]));
  CHECK(d.item_features.numeric[3] == 1998.f);
}

TEST_CASE("movielens-100k uses the standard genre names when u.genre is missing", "[data][movielens]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("reclift-ml100k-no-genre-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(Fixture("ml-100k/u.data"), dir / "u.data", fs::copy_options::overwrite_existing);
  fs::copy_file(Fixture("ml-100k/u.item"), dir / "u.item", fs::copy_options::overwrite_existing);
  DatasetSpec spec;
  spec.format = "movielens-100k";
  spec.interactions = dir;
  const Dataset d = LoadDataset(spec);
  CHECK(CategoryNamesOf(d, 0) == std::vector<std::string>{"Animation", "Children's", "Comedy"});
  fs::remove_all(dir);
}

TEST_CASE("movielens-1m reads ratings.dat and Latin-1 movies.dat", "[data][movielens]") {
  const Dataset d = LoadDataset(MovieLensSpec("movielens-1m", "ml-1m"));
  // ratings: 1::1193::5 | 1::661::3 | 2::1193::4 ; movies.dat adds 2000
  CHECK(d.user_ids == std::vector<std::string>{"1", "2"});
  CHECK(d.item_ids == std::vector<std::string>{"1193", "661", "2000"});
  CHECK(d.values == std::vector<float>{5, 3, 4});
  CHECK(d.timestamps == std::vector<int64_t>{978300760, 978302109, 978298413});
  CHECK(CategoryNamesOf(d, 1) == std::vector<std::string>{"Animation", "Children's", "Musical"});
  CHECK(CategoryNamesOf(d, 2) == std::vector<std::string>{"Comedy", "Romance"});
  // a title with ':' inside, and Latin-1 0xE9
  CHECK(d.item_features.text[2] == "Caf\xC3\xA9 Society: A Story (2016)");
  CHECK(d.item_features.numeric[2] == 2016.f);
}

TEST_CASE("movielens-latest reads the csv files, quoted titles and user tags", "[data][movielens]") {
  LoadReport report;
  const Dataset d = LoadDataset(MovieLensSpec("movielens-latest", "ml-latest"), &report);
  CHECK(d.user_ids == std::vector<std::string>{"1", "2"});
  CHECK(d.item_ids == std::vector<std::string>{"1", "3", "5"});
  CHECK(d.values == std::vector<float>{4.0f, 4.0f, 3.5f});
  CHECK(d.item_features.text[1] == "Grumpier Old Men, The (1995)");
  CHECK(CategoryNamesOf(d, 1) == std::vector<std::string>{"Comedy", "Romance"});
  CHECK(CategoryNamesOf(d, 2).empty());  // (no genres listed)
  // tags.csv: "pixar" twice on movie 1, "funny, old" once on movie 3, one tag on unknown movie 999
  const auto& tags = d.item_features.tags;
  CHECK(d.item_features.tag_names == std::vector<std::string>{"pixar", "funny, old"});
  CHECK(tags.indptr == std::vector<uint64_t>{0, 1, 2, 2});
  CHECK(tags.indices == std::vector<uint32_t>{0, 1});
  CHECK(tags.values == std::vector<float>{2.f, 1.f});
  bool noted = false;
  for (const auto& n : report.notes)
    noted = noted || n.find("1 on unknown movies ignored") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("a MovieLens format pointed at a wrong place says what it expects", "[data][movielens][errors]") {
  DatasetSpec spec = MovieLensSpec("movielens-1m", "ml-100k");
  spec.where["interactions"] = SourceLocation{"exp.toml", 5, 16};
  CHECK_THROWS_WITH(LoadDataset(spec),
                    StartsWith("exp.toml:5:16: no ratings.dat in '") &&
                        Contains("format = \"movielens-1m\" expects ratings.dat and movies.dat"));
  spec = MovieLensSpec("movielens-100k", "ratings.csv");
  CHECK_THROWS_WITH(LoadDataset(spec),
                    Contains("format = \"movielens-100k\" reads a MovieLens directory (u.data "
                             "and u.item), but '") &&
                        Contains("ratings.csv' is not a directory"));
}

TEST_CASE("a title's year is read from its end only", "[data][movielens]") {
  CHECK(TitleYear("Toy Story (1995)") == 1995);
  CHECK(TitleYear("Toy Story (1995) ") == 1995);
  CHECK(TitleYear("1995 (film)") == 0);
  CHECK(TitleYear("Babylon 5") == 0);
  CHECK(TitleYear("(19x5)") == 0);
}
